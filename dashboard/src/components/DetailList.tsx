import type { ReactNode } from "react";

/** A detail card's fields as a definition list, leaving out those without a value. */
export function DetailList({ items }: { items: [label: string, value: ReactNode][] }) {
  return (
    <dl className="space-y-2 p-4 text-sm">
      {items.map(([k, v]) =>
        v ? (
          <div key={k}>
            <dt className="text-xs text-slate-500">{k}</dt>
            <dd className="break-words">{v}</dd>
          </div>
        ) : null,
      )}
    </dl>
  );
}
