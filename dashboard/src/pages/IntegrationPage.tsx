import { Link, useParams } from "react-router";
import { useQuery } from "urql";
import { ArrowLeft } from "lucide-react";
import { graphql } from "../gql";
import { describeError } from "../lib/graphql-errors";
import { Card, CardHeader, ErrorState, Loading, PageHeader } from "../components/ui";
import { CodeBlock, SnippetTabs } from "../components/Snippets";

const IntegrationProjectQuery = graphql(`
  query IntegrationProject($id: ID!) {
    project(id: $id) { id name slug publicKeys { id key revokedAt createdAt } }
  }
`);

export function IntegrationPage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, retry] = useQuery({ query: IntegrationProjectQuery, variables: { id } });
  if (fetching && !data) return <Loading />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  const p = data?.project;
  if (!p) return <ErrorState message="This project does not exist or was deleted." />;
  const key = (p.publicKeys ?? []).filter((k) => !k.revokedAt).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]?.key ?? "<create a key first>";
  const origin = window.location.origin;
  const crashExample = `curl -X POST ${origin}/sdk/${p.slug}/crashes \\
  -H 'Content-Type: application/json' -H 'X-API-Key: ${key}' \\
  -d '{"errorType":"TypeError","errorMessage":"x is undefined","appVersion":"1.0.0","platform":"web",
       "stackTrace":[{"file":"app.js","line":10,"function":"render"}],"userId":"user-42"}'`;
  const feedbackExample = `curl -X POST ${origin}/sdk/${p.slug}/feedback \\
  -H 'Content-Type: application/json' -H 'X-API-Key: ${key}' \\
  -d '{"category":"feature","message":"Dark mode, please","appVersion":"1.0.0","platform":"web"}'`;

  return (
    <>
      <Link to={`/projects/${p.id}`} className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden /> {p.name}
      </Link>
      <PageHeader title="Integration" description="Install the SDK with npm or a script tag. The snippets carry this server's URL and the project's newest key." />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Install the SDK" />
          <div className="p-4">
            <SnippetTabs projectId={p.id} />
          </div>
        </Card>
        <Card>
          <CardHeader title="Send crashes and feedback from any platform" />
          <div className="space-y-4 p-4">
            <p className="text-sm text-slate-600">Apps without the SDK (native, Tauri, servers) can post JSON directly.</p>
            <CodeBlock label="crash example" code={crashExample} />
            <CodeBlock label="feedback example" code={feedbackExample} />
          </div>
        </Card>
      </div>
    </>
  );
}
