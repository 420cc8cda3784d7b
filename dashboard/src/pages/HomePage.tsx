import { useState } from "react";
import { Link } from "react-router";
import { useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import type { HomeReportFragment } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { formatCount, plural, timeAgo } from "../lib/format";
import { mergeLive, pushLive } from "../lib/live";
import { localToday } from "../lib/report-filters";
import { Card, CardHeader, EmptyState, ErrorState, Loading, PageHeader, cn } from "../components/ui";
import { EnumBadge, nodes, useProjectOptions } from "../components/triage";

graphql(`
  fragment HomeReport on Report {
    id message severity status createdAt project { id name }
  }
`);

const HomeQuery = graphql(`
  query Home($todayStart: Time) {
    dashboardStats(todayStart: $todayStart) { newReportsToday unresolvedReports openFeedback newCrashGroups }
    reports(first: 10) { edges { node { ...HomeReport } } }
  }
`);

const ProjectStatsQuery = graphql(`
  query ProjectStats($projectId: ID!) {
    dashboardStats(projectId: $projectId) { newReportsToday unresolvedReports openFeedback newCrashGroups }
  }
`);

const HomeReportCreated = graphql(`
  subscription HomeReportCreated {
    reportCreated { ...HomeReport }
  }
`);

const RECENT = 10;
// The overview shows this many projects; the rest are a click away.
const PROJECTS_SHOWN = 12;

function ProjectRow({ project }: { project: { id: string; name: string; slug: string } }) {
  const [{ data, error }] = useQuery({ query: ProjectStatsQuery, variables: { projectId: project.id } });
  const s = data?.dashboardStats;
  return (
    <li className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2.5 text-sm">
      <Link to={`/reports?project=${project.id}`} className="min-w-0 flex-1 truncate font-medium hover:text-primary">
        {project.name}
      </Link>
      {s ? (
        <span className="flex gap-3 text-xs text-slate-500">
          <span>{plural(s.unresolvedReports, "open report")}</span>
          <span>{formatCount(s.openFeedback)} open feedback</span>
          <span>{plural(s.newCrashGroups, "new crash group")}</span>
        </span>
      ) : (
        <span className="text-xs text-slate-400">{error ? "Counts unavailable" : "…"}</span>
      )}
    </li>
  );
}

function ProjectsOverview() {
  const { projects, fetching, error } = useProjectOptions();
  return (
    <Card className="mb-6">
      <CardHeader title="Projects" actions={<Link to="/projects" className="text-sm font-medium text-primary hover:underline">Manage</Link>} />
      {fetching ? (
        <Loading />
      ) : error ? (
        <ErrorState message={describeError(error)} />
      ) : projects.length === 0 ? (
        <EmptyState title="No projects yet">
          <Link to="/projects" className="text-primary hover:underline">Create a project</Link> to start collecting reports.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100">
          {projects.slice(0, PROJECTS_SHOWN).map((p) => (
            <ProjectRow key={p.id} project={p} />
          ))}
        </ul>
      )}
    </Card>
  );
}

export function HomePage() {
  // "Today" is the user's: the counter and the list it opens start at their midnight.
  const today = localToday();
  const [{ data, fetching, error }, retry] = useQuery({ query: HomeQuery, variables: { todayStart: today.start } });
  const [live, setLive] = useState<HomeReportFragment[]>([]);
  const [arrivedToday, setArrivedToday] = useState(0);
  useSubscription({ query: HomeReportCreated }, (_, event) => {
    setLive((prev) => pushLive(prev, event.reportCreated, RECENT));
    setArrivedToday((n) => n + 1);
    return event;
  });

  if (fetching && !data) return <Loading label="Loading the overview…" />;
  if (error && !data) return <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />;
  if (!data) return null;

  const fetched = nodes(data.reports);
  const fetchedIds = new Set(fetched.map((r) => r.id));
  const recent = mergeLive(fetched, live).slice(0, RECENT);
  const s = data.dashboardStats;
  const stats = [
    { label: "New reports today", value: s.newReportsToday + arrivedToday, to: `/reports?from=${today.date}` },
    { label: "Unresolved reports", value: s.unresolvedReports, to: "/reports?status=UNRESOLVED" },
    { label: "Open feedback", value: s.openFeedback, to: "/feedback?status=UNRESOLVED" },
    { label: "New crash groups (24 h)", value: s.newCrashGroups, to: "/crashes?firstSeen=24h" },
  ];

  return (
    <>
      <PageHeader title="Overview" description="What your users ran into, across all projects." />
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        {stats.map((stat) => (
          <Link key={stat.label} to={stat.to} className="rounded-lg">
            <Card className="h-full p-4 hover:border-indigo-300">
              <p className="text-xs text-slate-500">{stat.label}</p>
              <p className="mt-1 text-2xl font-semibold tabular-nums">{formatCount(stat.value)}</p>
            </Card>
          </Link>
        ))}
      </div>
      <ProjectsOverview />
      <Card>
        <CardHeader title="Recent reports" actions={<Link to="/reports" className="text-sm font-medium text-primary hover:underline">All reports</Link>} />
        {recent.length === 0 ? (
          <EmptyState title="No reports yet">Install the SDK from a project's integration page; reports will appear here live.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {recent.map((r) => (
              <li key={r.id} className={cn("flex flex-wrap items-center gap-2 px-4 py-2.5", !fetchedIds.has(r.id) && "live-new")}>
                <Link to={`/reports/${r.id}`} className="min-w-0 flex-1 truncate text-sm font-medium hover:text-primary">
                  {r.message}
                </Link>
                <span className="text-xs text-slate-500">{r.project.name}</span>
                <EnumBadge value={r.severity} />
                <span className="w-24 text-right text-xs text-slate-500">{timeAgo(r.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
