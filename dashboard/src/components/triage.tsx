import { useQuery } from "urql";
import { ChevronLeft, ChevronRight } from "lucide-react";
import { enumLabel } from "../lib/format";
import { ProjectOptionsQuery, UserOptionsQuery } from "../lib/operations";
import { Badge, Button, Select, type BadgeTone } from "./ui";

const TONES: Record<string, BadgeTone> = {
  NEW: "indigo",
  OPEN: "indigo",
  IN_PROGRESS: "amber",
  INVESTIGATING: "amber",
  RESOLVED: "green",
  CLOSED: "gray",
  IGNORED: "gray",
  REGRESSED: "red",
  LOW: "gray",
  MEDIUM: "blue",
  HIGH: "amber",
  CRITICAL: "red",
  WARNING: "amber",
  ERROR: "red",
  FATAL: "red",
  BUG: "red",
  FEATURE: "indigo",
  GENERAL: "gray",
  // Webhook deliveries.
  PENDING: "blue",
  RETRYING: "amber",
  SUCCEEDED: "green",
  FAILED: "red",
};

/** A status, severity or category as a coloured label. */
export function EnumBadge({ value }: { value: string }) {
  return <Badge tone={TONES[value] ?? "gray"}>{enumLabel(value)}</Badge>;
}

export function ProjectSelect({ value, onChange, id = "project", includeAll = true }: { value?: string; onChange: (id: string | undefined) => void; id?: string; includeAll?: boolean }) {
  const { projects } = useProjectOptions();
  return (
    <Select id={id} value={value ?? ""} onChange={(e) => onChange(e.target.value || undefined)}>
      {includeAll && <option value="">All projects</option>}
      {projects.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </Select>
  );
}

export function useProjectOptions() {
  const [{ data, fetching, error }, retry] = useQuery({ query: ProjectOptionsQuery });
  return { projects: nodes(data?.projects), fetching: fetching && !data, error, retry };
}

export function useUserOptions() {
  const [{ data }] = useQuery({ query: UserOptionsQuery });
  return nodes(data?.users);
}

/** Assignee picker; "" means unassigned. */
export function AssigneeSelect({ id, value, onChange, disabled, anyLabel }: { id: string; value: string; onChange: (v: string) => void; disabled?: boolean; anyLabel?: string }) {
  const users = useUserOptions();
  return (
    <Select id={id} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled}>
      {anyLabel ? <option value="">{anyLabel}</option> : <option value="">Unassigned</option>}
      {anyLabel && <option value="none">Unassigned</option>}
      {users.map((u) => (
        <option key={u.id} value={u.id}>
          {u.name || u.email}
        </option>
      ))}
    </Select>
  );
}

export function Pager({ page, hasNext, onPrevious, onNext }: { page: number; hasNext: boolean; onPrevious: () => void; onNext: () => void }) {
  if (page === 1 && !hasNext) return null;
  return (
    <nav aria-label="Pagination" className="flex items-center justify-end gap-2 border-t border-slate-200 px-4 py-3">
      <span className="mr-auto text-sm text-slate-500">Page {page}</span>
      <Button variant="secondary" size="sm" disabled={page === 1} onClick={onPrevious}>
        <ChevronLeft className="size-4" aria-hidden /> Previous
      </Button>
      <Button variant="secondary" size="sm" disabled={!hasNext} onClick={onNext}>
        Next <ChevronRight className="size-4" aria-hidden />
      </Button>
    </nav>
  );
}

export function nodes<T>(conn: { edges?: ({ node?: T | null } | null)[] | null } | null | undefined): T[] {
  return conn?.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? [];
}
