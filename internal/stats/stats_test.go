package stats_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/stats"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var sys = viewer.SystemContext(context.Background(), "test")

// now is the clock of every test: mid-hour, so that periods do not start
// on a bucket boundary.
var now = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

func fixedNow() time.Time { return now }

type fixture struct {
	db     *database.DB
	ctx    context.Context // an admin's
	svc    *stats.Service
	groups map[string]*ent.CrashGroup
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	u, err := db.Client.User.Create().SetEmail("admin@example.com").SetPasswordHash("x").Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		db:     db,
		ctx:    viewer.NewContext(context.Background(), viewer.ForUser(u.ID)),
		svc:    stats.New(db.Client, fixedNow),
		groups: map[string]*ent.CrashGroup{},
	}
}

func (f *fixture) project(t *testing.T, slug string) string {
	t.Helper()
	p, err := f.db.Client.Project.Create().SetName(slug).SetSlug(slug).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// group makes a crash group first seen at firstSeen; the stats read group
// rows only for new groups and the top groups.
func (f *fixture) group(t *testing.T, projectID, name string, firstSeen time.Time) {
	t.Helper()
	g, err := f.db.Client.CrashGroup.Create().
		SetProjectID(projectID).SetFingerprint(name).SetErrorType("Error").SetErrorMessage(name).
		SetFirstSeenAt(firstSeen).SetLastSeenAt(firstSeen).
		Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	f.groups[name] = g
}

type crash struct {
	at                time.Time
	group             string // "" for none
	version, platform string
	user              string // "" for none
	project           string // "" for the test's main project
	copies            int    // 0 means 1
}

func (f *fixture) crashes(t *testing.T, projectID string, cs ...crash) {
	t.Helper()
	var bulk []*ent.CrashReportCreate
	for _, c := range cs {
		p := projectID
		if c.project != "" {
			p = c.project
		}
		for range max(c.copies, 1) {
			b := f.db.Client.CrashReport.Create().
				SetProjectID(p).SetErrorType("Error").SetErrorMessage("boom").
				SetAppVersion(c.version).SetPlatform(c.platform).SetFingerprint("fp").
				SetCreatedAt(c.at)
			if c.group != "" {
				b.SetGroupID(f.groups[c.group].ID)
			}
			if c.user != "" {
				b.SetUserID(c.user)
			}
			bulk = append(bulk, b)
		}
	}
	for len(bulk) > 0 {
		n := min(len(bulk), 100)
		if err := f.db.Client.CrashReport.CreateBulk(bulk[:n]...).Exec(sys); err != nil {
			t.Fatal(err)
		}
		bulk = bulk[n:]
	}
	// Written around ingest, so the rollups are recomputed.
	if err := stats.Rebuild(sys, f.db.Client); err != nil {
		t.Fatal(err)
	}
}

func at(day, hour, minute, second, nano int) time.Time {
	return time.Date(2026, 3, day, hour, minute, second, nano, time.UTC)
}

// The main fixture: crashes at and around the boundaries of each period.
func seed(t *testing.T, f *fixture) (projectID, otherID string) {
	t.Helper()
	projectID, otherID = f.project(t, "app"), f.project(t, "other")
	f.group(t, projectID, "g1", now.Add(-2*time.Hour))
	f.group(t, projectID, "g2", now.Add(-10*24*time.Hour))
	f.group(t, projectID, "g3", now.Add(-24*time.Hour))             // on the DAY boundary: in
	f.group(t, projectID, "g4", now.Add(-24*time.Hour-time.Second)) // just before: out of DAY
	f.group(t, projectID, "g5", now.Add(-100*24*time.Hour))         // out of every period
	f.group(t, otherID, "gb", now.Add(-time.Hour))                  // another project's
	f.crashes(t, projectID,
		// In DAY (and every longer period).
		crash{at: now.Add(-24 * time.Hour), group: "g1", version: "1.0", platform: "web", user: "u1"},
		crash{at: at(14, 10, 59, 59, 999_999_000), group: "g1", version: "1.0", platform: "web", user: "u2"},
		crash{at: at(14, 11, 0, 0, 0), group: "g2", version: "1.1", platform: "ios", user: "u1"},
		crash{at: at(15, 0, 0, 0, 0), group: "g2", version: "1.0", platform: "web", user: "u2"},
		crash{at: at(15, 5, 0, 0, 123_456_000), version: "1.0", platform: "web"}, // its group was deleted
		crash{at: at(15, 9, 15, 0, 0), group: "g1", version: "1.1", platform: "ios"},
		crash{at: now, group: "g3", version: "2.0", platform: "android", user: "u3"},
		// Just out of DAY, in WEEK.
		crash{at: now.Add(-24*time.Hour - time.Second), group: "g2", version: "9.9", platform: "web", user: "u9"},
		// After now: in no period.
		crash{at: now.Add(time.Second), group: "g2", version: "9.9", platform: "web", user: "u9"},
		// On and around the WEEK boundary, 8 March 10:30.
		crash{at: at(8, 10, 30, 0, 0), group: "g4", version: "1.0", platform: "web", user: "u4"},
		crash{at: at(8, 10, 29, 59, 0), group: "g4", version: "1.0", platform: "web", user: "u4"},
		crash{at: at(9, 0, 0, 0, 0), group: "g4", version: "1.0", platform: "web"},
		// In MONTH and QUARTER only, then QUARTER only.
		crash{at: at(15, 10, 30, 0, 0).AddDate(0, 0, -20), group: "g2", version: "0.9", platform: "web"},
		crash{at: now.AddDate(0, 0, -60), group: "g5", version: "0.1", platform: "web"},
		// Another project's, in DAY.
		crash{at: now.Add(-time.Hour), group: "gb", version: "1.0", platform: "web", user: "u7", project: otherID},
	)
	return projectID, otherID
}

type bucketCount struct {
	start time.Time
	n     int
}

// wantBuckets returns count buckets from first, step apart, with the given
// non-zero counts.
func wantBuckets(first time.Time, step time.Duration, count int, nonZero ...bucketCount) []stats.Bucket {
	out := make([]stats.Bucket, count)
	for i := range out {
		out[i].Start = first.Add(time.Duration(i) * step)
		for _, b := range nonZero {
			if b.start.Equal(out[i].Start) {
				out[i].Occurrences = b.n
			}
		}
	}
	return out
}

func checkBuckets(t *testing.T, p stats.Period, got, want []stats.Bucket) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d buckets, want %d", p, len(got), len(want))
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || got[i].Start.Location() != time.UTC || got[i].Occurrences != want[i].Occurrences {
			t.Errorf("%s: bucket %d = %v %d, want %v %d", p, i, got[i].Start, got[i].Occurrences, want[i].Start, want[i].Occurrences)
		}
	}
}

func TestCrashesDay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		projectID, _ := seed(t, f)
		got, err := f.svc.Crashes(f.ctx, projectID, stats.Day)
		if err != nil {
			t.Fatal(err)
		}
		// 14 March 10:30 to 15 March 10:30 touches 25 hours.
		checkBuckets(t, stats.Day, got.Buckets, wantBuckets(at(14, 10, 0, 0, 0), time.Hour, 25,
			bucketCount{at(14, 10, 0, 0, 0), 2}, // the boundary crash and 10:59:59.999, not 10:29:59
			bucketCount{at(14, 11, 0, 0, 0), 1},
			bucketCount{at(15, 0, 0, 0, 0), 1},
			bucketCount{at(15, 5, 0, 0, 0), 1},
			bucketCount{at(15, 9, 0, 0, 0), 1},
			bucketCount{at(15, 10, 0, 0, 0), 1}, // now itself, not a second later
		))
		if got.TotalOccurrences != 7 || got.AffectedUsers != 3 || got.NewGroups != 2 {
			t.Errorf("total, affected users, new groups = %d, %d, %d; want 7, 3, 2",
				got.TotalOccurrences, got.AffectedUsers, got.NewGroups)
		}
		if want := []stats.Count{{"1.0", 4}, {"1.1", 2}, {"2.0", 1}}; !reflect.DeepEqual(got.ByVersion, want) {
			t.Errorf("by version = %v, want %v", got.ByVersion, want)
		}
		if want := []stats.Count{{"web", 4}, {"ios", 2}, {"android", 1}}; !reflect.DeepEqual(got.ByPlatform, want) {
			t.Errorf("by platform = %v, want %v", got.ByPlatform, want)
		}
		var top []string
		for _, g := range got.TopGroups {
			top = append(top, fmt.Sprintf("%s:%d", g.Group.Fingerprint, g.Occurrences))
		}
		if want := []string{"g1:3", "g2:2", "g3:1"}; !reflect.DeepEqual(top, want) {
			t.Errorf("top groups = %v, want %v", top, want)
		}
	})
}

func TestCrashesLongerPeriods(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		projectID, _ := seed(t, f)
		day := 24 * time.Hour
		tests := []struct {
			period    stats.Period
			first     time.Time
			count     int
			nonZero   []bucketCount
			total     int
			users     int
			newGroups int
		}{
			{stats.Week, at(8, 0, 0, 0, 0), 8, []bucketCount{
				{at(8, 0, 0, 0, 0), 1}, // 10:30:00 in, 10:29:59 out
				{at(9, 0, 0, 0, 0), 1},
				{at(14, 0, 0, 0, 0), 4},
				{at(15, 0, 0, 0, 0), 4},
			}, 10, 5, 3},
			{stats.Month, at(13, 0, 0, 0, 0).AddDate(0, -1, 0), 31, []bucketCount{
				{at(8, 0, 0, 0, 0), 2},
				{at(9, 0, 0, 0, 0), 1},
				{at(14, 0, 0, 0, 0), 4},
				{at(15, 0, 0, 0, 0), 4},
				{at(15, 0, 0, 0, 0).AddDate(0, 0, -20), 1},
			}, 12, 5, 4},
			{stats.Quarter, at(15, 0, 0, 0, 0).AddDate(0, 0, -90), 91, []bucketCount{
				{at(8, 0, 0, 0, 0), 2},
				{at(9, 0, 0, 0, 0), 1},
				{at(14, 0, 0, 0, 0), 4},
				{at(15, 0, 0, 0, 0), 4},
				{at(15, 0, 0, 0, 0).AddDate(0, 0, -20), 1},
				{at(15, 0, 0, 0, 0).AddDate(0, 0, -60), 1},
			}, 13, 5, 4},
		}
		for _, tt := range tests {
			got, err := f.svc.Crashes(f.ctx, projectID, tt.period)
			if err != nil {
				t.Fatalf("%s: %v", tt.period, err)
			}
			checkBuckets(t, tt.period, got.Buckets, wantBuckets(tt.first, day, tt.count, tt.nonZero...))
			if got.TotalOccurrences != tt.total || got.AffectedUsers != tt.users || got.NewGroups != tt.newGroups {
				t.Errorf("%s: total, affected users, new groups = %d, %d, %d; want %d, %d, %d", tt.period,
					got.TotalOccurrences, got.AffectedUsers, got.NewGroups, tt.total, tt.users, tt.newGroups)
			}
		}
	})
}

func TestCrashesCapsAndTies(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		projectID := f.project(t, "app")
		var cs []crash
		// Version, platform and group i crash i times; v00 ties with v22.
		for i := 1; i <= 22; i++ {
			name := fmt.Sprintf("%02d", i)
			f.group(t, projectID, "g"+name, now.Add(-time.Hour))
			cs = append(cs, crash{at: now.Add(-time.Duration(i) * time.Minute), group: "g" + name,
				version: "v" + name, platform: "p" + name, copies: i})
		}
		cs = append(cs, crash{at: now.Add(-time.Minute), version: "v00", platform: "p00", copies: 22})
		f.crashes(t, projectID, cs...)

		got, err := f.svc.Crashes(f.ctx, projectID, stats.Day)
		if err != nil {
			t.Fatal(err)
		}
		wantCounts := func(prefix string) []stats.Count {
			out := []stats.Count{{prefix + "00", 22}}
			for i := 22; len(out) < 20; i-- {
				out = append(out, stats.Count{Key: fmt.Sprintf("%s%02d", prefix, i), Count: i})
			}
			return out
		}
		if want := wantCounts("v"); !reflect.DeepEqual(got.ByVersion, want) {
			t.Errorf("by version = %v\nwant %v", got.ByVersion, want)
		}
		if want := wantCounts("p"); !reflect.DeepEqual(got.ByPlatform, want) {
			t.Errorf("by platform = %v\nwant %v", got.ByPlatform, want)
		}
		if len(got.TopGroups) != 10 {
			t.Fatalf("%d top groups, want 10", len(got.TopGroups))
		}
		for i, g := range got.TopGroups {
			want := fmt.Sprintf("g%02d", 22-i)
			if g.Group.Fingerprint != want || g.Occurrences != 22-i || g.Group.ID != f.groups[want].ID {
				t.Errorf("top group %d = %s:%d, want %s:%d", i, g.Group.Fingerprint, g.Occurrences, want, 22-i)
			}
		}
		if got.TotalOccurrences != 22+22*23/2 || got.AffectedUsers != 0 || got.NewGroups != 22 {
			t.Errorf("total, affected users, new groups = %d, %d, %d", got.TotalOccurrences, got.AffectedUsers, got.NewGroups)
		}
	})
}

func TestCrashesEmptyAndRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, otherID := seed(t, f)
		empty := f.project(t, "empty")

		got, err := f.svc.Crashes(f.ctx, empty, stats.Week)
		if err != nil {
			t.Fatal(err)
		}
		checkBuckets(t, stats.Week, got.Buckets, wantBuckets(at(8, 0, 0, 0, 0), 24*time.Hour, 8))
		want := &stats.CrashStats{Buckets: got.Buckets, ByVersion: []stats.Count{}, ByPlatform: []stats.Count{}, TopGroups: []stats.GroupCount{}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stats of an empty project = %+v, want zeros and empty lists", got)
		}
		// Only the other project's crash and group.
		got, err = f.svc.Crashes(f.ctx, otherID, stats.Day)
		if err != nil {
			t.Fatal(err)
		}
		if got.TotalOccurrences != 1 || got.NewGroups != 1 || len(got.TopGroups) != 1 || got.TopGroups[0].Group.Fingerprint != "gb" {
			t.Errorf("other project's stats = %+v, want its one crash and group", got)
		}

		_, err = f.svc.Crashes(f.ctx, "prj_unknown", stats.Day)
		if apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("unknown project error = %v, want not found", err)
		}
		_, err = f.svc.Crashes(f.ctx, empty, stats.Period("YEAR"))
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.Invalid || ae.Fields["period"] == "" {
			t.Errorf("unknown period error = %v, want invalid period", err)
		}
		_, err = f.svc.Crashes(context.Background(), empty, stats.Day)
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous error = %v, want unauthenticated", err)
		}
		// An SDK's key may send crashes, not read statistics.
		key := viewer.NewContext(context.Background(), viewer.ForPublicKey(otherID, "key_x"))
		if _, err = f.svc.Crashes(key, otherID, stats.Day); !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("public key error = %v, want forbidden", err)
		}
	})
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		a, b := f.project(t, "a"), f.project(t, "b")
		midnight := at(15, 0, 0, 0, 0)

		reports := []struct {
			project string
			at      time.Time
			status  enums.ReportStatus
		}{
			{a, midnight, enums.ReportStatusNew},                          // today, unresolved
			{a, midnight.Add(-time.Second), enums.ReportStatusInProgress}, // yesterday, unresolved
			{a, now, enums.ReportStatusResolved},                          // today
			{a, now.AddDate(0, 0, -40), enums.ReportStatusClosed},
			{b, now.Add(-time.Minute), enums.ReportStatusNew},       // today, unresolved
			{b, now.Add(time.Minute), enums.ReportStatusInProgress}, // after now, unresolved
		}
		for _, r := range reports {
			err := db.Client.Report.Create().SetProjectID(r.project).SetMessage("broken").
				SetCategory(enums.ReportCategoryUI).SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true).
				SetStatus(r.status).SetCreatedAt(r.at).SetUpdatedAt(r.at).Exec(sys)
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, fb := range []struct {
			project string
			status  enums.FeedbackStatus
		}{
			{a, enums.FeedbackStatusOpen}, {a, enums.FeedbackStatusInProgress}, {a, enums.FeedbackStatusClosed},
			{b, enums.FeedbackStatusOpen},
		} {
			err := db.Client.Feedback.Create().SetProjectID(fb.project).SetMessage("idea").
				SetCategory(enums.FeedbackCategoryFeature).SetAppVersion("1.0").SetPlatform("web").
				SetStatus(fb.status).Exec(sys)
			if err != nil {
				t.Fatal(err)
			}
		}
		f.group(t, a, "new", now.Add(-24*time.Hour))             // in
		f.group(t, a, "old", now.Add(-24*time.Hour-time.Second)) // out
		f.group(t, b, "newer", now.Add(-time.Minute))            // in

		tests := []struct {
			name      string
			projectID *string
			want      stats.Dashboard
		}{
			{"all projects", nil, stats.Dashboard{NewReportsToday: 3, UnresolvedReports: 4, OpenFeedback: 3, NewCrashGroups: 2}},
			{"project a", &a, stats.Dashboard{NewReportsToday: 2, UnresolvedReports: 2, OpenFeedback: 2, NewCrashGroups: 1}},
			{"project b", &b, stats.Dashboard{NewReportsToday: 1, UnresolvedReports: 2, OpenFeedback: 1, NewCrashGroups: 1}},
		}
		for _, tt := range tests {
			got, err := f.svc.Dashboard(f.ctx, tt.projectID, nil)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if *got != tt.want {
				t.Errorf("%s: dashboard = %+v, want %+v", tt.name, *got, tt.want)
			}
		}

		// A viewer whose day began a second before midnight UTC (west of
		// UTC) counts project a's report of 23:59:59 UTC as today's too.
		west := midnight.Add(-time.Second)
		for _, tt := range []struct {
			start *time.Time
			want  int
		}{
			{&west, 3},
			{&midnight, 2},
			{new(now.Add(-time.Minute)), 1},
			{new(now.Add(time.Minute)), 0}, // a clock ahead of the server's
		} {
			got, err := f.svc.Dashboard(f.ctx, &a, tt.start)
			if err != nil {
				t.Fatalf("today from %s: %v", tt.start, err)
			}
			if got.NewReportsToday != tt.want {
				t.Errorf("today from %s: %d new reports, want %d", tt.start, got.NewReportsToday, tt.want)
			}
		}
		if _, err := f.svc.Dashboard(f.ctx, &a, new(now.Add(-49*time.Hour))); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("a day that began 49 hours ago: error = %v, want invalid", err)
		}

		unknown := "prj_unknown"
		if _, err := f.svc.Dashboard(f.ctx, &unknown, nil); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("unknown project error = %v, want not found", err)
		}
		for _, p := range []*string{nil, &a} {
			if _, err := f.svc.Dashboard(context.Background(), p, nil); !errors.Is(err, viewer.ErrUnauthenticated) {
				t.Errorf("anonymous error (project %v) = %v, want unauthenticated", p, err)
			}
		}
	})
}

// Buckets are UTC hours and days whatever zone the crash times were written
// in.
func TestCrashesBucketsInUTC(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		projectID := f.project(t, "app")
		east, west := time.FixedZone("EET", 2*3600), time.FixedZone("", -5*3600)
		f.crashes(t, projectID,
			crash{at: time.Date(2026, 3, 15, 1, 30, 0, 500_000_000, east), version: "1", platform: "web"}, // 14 March 23:30 UTC
			crash{at: time.Date(2026, 3, 14, 20, 0, 0, 0, west), version: "1", platform: "web"},           // 15 March 01:00 UTC
		)
		got, err := f.svc.Crashes(f.ctx, projectID, stats.Day)
		if err != nil {
			t.Fatal(err)
		}
		checkBuckets(t, stats.Day, got.Buckets, wantBuckets(at(14, 10, 0, 0, 0), time.Hour, 25,
			bucketCount{at(14, 23, 0, 0, 0), 1}, bucketCount{at(15, 1, 0, 0, 0), 1}))
		got, err = f.svc.Crashes(f.ctx, projectID, stats.Week)
		if err != nil {
			t.Fatal(err)
		}
		checkBuckets(t, stats.Week, got.Buckets, wantBuckets(at(8, 0, 0, 0, 0), 24*time.Hour, 8,
			bucketCount{at(14, 0, 0, 0, 0), 1}, bucketCount{at(15, 0, 0, 0, 0), 1}))
	})
}
