import { Badge } from "./ui";
import { JsonView } from "./JsonView";

interface Breadcrumb {
  type?: string;
  message?: string;
  timestamp?: string;
  data?: unknown;
}

/** What the app recorded before a crash, oldest first. */
export function Breadcrumbs({ items }: { items: unknown }) {
  if (!Array.isArray(items) || items.length === 0) return <p className="text-sm text-slate-500">No breadcrumbs were sent.</p>;
  return (
    <ol className="space-y-1.5 text-sm" aria-label="Breadcrumbs">
      {(items as Breadcrumb[]).map((b, i) => (
        <li key={i} className="flex items-start gap-3">
          <span className="w-16 shrink-0 font-mono text-xs text-slate-500">{b.timestamp ? new Date(b.timestamp).toLocaleTimeString("en", { hour12: false }) : "—"}</span>
          <Badge>{b.type || "event"}</Badge>
          <div className="min-w-0 flex-1 space-y-1.5">
            <p className="break-words">{b.message}</p>
            <JsonView value={b.data} empty={null} />
          </div>
        </li>
      ))}
    </ol>
  );
}
