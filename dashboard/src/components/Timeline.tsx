import * as Collapsible from "@radix-ui/react-collapsible";
import { AlertCircle, ChevronRight, Globe, MousePointerClick, Navigation, Circle } from "lucide-react";
import type { TimelineEventType } from "../gql/graphql";
import { prettyJSON } from "../lib/format";
import { cn } from "./ui";

export interface TimelineEntry {
  timestamp?: string | null;
  type: TimelineEventType;
  data: unknown;
}

type Data = Record<string, unknown>;

const str = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));

const ICONS = {
  NAVIGATION: Navigation,
  CLICK: MousePointerClick,
  CONSOLE_ERROR: AlertCircle,
  NETWORK_FAILURE: Globe,
  OTHER: Circle,
};

function summary(type: TimelineEventType, d: Data): string {
  switch (type) {
    case "NAVIGATION":
      return `Navigated to ${str(d.url ?? d.to ?? d.path)}`;
    case "CLICK":
      return `Clicked ${str(d.text ?? d.selector ?? d.target)}`;
    case "CONSOLE_ERROR":
      return str(d.message) || "Console error";
    case "NETWORK_FAILURE":
      return [str(d.method), str(d.url), d.status !== undefined ? `→ ${str(d.status)}` : ""].filter(Boolean).join(" ");
    default:
      return str(d.message ?? d.type) || "Event";
  }
}

/** What expands under an event: the element clicked, the stack of an error, the request and response of a failed call. */
function details(type: TimelineEventType, d: Data): { label: string; body: string }[] {
  if (type === "CLICK") {
    // The summary names a button by its text, which hides which element it was and where.
    const body = [
      d.selector !== undefined && `selector: ${str(d.selector)}`,
      d.x !== undefined && d.y !== undefined && `position: x ${str(d.x)}, y ${str(d.y)} (page pixels)`,
    ]
      .filter(Boolean)
      .join("\n");
    return body ? [{ label: "Element", body }] : [];
  }
  if (type === "CONSOLE_ERROR" && d.stack) return [{ label: "Stack trace", body: str(d.stack) }];
  if (type === "NETWORK_FAILURE") {
    const { url: _url, method: _method, status: _status, timestamp: _ts, ...rest } = d;
    return Object.keys(rest).length ? [{ label: "Request and response", body: prettyJSON(rest) }] : [];
  }
  if (type === "OTHER") return [{ label: "Event", body: prettyJSON(d) }];
  return [];
}

const time = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

export function Timeline({ events }: { events: TimelineEntry[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-500">The SDK captured no events before this report.</p>;
  return (
    <ol className="relative space-y-1 border-l border-slate-200 pl-5" aria-label="Timeline">
      {events.map((e, i) => {
        const d = (e.data && typeof e.data === "object" ? e.data : {}) as Data;
        const Icon = ICONS[e.type] ?? Circle;
        const more = details(e.type, d);
        const isError = e.type === "CONSOLE_ERROR" || e.type === "NETWORK_FAILURE";
        return (
          <li key={i} className="relative" data-event-type={e.type}>
            <span className={cn("absolute top-2 -left-[1.95rem] flex size-5 items-center justify-center rounded-full bg-white ring-1", isError ? "text-red-500 ring-red-200" : "text-slate-500 ring-slate-200")}>
              <Icon className="size-3" aria-hidden />
            </span>
            <Collapsible.Root className="rounded-md px-2 py-1.5 hover:bg-slate-50">
              <div className="flex items-baseline gap-3">
                <span className="w-16 shrink-0 font-mono text-xs text-slate-500 tabular-nums">{e.timestamp ? time.format(Date.parse(e.timestamp)) : "—"}</span>
                <span className={cn("min-w-0 flex-1 text-sm break-words", isError && "text-red-700")}>{summary(e.type, d)}</span>
                {more.length > 0 && (
                  <Collapsible.Trigger className="group inline-flex shrink-0 items-center gap-0.5 rounded text-xs font-medium text-primary hover:underline">
                    <ChevronRight className="size-3.5 transition-transform group-data-[state=open]:rotate-90" aria-hidden />
                    {more[0].label}
                  </Collapsible.Trigger>
                )}
              </div>
              {more.length > 0 && (
                <Collapsible.Content>
                  {more.map((m) => (
                    <pre key={m.label} className="mt-2 max-h-80 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">
                      {m.body}
                    </pre>
                  ))}
                </Collapsible.Content>
              )}
            </Collapsible.Root>
          </li>
        );
      })}
    </ol>
  );
}
