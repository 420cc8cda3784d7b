package stats_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/stats"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// rollups lists every rollup row as text, in a stable order.
func rollups(t *testing.T, db *database.DB) []string {
	t.Helper()
	var out []string
	for _, h := range db.Client.CrashHour.Query().AllX(sys) {
		out = append(out, fmt.Sprintf("%s %s %s %q %d", h.ProjectID, h.Dimension, h.Hour.UTC().Format(time.RFC3339), h.Key, h.Occurrences))
	}
	for _, d := range db.Client.CrashDay.Query().AllX(sys) {
		out = append(out, fmt.Sprintf("%s %s day %s %q %d", d.ProjectID, d.Dimension, d.Day.UTC().Format(time.RFC3339), d.Key, d.Occurrences))
	}
	for _, u := range db.Client.CrashUser.Query().AllX(sys) {
		out = append(out, fmt.Sprintf("%s user %q %s", u.ProjectID, u.UserID, u.LastSeenAt.UTC().Format(time.RFC3339Nano)))
	}
	slices.Sort(out)
	return out
}

// What ingest records, batch by batch, is what Rebuild recomputes from the
// crashes; and the statistics read from it count every ingested crash.
func TestIngestRecordsWhatRebuildComputes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		var clock atomic.Int64 // minutes before now
		at := func() time.Time { return now.Add(-time.Duration(clock.Load()) * time.Minute) }
		svc := crashes.New(db.Client, nil, nil, at, crashes.Writers(2))
		projects := []string{f.project(t, "app"), f.project(t, "other")}
		keys := make([]string, len(projects))
		for i, p := range projects {
			k := db.Client.PublicKey.Create().SetProjectID(p).SetName("k").SetKey(fmt.Sprintf("pk_%d_0123456789abcdef", i)).SaveX(sys)
			keys[i] = k.ID
		}
		const rounds, perRound = 6, 12
		for r := range rounds {
			// Back in time across hours and days: 0, 50 min, 1h40… 4h10, then 2 days.
			clock.Store(int64(r * 50))
			if r == rounds-1 {
				clock.Store(2 * 24 * 60)
			}
			var wg sync.WaitGroup
			errs := make([]error, perRound)
			for i := range perRound {
				p := i % 2
				wg.Go(func() {
					in := crashes.Input{
						ProjectID: projects[p], PublicKeyID: keys[p],
						ErrorType: "TypeError", ErrorMessage: "boom",
						StackTrace: []crashes.Frame{{File: "app.js", Line: 1, Function: "f"}},
						AppVersion: []string{"1.0.0", "1.1.0", "2.0.0"}[i%3], Platform: []string{"web", "ios"}[i%2],
						Fingerprint: []string{"a", "b", "c", "d"}[(i+r)%4],
					}
					if i%4 != 3 {
						in.UserID = fmt.Sprintf("user-%d", (i+r)%5)
					}
					_, errs[i] = svc.Ingest(viewer.NewContext(t.Context(), viewer.ForPublicKey(projects[p], keys[p])), in)
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		recorded := rollups(t, db)
		if len(recorded) == 0 {
			t.Fatal("ingest recorded no rollups")
		}
		if err := stats.Rebuild(sys, db.Client); err != nil {
			t.Fatal(err)
		}
		if rebuilt := rollups(t, db); !slices.Equal(recorded, rebuilt) {
			t.Errorf("ingest recorded\n%v\nrebuild computed\n%v", recorded, rebuilt)
		}

		got, err := f.svc.Crashes(f.ctx, projects[0], stats.Week)
		if err != nil {
			t.Fatal(err)
		}
		if want := rounds * perRound / 2; got.TotalOccurrences != want {
			t.Errorf("total occurrences = %d, want %d", got.TotalOccurrences, want)
		}
		var sum int
		for _, v := range got.ByVersion {
			sum += v.Count
		}
		if sum != got.TotalOccurrences || got.AffectedUsers == 0 || len(got.TopGroups) != 4 {
			t.Errorf("by version add up to %d, %d affected users, %d top groups; want %d, some, 4",
				sum, got.AffectedUsers, len(got.TopGroups), got.TotalOccurrences)
		}
	})
}
