package stats

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashdayuser"
	"github.com/yoanbernabeu/oopsie/ent/crashhour"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
)

// Crash is one crash as the rollups count it.
type Crash struct {
	ProjectID string
	// GroupID and UserID may be empty.
	GroupID, AppVersion, Platform, UserID string
	At                                    time.Time
}

// Record adds crashes to their projects' rollups (CrashHour, CrashDayUser).
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
	if _, err := c.CrashDayUser.Delete().Exec(ctx); err != nil {
		return fmt.Errorf("rebuild crash rollups: clear day users: %w", err)
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
		Day       int64  `json:"day"`
	}
	err = c.CrashReport.Query().Where(crashreport.UserIDNotNil()).Modify(func(s *sql.Selector) {
		p, u := s.C(crashreport.FieldProjectID), s.C(crashreport.FieldUserID)
		s.Select(p, u, sql.As(bucketStart(s, 24*time.Hour), "day")).GroupBy(p, u, "day")
	}).Scan(ctx, &users)
	if err != nil {
		return fmt.Errorf("rebuild crash rollups: find users: %w", err)
	}
	for _, r := range users {
		t.addUser(r.ProjectID, time.Unix(r.Day, 0), r.UserID)
	}
	return t.write(ctx, c)
}

type hourKey struct {
	project   string
	dimension crashhour.Dimension
	hour      time.Time
	key       string
}

type dayUser struct {
	project, user string
	day           time.Time
}

// tally adds crashes up in memory before they are written.
type tally struct {
	hours map[hourKey]int
	users map[dayUser]struct{}
}

func newTally() *tally {
	return &tally{hours: map[hourKey]int{}, users: map[dayUser]struct{}{}}
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
	if userID != "" {
		t.users[dayUser{projectID, userID, at.UTC().Truncate(24 * time.Hour)}] = struct{}{}
	}
}

// rowsPerStatement keeps each statement's parameters well under both
// databases' limits.
const rowsPerStatement = 1000

// write upserts the tally, in a fixed order: concurrent batches then lock
// the rows they share in the same order and cannot deadlock.
func (t *tally) write(ctx context.Context, c *ent.Client) error {
	keys := make([]hourKey, 0, len(t.hours))
	for k := range t.hours {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b hourKey) int {
		return cmp.Or(cmp.Compare(a.project, b.project), cmp.Compare(a.dimension, b.dimension),
			a.hour.Compare(b.hour), cmp.Compare(a.key, b.key))
	})
	for chunk := range slices.Chunk(keys, rowsPerStatement) {
		creates := make([]*ent.CrashHourCreate, len(chunk))
		for i, k := range chunk {
			creates[i] = c.CrashHour.Create().SetProjectID(k.project).SetDimension(k.dimension).
				SetHour(k.hour).SetKey(k.key).SetOccurrences(t.hours[k])
		}
		err := c.CrashHour.CreateBulk(creates...).
			OnConflict(
				sql.ConflictColumns(crashhour.FieldProjectID, crashhour.FieldDimension, crashhour.FieldHour, crashhour.FieldKey),
				sql.ResolveWith(func(u *sql.UpdateSet) {
					u.Set(crashhour.FieldOccurrences, sql.ExprFunc(func(b *sql.Builder) {
						b.Ident(crashhour.Table).WriteByte('.').Ident(crashhour.FieldOccurrences).
							WriteString(" + ").Ident("excluded").WriteByte('.').Ident(crashhour.FieldOccurrences)
					}))
				}),
			).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("count crashes by hour: %w", err)
		}
	}

	users := make([]dayUser, 0, len(t.users))
	for u := range t.users {
		users = append(users, u)
	}
	slices.SortFunc(users, func(a, b dayUser) int {
		return cmp.Or(cmp.Compare(a.project, b.project), a.day.Compare(b.day), cmp.Compare(a.user, b.user))
	})
	for chunk := range slices.Chunk(users, rowsPerStatement) {
		creates := make([]*ent.CrashDayUserCreate, len(chunk))
		for i, u := range chunk {
			creates[i] = c.CrashDayUser.Create().SetProjectID(u.project).SetDay(u.day).SetUserID(u.user)
		}
		err := c.CrashDayUser.CreateBulk(creates...).
			OnConflict(
				sql.ConflictColumns(crashdayuser.FieldProjectID, crashdayuser.FieldDay, crashdayuser.FieldUserID),
				sql.DoNothing(),
			).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("record crashing users by day: %w", err)
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
