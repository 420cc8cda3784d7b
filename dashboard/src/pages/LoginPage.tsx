import { useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { session } from "../lib/client";
import { SetupStatusQuery } from "../lib/operations";
import { describeError } from "../lib/graphql-errors";
import { useHasSession } from "../lib/use-session";
import { safeReturnPath } from "../lib/return-path";
import { Button, Card, ErrorState, Field, InlineError, Input, Loading } from "../components/ui";
import { Logo } from "../components/Logo";

const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { accessToken accessTokenExpiresAt refreshToken }
  }
`);

export function AuthScreen({ title, subtitle, children }: { title: string; subtitle?: string; children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-md">
        <div className="mb-6 flex flex-col items-center gap-3 text-center">
          <Logo className="size-10" />
          <h1 className="text-xl font-semibold">{title}</h1>
          {subtitle && <p className="text-sm text-slate-500">{subtitle}</p>}
        </div>
        <Card className="p-6">{children}</Card>
      </div>
    </main>
  );
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const signedIn = useHasSession();
  const [{ data, fetching, error: statusError }, retry] = useQuery({ query: SetupStatusQuery, requestPolicy: "network-only" });
  const [{ fetching: signingIn, error }, login] = useMutation(LoginMutation);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const next = safeReturnPath(params.get("next"));

  if (signedIn) return <Navigate to={next} replace />;
  if (data?.setupStatus.needsSetup) return <Navigate to="/setup" replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await login({ email, password });
    if (res.data) {
      session.start(res.data.login);
      navigate(next, { replace: true });
    }
  }

  return (
    <AuthScreen title={data ? `Sign in to ${data.setupStatus.instanceName}` : "Sign in to Oopsie"} subtitle={params.get("next") ? "Sign in to continue where you left off." : undefined}>
      {fetching && !data ? (
        <Loading />
      ) : statusError && !data ? (
        <ErrorState message={describeError(statusError)} onRetry={() => retry({ requestPolicy: "network-only" })} />
      ) : (
        <form onSubmit={submit} className="space-y-4">
          <Field label="Email" htmlFor="email">
            <Input id="email" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <Field label="Password" htmlFor="password">
            <Input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          <InlineError message={error && (error.graphQLErrors[0]?.message ?? describeError(error))} />
          <Button type="submit" className="w-full" disabled={signingIn}>
            {signingIn ? "Signing in…" : "Sign in"}
          </Button>
        </form>
      )}
    </AuthScreen>
  );
}
