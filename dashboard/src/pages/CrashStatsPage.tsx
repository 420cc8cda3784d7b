import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { Bar, BarChart, CartesianGrid, Cell, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis, Legend } from "recharts";
import { graphql } from "../gql";
import type { StatsPeriod } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { enumLabel, formatCount } from "../lib/format";
import { bucketLabel } from "../lib/trend";
import { Card, CardHeader, EmptyState, ErrorState, Field, Loading, PageHeader, Select } from "../components/ui";
import { ProjectSelect, useProjectOptions } from "../components/triage";

const CrashStatsQuery = graphql(`
  query CrashStats($projectId: ID!, $period: StatsPeriod!) {
    crashStats(projectId: $projectId, period: $period) {
      totalOccurrences newGroups affectedUsers
      buckets { start occurrences }
      byVersion { key count }
      byPlatform { key count }
      topGroups { occurrences group { id errorType errorMessage } }
    }
  }
`);

const PERIODS: StatsPeriod[] = ["DAY", "WEEK", "MONTH", "QUARTER"];
const PERIOD_LABELS: Record<StatsPeriod, string> = { DAY: "Last 24 hours", WEEK: "Last 7 days", MONTH: "Last 30 days", QUARTER: "Last 90 days" };
const PALETTE = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#64748b"];

export function CrashStatsPage() {
  const [params, setParams] = useSearchParams();
  const { projects, fetching, error, retry } = useProjectOptions();
  const projectId = params.get("project") ?? projects[0]?.id;
  const period = (PERIODS as string[]).includes(params.get("period") ?? "") ? (params.get("period") as StatsPeriod) : "WEEK";
  const set = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };

  let body;
  if (fetching) body = <Loading />;
  else if (error) body = <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  else if (!projectId)
    body = (
      <EmptyState title="No project yet">
        <Link to="/projects" className="text-primary hover:underline">Create a project</Link> to collect crashes.
      </EmptyState>
    );
  else body = <Stats projectId={projectId} period={period} />;

  return (
    <>
      <PageHeader title="Crash stats" description="Occurrences over time, by version and by platform." />
      <Card className="mb-4 grid grid-cols-2 gap-3 p-4 sm:max-w-lg">
        <Field label="Project" htmlFor="s-project">
          <ProjectSelect id="s-project" includeAll={false} value={projectId} onChange={(v) => set("project", v)} />
        </Field>
        <Field label="Period" htmlFor="s-period">
          <Select id="s-period" value={period} onChange={(e) => set("period", e.target.value)}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {PERIOD_LABELS[p]}
              </option>
            ))}
          </Select>
        </Field>
      </Card>
      {body}
    </>
  );
}

function Stats({ projectId, period }: { projectId: string; period: StatsPeriod }) {
  const [{ data, fetching, error }, retry] = useQuery({ query: CrashStatsQuery, variables: { projectId, period } });
  if (fetching && !data) return <Loading label="Loading statistics…" />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  if (!data) return null;
  const s = data.crashStats;
  const hourly = period === "DAY";
  const buckets = s.buckets.map((b) => ({
    label: bucketLabel(b.start, hourly),
    occurrences: b.occurrences,
  }));

  return (
    <div className="space-y-6">
      <div className="grid grid-cols-3 gap-3">
        {[
          ["Crashes", s.totalOccurrences],
          ["New groups", s.newGroups],
          ["Users affected", s.affectedUsers],
        ].map(([label, value]) => (
          <Card key={label} className="p-4">
            <p className="text-xs text-slate-500">{label}</p>
            <p className="mt-1 text-2xl font-semibold tabular-nums">{formatCount(value as number)}</p>
          </Card>
        ))}
      </div>
      <Card>
        <CardHeader title={`Crashes, ${PERIOD_LABELS[period].toLowerCase()}`} />
        <div className="h-64 p-4" role="img" aria-label={`Crashes per ${hourly ? "hour" : "day"}, ${enumLabel(period)}`}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={buckets}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
              <XAxis dataKey="label" fontSize={11} minTickGap={12} />
              <YAxis allowDecimals={false} fontSize={11} width={32} />
              <Tooltip />
              <Bar dataKey="occurrences" name="Crashes" fill="#4f46e5" radius={[3, 3, 0, 0]} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </Card>
      <div className="grid gap-6 md:grid-cols-2">
        <Breakdown title="By version" rows={s.byVersion} />
        <Breakdown title="By platform" rows={s.byPlatform} />
      </div>
      <Card>
        <CardHeader title="Top crash groups" />
        {s.topGroups.length === 0 ? (
          <EmptyState title="No crashes in this period" />
        ) : (
          <ol className="divide-y divide-slate-100">
            {s.topGroups.map((t) => (
              <li key={t.group.id} className="flex items-center gap-3 px-4 py-2.5 text-sm">
                <Link to={`/crashes/${t.group.id}`} className="min-w-0 flex-1 truncate hover:text-primary">
                  <span className="font-medium">{t.group.errorType}</span> <span className="text-slate-500">{t.group.errorMessage}</span>
                </Link>
                <span className="tabular-nums">{formatCount(t.occurrences)}</span>
              </li>
            ))}
          </ol>
        )}
      </Card>
    </div>
  );
}

function Breakdown({ title, rows }: { title: string; rows: { key: string; count: number }[] }) {
  return (
    <Card>
      <CardHeader title={title} />
      {rows.length === 0 ? (
        <EmptyState title="No data for this period" />
      ) : (
        <div className="h-64 p-4" role="img" aria-label={`Crashes ${title.toLowerCase()}`}>
          <ResponsiveContainer width="100%" height="100%">
            <PieChart>
              <Pie data={rows} dataKey="count" nameKey="key" innerRadius="50%" outerRadius="80%" isAnimationActive={false}>
                {rows.map((r, i) => (
                  <Cell key={r.key} fill={PALETTE[i % PALETTE.length]} />
                ))}
              </Pie>
              <Tooltip />
              <Legend />
            </PieChart>
          </ResponsiveContainer>
        </div>
      )}
    </Card>
  );
}
