import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";
import { Plus } from "lucide-react";
import { graphql } from "../gql";
import { describeError } from "../lib/graphql-errors";
import { formatDateTime, splitList } from "../lib/format";
import { Button, Card, Dialog, EmptyState, ErrorState, Field, InlineError, Input, Loading, PageHeader } from "../components/ui";
import { nodes } from "../components/triage";
import { CreateProjectMutation } from "./SetupWizard";

const ProjectsQuery = graphql(`
  query Projects {
    projects(first: 100) {
      edges { node { id name slug allowedDomains createdAt publicKeys { id revokedAt } } }
    }
  }
`);

function CreateProjectForm({ onCreated }: { onCreated: (id: string) => void }) {
  const [name, setName] = useState("");
  const [domains, setDomains] = useState("*");
  const [{ fetching, error }, create] = useMutation(CreateProjectMutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await create({ input: { name, allowedDomains: splitList(domains) } });
    if (res.data) onCreated(res.data.createProject.id);
  }
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Name" htmlFor="new-name">
        <Input id="new-name" required autoFocus value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Allowed domains" htmlFor="new-domains" hint="Comma-separated hosts; *.example.com wildcards; * for any.">
        <Input id="new-domains" value={domains} onChange={(e) => setDomains(e.target.value)} />
      </Field>
      <InlineError message={error && describeError(error)} />
      <Button type="submit" disabled={fetching}>
        {fetching ? "Creating…" : "Create project"}
      </Button>
    </form>
  );
}

// Registers the list under Project even while it is empty, so the first project created shows up.
const projectsContext = { additionalTypenames: ["Project"] };

export function ProjectsPage() {
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const [{ data, fetching, error }, retry] = useQuery({ query: ProjectsQuery, context: projectsContext });
  const projects = nodes(data?.projects);
  return (
    <>
      <PageHeader
        title="Projects"
        description="Each app or site that sends reports, feedback and crashes."
        actions={
          <Button onClick={() => setCreating(true)}>
            <Plus className="size-4" aria-hidden /> New project
          </Button>
        }
      />
      <Dialog open={creating} onClose={() => setCreating(false)} title="New project">
        <CreateProjectForm onCreated={(id) => navigate(`/projects/${id}/integration`)} />
      </Dialog>
      <Card>
        {fetching && !data ? (
          <Loading label="Loading projects…" />
        ) : error && !data ? (
          <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />
        ) : projects.length === 0 ? (
          <EmptyState title="No projects yet">Create one to get a public key and an integration snippet.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {projects.map((p) => (
              <li key={p.id} className="flex flex-wrap items-center gap-3 px-4 py-3">
                <div className="min-w-0 flex-1">
                  <Link to={`/projects/${p.id}`} className="font-medium hover:text-primary">
                    {p.name}
                  </Link>
                  <p className="text-xs text-slate-500">
                    {p.slug} · {p.allowedDomains.join(", ") || "no domain allowed"} · {(p.publicKeys ?? []).filter((k) => !k.revokedAt).length} active keys · created {formatDateTime(p.createdAt)}
                  </p>
                </div>
                <Button asChild variant="secondary" size="sm">
                  <Link to={`/projects/${p.id}/integration`}>Integration</Link>
                </Button>
                <Button asChild variant="secondary" size="sm">
                  <Link to={`/projects/${p.id}`}>Settings</Link>
                </Button>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
