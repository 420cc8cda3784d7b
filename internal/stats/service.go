package stats

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/predicate"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
)

// Caps on the lists of CrashStats.
const (
	maxBreakdown = 20 // ByVersion, ByPlatform
	maxTopGroups = 10
)

// Service computes statistics. Every query runs as the caller's viewer, so
// the privacy policies decide what may be counted, as for any read.
type Service struct {
	client *ent.Client
	now    func() time.Time
}

// New returns a service on the root client. now is the clock (time.Now when
// nil).
func New(client *ent.Client, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{client: client, now: now}
}

func (s *Service) db(ctx context.Context) *ent.Client { return dbtx.Client(ctx, s.client) }

// window returns the period's length and bucket size.
func (p Period) window() (length, bucket time.Duration, ok bool) {
	const day = 24 * time.Hour
	switch p {
	case Day:
		return day, time.Hour, true
	case Week:
		return 7 * day, day, true
	case Month:
		return 30 * day, day, true
	case Quarter:
		return 90 * day, day, true
	}
	return 0, 0, false
}

// Crashes returns a project's crash statistics over the period ending now:
// [now-period, now], both ends included.
//
// Buckets are UTC hours (DAY) or UTC days, each starting on its boundary,
// from the one holding now-period to the one holding now, all present, in
// order: a period that does not start on a boundary has one bucket more
// than it has hours or days, and its first and last buckets count only the
// part inside the period. So the buckets always add up to TotalOccurrences.
func (s *Service) Crashes(ctx context.Context, projectID string, p Period) (*CrashStats, error) {
	length, step, ok := p.window()
	if !ok {
		return nil, apperr.InvalidField("period", fmt.Sprintf("%q is not a period", string(p)))
	}
	c := s.db(ctx)
	if err := projectExists(ctx, c, projectID); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	from := now.Add(-length)
	// Every query over crashes starts from this one, which the (project_id,
	// created_at) index can answer: the cost follows the crashes in the
	// period, not all of them.
	inWindow := func() *ent.CrashReportQuery {
		return c.CrashReport.Query().Where(
			crashreport.ProjectID(projectID),
			crashreport.CreatedAtGTE(from),
			crashreport.CreatedAtLTE(now),
		)
	}

	out := &CrashStats{ByVersion: []Count{}, ByPlatform: []Count{}, TopGroups: []GroupCount{}}
	var err error
	// Counted apart from the crashes: retention may have purged a new
	// group's crashes, not the group.
	if out.NewGroups, err = newGroups(ctx, c, &projectID, from, now); err != nil {
		return nil, err
	}
	if out.Buckets, err = buckets(ctx, inWindow(), from, now, step); err != nil {
		return nil, err
	}
	for _, b := range out.Buckets {
		out.TotalOccurrences += b.Occurrences
	}
	if out.TotalOccurrences == 0 {
		return out, nil
	}
	if out.AffectedUsers, err = inWindow().
		Aggregate(func(s *sql.Selector) string { return sql.Count(sql.Distinct(s.C(crashreport.FieldUserID))) }).
		Int(ctx); err != nil {
		return nil, fmt.Errorf("crash stats: affected users: %w", err)
	}
	if out.ByVersion, err = countBy(ctx, inWindow(), crashreport.FieldAppVersion, maxBreakdown); err != nil {
		return nil, err
	}
	if out.ByPlatform, err = countBy(ctx, inWindow(), crashreport.FieldPlatform, maxBreakdown); err != nil {
		return nil, err
	}
	if out.TopGroups, err = topGroups(ctx, c, inWindow().Where(crashreport.GroupIDNotNil())); err != nil {
		return nil, err
	}
	return out, nil
}

// projectExists tells an unknown project (NotFound) from one with nothing
// to count. The lookup also refuses a viewer who may not read the project.
func projectExists(ctx context.Context, c *ent.Client, id string) error {
	ok, err := c.Project.Query().Where(project.ID(id)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("stats: find project: %w", err)
	}
	if !ok {
		return apperr.New(apperr.NotFound, "project %q not found", id)
	}
	return nil
}

// buckets counts q's crashes per UTC hour or day, in the database, and
// fills in the empty buckets between from and to.
func buckets(ctx context.Context, q *ent.CrashReportQuery, from, to time.Time, step time.Duration) ([]Bucket, error) {
	var rows []struct {
		Bucket int64 `json:"bucket"`
		N      int   `json:"n"`
	}
	err := q.Modify(func(s *sql.Selector) {
		s.Select(
			sql.As(bucketStart(s, step), "bucket"),
			sql.As(sql.Count("*"), "n"),
		).GroupBy("bucket")
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("crash stats: buckets: %w", err)
	}
	counts := make(map[int64]int, len(rows))
	for _, r := range rows {
		counts[r.Bucket] = r.N
	}
	first, last := from.Truncate(step), to.Truncate(step)
	out := make([]Bucket, 0, int(last.Sub(first)/step)+1)
	for t := first; !t.After(last); t = t.Add(step) {
		out = append(out, Bucket{Start: t, Occurrences: counts[t.Unix()]})
	}
	return out, nil
}

// bucketStart is the SQL for the Unix time of the start of the UTC hour or
// day holding a crash: the same boundaries as Go's time.Truncate, which
// counts from the zero time, midnight UTC.
func bucketStart(s *sql.Selector, step time.Duration) string {
	created := s.C(crashreport.FieldCreatedAt)
	secs := int64(step / time.Second)
	if s.Dialect() == dialect.Postgres {
		unit := "hour"
		if step == 24*time.Hour {
			unit = "day"
		}
		// AT TIME ZONE pins the truncation to UTC whatever the session's
		// time zone.
		return fmt.Sprintf("CAST(EXTRACT(EPOCH FROM date_trunc('%s', %s AT TIME ZONE 'UTC')) AS BIGINT)", unit, created)
	}
	return fmt.Sprintf("(%[1]s / %[2]d * %[2]d)", sqliteUnix(created), secs)
}

// sqliteUnix is the SQL for the Unix time of a stored time. The SQLite
// driver writes times as Go's Time.String ("2026-03-15 10:30:00.5 +0200
// CEST", perhaps with a monotonic clock reading after), which SQLite's date
// functions do not read: the wall clock is read, then the offset after it
// subtracted. Times in SQLite's own format (the driver's _time_format=sqlite)
// strftime reads directly, hence it is tried first.
func sqliteUnix(col string) string {
	tail := fmt.Sprintf("substr(%s, 20)", col)
	offset := fmt.Sprintf("substr(%[1]s, instr(%[1]s, ' ') + 1, 5)", tail) // "+0200"
	return fmt.Sprintf("COALESCE(CAST(strftime('%%s', %[1]s) AS INTEGER), "+
		"CAST(strftime('%%s', substr(%[1]s, 1, 19)) AS INTEGER)"+
		" - (CASE substr(%[2]s, 1, 1) WHEN '-' THEN -1 ELSE 1 END)"+
		" * (CAST(substr(%[2]s, 2, 2) AS INTEGER) * 3600 + CAST(substr(%[2]s, 4, 2) AS INTEGER) * 60))",
		col, offset)
}

// countBy counts q's crashes per value of column, most first (ties by
// value, so the order is stable), at most limit of them.
func countBy(ctx context.Context, q *ent.CrashReportQuery, column string, limit int) ([]Count, error) {
	var rows []struct {
		K string `json:"k"`
		N int    `json:"n"`
	}
	err := q.Modify(func(s *sql.Selector) {
		c := s.C(column)
		s.Select(sql.As(c, "k"), sql.As(sql.Count("*"), "n")).
			GroupBy(c).
			OrderBy(sql.Desc("n"), sql.Asc("k")).
			Limit(limit)
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("crash stats: count by %s: %w", column, err)
	}
	out := make([]Count, len(rows))
	for i, r := range rows {
		out[i] = Count{Key: r.K, Count: r.N}
	}
	return out, nil
}

// topGroups returns the groups with the most of q's crashes, loaded in one
// query.
func topGroups(ctx context.Context, c *ent.Client, q *ent.CrashReportQuery) ([]GroupCount, error) {
	var rows []struct {
		GroupID string `json:"group_id"`
		N       int    `json:"n"`
	}
	err := q.Modify(func(s *sql.Selector) {
		g := s.C(crashreport.FieldGroupID)
		s.Select(sql.As(g, "group_id"), sql.As(sql.Count("*"), "n")).
			GroupBy(g).
			OrderBy(sql.Desc("n"), sql.Asc("group_id")).
			Limit(maxTopGroups)
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("crash stats: top groups: %w", err)
	}
	if len(rows) == 0 {
		return []GroupCount{}, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.GroupID
	}
	groups, err := c.CrashGroup.Query().Where(crashgroup.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("crash stats: load top groups: %w", err)
	}
	byID := make(map[string]*ent.CrashGroup, len(groups))
	for _, g := range groups {
		byID[g.ID] = g
	}
	out := make([]GroupCount, 0, len(rows))
	for _, r := range rows {
		// Missing only if deleted since the count: nothing left to show.
		if g := byID[r.GroupID]; g != nil {
			out = append(out, GroupCount{Group: g, Occurrences: r.N})
		}
	}
	return out, nil
}

// newGroups counts the groups, of a project or of all, first seen in
// [from, to].
func newGroups(ctx context.Context, c *ent.Client, projectID *string, from, to time.Time) (int, error) {
	ps := []predicate.CrashGroup{
		crashgroup.FirstSeenAtGTE(from),
		crashgroup.FirstSeenAtLTE(to),
		// Implied, since a group is last seen no earlier than first seen,
		// and what lets the (project_id, last_seen_at) index narrow the
		// scan: first_seen_at has no index of its own.
		crashgroup.LastSeenAtGTE(from),
	}
	if projectID != nil {
		ps = append(ps, crashgroup.ProjectID(*projectID))
	}
	n, err := c.CrashGroup.Query().Where(ps...).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("stats: new crash groups: %w", err)
	}
	return n, nil
}

// Dashboard returns the home page's counters, for one project or, with a
// nil projectID, for all of them.
func (s *Service) Dashboard(ctx context.Context, projectID *string) (*Dashboard, error) {
	c := s.db(ctx)
	if projectID != nil {
		if err := projectExists(ctx, c, *projectID); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)

	reports := func(ps ...predicate.Report) *ent.ReportQuery {
		if projectID != nil {
			ps = append(ps, report.ProjectID(*projectID))
		}
		return c.Report.Query().Where(ps...)
	}
	var (
		out Dashboard
		err error
	)
	if out.NewReportsToday, err = reports(report.CreatedAtGTE(midnight), report.CreatedAtLTE(now)).Count(ctx); err != nil {
		return nil, fmt.Errorf("dashboard stats: new reports: %w", err)
	}
	if out.UnresolvedReports, err = reports(report.StatusIn(enums.ReportStatusNew, enums.ReportStatusInProgress)).Count(ctx); err != nil {
		return nil, fmt.Errorf("dashboard stats: unresolved reports: %w", err)
	}
	fq := c.Feedback.Query().Where(feedback.StatusIn(enums.FeedbackStatusOpen, enums.FeedbackStatusInProgress))
	if projectID != nil {
		fq.Where(feedback.ProjectID(*projectID))
	}
	if out.OpenFeedback, err = fq.Count(ctx); err != nil {
		return nil, fmt.Errorf("dashboard stats: open feedback: %w", err)
	}
	if out.NewCrashGroups, err = newGroups(ctx, c, projectID, now.Add(-24*time.Hour), now); err != nil {
		return nil, err
	}
	return &out, nil
}
