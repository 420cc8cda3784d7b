package stats_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/stats"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// A group's trend, read from the rollups, counts what counting its crashes
// one by one counts, bucket by bucket, for every period: on the main
// fixture's boundaries and for a group with more crashes than a page holds.
func TestGroupTrendCountsEveryCrash(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		projectID, _ := seed(t, f)
		f.group(t, projectID, "busy", now.AddDate(0, 0, -3))
		f.crashes(t, projectID,
			crash{at: now.AddDate(0, 0, -3), group: "busy", version: "1.0", platform: "web", copies: 120},
			crash{at: at(15, 9, 59, 59, 0), group: "busy", version: "1.0", platform: "web", copies: 80},
			crash{at: at(15, 10, 0, 0, 1000), group: "busy", version: "1.0", platform: "web", copies: 5},
		)

		for _, p := range []struct {
			period       stats.Period
			length, step time.Duration
		}{
			{stats.Day, 24 * time.Hour, time.Hour},
			{stats.Week, 7 * 24 * time.Hour, 24 * time.Hour},
			{stats.Month, 30 * 24 * time.Hour, 24 * time.Hour},
			{stats.Quarter, 90 * 24 * time.Hour, 24 * time.Hour},
		} {
			for name, g := range f.groups {
				crashes, err := db.Client.CrashReport.Query().Where(crashreport.GroupID(g.ID)).All(sys)
				if err != nil {
					t.Fatal(err)
				}
				from := now.Add(-p.length)
				counted := map[time.Time]int{}
				for _, c := range crashes {
					if !c.CreatedAt.Before(from) && !c.CreatedAt.After(now) {
						counted[c.CreatedAt.Truncate(p.step).UTC()]++
					}
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

func TestGroupTrendRefusals(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		projectID := f.project(t, "app")
		f.group(t, projectID, "g", now)
		id := f.groups["g"].ID

		if _, err := f.svc.GroupTrend(f.ctx, "grp_unknown", stats.Day); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("unknown group: error = %v, want not found", err)
		}
		if _, err := f.svc.GroupTrend(f.ctx, id, stats.Period("YEAR")); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("unknown period: error = %v, want invalid", err)
		}
		if _, err := f.svc.GroupTrend(context.Background(), id, stats.Day); !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous: error = %v, want unauthenticated", err)
		}
	})
}
