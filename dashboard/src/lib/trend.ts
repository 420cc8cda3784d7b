// Helpers for the crash charts.

/**
 * A statistics bucket's axis label. The API's buckets are UTC hours (shown
 * as the user's hour) or UTC days, shown as that day: in the user's zone a
 * UTC midnight may fall on the day before.
 */
export function bucketLabel(start: string, hourly: boolean): string {
  return new Date(start).toLocaleString("en", hourly ? { hour: "2-digit", hour12: false } : { month: "short", day: "numeric", timeZone: "UTC" });
}
