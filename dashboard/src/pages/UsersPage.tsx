import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { Plus } from "lucide-react";
import { graphql } from "../gql";
import { describeError } from "../lib/graphql-errors";
import { formatDateTime } from "../lib/format";
import { ViewerQuery } from "../lib/operations";
import { Button, Card, Dialog, EmptyState, ErrorState, Field, InlineError, Input, Loading, PageHeader } from "../components/ui";
import { nodes } from "../components/triage";

const UsersQuery = graphql(`
  query Users {
    users(first: 100) { edges { node { id name email createdAt } } }
  }
`);

const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) { id name email createdAt }
  }
`);

const UpdateUserMutation = graphql(`
  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) { id name email }
  }
`);

const DeleteUserMutation = graphql(`
  mutation DeleteUser($id: ID!) {
    deleteUser(id: $id)
  }
`);

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const [form, setForm] = useState({ name: "", email: "", password: "" });
  const [{ fetching, error }, create] = useMutation(CreateUserMutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await create({ input: form }, { additionalTypenames: ["User"] });
    if (res.data) onDone();
  }
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Name" htmlFor="u-name">
        <Input id="u-name" autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </Field>
      <Field label="Email" htmlFor="u-email">
        <Input id="u-email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </Field>
      <Field label="Temporary password" htmlFor="u-password" hint="Share it privately; at least 8 characters.">
        <Input id="u-password" type="password" required minLength={8} autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
      </Field>
      <InlineError message={error && describeError(error)} />
      <Button type="submit" disabled={fetching}>
        {fetching ? "Adding…" : "Add user"}
      </Button>
    </form>
  );
}

function EditUserForm({ user, onDone }: { user: { id: string; name: string; email: string }; onDone: () => void }) {
  const [form, setForm] = useState({ name: user.name, email: user.email, password: "" });
  const [{ fetching, error }, update] = useMutation(UpdateUserMutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await update({ id: user.id, input: { name: form.name, email: form.email, ...(form.password ? { password: form.password } : {}) } });
    if (res.data) onDone();
  }
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Name" htmlFor="e-name">
        <Input id="e-name" autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </Field>
      <Field label="Email" htmlFor="e-email">
        <Input id="e-email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </Field>
      <Field label="New password" htmlFor="e-password" hint="Leave empty to keep the current one.">
        <Input id="e-password" type="password" minLength={8} autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
      </Field>
      <InlineError message={error && describeError(error)} />
      <Button type="submit" disabled={fetching}>
        {fetching ? "Saving…" : "Save"}
      </Button>
    </form>
  );
}

export function UsersPage() {
  const [editing, setEditing] = useState<{ id: string; name: string; email: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const [{ data, fetching, error }, retry] = useQuery({ query: UsersQuery });
  const [{ data: me }] = useQuery({ query: ViewerQuery });
  const [deleteState, deleteUser] = useMutation(DeleteUserMutation);
  const users = nodes(data?.users);
  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone here is an administrator."
        actions={
          <Button onClick={() => setAdding(true)}>
            <Plus className="size-4" aria-hidden /> Add user
          </Button>
        }
      />
      <Dialog open={adding} onClose={() => setAdding(false)} title="Add a user">
        <CreateUserForm onDone={() => setAdding(false)} />
      </Dialog>
      <Dialog open={editing !== null} onClose={() => setEditing(null)} title="Edit user">
        {editing && <EditUserForm user={editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <InlineError message={deleteState.error && describeError(deleteState.error)} />
      <Card className="mt-2">
        {fetching && !data ? (
          <Loading label="Loading users…" />
        ) : error && !data ? (
          <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />
        ) : users.length === 0 ? (
          <EmptyState title="No users" />
        ) : (
          <ul className="divide-y divide-slate-100">
            {users.map((u) => (
              <li key={u.id} className="flex flex-wrap items-center gap-3 px-4 py-3">
                <div className="min-w-0 flex-1">
                  <p className="font-medium">
                    {u.name || u.email} {u.id === me?.viewer?.id && <span className="text-xs text-slate-500">(you)</span>}
                  </p>
                  <p className="text-xs text-slate-500">
                    {u.email} · joined {formatDateTime(u.createdAt)}
                  </p>
                </div>
                <Button variant="secondary" size="sm" onClick={() => setEditing(u)}>
                  Edit
                </Button>
                {u.id !== me?.viewer?.id && (
                  <Button variant="secondary" size="sm" disabled={deleteState.fetching} onClick={() => confirm(`Remove ${u.email}?`) && deleteUser({ id: u.id }, { additionalTypenames: ["User"] })}>
                    Remove
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
