import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ArrowLeft } from "lucide-react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { graphql } from "../gql";
import type { CrashGroupStatus } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { triageInput, triageShown, type TriageEdits, type TriageGroup } from "../lib/crash-triage";
import { enumLabel, formatCount, formatDateTime, timeAgo } from "../lib/format";
import { useCursorPages } from "../lib/pagination";
import { bucketLabel } from "../lib/trend";
import { Button, Card, CardHeader, ErrorState, Field, InlineError, Input, Loading, PageHeader, Select, Textarea, cn } from "../components/ui";
import { AssigneeSelect, EnumBadge, Pager, nodes } from "../components/triage";
import { StackTrace } from "../components/StackTrace";
import { Breadcrumbs } from "../components/Breadcrumbs";
import { JsonView } from "../components/JsonView";
import { Comments, commentsContext } from "../components/Comments";
import { CRASH_GROUP_STATUSES } from "./CrashGroupsPage";

// The trend (UTC days) and the version/platform split are the group's own
// over the last 30 days, counted by the server from every crash of the
// period. Only the latest crash is fetched whole (stack, breadcrumbs, device
// and app state): it is the one shown; the list of crashes pages on its own.
const CrashGroupQuery = graphql(`
  query CrashGroup($id: ID!) {
    node(id: $id) {
      __typename
      ... on CrashGroup {
        id errorType errorMessage fingerprint occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt
        affectedVersions affectedPlatforms status resolutionNotes resolvedAt resolvedInVersion
        project { id name }
        assignee { id name email }
        comments { id body createdAt author { id name email } }
        latest: crashReports(first: 1, orderBy: { field: CREATED_AT, direction: DESC }) {
          edges { node { id createdAt appVersion platform osVersion severity userID stackTrace breadcrumbs deviceInfo appState } }
        }
        trend(period: MONTH) { start occurrences }
        breakdown(period: MONTH) { total byVersion { key count } byPlatform { key count } }
      }
    }
  }
`);

const CrashGroupCrashesQuery = graphql(`
  query CrashGroupCrashes($id: ID!, $first: Int, $after: Cursor) {
    node(id: $id) {
      __typename
      ... on CrashGroup {
        id
        crashReports(first: $first, after: $after, orderBy: { field: CREATED_AT, direction: DESC }) {
          totalCount
          edges { node { id createdAt appVersion platform osVersion severity userID } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`);

const CRASHES_PAGE_SIZE = 20;

const UpdateCrashGroupMutation = graphql(`
  mutation UpdateCrashGroup($id: ID!, $input: UpdateCrashGroupInput!) {
    updateCrashGroup(id: $id, input: $input) { id status resolutionNotes resolvedAt resolvedInVersion updatedAt assignee { id name email } }
  }
`);

function TriageForm({ group }: { group: TriageGroup & { id: string; assignee?: { id: string } | null } }) {
  const [edits, setEdits] = useState<TriageEdits>({});
  const { status, notes, resolvedIn } = triageShown(edits, group);
  const [{ fetching, error, data }, update] = useMutation(UpdateCrashGroupMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await update({ id: group.id, input: triageInput(edits, group) });
    // Saved: the form follows the group again.
    if (!res.error) setEdits({});
  }

  return (
    <form onSubmit={submit} className="space-y-4 p-4">
      <Field label="Assignee" htmlFor="cg-assignee">
        <AssigneeSelect id="cg-assignee" value={group.assignee?.id ?? ""} onChange={(v) => update({ id: group.id, input: { assigneeId: v || null } })} />
      </Field>
      <Field label="Status" htmlFor="cg-status">
        <Select id="cg-status" value={status} onChange={(e) => setEdits({ ...edits, status: e.target.value as CrashGroupStatus })}>
          {CRASH_GROUP_STATUSES.map((s) => (
            <option key={s} value={s}>
              {enumLabel(s)}
            </option>
          ))}
        </Select>
      </Field>
      {status === "RESOLVED" && (
        <Field label="Resolved in version" htmlFor="cg-version" hint="A crash from a newer version reopens the group as regressed.">
          <Input id="cg-version" value={resolvedIn} onChange={(e) => setEdits({ ...edits, resolvedIn: e.target.value })} placeholder="1.4.3" />
        </Field>
      )}
      <Field label="Resolution notes" htmlFor="cg-notes">
        <Textarea id="cg-notes" value={notes} onChange={(e) => setEdits({ ...edits, notes: e.target.value })} />
      </Field>
      <InlineError message={error && describeError(error)} />
      <Button type="submit" disabled={fetching}>
        {fetching ? "Saving…" : data ? "Saved" : "Save"}
      </Button>
    </form>
  );
}

export function CrashGroupDetailPage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, retry] = useQuery({ query: CrashGroupQuery, variables: { id }, context: commentsContext });
  if (fetching && !data) return <Loading label="Loading the crash group…" />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  const g = data?.node?.__typename === "CrashGroup" ? data.node : null;
  if (!g) return <ErrorState message="This crash group does not exist or was deleted." />;

  const latest = nodes(g.latest)[0];
  const trend = g.trend.map((b) => ({ day: bucketLabel(b.start, false), count: b.occurrences }));
  const period = <span className="text-xs text-slate-500">last 30 days</span>;

  return (
    <>
      <Link to="/crashes" className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden /> Crashes
      </Link>
      <PageHeader
        title={g.errorType}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <EnumBadge value={g.status} /> {g.errorMessage}
          </span>
        }
      />
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        {[
          ["Events", formatCount(g.occurrenceCount)],
          ["Users affected", formatCount(g.affectedUsers)],
          ["First seen", timeAgo(g.firstSeenAt)],
          ["Last seen", timeAgo(g.lastSeenAt)],
        ].map(([label, value]) => (
          <Card key={label} className="p-4">
            <p className="text-xs text-slate-500">{label}</p>
            <p className="mt-1 text-lg font-semibold tabular-nums">{value}</p>
          </Card>
        ))}
      </div>
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <div className="min-w-0 space-y-6">
          <Card>
            <CardHeader title="Trend, last 30 days" />
            <div className="h-56 p-4" role="img" aria-label="Crashes per day over the last 30 days">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={trend}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
                  <XAxis dataKey="day" fontSize={11} minTickGap={16} />
                  <YAxis allowDecimals={false} fontSize={11} width={32} />
                  <Tooltip />
                  <Bar dataKey="count" name="Crashes" fill="#4f46e5" radius={[3, 3, 0, 0]} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          </Card>
          <Card>
            <CardHeader
              title="Sample stack trace"
              actions={
                latest && (
                  <Link to={`/crashes/report/${latest.id}`} className="text-xs text-slate-500 hover:text-primary">
                    latest crash, {formatDateTime(latest.createdAt)}
                  </Link>
                )
              }
            />
            <div className="space-y-3 p-4">
              {latest ? (
                <>
                  <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600" data-testid="latest-crash">
                    <EnumBadge value={latest.severity} />
                    <span>{[`User ${latest.userID || "unknown"}`, latest.appVersion, latest.platform, latest.osVersion].filter(Boolean).join(" · ")}</span>
                  </p>
                  <StackTrace frames={latest.stackTrace} />
                </>
              ) : (
                <p className="text-sm text-slate-500">No crash is retained for this group.</p>
              )}
            </div>
          </Card>
          <Card>
            <CardHeader title="Breadcrumbs" />
            <div className="p-4">{latest ? <Breadcrumbs items={latest.breadcrumbs} /> : <p className="text-sm text-slate-500">None.</p>}</div>
          </Card>
          {latest && (
            <Card>
              <CardHeader title="Device and app state" />
              <div className="grid gap-4 p-4 md:grid-cols-2">
                <JsonView value={latest.deviceInfo} empty="No device information." />
                <JsonView value={latest.appState} empty="No app state." />
              </div>
            </Card>
          )}
          <CrashList groupId={g.id} />
          <Card>
            <CardHeader title="Comments" />
            <div className="p-4">
              <Comments comments={g.comments ?? []} target={{ crashGroupId: g.id }} />
            </div>
          </Card>
        </div>
        <div className="space-y-6">
          <Card>
            <CardHeader title="Triage" />
            <TriageForm key={g.id} group={g} />
          </Card>
          <Card>
            <CardHeader title="Versions" actions={period} />
            <SplitList rows={g.breakdown.byVersion} fallback={g.affectedVersions} />
          </Card>
          <Card>
            <CardHeader title="Platforms" actions={period} />
            <SplitList rows={g.breakdown.byPlatform} fallback={g.affectedPlatforms} />
          </Card>
        </div>
      </div>
    </>
  );
}

/** The group's retained crashes, newest first, each leading to its own page. */
function CrashList({ groupId }: { groupId: string }) {
  const pages = useCursorPages(groupId);
  const [{ data, fetching, error }, retry] = useQuery({ query: CrashGroupCrashesQuery, variables: { id: groupId, first: CRASHES_PAGE_SIZE, after: pages.after } });
  const conn = data?.node?.__typename === "CrashGroup" ? data.node.crashReports : null;
  const crashes = nodes(conn);
  return (
    <Card>
      <CardHeader title="Crashes" actions={conn && <span className="text-xs text-slate-500">{formatCount(conn.totalCount)} retained, newest first</span>} />
      {fetching && !data ? (
        <Loading label="Loading crashes…" />
      ) : error && !data ? (
        <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />
      ) : crashes.length === 0 ? (
        <p className="p-4 text-sm text-slate-500">No crash is retained for this group.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs text-slate-500">
              <tr>
                {/* On phones the version and platform move under the time. */}
                {[["Time"], ["App version", "hidden sm:table-cell"], ["Platform", "hidden sm:table-cell"], ["Severity"], ["User"]].map(([h, className]) => (
                  <th key={h} scope="col" className={cn("px-3 py-2 font-medium whitespace-nowrap", className)}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {crashes.map((c) => (
                <tr key={c.id} className="hover:bg-slate-50" data-crash-id={c.id}>
                  <td className="px-3 py-2 whitespace-nowrap">
                    <Link to={`/crashes/report/${c.id}`} className="font-medium text-slate-900 hover:text-primary">
                      <time dateTime={c.createdAt} title={c.createdAt}>
                        {formatDateTime(c.createdAt)}
                      </time>
                    </Link>
                    <p className="mt-0.5 text-xs text-slate-500 sm:hidden">{[c.appVersion, c.platform, c.osVersion].filter(Boolean).join(" · ")}</p>
                  </td>
                  <td className="hidden px-3 py-2 sm:table-cell">{c.appVersion}</td>
                  <td className="hidden px-3 py-2 sm:table-cell">{[c.platform, c.osVersion].filter(Boolean).join(" · ")}</td>
                  <td className="px-3 py-2">
                    <EnumBadge value={c.severity} />
                  </td>
                  <td className="max-w-48 truncate px-3 py-2">{c.userID || <span className="text-slate-400">unknown</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={pages.page} hasNext={Boolean(conn?.pageInfo.hasNextPage)} onPrevious={pages.previous} onNext={() => conn?.pageInfo.endCursor && pages.next(conn.pageInfo.endCursor)} />
    </Card>
  );
}

function SplitList({ rows, fallback }: { rows: { key: string; count: number }[]; fallback: string[] }) {
  const items = rows.length ? rows : fallback.map((key) => ({ key, count: 0 }));
  if (items.length === 0) return <p className="p-4 text-sm text-slate-500">None recorded.</p>;
  const max = Math.max(1, ...items.map((r) => r.count));
  return (
    <ul className="space-y-2 p-4 text-sm">
      {items.map((r) => (
        <li key={r.key}>
          <div className="flex justify-between gap-2">
            <span className="truncate">{r.key}</span>
            {r.count > 0 && <span className="text-slate-500 tabular-nums">{r.count}</span>}
          </div>
          {r.count > 0 && (
            <progress className="mt-1 h-1.5 w-full overflow-hidden rounded-full [&::-webkit-progress-bar]:bg-slate-100 [&::-webkit-progress-value]:bg-primary" value={r.count} max={max} aria-label={`${r.key}: ${r.count}`} />
          )}
        </li>
      ))}
    </ul>
  );
}
