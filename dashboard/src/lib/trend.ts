// Daily occurrence counts for a crash group's trend chart, computed from its
// recent crash reports (the API's crashStats is per project, not per group).

interface DayCount {
  /** YYYY-MM-DD in the user's time zone. */
  day: string;
  count: number;
}

function dayKey(t: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

/** One entry per day for the `days` days ending today, zeros included, oldest first. */
export function dailyCounts(timestamps: readonly string[], days: number, now: Date = new Date()): DayCount[] {
  const counts = new Map<string, number>();
  for (let i = days - 1; i >= 0; i--) {
    counts.set(dayKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - i)), 0);
  }
  for (const ts of timestamps) {
    const key = dayKey(new Date(ts));
    const c = counts.get(key);
    if (c !== undefined) counts.set(key, c + 1);
  }
  return [...counts].map(([day, count]) => ({ day, count }));
}

/** How often each value occurs, most frequent first. */
export function tally(values: readonly (string | null | undefined)[]): { key: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}
