package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

// pageSize is the page the dashboard asks for.
const pageSize = 50

// query is one measured query: the GraphQL request the dashboard makes, and
// the baseline, hand-written SQL that reads the same rows. Both take the run
// number, for queries that alternate between pages.
type query struct {
	name     string
	target   time.Duration // at p95
	server   func(ctx context.Context, run int) (answer, error)
	baseline func(ctx context.Context, run int) (answer, error)
	// compare says how the answers differ, "" when they agree; nil is
	// sameAnswer.
	compareFn func(server, baseline answer) string
	// pages: even runs read the first page, odd runs the next one.
	pages bool
	// counted says what an answer tells of the data.
	counted func(answer) string
}

func (q query) compare(s, b answer) string {
	if q.compareFn != nil {
		return q.compareFn(s, b)
	}
	return sameAnswer(s, b)
}

// answer is what the server and the baseline are compared on.
type answer struct {
	ids   []string
	total int
	// For crash statistics.
	newGroups, users int
}

func sameAnswer(s, b answer) string {
	switch {
	case s.total != b.total:
		return fmt.Sprintf("total %d, baseline %d", s.total, b.total)
	case !slices.Equal(s.ids, b.ids):
		return fmt.Sprintf("ids %s, baseline %s", abbreviate(s.ids), abbreviate(b.ids))
	}
	return ""
}

// sameStats compares crash statistics, which both sides compute for a
// window ending at their own now: a crash at an edge may count on one side
// only.
func sameStats(s, b answer) string {
	near := func(x, y int) bool { d := x - y; return max(d, -d) <= max(2, x/100) }
	switch {
	case !near(s.total, b.total):
		return fmt.Sprintf("totalOccurrences %d, baseline %d", s.total, b.total)
	case !near(s.newGroups, b.newGroups):
		return fmt.Sprintf("newGroups %d, baseline %d", s.newGroups, b.newGroups)
	case !near(s.users, b.users):
		return fmt.Sprintf("affectedUsers %d, baseline %d", s.users, b.users)
	}
	return ""
}

func abbreviate(ids []string) string {
	if len(ids) <= 3 {
		return fmt.Sprint(ids)
	}
	return fmt.Sprintf("[%s … %s] (%d)", strings.Join(ids[:2], " "), ids[len(ids)-1], len(ids))
}

func (b *bench) queries() []query {
	return []query{
		{
			name: "reports page (50, newest first)", target: targetReportPage, pages: true,
			server: b.reportsPage, baseline: b.reportsPageSQL,
			counted: func(a answer) string { return benchkit.Thousands(float64(a.total)) + " reports" },
		},
		{
			// The same page without totalCount, and without the count on
			// the baseline: the page alone.
			name: "reports page (50, newest first, no totalCount)", target: targetReportPage, pages: true,
			server: b.reportsPageNoCount, baseline: b.reportsPageNoCountSQL,
		},
		{
			name: fmt.Sprintf("search %q (first 50)", b.search), target: targetSearch,
			server: b.searchReports, baseline: b.searchReportsSQL,
			counted: func(a answer) string { return benchkit.Thousands(float64(a.total)) + " of them match the search" },
		},
		{
			name: fmt.Sprintf("search %q (first 50, no totalCount)", b.search), target: targetSearch,
			server: b.searchReportsNoCount, baseline: b.searchReportsNoCountSQL,
		},
		{
			name: "crashGroups by count (first 50)", target: targetCrashGroups,
			server: b.crashGroups, baseline: b.crashGroupsSQL,
			counted: func(a answer) string { return benchkit.Thousands(float64(a.total)) + " crash groups" },
		},
		{
			name: "crashStats(MONTH)", target: targetCrashStats,
			server: b.crashStats, baseline: b.crashStatsSQL, compareFn: sameStats,
			counted: func(a answer) string { return benchkit.Thousands(float64(a.total)) + " crashes in the last 30 days" },
		},
	}
}

// ---- reports ------------------------------------------------------------------

// reportRowFields is a page of the dashboard's report list; reportFields
// adds the count of every report that matches.
const (
	reportRowFields = `pageInfo { hasNextPage endCursor }
    edges { node {
      id message status createdAt
      project { id name }
      assignee { id email }
      group { id reportCount }
    } }`
	reportFields = `totalCount
    ` + reportRowFields
)

const (
	reportsPageHead = `query ReportsPage($projectId: ID, $after: Cursor) {
  reports(projectId: $projectId, orderBy: {field: CREATED_AT, direction: DESC}, first: 50, after: $after) {
    `
	searchHead = `query SearchReports($projectId: ID, $search: String) {
  reports(projectId: $projectId, search: $search, first: 50) {
    `
	reportsTail = `
  }
}`

	reportsPageQuery        = reportsPageHead + reportFields + reportsTail
	reportsPageNoCountQuery = reportsPageHead + reportRowFields + reportsTail
	searchQuery             = searchHead + reportFields + reportsTail
	searchNoCountQuery      = searchHead + reportRowFields + reportsTail
)

type reportConnection struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   string
	}
	Edges []struct {
		Node struct {
			ID, Message, Status string
			CreatedAt           time.Time
			Project             struct{ ID, Name string }
			Assignee            *struct{ ID, Email string }
			Group               *struct {
				ID          string
				ReportCount int
			}
		}
	}
}

func (c reportConnection) answer() answer {
	a := answer{total: c.TotalCount, ids: make([]string, len(c.Edges))}
	for i, e := range c.Edges {
		a.ids[i] = e.Node.ID
	}
	return a
}

func (b *bench) reportsPage(ctx context.Context, run int) (answer, error) {
	return b.reportsPageOf(ctx, reportsPageQuery, run)
}

func (b *bench) reportsPageNoCount(ctx context.Context, run int) (answer, error) {
	return b.reportsPageOf(ctx, reportsPageNoCountQuery, run)
}

// reportsPageOf reads the newest reports' first page with query on even
// runs, and the page after the last first page read on odd ones.
func (b *bench) reportsPageOf(ctx context.Context, query string, run int) (answer, error) {
	vars := map[string]any{"projectId": b.project.id}
	next := run%2 == 1 && b.cursor != ""
	if next {
		vars["after"] = b.cursor
	}
	var out struct{ Reports reportConnection }
	if err := b.graphQL(ctx, query, vars, &out); err != nil {
		return answer{}, err
	}
	if !next {
		b.cursor = out.Reports.PageInfo.EndCursor
	}
	return out.Reports.answer(), nil
}

func (b *bench) searchReports(ctx context.Context, _ int) (answer, error) {
	return b.searchReportsOf(ctx, searchQuery)
}

func (b *bench) searchReportsNoCount(ctx context.Context, _ int) (answer, error) {
	return b.searchReportsOf(ctx, searchNoCountQuery)
}

func (b *bench) searchReportsOf(ctx context.Context, query string) (answer, error) {
	var out struct{ Reports reportConnection }
	if err := b.graphQL(ctx, query, map[string]any{"projectId": b.project.id, "search": b.search}, &out); err != nil {
		return answer{}, err
	}
	return out.Reports.answer(), nil
}

// reportRowsSQL reads a page of reports with the rows the list shows beside
// them, one more than a page to tell whether there is a next one. %s is
// more of the WHERE clause.
const reportRowsSQL = `SELECT r.id, r.message, r.status, r.created_at, p.id, p.name, u.id, u.email, g.id, g.report_count
FROM reports r
JOIN projects p ON p.id = r.project_id
LEFT JOIN users u ON u.id = r.assignee_id
LEFT JOIN report_groups g ON g.id = r.group_id
WHERE r.project_id = $1%s
ORDER BY r.created_at DESC, r.id DESC
LIMIT 51`

type reportRow struct {
	id, message, status, projectID, projectName string
	createdAt                                   time.Time
	userID, userEmail, groupID                  *string
	groupReports                                *int64
}

// reportsBatch sends the page's query and its count in one batch; without
// the count (countArgs nil), the page's query alone, and a total of 0.
func (b *bench) reportsBatch(ctx context.Context, where string, args []any, countWhere string, countArgs []any) ([]reportRow, int, error) {
	batch := &pgx.Batch{}
	batch.Queue(fmt.Sprintf(reportRowsSQL, where), args...)
	if countArgs != nil {
		batch.Queue(`SELECT count(*) FROM reports WHERE project_id = $1`+countWhere, countArgs...)
	}
	br := b.pool.SendBatch(ctx, batch)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, 0, err
	}
	page, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (reportRow, error) {
		var r reportRow
		err := row.Scan(&r.id, &r.message, &r.status, &r.createdAt, &r.projectID, &r.projectName,
			&r.userID, &r.userEmail, &r.groupID, &r.groupReports)
		return r, err
	})
	if err != nil {
		return nil, 0, err
	}
	var total int
	if countArgs != nil {
		if err := br.QueryRow().Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return page[:min(len(page), pageSize)], total, br.Close()
}

func reportsAnswer(page []reportRow, total int) answer {
	a := answer{total: total, ids: make([]string, len(page))}
	for i, r := range page {
		a.ids[i] = r.id
	}
	return a
}

func (b *bench) reportsPageSQL(ctx context.Context, run int) (answer, error) {
	return b.reportsPageSQLOf(ctx, run, true)
}

func (b *bench) reportsPageNoCountSQL(ctx context.Context, run int) (answer, error) {
	return b.reportsPageSQLOf(ctx, run, false)
}

// reportsPageSQLOf reads the page reportsPageOf reads, with the count of
// the project's reports when count is set.
func (b *bench) reportsPageSQLOf(ctx context.Context, run int, count bool) (answer, error) {
	where, args := "", []any{b.project.id}
	next := run%2 == 1 && b.lastReportID != ""
	if next {
		where = " AND (r.created_at, r.id) < ($2, $3)"
		args = append(args, b.lastAt, b.lastReportID)
	}
	var countArgs []any
	if count {
		countArgs = []any{b.project.id}
	}
	page, total, err := b.reportsBatch(ctx, where, args, "", countArgs)
	if err != nil {
		return answer{}, err
	}
	if !next && len(page) > 0 {
		last := page[len(page)-1]
		b.lastAt, b.lastReportID = last.createdAt, last.id
	}
	return reportsAnswer(page, total), nil
}

func (b *bench) searchReportsSQL(ctx context.Context, _ int) (answer, error) {
	return b.searchReportsSQLOf(ctx, true)
}

func (b *bench) searchReportsNoCountSQL(ctx context.Context, _ int) (answer, error) {
	return b.searchReportsSQLOf(ctx, false)
}

// searchReportsSQLOf matches the search as the server does: the
// to_tsquery('english', …) text that package search makes of what was
// typed, against the reports' generated search_vector (GIN indexed); with
// the count of the matches when count is set.
func (b *bench) searchReportsSQLOf(ctx context.Context, count bool) (answer, error) {
	var countArgs []any
	if count {
		countArgs = []any{b.project.id, b.tsquery}
	}
	page, total, err := b.reportsBatch(ctx,
		" AND r.search_vector @@ to_tsquery('english', $2)", []any{b.project.id, b.tsquery},
		" AND search_vector @@ to_tsquery('english', $2)", countArgs)
	if err != nil {
		return answer{}, err
	}
	return reportsAnswer(page, total), nil
}

// ---- crash groups ---------------------------------------------------------------

const crashGroupsQuery = `query CrashGroups($projectId: ID) {
  crashGroups(projectId: $projectId, orderBy: {field: OCCURRENCE_COUNT, direction: DESC}, first: 50) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id errorType errorMessage occurrenceCount affectedUsers firstSeenAt lastSeenAt status } }
  }
}`

func (b *bench) crashGroups(ctx context.Context, _ int) (answer, error) {
	var out struct {
		CrashGroups struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, ErrorType, ErrorMessage, Status string
					OccurrenceCount, AffectedUsers      int
					FirstSeenAt, LastSeenAt             time.Time
				}
			}
		}
	}
	if err := b.graphQL(ctx, crashGroupsQuery, map[string]any{"projectId": b.project.id}, &out); err != nil {
		return answer{}, err
	}
	a := answer{total: out.CrashGroups.TotalCount}
	for _, e := range out.CrashGroups.Edges {
		a.ids = append(a.ids, e.Node.ID)
	}
	return a, nil
}

func (b *bench) crashGroupsSQL(ctx context.Context, _ int) (answer, error) {
	batch := &pgx.Batch{}
	batch.Queue(`SELECT id, error_type, error_message, occurrence_count, affected_users, first_seen_at, last_seen_at, status
		FROM crash_groups WHERE project_id = $1
		ORDER BY occurrence_count DESC, id DESC
		LIMIT 51`, b.project.id)
	batch.Queue(`SELECT count(*) FROM crash_groups WHERE project_id = $1`, b.project.id)
	br := b.pool.SendBatch(ctx, batch)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return answer{}, err
	}
	type group struct {
		id, errorType, errorMessage, status string
		occurrences, users                  int64
		firstSeen, lastSeen                 time.Time
	}
	groups, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (group, error) {
		var g group
		err := row.Scan(&g.id, &g.errorType, &g.errorMessage, &g.occurrences, &g.users, &g.firstSeen, &g.lastSeen, &g.status)
		return g, err
	})
	if err != nil {
		return answer{}, err
	}
	var a answer
	if err := br.QueryRow().Scan(&a.total); err != nil {
		return answer{}, err
	}
	for _, g := range groups[:min(len(groups), pageSize)] {
		a.ids = append(a.ids, g.id)
	}
	return a, br.Close()
}

// ---- crash statistics -------------------------------------------------------------

const crashStatsQuery = `query CrashStats($projectId: ID!) {
  crashStats(projectId: $projectId, period: MONTH) {
    totalOccurrences newGroups affectedUsers
    buckets { start occurrences }
    byVersion { key count }
    byPlatform { key count }
    topGroups { occurrences group { id errorType } }
  }
}`

func (b *bench) crashStats(ctx context.Context, _ int) (answer, error) {
	var out struct {
		CrashStats struct {
			TotalOccurrences, NewGroups, AffectedUsers int
			Buckets                                    []struct {
				Start       time.Time
				Occurrences int
			}
			ByVersion, ByPlatform []struct {
				Key   string
				Count int
			}
			TopGroups []struct {
				Occurrences int
				Group       struct{ ID, ErrorType string }
			}
		}
	}
	if err := b.graphQL(ctx, crashStatsQuery, map[string]any{"projectId": b.project.id}, &out); err != nil {
		return answer{}, err
	}
	s := out.CrashStats
	return answer{total: s.TotalOccurrences, newGroups: s.NewGroups, users: s.AffectedUsers}, nil
}

// crashStatsWindow is the crashes of the project in the last 30 days ($1
// the project, $2 and $3 the window), which the (project_id, created_at)
// index finds.
const crashStatsWindow = `FROM crash_reports WHERE project_id = $1 AND created_at >= $2 AND created_at <= $3`

// crashStatsSQL computes the month's statistics as the dashboard shows
// them: groups first seen in the month, crashes per UTC day, distinct
// users, the 20 versions and platforms and the 10 groups with the most
// crashes.
func (b *bench) crashStatsSQL(ctx context.Context, _ int) (answer, error) {
	now := time.Now().UTC()
	from := now.Add(-30 * 24 * time.Hour)
	args := []any{b.project.id, from, now}
	batch := &pgx.Batch{}
	// last_seen_at >= from is implied, and lets the (project_id,
	// last_seen_at) index narrow the groups.
	batch.Queue(`SELECT count(*) FROM crash_groups
		WHERE project_id = $1 AND first_seen_at >= $2 AND first_seen_at <= $3 AND last_seen_at >= $2`, args...)
	batch.Queue(`SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*) `+crashStatsWindow+`
		GROUP BY day ORDER BY day`, args...)
	batch.Queue(`SELECT count(DISTINCT user_id) `+crashStatsWindow, args...)
	batch.Queue(`SELECT app_version, count(*) AS n `+crashStatsWindow+` GROUP BY app_version ORDER BY n DESC, app_version LIMIT 20`, args...)
	batch.Queue(`SELECT platform, count(*) AS n `+crashStatsWindow+` GROUP BY platform ORDER BY n DESC, platform LIMIT 20`, args...)
	batch.Queue(`SELECT g.id, g.error_type, t.n FROM (
			SELECT group_id, count(*) AS n `+crashStatsWindow+` AND group_id IS NOT NULL
			GROUP BY group_id ORDER BY n DESC, group_id LIMIT 10
		) t JOIN crash_groups g ON g.id = t.group_id
		ORDER BY t.n DESC, g.id`, args...)
	br := b.pool.SendBatch(ctx, batch)
	defer br.Close()

	var a answer
	if err := br.QueryRow().Scan(&a.newGroups); err != nil {
		return answer{}, fmt.Errorf("new groups: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return answer{}, fmt.Errorf("buckets: %w", err)
	}
	type bucket struct {
		day time.Time
		n   int
	}
	buckets, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (bucket, error) {
		var k bucket
		err := row.Scan(&k.day, &k.n)
		return k, err
	})
	if err != nil {
		return answer{}, fmt.Errorf("buckets: %w", err)
	}
	for _, k := range buckets {
		a.total += k.n
	}
	if err := br.QueryRow().Scan(&a.users); err != nil {
		return answer{}, fmt.Errorf("affected users: %w", err)
	}
	type count struct {
		key string
		n   int
	}
	for _, what := range []string{"by version", "by platform"} {
		rows, err := br.Query()
		if err == nil {
			_, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (count, error) {
				var c count
				err := row.Scan(&c.key, &c.n)
				return c, err
			})
		}
		if err != nil {
			return answer{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	rows, err = br.Query()
	if err != nil {
		return answer{}, fmt.Errorf("top groups: %w", err)
	}
	type top struct {
		id, errorType string
		n             int
	}
	tops, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (top, error) {
		var t top
		err := row.Scan(&t.id, &t.errorType, &t.n)
		return t, err
	})
	if err != nil {
		return answer{}, fmt.Errorf("top groups: %w", err)
	}
	for _, t := range tops {
		a.ids = append(a.ids, t.id)
	}
	return a, br.Close()
}
