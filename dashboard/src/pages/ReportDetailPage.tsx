import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ArrowLeft } from "lucide-react";
import { graphql } from "../gql";
import type { ReportStatus } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { enumLabel, formatDateTime, plural } from "../lib/format";
import { REPORT_STATUSES, reportGroupPath } from "../lib/report-filters";
import { Card, CardHeader, ErrorState, Field, InlineError, Loading, PageHeader, Select } from "../components/ui";
import { AssigneeSelect, EnumBadge, useUserOptions } from "../components/triage";
import { Timeline } from "../components/Timeline";
import { JsonView } from "../components/JsonView";
import { DetailList } from "../components/DetailList";
import { Attachments } from "../components/Attachments";
import { Comments, commentsContext } from "../components/Comments";
import { DeleteButton } from "../components/DeleteButton";

const ReportQuery = graphql(`
  query Report($id: ID!) {
    node(id: $id) {
      __typename
      ... on Report {
        id message category severity status pageUrl appVersion browser os reporterEmail createdAt updatedAt
        userContext customMetadata deviceInfo
        project { id name }
        assignee { id name email }
        group { id reportCount affectedUsers }
        mergedTimeline { timestamp type data }
        attachments { id filename mimeType size }
        comments { id body createdAt author { id name email } }
        changes { id createdAt field fromValue toValue actor { id name email } }
      }
    }
  }
`);

const UpdateReportMutation = graphql(`
  mutation UpdateReport($id: ID!, $input: UpdateReportInput!) {
    updateReport(id: $id, input: $input) { id status updatedAt assignee { id name email } }
  }
`);

const DeleteReportMutation = graphql(`
  mutation DeleteReport($id: ID!) {
    deleteReport(id: $id)
  }
`);

export function ReportDetailPage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, retry] = useQuery({ query: ReportQuery, variables: { id } , context: commentsContext });
  const [update, updateReport] = useMutation(UpdateReportMutation);
  const [removal, deleteReport] = useMutation(DeleteReportMutation);
  const navigate = useNavigate();
  const users = useUserOptions();
  // Assignee changes record user ids; statuses are stored in lower case.
  const changeValue = (field: string, v: string) => {
    if (!v) return "none";
    if (field !== "assignee") return enumLabel(v);
    const u = users.find((x) => x.id === v);
    return u ? u.name || u.email : "a former user";
  };

  if (fetching && !data) return <Loading label="Loading the report…" />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  const r = data?.node?.__typename === "Report" ? data.node : null;
  if (!r) return <ErrorState message="This report does not exist or was deleted." />;

  async function remove() {
    // The answer is only an id, so the cached lists holding reports are dropped by type.
    const res = await deleteReport({ id: r!.id }, { additionalTypenames: ["Report"] });
    if (!res.error) navigate("/reports", { replace: true });
  }

  return (
    <>
      <Link to="/reports" className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden /> Reports
      </Link>
      <PageHeader
        title={r.message}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <EnumBadge value={r.severity} /> <EnumBadge value={r.status} /> {enumLabel(r.category)} · {r.project.name} · {formatDateTime(r.createdAt)}
          </span>
        }
        actions={
          <DeleteButton title="Delete this report?" busy={removal.fetching} error={removal.error && describeError(removal.error)} onConfirm={remove}>
            The report and its attachments are deleted for good, and it no longer counts in its group.
          </DeleteButton>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem] lg:grid-rows-[auto_1fr] lg:items-start">
        {/* Triage first in the source so that phones show it above the timeline. */}
        <div className="lg:col-start-2 lg:row-start-1">
          <Card className="space-y-4 p-4">
            <Field label="Status" htmlFor="status">
              <Select id="status" value={r.status} disabled={update.fetching} onChange={(e) => updateReport({ id: r.id, input: { status: e.target.value as ReportStatus } })}>
                {REPORT_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {enumLabel(s)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Assignee" htmlFor="assignee">
              <AssigneeSelect id="assignee" value={r.assignee?.id ?? ""} disabled={update.fetching} onChange={(v) => updateReport({ id: r.id, input: { assigneeId: v || null } })} />
            </Field>
            <InlineError message={update.error && describeError(update.error)} />
          </Card>
        </div>
        <div className="min-w-0 space-y-6 lg:col-start-1 lg:row-span-2 lg:row-start-1">
          <Card>
            <CardHeader title="Timeline" />
            <div className="p-4">
              <Timeline events={r.mergedTimeline} />
            </div>
          </Card>
          <Card>
            <CardHeader title="User context" />
            <div className="p-4">
              <JsonView value={r.userContext} empty="No user context was sent." />
            </div>
          </Card>
          <Card>
            <CardHeader title="Metadata" />
            <div className="p-4">
              <JsonView value={r.customMetadata} empty="No custom metadata was sent." />
            </div>
          </Card>
          <Card>
            <CardHeader title="Attachments" />
            <div className="p-4">
              <Attachments items={r.attachments ?? []} />
            </div>
          </Card>
          <Card>
            <CardHeader title="Comments" />
            <div className="p-4">
              <Comments comments={r.comments ?? []} target={{ reportId: r.id }} />
            </div>
          </Card>
        </div>
        <div className="space-y-6 lg:col-start-2">
          <Card>
            <CardHeader title="Details" />
            <DetailList
              items={[
                ["Page", r.pageUrl],
                ["App version", r.appVersion],
                ["Browser", r.browser],
                ["OS", r.os],
                ["Reporter", r.reporterEmail],
                [
                  "Similar reports",
                  r.group && (
                    <Link to={reportGroupPath(r.group.id)} className="text-primary hover:underline">
                      {plural(r.group.reportCount, "report")} from {plural(r.group.affectedUsers, "user")}
                    </Link>
                  ),
                ],
              ]}
            />
          </Card>
          <Card>
            <CardHeader title="Device" />
            <div className="p-4">
              <JsonView value={r.deviceInfo} empty="No device information." />
            </div>
          </Card>
          <Card>
            <CardHeader title="History" />
            <div className="p-4">
              {(r.changes ?? []).length === 0 ? (
                <p className="text-sm text-slate-500">No changes yet.</p>
              ) : (
                <ol className="space-y-2 text-sm">
                  {r.changes!.map((c) => (
                    <li key={c.id}>
                      <span className="font-medium">{c.actor?.name || c.actor?.email || "Someone"}</span> changed {c.field} from {changeValue(c.field, c.fromValue)} to {changeValue(c.field, c.toValue)}
                      <span className="block text-xs text-slate-500">{formatDateTime(c.createdAt)}</span>
                    </li>
                  ))}
                </ol>
              )}
            </div>
          </Card>
        </div>
      </div>
    </>
  );
}
