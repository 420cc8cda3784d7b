package stats

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashday"
	"github.com/yoanbernabeu/oopsie/ent/crashhour"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/crashuser"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
)

// Crash is one crash as the rollups count it.
type Crash struct {
	ProjectID string
	// GroupID and UserID may be empty.
	GroupID, AppVersion, Platform, UserID string
	At                                    time.Time
}

// Record adds crashes to their projects' rollups (CrashHour, CrashDay,
// CrashUser).
// c is the client of the transaction that inserts the crashes, so the
// counts move with them or not at all. Crashes of one hour add up in one
// row per dimension and value: the rows are few and hot, and Record takes
// their locks last in a batch, in one order, in one statement.
func Record(ctx context.Context, c *ent.Client, crashes []Crash) error {
	t := newTally()
	for _, cr := range crashes {
		t.add(cr, 1)
		t.addUser(cr.ProjectID, cr.At, cr.UserID)
	}
	return t.write(ctx, c)
}

// Rebuild recomputes every project's rollups from its crashes: after data
// was written around ingest (the dev seed, a restore, a test fixture). It
// replaces the rollups, in one transaction (the caller's, if ctx has one),
// and must not run alongside ingest.
func Rebuild(ctx context.Context, root *ent.Client) error {
	_, err := dbtx.Run(ctx, root, rebuild)
	return err
}

func rebuild(ctx context.Context, c *ent.Client) error {
	if _, err := c.CrashHour.Delete().Exec(ctx); err != nil {
		return fmt.Errorf("rebuild crash rollups: clear hours: %w", err)
	}
	if _, err := c.CrashDay.Delete().Exec(ctx); err != nil {
		return fmt.Errorf("rebuild crash rollups: clear days: %w", err)
	}
	if _, err := c.CrashUser.Delete().Exec(ctx); err != nil {
		return fmt.Errorf("rebuild crash rollups: clear users: %w", err)
	}
	t := newTally()

	var counts []struct {
		ProjectID string  `json:"project_id"`
		GroupID   *string `json:"group_id"`
		Version   string  `json:"app_version"`
		Platform  string  `json:"platform"`
		Hour      int64   `json:"hour"`
		N         int     `json:"n"`
	}
	err := c.CrashReport.Query().Modify(func(s *sql.Selector) {
		cols := []string{crashreport.FieldProjectID, crashreport.FieldGroupID, crashreport.FieldAppVersion, crashreport.FieldPlatform}
		sel := make([]string, 0, len(cols)+2)
		for _, col := range cols {
			sel = append(sel, s.C(col))
		}
		s.Select(append(sel, sql.As(bucketStart(s, time.Hour), "hour"), sql.As(sql.Count("*"), "n"))...).
			GroupBy(append(sel, "hour")...)
	}).Scan(ctx, &counts)
	if err != nil {
		return fmt.Errorf("rebuild crash rollups: count crashes: %w", err)
	}
	for _, r := range counts {
		t.add(Crash{ProjectID: r.ProjectID, GroupID: deref(r.GroupID), AppVersion: r.Version, Platform: r.Platform,
			At: time.Unix(r.Hour, 0)}, r.N)
	}

	var users []struct {
		ProjectID string `json:"project_id"`
		UserID    string `json:"user_id"`
		Last      dbTime `json:"last"`
	}
	err = c.CrashReport.Query().Where(crashreport.UserIDNotNil()).Modify(func(s *sql.Selector) {
		p, u := s.C(crashreport.FieldProjectID), s.C(crashreport.FieldUserID)
		s.Select(p, u, sql.As(sql.Max(s.C(crashreport.FieldCreatedAt)), "last")).GroupBy(p, u)
	}).Scan(ctx, &users)
	if err != nil {
		return fmt.Errorf("rebuild crash rollups: find users: %w", err)
	}
	for _, r := range users {
		t.addUser(r.ProjectID, time.Time(r.Last), r.UserID)
	}
	return t.write(ctx, c)
}

type hourKey struct {
	project   string
	dimension crashhour.Dimension
	hour      time.Time
	key       string
}

type userKey struct{ project, user string }

// tally adds crashes up in memory before they are written.
type tally struct {
	hours map[hourKey]int
	users map[userKey]time.Time // last seen
}

func newTally() *tally {
	return &tally{hours: map[hourKey]int{}, users: map[userKey]time.Time{}}
}

func (t *tally) add(cr Crash, n int) {
	hour := cr.At.UTC().Truncate(time.Hour)
	t.hours[hourKey{cr.ProjectID, crashhour.DimensionTotal, hour, ""}] += n
	t.hours[hourKey{cr.ProjectID, crashhour.DimensionVersion, hour, cr.AppVersion}] += n
	t.hours[hourKey{cr.ProjectID, crashhour.DimensionPlatform, hour, cr.Platform}] += n
	if cr.GroupID != "" {
		t.hours[hourKey{cr.ProjectID, crashhour.DimensionGroup, hour, cr.GroupID}] += n
	}
}

func (t *tally) addUser(projectID string, at time.Time, userID string) {
	if userID == "" {
		return
	}
	k := userKey{projectID, userID}
	if last, ok := t.users[k]; !ok || at.After(last) {
		t.users[k] = at.UTC()
	}
}

// days sums the hours of every dimension but the total by UTC day.
func (t *tally) days() map[hourKey]int {
	days := map[hourKey]int{}
	for k, n := range t.hours {
		if k.dimension != crashhour.DimensionTotal {
			k.hour = k.hour.Truncate(24 * time.Hour)
			days[k] += n
		}
	}
	return days
}

// rowsPerStatement keeps each statement's parameters well under both
// databases' limits.
const rowsPerStatement = 1000

// write upserts the tally, in a fixed order: concurrent batches then lock
// the rows they share in the same order and cannot deadlock.
func (t *tally) write(ctx context.Context, c *ent.Client) error {
	hours := sortedKeys(t.hours)
	for chunk := range slices.Chunk(hours, rowsPerStatement) {
		creates := make([]*ent.CrashHourCreate, len(chunk))
		for i, k := range chunk {
			creates[i] = c.CrashHour.Create().SetProjectID(k.project).SetDimension(k.dimension).
				SetHour(k.hour).SetKey(k.key).SetOccurrences(t.hours[k])
		}
		err := c.CrashHour.CreateBulk(creates...).
			OnConflict(
				sql.ConflictColumns(crashhour.FieldProjectID, crashhour.FieldDimension, crashhour.FieldHour, crashhour.FieldKey),
				sql.ResolveWith(func(u *sql.UpdateSet) { addExcluded(u, crashhour.Table, crashhour.FieldOccurrences) }),
			).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("count crashes by hour: %w", err)
		}
	}

	byDay := t.days()
	days := sortedKeys(byDay)
	for chunk := range slices.Chunk(days, rowsPerStatement) {
		creates := make([]*ent.CrashDayCreate, len(chunk))
		for i, k := range chunk {
			creates[i] = c.CrashDay.Create().SetProjectID(k.project).SetDimension(crashday.Dimension(k.dimension)).
				SetDay(k.hour).SetKey(k.key).SetOccurrences(byDay[k])
		}
		err := c.CrashDay.CreateBulk(creates...).
			OnConflict(
				sql.ConflictColumns(crashday.FieldProjectID, crashday.FieldDimension, crashday.FieldDay, crashday.FieldKey),
				sql.ResolveWith(func(u *sql.UpdateSet) { addExcluded(u, crashday.Table, crashday.FieldOccurrences) }),
			).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("count crashes by day: %w", err)
		}
	}

	users := make([]userKey, 0, len(t.users))
	for u := range t.users {
		users = append(users, u)
	}
	slices.SortFunc(users, func(a, b userKey) int {
		return cmp.Or(cmp.Compare(a.project, b.project), cmp.Compare(a.user, b.user))
	})
	for chunk := range slices.Chunk(users, rowsPerStatement) {
		creates := make([]*ent.CrashUserCreate, len(chunk))
		for i, u := range chunk {
			creates[i] = c.CrashUser.Create().SetProjectID(u.project).SetUserID(u.user).SetLastSeenAt(t.users[u])
		}
		err := c.CrashUser.CreateBulk(creates...).
			OnConflict(
				sql.ConflictColumns(crashuser.FieldProjectID, crashuser.FieldUserID),
				sql.ResolveWith(func(u *sql.UpdateSet) {
					// The later of the two: a batch stamped earlier may
					// commit later.
					u.Set(crashuser.FieldLastSeenAt, sql.ExprFunc(func(b *sql.Builder) {
						b.WriteString("CASE WHEN ").Ident("excluded").WriteByte('.').Ident(crashuser.FieldLastSeenAt).
							WriteString(" > ").Ident(crashuser.Table).WriteByte('.').Ident(crashuser.FieldLastSeenAt).
							WriteString(" THEN ").Ident("excluded").WriteByte('.').Ident(crashuser.FieldLastSeenAt).
							WriteString(" ELSE ").Ident(crashuser.Table).WriteByte('.').Ident(crashuser.FieldLastSeenAt).
							WriteString(" END")
					}))
				}),
			).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("record crashing users: %w", err)
		}
	}
	return nil
}

// addExcluded makes an upsert add the proposed count to the stored one.
func addExcluded(u *sql.UpdateSet, table, column string) {
	u.Set(column, sql.ExprFunc(func(b *sql.Builder) {
		b.Ident(table).WriteByte('.').Ident(column).WriteString(" + ").Ident("excluded").WriteByte('.').Ident(column)
	}))
}

func sortedKeys(m map[hourKey]int) []hourKey {
	keys := make([]hourKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b hourKey) int {
		return cmp.Or(cmp.Compare(a.project, b.project), cmp.Compare(a.dimension, b.dimension),
			a.hour.Compare(b.hour), cmp.Compare(a.key, b.key))
	})
	return keys
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// dbTime reads a time an aggregate returns: a time on PostgreSQL, the
// stored text on SQLite (an aggregate has no declared type for the driver
// to convert it by).
type dbTime time.Time

// sqliteTime is how the SQLite driver stores times (_time_format=sqlite).
const sqliteTime = "2006-01-02 15:04:05.999999999-07:00"

func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*t = dbTime(v)
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("scan %T as a time", src)
}

func (t *dbTime) parse(s string) error {
	v, err := time.Parse(sqliteTime, s)
	if err != nil {
		return fmt.Errorf("parse stored time: %w", err)
	}
	*t = dbTime(v)
	return nil
}
