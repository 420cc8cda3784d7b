import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useQuery, useSubscription } from "urql";
import { ArrowDown, ArrowUp, ArrowUpDown, Radio, X } from "lucide-react";
import { graphql } from "../gql";
import type { ReportOrderField, ReportListItemFragment } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { enumLabel, timeAgo } from "../lib/format";
import { mergeLive, pushLive } from "../lib/live";
import { useCursorPages } from "../lib/pagination";
import { useDraft } from "../lib/use-draft";
import { UNRESOLVED } from "../lib/status-filter";
import {
  REPORT_CATEGORIES,
  REPORT_SEVERITIES,
  REPORT_STATUSES,
  matchesReportFilters,
  parseReportFilters,
  reportFiltersToParams,
  reportGroupPath,
  reportQueryVariables,
  type ReportFilters,
} from "../lib/report-filters";
import { Button, Card, EmptyState, ErrorState, Field, Input, Loading, PageHeader, Select, cn } from "../components/ui";
import { AssigneeSelect, EnumBadge, Pager, ProjectSelect, nodes } from "../components/triage";

graphql(`
  fragment ReportListItem on Report {
    id message category severity status pageUrl browser os createdAt updatedAt projectID assigneeID groupID
    project { id name }
    assignee { id name email }
  }
`);

const ReportsQuery = graphql(`
  query Reports($projectId: ID, $search: String, $where: ReportWhereInput, $orderBy: ReportOrder, $first: Int, $after: Cursor) {
    reports(projectId: $projectId, search: $search, where: $where, orderBy: $orderBy, first: $first, after: $after) {
      edges { node { ...ReportListItem } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const ReportGroupsQuery = graphql(`
  query ReportGroups($projectId: ID, $first: Int, $after: Cursor) {
    reportGroups(projectId: $projectId, first: $first, after: $after) {
      edges { node { id pageUrl errorMessage reportCount affectedUsers firstSeenAt lastSeenAt project { id name } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

// The group filter holds only an id; this names the group in its chip.
const ReportGroupNameQuery = graphql(`
  query ReportGroupName($id: ID!) {
    node(id: $id) {
      __typename
      ... on ReportGroup { id pageUrl errorMessage project { id name } }
    }
  }
`);

const ReportCreatedSubscription = graphql(`
  subscription ReportCreated($projectId: ID) {
    reportCreated(projectId: $projectId) { ...ReportListItem }
  }
`);

const PAGE_SIZE = 25;

export function ReportsPage() {
  const [params, setParams] = useSearchParams();
  const filters = parseReportFilters(params);
  const update = (patch: Partial<ReportFilters>) => setParams(reportFiltersToParams({ ...filters, ...patch }));

  return (
    <>
      <PageHeader title="Reports" description="Bug reports sent by your users, newest first." />
      <ReportFiltersBar filters={filters} onChange={update} />
      {filters.grouped ? <ReportGroupsTable filters={filters} /> : <ReportsTable filters={filters} onSort={update} />}
    </>
  );
}

function ReportFiltersBar({ filters, onChange }: { filters: ReportFilters; onChange: (patch: Partial<ReportFilters>) => void }) {
  const [search, setSearch] = useDraft(filters.search ?? "");
  const [more, setMore] = useState(Boolean(filters.from || filters.to || filters.pageUrl || filters.browser || filters.os));

  function submitSearch(e: FormEvent) {
    e.preventDefault();
    onChange({ search: search.trim() || undefined });
  }

  return (
    <Card className="mb-4 space-y-3 p-4">
      <div className="flex flex-wrap items-end gap-3">
        <form role="search" onSubmit={submitSearch} className="flex min-w-60 flex-1 gap-2">
          <Input type="search" aria-label="Search reports" placeholder='Search messages, errors, URLs… ("phrase", -word, OR)' value={search} onChange={(e) => setSearch(e.target.value)} />
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
        <div className="inline-flex rounded-md border border-slate-300 p-0.5" role="group" aria-label="View">
          {(["List", "Grouped"] as const).map((label) => {
            const active = filters.grouped === (label === "Grouped");
            return (
              <button
                key={label}
                type="button"
                aria-pressed={active}
                onClick={() => onChange({ grouped: label === "Grouped" })}
                className={cn("rounded px-3 py-1 text-sm font-medium", active ? "bg-primary text-white" : "text-slate-600 hover:bg-slate-100")}
              >
                {label}
              </button>
            );
          })}
        </div>
      </div>
      {filters.groupId && !filters.grouped && <GroupChip id={filters.groupId} onRemove={() => onChange({ groupId: undefined })} />}
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
        <Field label="Project" htmlFor="f-project">
          <ProjectSelect id="f-project" value={filters.projectId} onChange={(projectId) => onChange({ projectId })} />
        </Field>
        <Field label="Status" htmlFor="f-status">
          <Select id="f-status" value={filters.status ?? ""} onChange={(e) => onChange({ status: (e.target.value || undefined) as ReportFilters["status"] })} disabled={filters.grouped}>
            <option value="">Any status</option>
            <option value={UNRESOLVED}>Unresolved (new or in progress)</option>
            {REPORT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {enumLabel(s)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Category" htmlFor="f-category">
          <Select id="f-category" value={filters.category ?? ""} onChange={(e) => onChange({ category: (e.target.value || undefined) as ReportFilters["category"] })} disabled={filters.grouped}>
            <option value="">Any category</option>
            {REPORT_CATEGORIES.map((s) => (
              <option key={s} value={s}>
                {enumLabel(s)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Severity" htmlFor="f-severity">
          <Select id="f-severity" value={filters.severity ?? ""} onChange={(e) => onChange({ severity: (e.target.value || undefined) as ReportFilters["severity"] })} disabled={filters.grouped}>
            <option value="">Any severity</option>
            {REPORT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {enumLabel(s)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Assignee" htmlFor="f-assignee">
          <AssigneeSelect id="f-assignee" anyLabel="Anyone" value={filters.assigneeId ?? ""} onChange={(v) => onChange({ assigneeId: v || undefined })} disabled={filters.grouped} />
        </Field>
      </div>
      {more ? (
        <DetailFilters filters={filters} onChange={onChange} />
      ) : (
        <Button variant="ghost" size="sm" onClick={() => setMore(true)} disabled={filters.grouped}>
          More filters (date, page, browser, OS)
        </Button>
      )}
    </Card>
  );
}

function GroupChip({ id, onRemove }: { id: string; onRemove: () => void }) {
  const [{ data, fetching }] = useQuery({ query: ReportGroupNameQuery, variables: { id } });
  const g = data?.node?.__typename === "ReportGroup" ? data.node : null;
  const name = g ? `${g.errorMessage || "No console error"} · ${g.pageUrl || "no page"} · ${g.project.name}` : fetching ? "…" : "a group that no longer exists";
  return (
    <div className="flex">
      <span className="inline-flex max-w-full items-center gap-1.5 rounded-full bg-indigo-50 py-1 pr-1 pl-3 text-sm text-indigo-800" data-testid="group-filter">
        <span className="min-w-0 truncate">
          Similar reports: <span className="font-medium">{name}</span>
        </span>
        <button type="button" onClick={onRemove} aria-label="Remove the group filter" className="rounded-full p-0.5 hover:bg-indigo-100">
          <X className="size-3.5" aria-hidden />
        </button>
      </span>
    </div>
  );
}

/** Free-text filters apply on Enter or when the field loses focus, not on every keystroke. */
function DetailFilters({ filters, onChange }: { filters: ReportFilters; onChange: (patch: Partial<ReportFilters>) => void }) {
  const textField = (key: "pageUrl" | "browser" | "os", label: string, placeholder: string) => (
    <Field label={label} htmlFor={`f-${key}`}>
      <Input
        id={`f-${key}`}
        key={filters[key] ?? ""}
        defaultValue={filters[key] ?? ""}
        placeholder={placeholder}
        disabled={filters.grouped}
        onBlur={(e) => e.target.value.trim() !== (filters[key] ?? "") && onChange({ [key]: e.target.value.trim() || undefined })}
        onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
      />
    </Field>
  );
  return (
    <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
      <Field label="From" htmlFor="f-from">
        <Input id="f-from" type="date" value={filters.from ?? ""} onChange={(e) => onChange({ from: e.target.value || undefined })} disabled={filters.grouped} />
      </Field>
      <Field label="To" htmlFor="f-to">
        <Input id="f-to" type="date" value={filters.to ?? ""} onChange={(e) => onChange({ to: e.target.value || undefined })} disabled={filters.grouped} />
      </Field>
      {textField("pageUrl", "Page URL contains", "/checkout")}
      {textField("browser", "Browser", "Chrome")}
      {textField("os", "OS", "macOS")}
    </div>
  );
}

// On phones only severity keeps a column; status and time move under the message.
const SORTABLE: { field: ReportOrderField; label: string; className?: string }[] = [
  { field: "SEVERITY", label: "Severity" },
  { field: "STATUS", label: "Status", className: "hidden sm:table-cell" },
  { field: "CREATED_AT", label: "Received", className: "hidden sm:table-cell" },
];

function SortHeader({ field, label, className, filters, onSort }: { field: ReportOrderField; label: string; className?: string; filters: ReportFilters; onSort: (p: Partial<ReportFilters>) => void }) {
  const active = filters.sort === field;
  const Icon = !active ? ArrowUpDown : filters.direction === "ASC" ? ArrowUp : ArrowDown;
  return (
    <th scope="col" aria-sort={active ? (filters.direction === "ASC" ? "ascending" : "descending") : "none"} className={cn("px-3 py-2", className)}>
      <button
        type="button"
        className="inline-flex items-center gap-1 font-medium hover:text-slate-900"
        onClick={() => onSort({ sort: field, direction: active && filters.direction === "DESC" ? "ASC" : "DESC" })}
      >
        {label} <Icon className="size-3.5" aria-hidden />
      </button>
    </th>
  );
}

function ReportsTable({ filters, onSort }: { filters: ReportFilters; onSort: (p: Partial<ReportFilters>) => void }) {
  const variables = reportQueryVariables(filters);
  const pages = useCursorPages(JSON.stringify(variables));
  const [{ data, fetching, error }, retry] = useQuery({ query: ReportsQuery, variables: { ...variables, first: PAGE_SIZE, after: pages.after } });
  const [live, setLive] = useState<{ key: string; items: ReportListItemFragment[] }>({ key: "", items: [] });
  const liveKey = JSON.stringify(variables);
  // New reports slide in only where they belong: the first page of the newest-first list.
  const showsNewest = pages.page === 1 && filters.sort === "CREATED_AT" && filters.direction === "DESC";
  useSubscription({ query: ReportCreatedSubscription, variables: { projectId: filters.projectId }, pause: !showsNewest }, (_, event) => {
    const report = event.reportCreated;
    if (matchesReportFilters(report, filters)) setLive((prev) => ({ key: liveKey, items: pushLive(prev.key === liveKey ? prev.items : [], report) }));
    return event;
  });

  const fetched = nodes(data?.reports);
  const liveItems = live.key === liveKey && showsNewest ? live.items : [];
  const rows = mergeLive(fetched, liveItems);
  const arrivals = new Set(liveItems.filter((r) => !fetched.some((f) => f.id === r.id)).map((r) => r.id));

  return (
    <Card>
      <div className="flex items-center justify-end gap-1.5 px-4 pt-3 text-xs text-slate-500">
        <Radio className={cn("size-3.5", showsNewest ? "text-emerald-500" : "text-slate-300")} aria-hidden />
        {showsNewest ? "Live: new reports appear here" : "Live updates show on the first page, newest first"}
      </div>
      {fetching && !data ? (
        <Loading label="Loading reports…" />
      ) : error && !data ? (
        <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />
      ) : rows.length === 0 ? (
        <EmptyState title="No reports match">
          {filters.search || filters.status || filters.category || filters.severity || filters.groupId ? "Try removing a filter." : "When your users send a report, it appears here at once."}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Report
                </th>
                <th scope="col" className="hidden px-3 py-2 font-medium md:table-cell">
                  Project
                </th>
                {SORTABLE.map((s) => (
                  <SortHeader key={s.field} {...s} filters={filters} onSort={onSort} />
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100" data-testid="reports-rows">
              {rows.map((r) => (
                <tr key={r.id} className={cn("hover:bg-slate-50", arrivals.has(r.id) && "live-new")} data-live={arrivals.has(r.id) || undefined}>
                  <td className="max-w-md px-3 py-2.5">
                    <Link to={`/reports/${r.id}`} className="line-clamp-2 font-medium text-slate-900 hover:text-primary">
                      {r.message}
                    </Link>
                    <p className="mt-0.5 truncate text-xs text-slate-500">
                      {enumLabel(r.category)} · {r.pageUrl} {r.browser && `· ${r.browser}`} {r.os && `· ${r.os}`}
                    </p>
                    <p className="mt-1 flex items-center gap-2 text-xs text-slate-500 sm:hidden">
                      <EnumBadge value={r.status} /> {timeAgo(r.createdAt)} · {r.project.name}
                    </p>
                  </td>
                  <td className="hidden px-3 py-2.5 text-slate-600 md:table-cell">{r.project.name}</td>
                  <td className="px-3 py-2.5">
                    <EnumBadge value={r.severity} />
                  </td>
                  <td className="hidden px-3 py-2.5 sm:table-cell">
                    <EnumBadge value={r.status} />
                  </td>
                  <td className="hidden px-3 py-2.5 whitespace-nowrap text-slate-500 sm:table-cell">
                    <time dateTime={r.createdAt} title={r.createdAt}>
                      {timeAgo(r.createdAt)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={pages.page} hasNext={Boolean(data?.reports.pageInfo.hasNextPage)} onPrevious={pages.previous} onNext={() => data?.reports.pageInfo.endCursor && pages.next(data.reports.pageInfo.endCursor)} />
    </Card>
  );
}

function ReportGroupsTable({ filters }: { filters: ReportFilters }) {
  const pages = useCursorPages(filters.projectId ?? "");
  const [{ data, fetching, error }, retry] = useQuery({ query: ReportGroupsQuery, variables: { projectId: filters.projectId, first: PAGE_SIZE, after: pages.after } });
  const groups = nodes(data?.reportGroups);
  return (
    <Card>
      {fetching && !data ? (
        <Loading label="Loading groups…" />
      ) : error && !data ? (
        <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />
      ) : groups.length === 0 ? (
        <EmptyState title="No groups yet">Reports from the same page with the same first console error are grouped here.</EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Error and page
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Reports
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Affected users
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Last seen
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {groups.map((g) => (
                <tr key={g.id} className="hover:bg-slate-50">
                  <td className="max-w-md px-3 py-2.5">
                    <Link to={reportGroupPath(g.id)} className="line-clamp-2 font-medium text-slate-900 hover:text-primary">
                      {g.errorMessage || "No console error"}
                    </Link>
                    <p className="mt-0.5 truncate text-xs text-slate-500">
                      {g.project.name} · {g.pageUrl}
                    </p>
                  </td>
                  <td className="px-3 py-2.5 text-right tabular-nums">{g.reportCount}</td>
                  <td className="px-3 py-2.5 text-right tabular-nums">{g.affectedUsers}</td>
                  <td className="px-3 py-2.5 whitespace-nowrap text-slate-500">{timeAgo(g.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={pages.page} hasNext={Boolean(data?.reportGroups.pageInfo.hasNextPage)} onPrevious={pages.previous} onNext={() => data?.reportGroups.pageInfo.endCursor && pages.next(data.reportGroups.pageInfo.endCursor)} />
    </Card>
  );
}
