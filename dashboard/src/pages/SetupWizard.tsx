import { useState, type FormEvent } from "react";
import { Navigate, useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { session } from "../lib/client";
import { SetupStatusQuery } from "../lib/operations";
import { describeError } from "../lib/graphql-errors";
import { splitList } from "../lib/format";
import { Button, ErrorState, Field, InlineError, Input, Loading } from "../components/ui";
import { SnippetTabs } from "../components/Snippets";
import { AuthScreen } from "./LoginPage";

const SetupMutation = graphql(`
  mutation Setup($input: SetupInput!) {
    setup(input: $input) { accessToken accessTokenExpiresAt refreshToken }
  }
`);

export const CreateProjectMutation = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { id name slug }
  }
`);

const STEPS = ["Admin account", "Instance", "First project", "Integration"] as const;

function Steps({ current }: { current: number }) {
  return (
    <ol className="mb-6 grid grid-cols-4 gap-2" aria-label="Setup progress">
      {STEPS.map((label, i) => (
        <li key={label} aria-current={i === current ? "step" : undefined} className="text-center">
          <div className={`h-1.5 rounded-full ${i <= current ? "bg-primary" : "bg-slate-200"}`} />
          <span className={`mt-1.5 block text-xs ${i === current ? "font-medium text-slate-900" : "text-slate-500"}`}>{label}</span>
        </li>
      ))}
    </ol>
  );
}

/** First launch: admin, then instance name, then first project, then its snippet, then the dashboard. */
export function SetupWizard() {
  const navigate = useNavigate();
  const [step, setStep] = useState(0);
  const [admin, setAdmin] = useState({ name: "", email: "", password: "" });
  const [instanceName, setInstanceName] = useState("Oopsie");
  const [project, setProject] = useState({ name: "", allowedDomains: "*" });
  const [projectId, setProjectId] = useState<string | null>(null);
  const [{ data, fetching, error: statusError }, retry] = useQuery({ query: SetupStatusQuery, requestPolicy: "network-only" });
  const [setupState, setup] = useMutation(SetupMutation);
  const [projectState, createProject] = useMutation(CreateProjectMutation);

  if (step === 0 && fetching && !data) return <AuthScreen title="Welcome to Oopsie"><Loading /></AuthScreen>;
  if (step === 0 && statusError && !data)
    return (
      <AuthScreen title="Welcome to Oopsie">
        <ErrorState message={describeError(statusError)} onRetry={() => retry({ requestPolicy: "network-only" })} />
      </AuthScreen>
    );
  // Setup happens once; afterwards this page only leads to the login.
  if (step < 2 && data && !data.setupStatus.needsSetup && !setupState.data) return <Navigate to="/login" replace />;

  function submitAdmin(e: FormEvent) {
    e.preventDefault();
    setStep(1);
  }

  async function submitInstance(e: FormEvent) {
    e.preventDefault();
    const res = await setup({ input: { ...admin, instanceName } });
    if (res.data) {
      session.start(res.data.setup);
      setStep(2);
    }
  }

  async function submitProject(e: FormEvent) {
    e.preventDefault();
    const allowedDomains = splitList(project.allowedDomains);
    const res = await createProject({ input: { name: project.name, allowedDomains } });
    if (res.data) {
      setProjectId(res.data.createProject.id);
      setStep(3);
    }
  }

  return (
    <AuthScreen title="Set up Oopsie" subtitle="A few steps and your first project is ready to receive reports.">
      <Steps current={step} />
      {step === 0 && (
        <form onSubmit={submitAdmin} className="space-y-4">
          <Field label="Your name" htmlFor="name">
            <Input id="name" required autoFocus autoComplete="name" value={admin.name} onChange={(e) => setAdmin({ ...admin, name: e.target.value })} />
          </Field>
          <Field label="Email" htmlFor="email">
            <Input id="email" type="email" required autoComplete="username" value={admin.email} onChange={(e) => setAdmin({ ...admin, email: e.target.value })} />
          </Field>
          <Field label="Password" htmlFor="password" hint="At least 8 characters.">
            <Input id="password" type="password" required minLength={8} autoComplete="new-password" value={admin.password} onChange={(e) => setAdmin({ ...admin, password: e.target.value })} />
          </Field>
          <Button type="submit" className="w-full">
            Continue
          </Button>
        </form>
      )}
      {step === 1 && (
        <form onSubmit={submitInstance} className="space-y-4">
          <Field label="Instance name" htmlFor="instance" hint="Shown on the login page and in notifications.">
            <Input id="instance" required autoFocus value={instanceName} onChange={(e) => setInstanceName(e.target.value)} />
          </Field>
          <InlineError message={setupState.error && describeError(setupState.error)} />
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setStep(0)}>
              Back
            </Button>
            <Button type="submit" className="flex-1" disabled={setupState.fetching}>
              {setupState.fetching ? "Creating your account…" : "Create account"}
            </Button>
          </div>
        </form>
      )}
      {step === 2 && (
        <form onSubmit={submitProject} className="space-y-4">
          <Field label="Project name" htmlFor="project" hint="The app or site that will send reports.">
            <Input id="project" required autoFocus value={project.name} onChange={(e) => setProject({ ...project, name: e.target.value })} />
          </Field>
          <Field label="Allowed domains" htmlFor="domains" hint="Hosts allowed to send reports, separated by commas; * allows any.">
            <Input id="domains" value={project.allowedDomains} onChange={(e) => setProject({ ...project, allowedDomains: e.target.value })} />
          </Field>
          <InlineError message={projectState.error && describeError(projectState.error)} />
          <Button type="submit" className="w-full" disabled={projectState.fetching}>
            {projectState.fetching ? "Creating…" : "Create project"}
          </Button>
        </form>
      )}
      {step === 3 && projectId && (
        <div className="space-y-4">
          <p className="text-sm text-slate-600">Add this to your app. Reports will show up on the dashboard as they arrive.</p>
          <SnippetTabs projectId={projectId} />
          <Button className="w-full" onClick={() => navigate("/", { replace: true })}>
            Go to the dashboard
          </Button>
        </div>
      )}
    </AuthScreen>
  );
}
