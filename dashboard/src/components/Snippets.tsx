import { useState } from "react";
import * as Tabs from "@radix-ui/react-tabs";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { describeError } from "../lib/graphql-errors";
import { ErrorState, Loading } from "./ui";
import { CopyButton } from "./CopyButton";

const ProjectSnippetsQuery = graphql(`
  query ProjectSnippets($id: ID!) {
    project(id: $id) {
      id
      npm: snippet(kind: NPM)
      cdn: snippet(kind: CDN)
    }
  }
`);

export function CodeBlock({ code, label }: { code: string; label: string }) {
  const [copyFailed, setCopyFailed] = useState(false);
  return (
    <div>
      <div className="relative">
        <pre aria-label={label} className="max-h-96 overflow-auto rounded-md bg-slate-900 p-4 pr-20 text-xs leading-relaxed text-slate-100">
          <code>{code}</code>
        </pre>
        <CopyButton text={code} className="absolute top-2 right-2" onResult={(copied) => setCopyFailed(!copied)} aria-label={`Copy ${label}`} />
      </div>
      {copyFailed && <p className="mt-1 text-xs text-amber-800">This browser does not allow copying here; select the {label} above and copy it.</p>}
    </div>
  );
}

const tabClass =
  "border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900 data-[state=active]:border-primary data-[state=active]:text-primary";

/** The project's ready-to-paste integration code, with npm and CDN tabs. */
export function SnippetTabs({ projectId }: { projectId: string }) {
  const [{ data, fetching, error }, retry] = useQuery({ query: ProjectSnippetsQuery, variables: { id: projectId } });
  if (fetching && !data) return <Loading label="Loading the snippet…" />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  if (!data?.project) return <ErrorState message="This project no longer exists." />;
  return (
    <Tabs.Root defaultValue="npm">
      <Tabs.List aria-label="Installation method" className="mb-3 flex gap-1 border-b border-slate-200">
        <Tabs.Trigger value="npm" className={tabClass}>
          npm
        </Tabs.Trigger>
        <Tabs.Trigger value="cdn" className={tabClass}>
          CDN
        </Tabs.Trigger>
      </Tabs.List>
      <Tabs.Content value="npm">
        <CodeBlock code={data.project.npm} label="npm snippet" />
      </Tabs.Content>
      <Tabs.Content value="cdn">
        <CodeBlock code={data.project.cdn} label="CDN snippet" />
      </Tabs.Content>
    </Tabs.Root>
  );
}
