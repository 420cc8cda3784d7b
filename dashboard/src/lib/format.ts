// Display formatting shared by every page.

// Values that are acronyms rather than words.
const ACRONYMS: Record<string, string> = { UI: "UI", NPM: "npm", CDN: "CDN" };

/** "IN_PROGRESS" → "In progress". */
export function enumLabel(value: string | null | undefined): string {
  if (!value) return "";
  if (ACRONYMS[value]) return ACRONYMS[value];
  const words = value.toLowerCase().split("_");
  return [words[0][0].toUpperCase() + words[0].slice(1), ...words.slice(1)].join(" ");
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 minutes ago", "yesterday", "just now". */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (Number.isNaN(seconds)) return "";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return "just now";
}

const dateTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "" : dateTime.format(t);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[i]}`;
}

/** "1 report", "3 reports". */
export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat("en", { notation: n >= 10_000 ? "compact" : "standard" }).format(n);
}

/** Pretty JSON for the captured documents (context, metadata, device). */
export function prettyJSON(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A captured JSON value as a list of [key, value] rows, or null when it is not an object. */
export function entriesOf(value: unknown): [string, string][] | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  return Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
}

/** A list typed in one field, separated by commas or blanks. */
export function splitList(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

/** A number field's value to send: emptied, it is null, which puts the setting back to its default. */
export function optionalInt(value: string): number | null {
  return value.trim() === "" ? null : Number(value);
}
