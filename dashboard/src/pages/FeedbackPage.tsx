import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import type { FeedbackCategory, FeedbackListItemFragment, FeedbackStatus, FeedbackWhereInput } from "../gql/graphql";
import { describeError } from "../lib/graphql-errors";
import { enumLabel, timeAgo } from "../lib/format";
import { mergeLive, pushLive } from "../lib/live";
import { useCursorPages } from "../lib/pagination";
import { useDraft } from "../lib/use-draft";
import { Button, Card, EmptyState, ErrorState, Field, Input, Loading, PageHeader, Select, cn } from "../components/ui";
import { EnumBadge, Pager, ProjectSelect, nodes } from "../components/triage";
import { parseStatusFilter, statusMatches, statusWhere, UNRESOLVED } from "../lib/status-filter";

graphql(`
  fragment FeedbackListItem on Feedback {
    id category message email status appVersion platform createdAt updatedAt projectID project { id name }
  }
`);

const FeedbacksQuery = graphql(`
  query Feedbacks($projectId: ID, $search: String, $where: FeedbackWhereInput, $first: Int, $after: Cursor) {
    feedbacks(projectId: $projectId, search: $search, where: $where, first: $first, after: $after) {
      edges { node { ...FeedbackListItem } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const FeedbackCreatedSubscription = graphql(`
  subscription FeedbackCreated($projectId: ID) {
    feedbackCreated(projectId: $projectId) { ...FeedbackListItem }
  }
`);

export const FEEDBACK_STATUSES: FeedbackStatus[] = ["OPEN", "IN_PROGRESS", "CLOSED"];
/** What the overview counts as open feedback. */
const UNRESOLVED_FEEDBACK_STATUSES: FeedbackStatus[] = ["OPEN", "IN_PROGRESS"];
const CATEGORIES: FeedbackCategory[] = ["BUG", "FEATURE", "GENERAL"];
const PAGE_SIZE = 25;

export function FeedbackPage() {
  const [params, setParams] = useSearchParams();
  const projectId = params.get("project") ?? undefined;
  const search = params.get("q") ?? undefined;
  const status = parseStatusFilter(params.get("status"), FEEDBACK_STATUSES);
  const category = (CATEGORIES as string[]).includes(params.get("category") ?? "") ? (params.get("category") as FeedbackCategory) : undefined;
  const version = params.get("version") ?? "";
  const [searchText, setSearchText] = useDraft(search ?? "");
  const set = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };

  const where: FeedbackWhereInput = statusWhere(status, UNRESOLVED_FEEDBACK_STATUSES);
  if (category) where.category = category;
  if (version) where.appVersion = version;
  const variables = { projectId, search, where };
  const key = JSON.stringify(variables);
  const pages = useCursorPages(key);
  const [{ data, fetching, error }, retry] = useQuery({ query: FeedbacksQuery, variables: { ...variables, first: PAGE_SIZE, after: pages.after } });
  const [live, setLive] = useState<{ key: string; items: FeedbackListItemFragment[] }>({ key, items: [] });
  const showsNewest = pages.page === 1 && !search;
  useSubscription({ query: FeedbackCreatedSubscription, variables: { projectId }, pause: !showsNewest }, (_, event) => {
    const f = event.feedbackCreated;
    if (statusMatches(status, UNRESOLVED_FEEDBACK_STATUSES, f.status) && (!category || f.category === category) && (!version || f.appVersion === version)) setLive((prev) => ({ key, items: pushLive(prev.key === key ? prev.items : [], f) }));
    return event;
  });
  const fetched = nodes(data?.feedbacks);
  const fetchedIds = new Set(fetched.map((f) => f.id));
  const rows = mergeLive(fetched, live.key === key && showsNewest ? live.items : []);

  function submitSearch(e: FormEvent) {
    e.preventDefault();
    set("q", searchText.trim() || undefined);
  }

  return (
    <>
      <PageHeader title="Feedback" description="Bug reports, feature requests and comments from your apps' users." />
      <Card className="mb-4 space-y-3 p-4">
        <form role="search" onSubmit={submitSearch} className="flex gap-2">
          <Input type="search" aria-label="Search feedback" placeholder="Search feedback…" value={searchText} onChange={(e) => setSearchText(e.target.value)} />
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Field label="Project" htmlFor="fb-project">
            <ProjectSelect id="fb-project" value={projectId} onChange={(v) => set("project", v)} />
          </Field>
          <Field label="Status" htmlFor="fb-status">
            <Select id="fb-status" value={status ?? ""} onChange={(e) => set("status", e.target.value || undefined)}>
              <option value="">Any status</option>
              <option value={UNRESOLVED}>Unresolved (open or in progress)</option>
              {FEEDBACK_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {enumLabel(s)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Category" htmlFor="fb-category">
            <Select id="fb-category" value={category ?? ""} onChange={(e) => set("category", e.target.value || undefined)}>
              <option value="">Any category</option>
              {CATEGORIES.map((s) => (
                <option key={s} value={s}>
                  {enumLabel(s)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="App version" htmlFor="fb-version">
            <Input id="fb-version" key={version} defaultValue={version} placeholder="1.0.0" onBlur={(e) => e.target.value.trim() !== version && set("version", e.target.value.trim() || undefined)} onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()} />
          </Field>
        </div>
      </Card>
      <Card>
        {fetching && !data ? (
          <Loading label="Loading feedback…" />
        ) : error && !data ? (
          <ErrorState message={describeError(error)} onRetry={() => retry({ requestPolicy: "network-only" })} />
        ) : rows.length === 0 ? (
          <EmptyState title="No feedback">{search || status || category || version ? "Nothing matches these filters." : "Feedback sent from your apps appears here as it arrives."}</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="feedback-rows">
            {rows.map((f) => (
              <li key={f.id} className={cn("px-4 py-3 hover:bg-slate-50", !fetchedIds.has(f.id) && "live-new")}>
                <div className="flex flex-wrap items-center gap-2">
                  <EnumBadge value={f.category} />
                  <EnumBadge value={f.status} />
                  <span className="ml-auto text-xs text-slate-500">{timeAgo(f.createdAt)}</span>
                </div>
                <Link to={`/feedback/${f.id}`} className="mt-1 line-clamp-2 block text-sm font-medium hover:text-primary">
                  {f.message}
                </Link>
                <p className="mt-0.5 text-xs text-slate-500">
                  {f.project.name} · {f.platform} {f.appVersion} {f.email && `· ${f.email}`}
                </p>
              </li>
            ))}
          </ul>
        )}
        <Pager page={pages.page} hasNext={Boolean(data?.feedbacks.pageInfo.hasNextPage)} onPrevious={pages.previous} onNext={() => data?.feedbacks.pageInfo.endCursor && pages.next(data.feedbacks.pageInfo.endCursor)} />
      </Card>
    </>
  );
}
