import { Link, useParams } from "react-router";
import { useQuery } from "urql";
import { ArrowLeft } from "lucide-react";
import { graphql } from "../gql";
import { describeError } from "../lib/graphql-errors";
import { formatDateTime } from "../lib/format";
import { Card, CardHeader, ErrorState, Loading, PageHeader } from "../components/ui";
import { EnumBadge } from "../components/triage";
import { StackTrace } from "../components/StackTrace";
import { Breadcrumbs } from "../components/Breadcrumbs";
import { JsonView } from "../components/JsonView";
import { DetailList } from "../components/DetailList";
import { Attachments } from "../components/Attachments";

const CrashReportQuery = graphql(`
  query CrashReport($id: ID!) {
    node(id: $id) {
      __typename
      ... on CrashReport {
        id createdAt errorType errorMessage severity userID appVersion platform osVersion fingerprint
        stackTrace breadcrumbs deviceInfo appState
        project { id name }
        group { id errorType status }
        attachments { id filename mimeType size }
      }
    }
  }
`);

/** The SDK sends a crash's tags inside its app state (appState.tags); they are shown apart. */
function splitTags(appState: unknown): { tags: unknown; state: unknown } {
  if (!appState || typeof appState !== "object" || Array.isArray(appState) || !("tags" in appState)) return { tags: null, state: appState };
  const { tags, ...state } = appState as Record<string, unknown>;
  return { tags, state };
}

export function CrashReportPage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, retry] = useQuery({ query: CrashReportQuery, variables: { id } });
  if (fetching && !data) return <Loading label="Loading the crash…" />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  const c = data?.node?.__typename === "CrashReport" ? data.node : null;
  if (!c) return <ErrorState message="This crash does not exist or was deleted." />;
  const { tags, state } = splitTags(c.appState);

  return (
    <>
      <Link to={c.group ? `/crashes/${c.group.id}` : "/crashes"} className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden /> {c.group ? `Crash group ${c.group.errorType}` : "Crashes"}
      </Link>
      <PageHeader
        title={c.errorType}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <EnumBadge value={c.severity} /> {c.project.name} · {formatDateTime(c.createdAt)}
          </span>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <div className="min-w-0 space-y-6">
          <Card>
            <CardHeader title="Message" />
            <p className="p-4 text-sm break-words whitespace-pre-wrap">{c.errorMessage || <span className="text-slate-500">No message was sent.</span>}</p>
          </Card>
          <Card>
            <CardHeader title="Stack trace" />
            <div className="p-4">
              <StackTrace frames={c.stackTrace} />
            </div>
          </Card>
          <Card>
            <CardHeader title="Breadcrumbs" />
            <div className="p-4">
              <Breadcrumbs items={c.breadcrumbs} />
            </div>
          </Card>
          <Card>
            <CardHeader title="Device and app state" />
            <div className="grid gap-4 p-4 md:grid-cols-2">
              <JsonView value={c.deviceInfo} empty="No device information." />
              <JsonView value={state} empty="No app state." />
            </div>
          </Card>
          <Card>
            <CardHeader title="Attachments" />
            <div className="p-4">
              <Attachments items={c.attachments ?? []} />
            </div>
          </Card>
        </div>
        <div className="space-y-6">
          <Card>
            <CardHeader title="Details" />
            <DetailList
              items={[
                [
                  "Group",
                  c.group && (
                    <span className="flex flex-wrap items-center gap-2">
                      <Link to={`/crashes/${c.group.id}`} className="text-primary hover:underline">
                        {c.group.errorType}
                      </Link>
                      <EnumBadge value={c.group.status} />
                    </span>
                  ),
                ],
                ["User", c.userID],
                ["App version", c.appVersion],
                ["Platform", c.platform],
                ["OS version", c.osVersion],
                ["Received", formatDateTime(c.createdAt)],
                ["Fingerprint", <code className="text-xs break-all">{c.fingerprint}</code>],
              ]}
            />
          </Card>
          <Card>
            <CardHeader title="Tags" />
            <div className="p-4">
              <JsonView value={tags} empty="No tags were sent." />
            </div>
          </Card>
        </div>
      </div>
    </>
  );
}
