package stats

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashday"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashhour"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/crashuser"
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
	out := &CrashStats{ByVersion: []Count{}, ByPlatform: []Count{}, TopGroups: []GroupCount{}}
	var err error
	// Counted apart from the crashes: retention may have purged a new
	// group's crashes, not the group.
	if out.NewGroups, err = newGroups(ctx, c, &projectID, from, now); err != nil {
		return nil, err
	}
	t, err := countCrashes(ctx, c, projectID, from, now)
	if err != nil {
		return nil, err
	}
	perBucket := map[int64]int{}
	for hour, n := range t.hours {
		perBucket[time.Unix(hour, 0).Truncate(step).Unix()] += n
		out.TotalOccurrences += n
	}
	out.Buckets = buckets(perBucket, from, now, step)
	if out.TotalOccurrences == 0 {
		return out, nil
	}
	if out.AffectedUsers, err = affectedUsers(ctx, c, projectID, from, now); err != nil {
		return nil, err
	}
	out.ByVersion = top(t.by[crashhour.DimensionVersion], maxBreakdown)
	out.ByPlatform = top(t.by[crashhour.DimensionPlatform], maxBreakdown)
	if out.TopGroups, err = topGroups(ctx, c, top(t.by[crashhour.DimensionGroup], maxTopGroups)); err != nil {
		return nil, err
	}
	return out, nil
}

// buckets lists the step-long buckets from the one holding from to the one
// holding to, all present, in order, with their counts from perBucket (by
// Unix time of their start).
func buckets(perBucket map[int64]int, from, to time.Time, step time.Duration) []Bucket {
	first, last := from.Truncate(step), to.Truncate(step)
	out := make([]Bucket, 0, int(last.Sub(first)/step)+1)
	for b := first; !b.After(last); b = b.Add(step) {
		out = append(out, Bucket{Start: b, Occurrences: perBucket[b.Unix()]})
	}
	return out
}

// counts are a period's crashes per UTC hour (by Unix time) and per value
// of each dimension.
type counts struct {
	hours map[int64]int
	by    map[crashhour.Dimension]map[string]int
}

// countCrashes counts a project's crashes in [from, to], exactly to the
// nanosecond, reading as few rows as it can: per hour, only the totals
// (for the buckets); per value of each dimension, the whole UTC days from
// CrashDay, the whole hours around them from CrashHour, and the partial
// hours at either end from the crashes themselves (at most two hours of
// rows).
func countCrashes(ctx context.Context, c *ent.Client, projectID string, from, to time.Time) (*counts, error) {
	out := &counts{hours: map[int64]int{}, by: map[crashhour.Dimension]map[string]int{
		crashhour.DimensionVersion: {}, crashhour.DimensionPlatform: {}, crashhour.DimensionGroup: {},
	}}
	sp := newSpan(from, to, true)

	var totals []struct {
		Hour        time.Time `json:"hour"`
		Occurrences int       `json:"occurrences"`
	}
	err := c.CrashHour.Query().
		Where(crashhour.ProjectID(projectID), crashhour.DimensionEQ(crashhour.DimensionTotal), sp.wholeHours()).
		Select(crashhour.FieldHour, crashhour.FieldOccurrences).
		Scan(ctx, &totals)
	if err != nil {
		return nil, fmt.Errorf("crash stats: hours: %w", err)
	}
	for _, r := range totals {
		out.hours[r.Hour.Unix()] += r.Occurrences
	}

	type sum struct {
		Dimension crashhour.Dimension `json:"dimension"`
		Key       string              `json:"key"`
		N         int                 `json:"n"`
	}
	sumBy := func(dimension, key, occurrences string) func(*sql.Selector) {
		return func(s *sql.Selector) {
			d, k := s.C(dimension), s.C(key)
			s.Select(sql.As(d, "dimension"), sql.As(k, "key"), sql.As(sql.Sum(s.C(occurrences)), "n")).GroupBy(d, k)
		}
	}
	var sums, daySums []sum
	if sp.hasWholeDays() {
		err = c.CrashDay.Query().
			Where(crashday.ProjectID(projectID), sp.wholeDays()).
			Modify(sumBy(crashday.FieldDimension, crashday.FieldKey, crashday.FieldOccurrences)).
			Scan(ctx, &daySums)
		if err != nil {
			return nil, fmt.Errorf("crash stats: breakdowns by day: %w", err)
		}
	}
	err = c.CrashHour.Query().
		Where(
			crashhour.ProjectID(projectID),
			crashhour.DimensionIn(crashhour.DimensionVersion, crashhour.DimensionPlatform, crashhour.DimensionGroup),
			sp.hoursAroundDays(),
		).
		Modify(sumBy(crashhour.FieldDimension, crashhour.FieldKey, crashhour.FieldOccurrences)).
		Scan(ctx, &sums)
	if err != nil {
		return nil, fmt.Errorf("crash stats: breakdowns by hour: %w", err)
	}
	for _, r := range append(sums, daySums...) {
		out.by[r.Dimension][r.Key] += r.N
	}

	var edges []struct {
		Hour     int64   `json:"hour"`
		GroupID  *string `json:"group_id"`
		Version  string  `json:"app_version"`
		Platform string  `json:"platform"`
		N        int     `json:"n"`
	}
	err = c.CrashReport.Query().
		Where(crashreport.ProjectID(projectID), sp.partialHours()).
		Modify(func(s *sql.Selector) {
			g, v, p := s.C(crashreport.FieldGroupID), s.C(crashreport.FieldAppVersion), s.C(crashreport.FieldPlatform)
			s.Select(sql.As(bucketStart(s, time.Hour), "hour"), g, v, p, sql.As(sql.Count("*"), "n")).
				GroupBy("hour", g, v, p)
		}).
		Scan(ctx, &edges)
	if err != nil {
		return nil, fmt.Errorf("crash stats: partial hours: %w", err)
	}
	for _, r := range edges {
		out.hours[r.Hour] += r.N
		out.by[crashhour.DimensionVersion][r.Version] += r.N
		out.by[crashhour.DimensionPlatform][r.Platform] += r.N
		if r.GroupID != nil {
			out.by[crashhour.DimensionGroup][*r.GroupID] += r.N
		}
	}
	return out, nil
}

const day = 24 * time.Hour

// span splits [from, to] as the rollups count it: the whole hours [h1, h2)
// (CrashHour), the whole UTC days [d1, d2) within them (CrashDay), and the
// partial hours at either end, which only the crashes themselves can count.
type span struct{ from, to, h1, h2, d1, d2 time.Time }

// newSpan splits [from, to]. Without days, [d1, d2) is empty and every
// whole hour is read from CrashHour: a day's total cannot be split into the
// hours of hourly buckets.
func newSpan(from, to time.Time, days bool) span {
	sp := span{from: from, to: to, h1: ceil(from, time.Hour), h2: to.Truncate(time.Hour)}
	sp.d1, sp.d2 = sp.h1, sp.h1
	if days {
		sp.d1, sp.d2 = ceil(from, day), to.Truncate(day)
		if sp.d2.Before(sp.d1) {
			sp.d2 = sp.d1
		}
	}
	return sp
}

// wholeHours matches the CrashHour rows of every whole hour.
func (sp span) wholeHours() predicate.CrashHour {
	return crashhour.And(crashhour.HourGTE(sp.h1), crashhour.HourLT(sp.h2))
}

// hasWholeDays tells whether there are CrashDay rows to read: a DAY
// period has none unless it starts on a midnight.
func (sp span) hasWholeDays() bool { return sp.d2.After(sp.d1) }

// wholeDays matches the CrashDay rows of the whole days.
func (sp span) wholeDays() predicate.CrashDay {
	return crashday.And(crashday.DayGTE(sp.d1), crashday.DayLT(sp.d2))
}

// hoursAroundDays matches the CrashHour rows of the whole hours outside the
// whole days.
func (sp span) hoursAroundDays() predicate.CrashHour {
	return crashhour.Or(
		crashhour.And(crashhour.HourGTE(sp.h1), crashhour.HourLT(sp.d1)),
		crashhour.And(crashhour.HourGTE(sp.d2), crashhour.HourLT(sp.h2)),
	)
}

// partialHours matches the crashes of [from, to] outside its whole hours.
func (sp span) partialHours() predicate.CrashReport {
	return crashreport.Or(
		crashreport.And(crashreport.CreatedAtGTE(sp.from), crashreport.CreatedAtLT(sp.h1)),
		crashreport.And(crashreport.CreatedAtGTE(sp.h2), crashreport.CreatedAtLTE(sp.to)),
	)
}

// affectedUsers counts the distinct users who crashed in [from, to]: those
// last seen in it (CrashUser), and those last seen after it (only crashes
// stamped ahead of the clock can be) who also crashed in it.
func affectedUsers(ctx context.Context, c *ent.Client, projectID string, from, to time.Time) (int, error) {
	n, err := c.CrashUser.Query().
		Where(crashuser.ProjectID(projectID), crashuser.LastSeenAtGTE(from), crashuser.LastSeenAtLTE(to)).
		Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("crash stats: affected users: %w", err)
	}
	later, err := c.CrashUser.Query().
		Where(crashuser.ProjectID(projectID), crashuser.LastSeenAtGT(to)).
		Select(crashuser.FieldUserID).
		Strings(ctx)
	if err != nil {
		return 0, fmt.Errorf("crash stats: users seen later: %w", err)
	}
	if len(later) == 0 {
		return n, nil
	}
	also, err := c.CrashReport.Query().
		Where(crashreport.ProjectID(projectID), crashreport.UserIDIn(later...),
			crashreport.CreatedAtGTE(from), crashreport.CreatedAtLTE(to)).
		Unique(true).
		Select(crashreport.FieldUserID).
		Strings(ctx)
	if err != nil {
		return 0, fmt.Errorf("crash stats: users seen later: %w", err)
	}
	return n + len(also), nil
}

// ceil is t rounded up to a multiple of d.
func ceil(t time.Time, d time.Duration) time.Time {
	if f := t.Truncate(d); !f.Equal(t) {
		return f.Add(d)
	}
	return t
}

// top returns the n largest counts, most first, ties by key so that the
// order is stable.
func top(counts map[string]int, n int) []Count {
	out := make([]Count, 0, len(counts))
	for k, v := range counts {
		if v > 0 {
			out = append(out, Count{Key: k, Count: v})
		}
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key)) })
	return out[:min(n, len(out))]
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

// topGroups loads the groups of counts, in one query.
func topGroups(ctx context.Context, c *ent.Client, counts []Count) ([]GroupCount, error) {
	if len(counts) == 0 {
		return []GroupCount{}, nil
	}
	ids := make([]string, len(counts))
	for i, r := range counts {
		ids[i] = r.Key
	}
	groups, err := c.CrashGroup.Query().Where(crashgroup.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("crash stats: load top groups: %w", err)
	}
	byID := make(map[string]*ent.CrashGroup, len(groups))
	for _, g := range groups {
		byID[g.ID] = g
	}
	out := make([]GroupCount, 0, len(counts))
	for _, r := range counts {
		// Missing once deleted: nothing left to show.
		if g := byID[r.Key]; g != nil {
			out = append(out, GroupCount{Group: g, Occurrences: r.Count})
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

// maxDayAge bounds the start of a viewer's "today": a local midnight is at
// most a day (25 hours across a DST change) ago; 48 hours leaves room for
// clocks that disagree.
const maxDayAge = 48 * time.Hour

// Dashboard returns the home page's counters, for one project or, with a
// nil projectID, for all of them. todayStart is when the viewer's day began,
// so that "today" is theirs and the reports list they open from the counter
// shows the same reports; nil is midnight UTC.
func (s *Service) Dashboard(ctx context.Context, projectID *string, todayStart *time.Time) (*Dashboard, error) {
	c := s.db(ctx)
	if projectID != nil {
		if err := projectExists(ctx, c, *projectID); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if todayStart != nil {
		if todayStart.Before(now.Add(-maxDayAge)) {
			return nil, apperr.InvalidField("todayStart", "must be within the last 48 hours: the start of the viewer's day")
		}
		dayStart = *todayStart
	}

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
	if out.NewReportsToday, err = reports(report.CreatedAtGTE(dayStart), report.CreatedAtLTE(now)).Count(ctx); err != nil {
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
