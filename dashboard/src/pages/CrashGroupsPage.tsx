import { useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useQuery, useSubscription } from "urql";
import { Radio } from "lucide-react";
import { graphql } from "../gql";
import type { CrashGroupListItemFragment, CrashGroupOrderField, CrashGroupStatus, CrashGroupWhereInput } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { enumLabel, formatCount, timeAgo } from "../lib/format";
import { mergeLive, pushLive } from "../lib/live";
import { useCursorPages } from "../lib/pagination";
import { Card, EmptyState, ErrorState, Field, Input, Loading, PageHeader, Select, cn } from "../components/ui";
import { EnumBadge, Pager, ProjectSelect, nodes } from "../components/triage";

graphql(`
  fragment CrashGroupListItem on CrashGroup {
    id errorType errorMessage occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt status projectID
    affectedVersions affectedPlatforms
    project { id name }
  }
`);

const CrashGroupsQuery = graphql(`
  query CrashGroups($projectId: ID, $where: CrashGroupWhereInput, $orderBy: CrashGroupOrder, $first: Int, $after: Cursor) {
    crashGroups(projectId: $projectId, where: $where, orderBy: $orderBy, first: $first, after: $after) {
      edges { node { ...CrashGroupListItem } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const CrashGroupUpdatedSubscription = graphql(`
  subscription CrashGroupUpdated($projectId: ID) {
    crashGroupUpdated(projectId: $projectId) { ...CrashGroupListItem }
  }
`);

export const CRASH_GROUP_STATUSES: CrashGroupStatus[] = ["NEW", "INVESTIGATING", "RESOLVED", "IGNORED", "REGRESSED"];
const SORTS: { field: CrashGroupOrderField; label: string }[] = [
  { field: "LAST_SEEN", label: "Last seen" },
  { field: "OCCURRENCE_COUNT", label: "Most occurrences" },
  { field: "AFFECTED_USERS", label: "Most users affected" },
  { field: "FIRST_SEEN", label: "Newest first" },
];
const PAGE_SIZE = 25;
/** The "first seen" windows, by URL value; 24h is what the overview counts as new crash groups. */
const FIRST_SEEN: { value: string; label: string; hours: number }[] = [
  { value: "24h", label: "In the last 24 hours", hours: 24 },
  { value: "7d", label: "In the last 7 days", hours: 7 * 24 },
  { value: "30d", label: "In the last 30 days", hours: 30 * 24 },
];

/** Highlights a counter for a moment whenever its value changes after the first render. */
function LiveCount({ value, label }: { value: number; label: string }) {
  const first = useRef(value);
  const changed = value !== first.current;
  return (
    <span key={value} className={cn("rounded px-1 tabular-nums", changed && "live-bump")} aria-label={`${value} ${label}`} data-testid={`count-${label}`}>
      {formatCount(value)}
    </span>
  );
}

export function CrashGroupsPage() {
  const [params, setParams] = useSearchParams();
  const projectId = params.get("project") ?? undefined;
  const status = (CRASH_GROUP_STATUSES as string[]).includes(params.get("status") ?? "") ? (params.get("status") as CrashGroupStatus) : undefined;
  const version = params.get("version") ?? "";
  const platform = params.get("platform") ?? "";
  const firstSeen = FIRST_SEEN.find((w) => w.value === params.get("firstSeen"));
  // Fixed when the window is chosen: a cutoff moving with every render would
  // refetch the list on every render.
  const firstSeenAfter = useMemo(() => (firstSeen ? new Date(Date.now() - firstSeen.hours * 3600_000).toISOString() : undefined), [firstSeen]);
  const sort = SORTS.find((s) => s.field === params.get("sort"))?.field ?? "LAST_SEEN";
  const set = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };

  const where: CrashGroupWhereInput = {};
  if (status) where.status = status;
  if (version) where.version = version;
  if (platform) where.platform = platform;
  if (firstSeenAfter) {
    where.firstSeenAtGTE = firstSeenAfter;
    // Implied (a group is last seen no earlier than first seen), and what
    // lets the server's last-seen index narrow the scan.
    where.lastSeenAtGTE = firstSeenAfter;
  }
  const variables = { projectId, where, orderBy: { field: sort, direction: "DESC" as const } };
  const key = JSON.stringify(variables);
  const pages = useCursorPages(key);
  const [{ data, fetching, error }, retry] = useQuery({ query: CrashGroupsQuery, variables: { ...variables, first: PAGE_SIZE, after: pages.after } });

  const [live, setLive] = useState<{ key: string; items: CrashGroupListItemFragment[] }>({ key, items: [] });
  useSubscription({ query: CrashGroupUpdatedSubscription, variables: { projectId } }, (_, event) => {
    const g = event.crashGroupUpdated;
    setLive((prev) => ({ key, items: pushLive(prev.key === key ? prev.items : [], g) }));
    return event;
  });

  const fetched = nodes(data?.crashGroups);
  const fetchedIds = new Set(fetched.map((g) => g.id));
  // What the server's where input asks, for a group pushed live.
  const passesFilters = (g: CrashGroupListItemFragment) =>
    (!status || g.status === status) &&
    (!version || g.affectedVersions.includes(version)) &&
    (!platform || g.affectedPlatforms.includes(platform)) &&
    (!firstSeenAfter || Date.parse(g.firstSeenAt) >= Date.parse(firstSeenAfter));
  // Updates to listed groups always apply; a group not on this page joins it only
  // when it belongs at the top of the first page and passes the filters.
  const liveItems = (live.key === key ? live.items : []).filter((g) => fetchedIds.has(g.id) || (pages.page === 1 && sort === "LAST_SEEN" && passesFilters(g)));
  const rows = mergeLive(fetched, liveItems);

  return (
    <>
      <PageHeader title="Crashes" description="Crash reports grouped by fingerprint. Counters update live." actions={<Link to="/crashes/stats" className="text-sm font-medium text-primary hover:underline">Crash stats →</Link>} />
      <Card className="mb-4 grid grid-cols-2 gap-3 p-4 sm:grid-cols-3 lg:grid-cols-6">
        <Field label="Project" htmlFor="c-project">
          <ProjectSelect id="c-project" value={projectId} onChange={(v) => set("project", v)} />
        </Field>
        <Field label="Status" htmlFor="c-status">
          <Select id="c-status" value={status ?? ""} onChange={(e) => set("status", e.target.value || undefined)}>
            <option value="">Any status</option>
            {CRASH_GROUP_STATUSES.map((s) => (
              <option key={s} value={s}>
                {enumLabel(s)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="First seen" htmlFor="c-first-seen">
          <Select id="c-first-seen" value={firstSeen?.value ?? ""} onChange={(e) => set("firstSeen", e.target.value || undefined)}>
            <option value="">At any time</option>
            {FIRST_SEEN.map((w) => (
              <option key={w.value} value={w.value}>
                {w.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Version" htmlFor="c-version">
          <Input id="c-version" key={version} defaultValue={version} placeholder="1.4.2" onBlur={(e) => e.target.value.trim() !== version && set("version", e.target.value.trim() || undefined)} onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()} />
        </Field>
        <Field label="Platform" htmlFor="c-platform">
          <Input id="c-platform" key={platform} defaultValue={platform} placeholder="web" onBlur={(e) => e.target.value.trim() !== platform && set("platform", e.target.value.trim() || undefined)} onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()} />
        </Field>
        <Field label="Sort by" htmlFor="c-sort">
          <Select id="c-sort" value={sort} onChange={(e) => set("sort", e.target.value === "LAST_SEEN" ? undefined : e.target.value)}>
            {SORTS.map((s) => (
              <option key={s.field} value={s.field}>
                {s.label}
              </option>
            ))}
          </Select>
        </Field>
      </Card>
      <Card>
        <div className="flex items-center justify-end gap-1.5 px-4 pt-3 text-xs text-slate-500">
          <Radio className="size-3.5 text-emerald-500" aria-hidden /> Live
        </div>
        {fetching && !data ? (
          <Loading label="Loading crash groups…" />
        ) : error && !data ? (
          <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />
        ) : rows.length === 0 ? (
          <EmptyState title="No crashes">{status || firstSeen || version || platform ? "Nothing matches these filters." : "Crashes sent by your apps are grouped here as they arrive."}</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-xs text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Error
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Events
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Users
                  </th>
                  <th scope="col" className="hidden px-3 py-2 font-medium sm:table-cell">
                    Last seen
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((g) => (
                  <tr key={g.id} className={cn("hover:bg-slate-50", !fetchedIds.has(g.id) && "live-new")} data-group-id={g.id}>
                    <td className="max-w-md px-3 py-2.5">
                      <Link to={`/crashes/${g.id}`} className="font-medium text-slate-900 hover:text-primary">
                        {g.errorType}
                      </Link>
                      <p className="line-clamp-1 text-xs text-slate-500">{g.errorMessage}</p>
                      <p className="mt-0.5 truncate text-xs text-slate-400">
                        {g.project.name} · {g.affectedPlatforms.join(", ")} · {g.affectedVersions.slice(-3).join(", ")}
                      </p>
                    </td>
                    <td className="px-3 py-2.5">
                      <EnumBadge value={g.status} />
                    </td>
                    <td className="px-3 py-2.5 text-right">
                      <LiveCount value={g.occurrenceCount} label="events" />
                    </td>
                    <td className="px-3 py-2.5 text-right">
                      <LiveCount value={g.affectedUsers} label="users" />
                    </td>
                    <td className="hidden px-3 py-2.5 whitespace-nowrap text-slate-500 sm:table-cell">{timeAgo(g.lastSeenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager page={pages.page} hasNext={Boolean(data?.crashGroups.pageInfo.hasNextPage)} onPrevious={pages.previous} onNext={() => data?.crashGroups.pageInfo.endCursor && pages.next(data.crashGroups.pageInfo.endCursor)} />
      </Card>
    </>
  );
}
