import { useState } from "react";
import { Link } from "react-router";
import { useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import type { HomeReportFragment } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { formatCount, timeAgo } from "../lib/format";
import { mergeLive, pushLive } from "../lib/live";
import { Card, CardHeader, EmptyState, ErrorState, Loading, PageHeader, cn } from "../components/ui";
import { EnumBadge, nodes } from "../components/triage";

graphql(`
  fragment HomeReport on Report {
    id message severity status createdAt project { id name }
  }
`);

const HomeQuery = graphql(`
  query Home {
    dashboardStats { newReportsToday unresolvedReports openFeedback newCrashGroups }
    reports(first: 10) { edges { node { ...HomeReport } } }
  }
`);

const HomeReportCreated = graphql(`
  subscription HomeReportCreated {
    reportCreated { ...HomeReport }
  }
`);

const RECENT = 10;

export function HomePage() {
  const [{ data, fetching, error }, retry] = useQuery({ query: HomeQuery });
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
    { label: "New reports today", value: s.newReportsToday + arrivedToday, to: "/reports" },
    { label: "Unresolved reports", value: s.unresolvedReports, to: "/reports?status=NEW" },
    { label: "Open feedback", value: s.openFeedback, to: "/feedback?status=OPEN" },
    { label: "New crash groups (24 h)", value: s.newCrashGroups, to: "/crashes?status=NEW" },
  ];

  return (
    <>
      <PageHeader title="Overview" description="What your users ran into, across all projects." />
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        {stats.map((stat) => (
          <Link key={stat.label} to={stat.to} className="rounded-lg focus-visible:outline-2">
            <Card className="h-full p-4 hover:border-indigo-300">
              <p className="text-xs text-slate-500">{stat.label}</p>
              <p className="mt-1 text-2xl font-semibold tabular-nums">{formatCount(stat.value)}</p>
            </Card>
          </Link>
        ))}
      </div>
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
