package database_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"entgo.io/ent/dialect"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
)

// TestMigrationsMatchSchema fails when ent/schema changed without a new
// migration: replaying the committed directory and diffing it against the
// schema must plan nothing. Run `make migrate-diff name=…` to fix it.
func TestMigrationsMatchSchema(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			src := database.DialectDir(filepath.Join("..", "..", "ent", "migrate", "migrations"), d)
			dir := t.TempDir()
			entries, err := os.ReadDir(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(src, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var dev *sql.DB
			if d == dialect.SQLite {
				dev, err = database.OpenSQLiteDev()
			} else {
				dev, err = sql.Open("pgx", dbtest.PostgresURL(t, false))
			}
			if err != nil {
				t.Fatal(err)
			}
			defer dev.Close()

			wrote, err := database.Diff(context.Background(), d, dev, dir, "drift")
			if err != nil {
				t.Fatalf("diff: %v", err)
			}
			if wrote {
				t.Fatalf("ent/schema and ent/migrate/migrations/%s disagree: run `make migrate-diff name=<change>` and commit the result", filepath.Base(src))
			}
		})
	}
}
