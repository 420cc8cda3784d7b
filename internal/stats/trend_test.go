package stats_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/stats"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// groupPeriods are the periods a group is read over, with their lengths and
// the trend's bucket size.
var groupPeriods = []struct {
	period       stats.Period
	length, step time.Duration
}{
	{stats.Day, 24 * time.Hour, time.Hour},
	{stats.Week, 7 * 24 * time.Hour, 24 * time.Hour},
	{stats.Month, 30 * 24 * time.Hour, 24 * time.Hour},
	{stats.Quarter, 90 * 24 * time.Hour, 24 * time.Hour},
}

// seedGroups adds to the main fixture a group with more crashes than a
// page holds ("busy": 120 of 1.0 on the web three days ago, then 85 of 1.1
// on iOS on either side of 10:00 today) and one with more versions than a
// breakdown lists ("versions": 2.0 has 25 crashes, 2.1 has 24, … 2.24 has 1).
func seedGroups(t *testing.T, f *fixture) {
	t.Helper()
	projectID, _ := seed(t, f)
	f.group(t, projectID, "busy", now.AddDate(0, 0, -3))
	f.crashes(t, projectID,
		crash{at: now.AddDate(0, 0, -3), group: "busy", version: "1.0", platform: "web", copies: 120},
		crash{at: at(15, 9, 59, 59, 0), group: "busy", version: "1.1", platform: "ios", copies: 80},
		crash{at: at(15, 10, 0, 0, 1000), group: "busy", version: "1.1", platform: "ios", copies: 5},
	)
	f.group(t, projectID, "versions", now.AddDate(0, 0, -1))
	var many []crash
	for i := range 25 {
		many = append(many, crash{at: now.Add(-time.Minute), group: "versions", version: fmt.Sprintf("2.%d", i), platform: "web", copies: 25 - i})
	}
	f.crashes(t, projectID, many...)
}

// crashesSince returns a group's crashes in [from, now], picked one by one.
func crashesSince(t *testing.T, db *database.DB, groupID string, from time.Time) []*ent.CrashReport {
	t.Helper()
	all, err := db.Client.CrashReport.Query().Where(crashreport.GroupID(groupID)).All(sys)
	if err != nil {
		t.Fatal(err)
	}
	var in []*ent.CrashReport
	for _, c := range all {
		if !c.CreatedAt.Before(from) && !c.CreatedAt.After(now) {
			in = append(in, c)
		}
	}
	return in
}

// A group's trend, read from the rollups, counts what counting its crashes
// one by one counts, bucket by bucket, for every period: on the main
// fixture's boundaries and for a group with more crashes than a page holds.
func TestGroupTrendCountsEveryCrash(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		seedGroups(t, f)

		for _, p := range groupPeriods {
			for name, g := range f.groups {
				from := now.Add(-p.length)
				counted := map[time.Time]int{}
				for _, c := range crashesSince(t, db, g.ID, from) {
					counted[c.CreatedAt.Truncate(p.step).UTC()]++
				}
				var want []stats.Bucket
				for b := from.Truncate(p.step); !b.After(now); b = b.Add(p.step) {
					want = append(want, stats.Bucket{Start: b, Occurrences: counted[b]})
				}

				got, err := f.svc.GroupTrend(f.ctx, g.ID, p.period)
				if err != nil {
					t.Fatalf("%s %s: %v", name, p.period, err)
				}
				gotValues := make([]stats.Bucket, len(got))
				for i, b := range got {
					gotValues[i] = stats.Bucket{Start: b.Start.UTC(), Occurrences: b.Occurrences}
				}
				if !reflect.DeepEqual(gotValues, want) {
					t.Errorf("%s %s: trend\n got %v\nwant %v", name, p.period, gotValues, want)
				}
			}
		}

		month, err := f.svc.GroupTrend(f.ctx, f.groups["busy"].ID, stats.Month)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, b := range month {
			total += b.Occurrences
		}
		if total != 205 {
			t.Errorf("busy group over a month: %d occurrences, want 205", total)
		}
	})
}

// A group's breakdown counts each of its crashes of the period once, by
// version and by platform, as counting them one by one does: on the main
// fixture's boundaries, for a group with more crashes than a page holds,
// and for one with more versions than the breakdown lists.
func TestGroupBreakdownCountsEveryCrash(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		seedGroups(t, f)

		for _, p := range groupPeriods {
			for name, g := range f.groups {
				crashes := crashesSince(t, db, g.ID, now.Add(-p.length))
				versions, platforms := map[string]int{}, map[string]int{}
				for _, c := range crashes {
					versions[c.AppVersion]++
					platforms[c.Platform]++
				}

				got, err := f.svc.GroupBreakdown(f.ctx, g.ID, p.period)
				if err != nil {
					t.Fatalf("%s %s: %v", name, p.period, err)
				}
				if got.Total != len(crashes) {
					t.Errorf("%s %s: total %d, want %d", name, p.period, got.Total, len(crashes))
				}
				for _, split := range []struct {
					name string
					got  []stats.Count
					want map[string]int
				}{{"versions", got.ByVersion, versions}, {"platforms", got.ByPlatform, platforms}} {
					if want := min(len(split.want), 20); len(split.got) != want {
						t.Errorf("%s %s: %d %s, want %d", name, p.period, len(split.got), split.name, want)
					}
					for i, c := range split.got {
						if c.Count != split.want[c.Key] {
							t.Errorf("%s %s: %s %q counts %d, want %d", name, p.period, split.name, c.Key, c.Count, split.want[c.Key])
						}
						if i > 0 && c.Count > split.got[i-1].Count {
							t.Errorf("%s %s: %s not largest first: %v", name, p.period, split.name, split.got)
						}
					}
				}
			}
		}

		busy, err := f.svc.GroupBreakdown(f.ctx, f.groups["busy"].ID, stats.Month)
		if err != nil {
			t.Fatal(err)
		}
		want := &stats.GroupBreakdown{
			Total:      205,
			ByVersion:  []stats.Count{{Key: "1.0", Count: 120}, {Key: "1.1", Count: 85}},
			ByPlatform: []stats.Count{{Key: "web", Count: 120}, {Key: "ios", Count: 85}},
		}
		if !reflect.DeepEqual(busy, want) {
			t.Errorf("busy group over a month: %+v, want %+v", busy, want)
		}
		busyDay, err := f.svc.GroupBreakdown(f.ctx, f.groups["busy"].ID, stats.Day)
		if err != nil {
			t.Fatal(err)
		}
		if busyDay.Total != 85 || !reflect.DeepEqual(busyDay.ByVersion, []stats.Count{{Key: "1.1", Count: 85}}) {
			t.Errorf("busy group over a day: %+v, want the 85 crashes of 1.1 only", busyDay)
		}
		versions, err := f.svc.GroupBreakdown(f.ctx, f.groups["versions"].ID, stats.Day)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(versions.ByVersion); n != 20 || versions.ByVersion[0] != (stats.Count{Key: "2.0", Count: 25}) ||
			versions.ByVersion[19] != (stats.Count{Key: "2.19", Count: 6}) || versions.Total != 325 {
			t.Errorf("25 versions: total %d, %d listed, %v; want 325, the 20 largest from 2.0 (25) to 2.19 (6)", versions.Total, n, versions.ByVersion)
		}
	})
}

// Both of a group's reads refuse an unknown group, an unknown period and
// an anonymous caller.
func TestGroupReadsRefusals(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		projectID := f.project(t, "app")
		f.group(t, projectID, "g", now)
		id := f.groups["g"].ID

		empty, err := f.svc.GroupBreakdown(f.ctx, id, stats.Day)
		if err != nil || empty.Total != 0 || empty.ByVersion == nil || empty.ByPlatform == nil || len(empty.ByVersion)+len(empty.ByPlatform) != 0 {
			t.Errorf("breakdown of a group without crashes: %+v, %v; want empty lists", empty, err)
		}

		for name, read := range map[string]func(context.Context, string, stats.Period) error{
			"trend": func(ctx context.Context, id string, p stats.Period) error {
				_, err := f.svc.GroupTrend(ctx, id, p)
				return err
			},
			"breakdown": func(ctx context.Context, id string, p stats.Period) error {
				_, err := f.svc.GroupBreakdown(ctx, id, p)
				return err
			},
		} {
			if err := read(f.ctx, "grp_unknown", stats.Day); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("%s of an unknown group: error = %v, want not found", name, err)
			}
			if err := read(f.ctx, id, stats.Period("YEAR")); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("%s over an unknown period: error = %v, want invalid", name, err)
			}
			if err := read(context.Background(), id, stats.Day); !errors.Is(err, viewer.ErrUnauthenticated) {
				t.Errorf("%s for an anonymous caller: error = %v, want unauthenticated", name, err)
			}
		}
	})
}
