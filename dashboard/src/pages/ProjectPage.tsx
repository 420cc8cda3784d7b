import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ArrowLeft, Eye, EyeOff, KeyRound, RefreshCw, Send } from "lucide-react";
import { graphql } from "../gql";
import type { WebhookFormat } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { enumLabel, formatDateTime, optionalInt, splitList, timeAgo } from "../lib/format";
import { DELIVERY_POLL_MS, awaitsFirstAttempt, maskSecret, newestFirst, usePolling } from "../lib/webhooks";
import { Badge, Button, Card, CardHeader, Dialog, EmptyState, ErrorState, Field, InlineError, Input, Loading, PageHeader, Select } from "../components/ui";
import { EnumBadge, nodes } from "../components/triage";
import { CopyButton } from "../components/CopyButton";

const ProjectQuery = graphql(`
  query Project($id: ID!) {
    project(id: $id) {
      id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt
      publicKeys { id name key createdAt lastUsedAt revokedAt }
    }
  }
`);

const UpdateProjectMutation = graphql(`
  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {
    updateProject(id: $id, input: $input) { id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt }
  }
`);

const DeleteProjectMutation = graphql(`
  mutation DeleteProject($id: ID!) {
    deleteProject(id: $id)
  }
`);

const CreatePublicKeyMutation = graphql(`
  mutation CreatePublicKey($projectId: ID!, $name: String!) {
    createPublicKey(projectId: $projectId, name: $name) { id name key createdAt lastUsedAt revokedAt }
  }
`);

const RevokePublicKeyMutation = graphql(`
  mutation RevokePublicKey($id: ID!) {
    revokePublicKey(id: $id) { id revokedAt }
  }
`);

// The latest 20 deliveries, oldest first (a connection's last page). Its own
// query, so that polling it while a delivery is in flight refetches nothing else.
const WebhookDeliveriesQuery = graphql(`
  query WebhookDeliveries($id: ID!) {
    project(id: $id) {
      id
      webhookDeliveries(last: 20) {
        totalCount
        edges { node { id event status attempts responseCode lastError createdAt deliveredAt } }
      }
    }
  }
`);

const SendTestWebhookMutation = graphql(`
  mutation SendTestWebhook($projectId: ID!) {
    sendTestWebhook(projectId: $projectId) { id event status attempts responseCode lastError createdAt deliveredAt }
  }
`);

const FORMATS: WebhookFormat[] = ["GENERIC", "SLACK", "DISCORD"];

interface ProjectSettings {
  id: string;
  name: string;
  slug: string;
  allowedDomains: string[];
  webhookUrl?: string | null;
  webhookFormat: WebhookFormat;
  retentionDays?: number | null;
  rateLimitPerMinute?: number | null;
  fingerprintIgnore: string[];
}

function SettingsForm({ project }: { project: ProjectSettings }) {
  const [form, setForm] = useState({
    name: project.name,
    slug: project.slug,
    allowedDomains: project.allowedDomains.join(", "),
    webhookUrl: project.webhookUrl ?? "",
    webhookFormat: project.webhookFormat,
    retentionDays: project.retentionDays?.toString() ?? "",
    rateLimitPerMinute: project.rateLimitPerMinute?.toString() ?? "",
    fingerprintIgnore: project.fingerprintIgnore.join(", "),
  });
  const [{ fetching, error, data }, update] = useMutation(UpdateProjectMutation);
  const change = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  function submit(e: FormEvent) {
    e.preventDefault();
    update({
      id: project.id,
      input: {
        name: form.name,
        slug: form.slug,
        allowedDomains: splitList(form.allowedDomains),
        webhookUrl: form.webhookUrl.trim(),
        webhookFormat: form.webhookFormat,
        retentionDays: optionalInt(form.retentionDays),
        rateLimitPerMinute: optionalInt(form.rateLimitPerMinute),
        fingerprintIgnore: splitList(form.fingerprintIgnore),
      },
    });
  }

  return (
    <form onSubmit={submit} className="grid gap-4 p-4 sm:grid-cols-2">
      <Field label="Name" htmlFor="p-name">
        <Input id="p-name" required value={form.name} onChange={change("name")} />
      </Field>
      <Field label="Slug" htmlFor="p-slug" hint="Used in the SDK URLs and new keys. Apps keep working with their current keys after a change.">
        <Input id="p-slug" required value={form.slug} onChange={change("slug")} />
      </Field>
      <div className="sm:col-span-2">
        <Field label="Allowed domains" htmlFor="p-domains" hint="Comma-separated hosts; *.example.com wildcards; * for any origin.">
          <Input id="p-domains" value={form.allowedDomains} onChange={change("allowedDomains")} />
        </Field>
      </div>
      <Field label="Webhook URL" htmlFor="p-webhook" hint="Empty removes the webhook.">
        <Input id="p-webhook" type="url" placeholder="https://hooks.example.com/…" value={form.webhookUrl} onChange={change("webhookUrl")} />
      </Field>
      <Field label="Webhook format" htmlFor="p-format">
        <Select id="p-format" value={form.webhookFormat} onChange={change("webhookFormat")}>
          {FORMATS.map((f) => (
            <option key={f} value={f}>
              {enumLabel(f)}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Retention (days)" htmlFor="p-retention" hint="Empty uses the instance's defaults.">
        <Input id="p-retention" type="number" min={1} value={form.retentionDays} onChange={change("retentionDays")} />
      </Field>
      <Field label="Rate limit (requests per minute per key)" htmlFor="p-rate" hint="Empty uses the default (100).">
        <Input id="p-rate" type="number" min={1} value={form.rateLimitPerMinute} onChange={change("rateLimitPerMinute")} />
      </Field>
      <div className="sm:col-span-2">
        <Field
          label="Third-party code in stack traces"
          htmlFor="p-ignore"
          hint="Comma-separated parts of file paths or URLs (vendor/, cdn.example.com). Their frames are left out of new crashes' grouping, as node_modules is."
        >
          <Input id="p-ignore" value={form.fingerprintIgnore} onChange={change("fingerprintIgnore")} />
        </Field>
      </div>
      <div className="flex items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={fetching}>
          {fetching ? "Saving…" : "Save changes"}
        </Button>
        {data && !error && <span className="text-sm text-emerald-700">Saved.</span>}
      </div>
      <div className="sm:col-span-2">
        <InlineError message={error && describeError(error)} />
      </div>
    </form>
  );
}

function SigningSecret({ projectId, secret }: { projectId: string; secret?: string | null }) {
  const [revealed, setRevealed] = useState(false);
  const [copyFailed, setCopyFailed] = useState(false);
  const [rotated, rotate] = useMutation(UpdateProjectMutation);

  if (!secret) {
    return <p className="text-sm text-slate-500">A signing secret is created when you save a webhook URL.</p>;
  }

  function afterCopy(ok: boolean) {
    setCopyFailed(!ok);
    // Shown instead, for the user to select and copy by hand.
    if (!ok) setRevealed(true);
  }

  async function rotateSecret() {
    if (!confirm("Rotate the signing secret? Receivers checking signatures with the current secret reject deliveries until they use the new one.")) return;
    setCopyFailed(false);
    await rotate({ id: projectId, input: { rotateWebhookSecret: true } });
  }

  return (
    <div className="space-y-2">
      <p className="text-sm font-medium text-slate-700">Signing secret</p>
      <div className="flex flex-wrap items-center gap-2">
        <code className="w-full rounded bg-slate-50 px-2 py-1.5 text-xs break-all sm:w-auto sm:min-w-0 sm:flex-1" data-testid="webhook-secret">
          {revealed ? secret : maskSecret(secret)}
        </code>
        <Button variant="secondary" size="sm" onClick={() => setRevealed(!revealed)} aria-pressed={revealed}>
          {revealed ? <EyeOff className="size-3.5" aria-hidden /> : <Eye className="size-3.5" aria-hidden />}
          {revealed ? "Hide" : "Reveal"}
        </Button>
        <CopyButton text={secret} onResult={afterCopy} aria-label="Copy the signing secret" />
        <Button variant="secondary" size="sm" disabled={rotated.fetching} onClick={rotateSecret}>
          <RefreshCw className="size-3.5" aria-hidden />
          {rotated.fetching ? "Rotating…" : "Rotate secret"}
        </Button>
      </div>
      <p className="text-xs text-slate-500">
        Each delivery is signed with it in the <code>X-Oopsie-Signature</code> header; check it in your receiver.
      </p>
      {copyFailed && <p className="text-xs text-amber-800">This browser does not allow copying here; select the secret above and copy it.</p>}
      {rotated.data && !rotated.error && <p className="text-sm text-emerald-700">Secret rotated: deliveries are now signed with the new one.</p>}
      <InlineError message={rotated.error && describeError(rotated.error)} />
    </div>
  );
}

function SendTestEvent({ projectId, webhookUrl }: { projectId: string; webhookUrl?: string | null }) {
  const [sent, send] = useMutation(SendTestWebhookMutation);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" disabled={!webhookUrl || sent.fetching} aria-describedby="webhook-test-hint" onClick={() => send({ projectId })}>
          <Send className="size-4" aria-hidden />
          {sent.fetching ? "Sending…" : "Send test event"}
        </Button>
        {sent.data && !sent.error && <span className="text-sm text-emerald-700">Test event queued; it shows in the log below.</span>}
      </div>
      <p id="webhook-test-hint" className="text-xs break-all text-slate-500">
        {webhookUrl ? (
          <>
            Sends a <code>webhook.test</code> event to {webhookUrl}.
          </>
        ) : (
          "Set a webhook URL in the settings above and save it to send a test event."
        )}
      </p>
      <InlineError message={sent.error && describeError(sent.error)} />
    </div>
  );
}

// Registers the log under WebhookDelivery even while it is empty, so that
// sending a test event (which returns one) refetches it.
const deliveriesContext = { additionalTypenames: ["WebhookDelivery"] };

function DeliveryLog({ projectId, hasWebhook }: { projectId: string; hasWebhook: boolean }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: WebhookDeliveriesQuery, variables: { id: projectId }, context: deliveriesContext });
  const connection = data?.project?.webhookDeliveries;
  const deliveries = newestFirst(nodes(connection));
  const refresh = () => refetch({ requestPolicy: "network-only" });
  // A pending delivery changes within seconds without any event the page hears
  // of; a retrying one may wait hours for its next attempt, so Refresh shows it.
  usePolling(
    deliveries.some((d) => awaitsFirstAttempt(d.status)),
    DELIVERY_POLL_MS,
    () => !fetching && refresh(),
  );

  let body;
  if (fetching && !data) body = <Loading label="Loading deliveries…" />;
  else if (error && !data) body = <ErrorState message={describeError(error)} onRetry={refresh} />;
  else if (deliveries.length === 0)
    body = (
      <EmptyState title="No deliveries yet">
        {hasWebhook ? "Events sent to the webhook show here for 30 days. Send a test event to check your receiver." : "Set a webhook URL to receive new reports, feedback and crash groups."}
      </EmptyState>
    );
  else
    body = (
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" aria-label="Webhook deliveries">
          <thead className="border-b border-slate-200 text-xs text-slate-500">
            <tr>
              <th scope="col" className="py-2 pr-3 pl-4 font-medium">
                Event
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Status
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Attempts
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Response
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Last error
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Created
              </th>
              <th scope="col" className="py-2 pr-4 pl-3 font-medium">
                Delivered
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {deliveries.map((d) => (
              <tr key={d.id} data-delivery-id={d.id}>
                <td className="py-2.5 pr-3 pl-4 font-mono text-xs whitespace-nowrap">{d.event}</td>
                <td className="px-3 py-2.5">
                  <EnumBadge value={d.status} />
                </td>
                <td className="px-3 py-2.5 text-right tabular-nums">{d.attempts}</td>
                <td className="px-3 py-2.5 text-right tabular-nums" data-testid="response-code">
                  {d.responseCode ?? <span className="text-slate-400">—</span>}
                </td>
                <td className="max-w-xs px-3 py-2.5 text-xs text-slate-600">
                  {d.lastError ? (
                    <span className="line-clamp-2 break-words" title={d.lastError}>
                      {d.lastError}
                    </span>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </td>
                <td className="px-3 py-2.5 whitespace-nowrap text-slate-500">
                  <time dateTime={d.createdAt}>{formatDateTime(d.createdAt)}</time>
                </td>
                <td className="py-2.5 pr-4 pl-3 whitespace-nowrap text-slate-500">
                  {d.deliveredAt ? <time dateTime={d.deliveredAt}>{formatDateTime(d.deliveredAt)}</time> : <span className="text-slate-400">—</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <div className="border-t border-slate-200">
      <div className="flex flex-wrap items-center gap-2 px-4 pt-3">
        <h3 className="text-sm font-semibold text-slate-900">Recent deliveries</h3>
        {connection && connection.totalCount > deliveries.length && (
          <span className="text-xs text-slate-500">
            latest {deliveries.length} of {connection.totalCount}
          </span>
        )}
        <Button variant="ghost" size="sm" className="ml-auto" disabled={fetching} onClick={refresh}>
          <RefreshCw className="size-3.5" aria-hidden /> Refresh
        </Button>
      </div>
      {error && data && (
        <div className="px-4 pt-2">
          <InlineError message={`The log could not be refreshed: ${describeError(error)}`} />
        </div>
      )}
      {body}
    </div>
  );
}

function Webhook({ project }: { project: { id: string; webhookUrl?: string | null; webhookSecret?: string | null } }) {
  return (
    <>
      <div className="space-y-5 p-4">
        <SigningSecret projectId={project.id} secret={project.webhookSecret} />
        <SendTestEvent projectId={project.id} webhookUrl={project.webhookUrl} />
      </div>
      <DeliveryLog projectId={project.id} hasWebhook={Boolean(project.webhookUrl)} />
    </>
  );
}

interface Key {
  id: string;
  name: string;
  key: string;
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

function Keys({ projectId, keys }: { projectId: string; keys: Key[] }) {
  const [name, setName] = useState("");
  const [created, createKey] = useMutation(CreatePublicKeyMutation);
  const [revoked, revokeKey] = useMutation(RevokePublicKeyMutation);
  const busy = created.fetching || revoked.fetching;

  async function add(e: FormEvent) {
    e.preventDefault();
    const res = await createKey({ projectId, name: name.trim() });
    if (res.data) setName("");
  }

  // Regenerating = a new key under the same name, then the old one revoked (DESIGN.md).
  async function regenerate(k: Key) {
    const res = await createKey({ projectId, name: k.name });
    if (res.data) await revokeKey({ id: k.id });
  }

  return (
    <div className="space-y-4 p-4">
      <ul className="divide-y divide-slate-100">
        {keys.map((k) => (
          <li key={k.id} className="flex flex-wrap items-center gap-2 py-2.5">
            <KeyRound className="size-4 text-slate-400" aria-hidden />
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium">
                {k.name} {k.revokedAt ? <Badge tone="red">Revoked</Badge> : <Badge tone="green">Active</Badge>}
              </p>
              <code className="block text-xs break-all text-slate-600">{k.key}</code>
              <p className="text-xs text-slate-500">
                Created {formatDateTime(k.createdAt)} · {k.lastUsedAt ? `last used ${timeAgo(k.lastUsedAt)}` : "never used"}
                {k.revokedAt && ` · revoked ${formatDateTime(k.revokedAt)}`}
              </p>
            </div>
            {!k.revokedAt && (
              <>
                <Button variant="secondary" size="sm" disabled={busy} onClick={() => regenerate(k)}>
                  Regenerate
                </Button>
                <Button variant="danger" size="sm" disabled={busy} onClick={() => confirm(`Revoke ${k.name}? Apps using it are refused within 5 seconds.`) && revokeKey({ id: k.id })}>
                  Revoke
                </Button>
              </>
            )}
          </li>
        ))}
      </ul>
      <form onSubmit={add} className="flex flex-wrap items-end gap-2">
        <div className="min-w-48 flex-1">
          <Field label="New key name" htmlFor="key-name">
            <Input id="key-name" required placeholder="e.g. iOS app" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
        </div>
        <Button type="submit" disabled={busy}>
          Create key
        </Button>
      </form>
      <InlineError message={(created.error && describeError(created.error)) || (revoked.error && describeError(revoked.error)) || undefined} />
    </div>
  );
}

export function ProjectPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }, retry] = useQuery({ query: ProjectQuery, variables: { id } });
  const [deleting, setDeleting] = useState(false);
  const [deleteState, deleteProject] = useMutation(DeleteProjectMutation);
  const [confirmName, setConfirmName] = useState("");

  if (fetching && !data) return <Loading label="Loading the project…" />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  const p = data?.project;
  if (!p) return <ErrorState message="This project does not exist or was deleted." />;

  async function remove() {
    const res = await deleteProject({ id: p!.id });
    if (res.data) navigate("/projects", { replace: true });
  }

  return (
    <>
      <Link to="/projects" className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden /> Projects
      </Link>
      <PageHeader
        title={p.name}
        description={p.slug}
        actions={
          <Button asChild variant="secondary">
            <Link to={`/projects/${p.id}/integration`}>Integration</Link>
          </Button>
        }
      />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Settings" />
          <SettingsForm key={p.id} project={p} />
        </Card>
        <Card>
          <CardHeader title="Webhook" />
          <Webhook key={p.id} project={p} />
        </Card>
        <Card>
          <CardHeader title="Public keys" />
          <Keys projectId={p.id} keys={p.publicKeys ?? []} />
        </Card>
        <Card className="border-red-200">
          <CardHeader title="Danger zone" />
          <div className="flex flex-wrap items-center gap-3 p-4">
            <p className="flex-1 text-sm text-slate-600">Deleting the project deletes its reports, feedback, crashes and keys.</p>
            <Button variant="danger" onClick={() => setDeleting(true)}>
              Delete project
            </Button>
          </div>
        </Card>
      </div>
      <Dialog open={deleting} onClose={() => setDeleting(false)} title={`Delete ${p.name}?`}>
        <div className="space-y-4">
          <Field label={`Type ${p.name} to confirm`} htmlFor="confirm-name">
            <Input id="confirm-name" value={confirmName} onChange={(e) => setConfirmName(e.target.value)} />
          </Field>
          <InlineError message={deleteState.error && describeError(deleteState.error)} />
          <Button variant="danger" disabled={confirmName !== p.name || deleteState.fetching} onClick={remove}>
            Delete forever
          </Button>
        </div>
      </Dialog>
    </>
  );
}
