package database_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/ent/migrate"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
)

func embeddedVersions(t *testing.T, dialectName string) []string {
	t.Helper()
	dir, err := database.Dir(dialectName)
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		out = append(out, f.Version())
	}
	if len(out) == 0 {
		t.Fatalf("no embedded migrations for %s", dialectName)
	}
	return out
}

func TestMigrateAppliesEverythingOnceThenNothing(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := database.Open(ctx, dbtest.Config(t, d, false))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()

			if err := db.CheckMigrated(ctx); err == nil {
				t.Fatal("CheckMigrated passed on an empty database")
			}
			st, err := db.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := embeddedVersions(t, d)
			if st.UpToDate() || len(st.Pending) != len(want) || st.Current != "" {
				t.Fatalf("status before migrating = %+v, want %d pending", st, len(want))
			}

			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(applied, want) {
				t.Fatalf("first Migrate applied %v, want %v", applied, want)
			}
			again, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(again) != 0 {
				t.Fatalf("second Migrate applied %v, want nothing", again)
			}
			if err := db.CheckMigrated(ctx); err != nil {
				t.Fatalf("CheckMigrated after migrating: %v", err)
			}
			st, err = db.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !st.UpToDate() || st.Current != want[len(want)-1] || st.Latest != st.Current {
				t.Fatalf("status after migrating = %+v", st)
			}
		})
	}
}

// Replicas starting at once each migrate; the lock must make exactly one of
// them apply each file, and none fail.
func TestConcurrentMigrateAppliesEachFileOnce(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := dbtest.Config(t, d, false)
			const replicas = 4
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				applied []string
			)
			for range replicas {
				wg.Go(func() {
					db, err := database.Open(ctx, cfg)
					if err != nil {
						t.Error(err)
						return
					}
					defer db.Close()
					got, err := db.Migrate(ctx)
					if err != nil {
						t.Errorf("Migrate: %v", err)
					}
					mu.Lock()
					applied = append(applied, got...)
					mu.Unlock()
				})
			}
			wg.Wait()
			slices.Sort(applied)
			if want := embeddedVersions(t, d); !slices.Equal(applied, want) {
				t.Fatalf("replicas applied %v together, want each of %v exactly once", applied, want)
			}
		})
	}
}

func TestMigrationsCreateEveryTable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		query := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
		if db.Dialect == dialect.Postgres {
			query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
		}
		for _, table := range migrate.Tables {
			var n int
			if err := db.SQL.QueryRow(query, table.Name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("table %s was not created", table.Name)
			}
		}
	})
}
