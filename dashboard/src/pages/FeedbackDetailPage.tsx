import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ArrowLeft } from "lucide-react";
import { graphql } from "../gql";
import type { FeedbackStatus } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { enumLabel, formatDateTime } from "../lib/format";
import { Button, Card, CardHeader, ErrorState, Field, InlineError, Loading, PageHeader, Select, Textarea } from "../components/ui";
import { EnumBadge } from "../components/triage";
import { JsonView } from "../components/JsonView";
import { DetailList } from "../components/DetailList";
import { Attachments } from "../components/Attachments";
import { Comments, commentsContext } from "../components/Comments";
import { DeleteButton } from "../components/DeleteButton";
import { FEEDBACK_STATUSES } from "./FeedbackPage";

const FeedbackQuery = graphql(`
  query Feedback($id: ID!) {
    node(id: $id) {
      __typename
      ... on Feedback {
        id category message email status internalNotes appVersion platform osVersion deviceInfo createdAt updatedAt
        project { id name }
        attachments { id filename mimeType size }
        comments { id body createdAt author { id name email } }
      }
    }
  }
`);

const UpdateFeedbackMutation = graphql(`
  mutation UpdateFeedback($id: ID!, $input: UpdateFeedbackInput!) {
    updateFeedback(id: $id, input: $input) { id status internalNotes updatedAt }
  }
`);

const DeleteFeedbackMutation = graphql(`
  mutation DeleteFeedback($id: ID!) {
    deleteFeedback(id: $id)
  }
`);

function Notes({ id, initial }: { id: string; initial: string }) {
  const [notes, setNotes] = useState(initial);
  const [{ fetching, error }, update] = useMutation(UpdateFeedbackMutation);
  return (
    <div className="space-y-2">
      <Textarea id="notes" aria-label="Internal notes" value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="Only your team sees these." />
      <InlineError message={error && describeError(error)} />
      <Button size="sm" variant="secondary" disabled={fetching || notes === initial} onClick={() => update({ id, input: { internalNotes: notes } })}>
        {fetching ? "Saving…" : "Save notes"}
      </Button>
    </div>
  );
}

export function FeedbackDetailPage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, retry] = useQuery({ query: FeedbackQuery, variables: { id } , context: commentsContext });
  const [update, updateFeedback] = useMutation(UpdateFeedbackMutation);
  const [removal, deleteFeedback] = useMutation(DeleteFeedbackMutation);
  const navigate = useNavigate();
  if (fetching && !data) return <Loading label="Loading feedback…" />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  const f = data?.node?.__typename === "Feedback" ? data.node : null;
  if (!f) return <ErrorState message="This feedback does not exist or was deleted." />;

  async function remove() {
    // The answer is only an id, so the cached lists holding feedback are dropped by type.
    const res = await deleteFeedback({ id: f!.id }, { additionalTypenames: ["Feedback"] });
    if (!res.error) navigate("/feedback", { replace: true });
  }

  return (
    <>
      <Link to="/feedback" className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden /> Feedback
      </Link>
      <PageHeader
        title={`${enumLabel(f.category)} feedback`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <EnumBadge value={f.status} /> {f.project.name} · {formatDateTime(f.createdAt)}
          </span>
        }
        actions={
          <DeleteButton title="Delete this feedback?" busy={removal.fetching} error={removal.error && describeError(removal.error)} onConfirm={remove}>
            The feedback and its attachments are deleted for good.
          </DeleteButton>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <div className="min-w-0 space-y-6">
          <Card className="p-4">
            <p className="text-sm whitespace-pre-wrap">{f.message}</p>
          </Card>
          <Card>
            <CardHeader title="Attachments" />
            <div className="p-4">
              <Attachments items={f.attachments ?? []} />
            </div>
          </Card>
          <Card>
            <CardHeader title="Comments" />
            <div className="p-4">
              <Comments comments={f.comments ?? []} target={{ feedbackId: f.id }} />
            </div>
          </Card>
        </div>
        <div className="space-y-6">
          <Card className="space-y-4 p-4">
            <Field label="Status" htmlFor="fb-status">
              <Select id="fb-status" value={f.status} disabled={update.fetching} onChange={(e) => updateFeedback({ id: f.id, input: { status: e.target.value as FeedbackStatus } })}>
                {FEEDBACK_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {enumLabel(s)}
                  </option>
                ))}
              </Select>
            </Field>
            <InlineError message={update.error && describeError(update.error)} />
            <div>
              <p className="mb-1 text-sm font-medium text-slate-700">Internal notes</p>
              <Notes key={f.updatedAt} id={f.id} initial={f.internalNotes} />
            </div>
          </Card>
          <Card>
            <CardHeader title="Details" />
            <DetailList
              items={[
                ["From", f.email],
                ["App version", f.appVersion],
                ["Platform", f.platform],
                ["OS version", f.osVersion],
              ]}
            />
          </Card>
          <Card>
            <CardHeader title="Device" />
            <div className="p-4">
              <JsonView value={f.deviceInfo} empty="No device information." />
            </div>
          </Card>
        </div>
      </div>
    </>
  );
}
