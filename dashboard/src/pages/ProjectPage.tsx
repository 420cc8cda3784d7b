import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ArrowLeft, KeyRound } from "lucide-react";
import { graphql } from "../gql";
import type { WebhookFormat } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { enumLabel, formatDateTime, timeAgo } from "../lib/format";
import { Badge, Button, Card, CardHeader, Dialog, ErrorState, Field, InlineError, Input, Loading, PageHeader, Select } from "../components/ui";

const ProjectQuery = graphql(`
  query Project($id: ID!) {
    project(id: $id) {
      id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute updatedAt
      publicKeys { id name key createdAt lastUsedAt revokedAt }
    }
  }
`);

const UpdateProjectMutation = graphql(`
  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {
    updateProject(id: $id, input: $input) { id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute updatedAt }
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

const FORMATS: WebhookFormat[] = ["GENERIC", "SLACK", "DISCORD"];

// An emptied number field is left out: the API keeps the current value.
const optionalInt = (s: string) => (s.trim() === "" ? undefined : Number(s));

interface ProjectSettings {
  id: string;
  name: string;
  slug: string;
  allowedDomains: string[];
  webhookUrl?: string | null;
  webhookSecret?: string | null;
  webhookFormat: WebhookFormat;
  retentionDays?: number | null;
  rateLimitPerMinute?: number | null;
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
        allowedDomains: form.allowedDomains.split(/[\s,]+/).filter(Boolean),
        webhookUrl: form.webhookUrl.trim(),
        webhookFormat: form.webhookFormat,
        retentionDays: optionalInt(form.retentionDays),
        rateLimitPerMinute: optionalInt(form.rateLimitPerMinute),
      },
    });
  }

  return (
    <form onSubmit={submit} className="grid gap-4 p-4 sm:grid-cols-2">
      <Field label="Name" htmlFor="p-name">
        <Input id="p-name" required value={form.name} onChange={change("name")} />
      </Field>
      <Field label="Slug" htmlFor="p-slug" hint="Used in the SDK URLs; changing it breaks installed snippets.">
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
      <Field label="Retention (days)" htmlFor="p-retention" hint="Empty uses the instance default.">
        <Input id="p-retention" type="number" min={1} value={form.retentionDays} onChange={change("retentionDays")} />
      </Field>
      <Field label="Rate limit (requests per minute per key)" htmlFor="p-rate" hint="Empty uses the default (100).">
        <Input id="p-rate" type="number" min={1} value={form.rateLimitPerMinute} onChange={change("rateLimitPerMinute")} />
      </Field>
      {project.webhookSecret && (
        <div className="sm:col-span-2">
          <p className="text-sm font-medium text-slate-700">Webhook signing secret</p>
          <code className="mt-1 block break-all rounded bg-slate-50 p-2 text-xs">{project.webhookSecret}</code>
        </div>
      )}
      <div className="flex items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={fetching}>
          {fetching ? "Saving…" : "Save changes"}
        </Button>
        {data && !error && <span className="text-sm text-emerald-700">Saved.</span>}
        {project.webhookUrl && (
          <Button variant="secondary" disabled={fetching} onClick={() => update({ id: project.id, input: { rotateWebhookSecret: true } })}>
            Rotate webhook secret
          </Button>
        )}
      </div>
      <div className="sm:col-span-2">
        <InlineError message={error && describeError(error)} />
      </div>
    </form>
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
                <Button variant="danger" size="sm" disabled={busy} onClick={() => confirm(`Revoke ${k.name}? Apps using it stop sending at once.`) && revokeKey({ id: k.id })}>
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
