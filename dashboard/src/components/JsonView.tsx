import { entriesOf, prettyJSON } from "../lib/format";

/** A captured document: a key/value table for flat objects, pretty JSON otherwise. `empty={null}` shows nothing for an empty one. */
export function JsonView({ value, empty = "Nothing captured." }: { value: unknown; empty?: string | null }) {
  if (value === null || value === undefined || (typeof value === "object" && Object.keys(value as object).length === 0)) {
    return empty === null ? null : <p className="text-sm text-slate-500">{empty}</p>;
  }
  const rows = entriesOf(value);
  if (rows && rows.every(([, v]) => v.length < 200)) {
    return (
      <dl className="grid grid-cols-[minmax(6rem,auto)_1fr] gap-x-4 gap-y-1.5 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="min-w-0 break-words font-mono text-xs leading-5">{v}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <pre className="max-h-80 overflow-auto rounded-md bg-slate-50 p-3 text-xs">{prettyJSON(value)}</pre>;
}
