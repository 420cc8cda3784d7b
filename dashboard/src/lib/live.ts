// Merging items pushed by subscriptions into lists fetched by queries.

interface Identified {
  id: string;
  /** When present, decides which of a pushed and a fetched copy is newer. */
  updatedAt?: string;
}

function newer<T extends Identified>(a: T, b: T): T {
  if (a.updatedAt && b.updatedAt) return Date.parse(b.updatedAt) > Date.parse(a.updatedAt) ? b : a;
  return a;
}

/**
 * The list as displayed: live arrivals first (newest first), then the fetched
 * page. An item both pushed and fetched shows once, in its fetched place, with
 * the newer of the two copies (a live update must not be undone by a stale
 * page, nor a later refetch by an older push). Without updatedAt the pushed
 * copy wins.
 */
export function mergeLive<T extends Identified>(fetched: readonly T[], live: readonly T[]): T[] {
  const liveById = new Map(live.map((item) => [item.id, item]));
  const fetchedIds = new Set(fetched.map((item) => item.id));
  const arrivals = live.filter((item) => !fetchedIds.has(item.id));
  return [
    ...arrivals,
    ...fetched.map((item) => {
      const pushed = liveById.get(item.id);
      return pushed ? newer(pushed, item) : item;
    }),
  ];
}

/** Adds or replaces item in a live buffer, newest first, bounded so a flood cannot grow it without end. */
export function pushLive<T extends Identified>(buffer: readonly T[], item: T, limit = 200): T[] {
  return [item, ...buffer.filter((x) => x.id !== item.id)].slice(0, limit);
}
