// A list's status filter in the URL: one status, or UNRESOLVED, every status
// that still needs work. The overview's "unresolved" counters link to the
// latter, so the list they open shows what they counted.

export const UNRESOLVED = "UNRESOLVED";

export type StatusFilter<S extends string> = S | typeof UNRESOLVED;

/** The filter in a URL value; anything else is no filter. */
export function parseStatusFilter<S extends string>(value: string | null, statuses: readonly S[]): StatusFilter<S> | undefined {
  if (value === UNRESOLVED) return UNRESOLVED;
  return statuses.includes(value as S) ? (value as S) : undefined;
}

/** The filter as the API's where input: status for one, statusIn for the unresolved ones. */
export function statusWhere<S extends string>(f: StatusFilter<S> | undefined, unresolved: readonly S[]): { status?: S; statusIn?: S[] } {
  if (!f) return {};
  return f === UNRESOLVED ? { statusIn: [...unresolved] } : { status: f };
}

/** Whether an item with this status belongs in the filtered list. */
export function statusMatches<S extends string>(f: StatusFilter<S> | undefined, unresolved: readonly S[], status: S): boolean {
  if (!f) return true;
  return f === UNRESOLVED ? unresolved.includes(status) : status === f;
}
