import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { describeError } from "../lib/graphql-errors";
import { formatDateTime, optionalInt, timeAgo } from "../lib/format";
import { Badge, Button, Card, CardHeader, EmptyState, ErrorState, Field, InlineError, Input, Loading, PageHeader } from "../components/ui";
import { CodeBlock } from "../components/Snippets";
import { nodes } from "../components/triage";

const SettingsQuery = graphql(`
  query Settings {
    settings { id instanceName defaultRetentionDays updatedAt }
    version { current latest updateAvailable releaseUrl }
    apiTokens(first: 100) { edges { node { id name createdAt lastUsedAt revokedAt } } }
  }
`);

const UpdateSettingsMutation = graphql(`
  mutation UpdateSettings($input: UpdateSettingsInput!) {
    updateSettings(input: $input) { id instanceName defaultRetentionDays updatedAt }
  }
`);

const CreateAPITokenMutation = graphql(`
  mutation CreateAPIToken($name: String!) {
    createAPIToken(name: $name) { token apiToken { id name createdAt lastUsedAt revokedAt } }
  }
`);

const RevokeAPITokenMutation = graphql(`
  mutation RevokeAPIToken($id: ID!) {
    revokeAPIToken(id: $id) { id revokedAt }
  }
`);

function InstanceForm({ settings }: { settings: { instanceName: string; defaultRetentionDays?: number | null } }) {
  const [name, setName] = useState(settings.instanceName);
  const [retention, setRetention] = useState(settings.defaultRetentionDays?.toString() ?? "");
  const [{ fetching, error, data }, update] = useMutation(UpdateSettingsMutation);
  function submit(e: FormEvent) {
    e.preventDefault();
    update({ input: { instanceName: name, defaultRetentionDays: optionalInt(retention) } });
  }
  return (
    <form onSubmit={submit} className="grid gap-4 p-4 sm:grid-cols-2">
      <Field label="Instance name" htmlFor="s-name">
        <Input id="s-name" required value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Default retention (days)" htmlFor="s-retention" hint="For projects without their own. Empty uses OOPSIE_REPORT_RETENTION_DAYS.">
        <Input id="s-retention" type="number" min={1} value={retention} onChange={(e) => setRetention(e.target.value)} />
      </Field>
      <div className="flex items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={fetching}>
          {fetching ? "Saving…" : "Save"}
        </Button>
        {data && !error && <span className="text-sm text-emerald-700">Saved.</span>}
      </div>
      <div className="sm:col-span-2">
        <InlineError message={error && describeError(error)} />
      </div>
    </form>
  );
}

function APITokens({ tokens }: { tokens: { id: string; name: string; createdAt: string; lastUsedAt?: string | null; revokedAt?: string | null }[] }) {
  const [name, setName] = useState("");
  const [created, create] = useMutation(CreateAPITokenMutation);
  const [revoked, revoke] = useMutation(RevokeAPITokenMutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await create({ name: name.trim() }, { additionalTypenames: ["APIToken"] });
    if (res.data) setName("");
  }
  return (
    <div className="space-y-4 p-4">
      {created.data && (
        <div className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3">
          <p className="text-sm font-medium text-amber-900">Copy this token now: it will not be shown again.</p>
          <CodeBlock label="new API token" code={created.data.createAPIToken.token} />
        </div>
      )}
      {tokens.length === 0 ? (
        <EmptyState title="No API tokens">Integrations use them to call the GraphQL API.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100">
          {tokens.map((t) => (
            <li key={t.id} className="flex flex-wrap items-center gap-2 py-2.5">
              <div className="min-w-0 flex-1">
                <p className="text-sm font-medium">
                  {t.name} {t.revokedAt && <Badge tone="red">Revoked</Badge>}
                </p>
                <p className="text-xs text-slate-500">
                  Created {formatDateTime(t.createdAt)} · {t.lastUsedAt ? `last used ${timeAgo(t.lastUsedAt)}` : "never used"}
                </p>
              </div>
              {!t.revokedAt && (
                <Button variant="danger" size="sm" disabled={revoked.fetching} onClick={() => confirm(`Revoke ${t.name}?`) && revoke({ id: t.id })}>
                  Revoke
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <div className="min-w-48 flex-1">
          <Field label="New token name" htmlFor="t-name">
            <Input id="t-name" required placeholder="e.g. CI export" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
        </div>
        <Button type="submit" disabled={created.fetching}>
          Create token
        </Button>
      </form>
      <InlineError message={(created.error && describeError(created.error)) || (revoked.error && describeError(revoked.error)) || undefined} />
    </div>
  );
}

// Registers the page's query under APIToken even while the list is empty, so
// creating the first token refreshes it.
const tokensContext = { additionalTypenames: ["APIToken"] };

export function SettingsPage() {
  const [{ data, fetching, error }, retry] = useQuery({ query: SettingsQuery, context: tokensContext });
  if (fetching && !data) return <Loading label="Loading settings…" />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  if (!data) return null;
  const v = data.version;
  return (
    <>
      <PageHeader title="Settings" />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Instance" />
          <InstanceForm key={data.settings.id} settings={data.settings} />
        </Card>
        <Card>
          <CardHeader title="API tokens" />
          <APITokens tokens={nodes(data.apiTokens)} />
        </Card>
        <Card>
          <CardHeader title="Version" />
          <p className="p-4 text-sm">
            Running Oopsie {v.current}.{" "}
            {v.updateAvailable && v.latest ? (
              <>
                Version {v.latest} is available.{" "}
                {v.releaseUrl && (
                  <a href={v.releaseUrl} target="_blank" rel="noreferrer" className="text-primary underline">
                    Release notes
                  </a>
                )}
              </>
            ) : v.latest ? (
              `You are up to date: ${v.latest} is the latest release.`
            ) : (
              // Nothing checked yet: off by default, so the server never phones home unasked.
              "No newer release is known: the update check runs only when OOPSIE_RELEASES_URL is set."
            )}
          </p>
        </Card>
      </div>
    </>
  );
}
