package database

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	atlasschema "ariga.io/atlas/sql/schema"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	entschema "entgo.io/ent/dialect/sql/schema"

	"github.com/yoanbernabeu/oopsie/ent/migrate"
)

// diffMu serialises Diff: ent's Atlas writes index names, foreign key
// symbols and column links into the package-level migrate.Tables on every
// diff, so two diffs at once (one per dialect, say) race on them
// (ent/ent#4519; the race detector caught it once in CI).
var diffMu sync.Mutex

// Diff writes a new migration file named name into dirPath when the ent
// schema differs from what the directory's migrations build, and reports
// whether it wrote one. dev must be an empty database of the dialect: the
// directory is replayed into it to learn the current state.
func Diff(ctx context.Context, dialectName string, dev *sql.DB, dirPath, name string) (bool, error) {
	dir, err := atlasmigrate.NewLocalDir(dirPath)
	if err != nil {
		return false, fmt.Errorf("diff: open %s: %w", dirPath, err)
	}
	before, err := dir.Files()
	if err != nil {
		return false, fmt.Errorf("diff: read %s: %w", dirPath, err)
	}
	diffMu.Lock()
	defer diffMu.Unlock()
	s := migrate.NewSchema(entsql.OpenDB(dialectName, dev))
	err = s.NamedDiff(ctx, name,
		entschema.WithDir(dir),
		entschema.WithMigrationMode(entschema.ModeReplay),
		entschema.WithDialect(dialectName),
		entschema.WithFormatter(atlasmigrate.DefaultFormatter),
		entschema.WithDiffHook(hideSearchObjects),
	)
	if err != nil {
		return false, fmt.Errorf("diff %s: %w", dialectName, err)
	}
	after, err := dir.Files()
	if err != nil {
		return false, fmt.Errorf("diff: read %s: %w", dirPath, err)
	}
	return len(after) != len(before), nil
}

// Rehash rewrites a directory's atlas.sum, after a hand-written migration
// (such as the full-text search one) was added.
func Rehash(dirPath string) error {
	dir, err := atlasmigrate.NewLocalDir(dirPath)
	if err != nil {
		return fmt.Errorf("rehash %s: %w", dirPath, err)
	}
	sum, err := dir.Checksum()
	if err != nil {
		return fmt.Errorf("rehash %s: %w", dirPath, err)
	}
	if err := atlasmigrate.WriteSumFile(dir, sum); err != nil {
		return fmt.Errorf("rehash %s: %w", dirPath, err)
	}
	return nil
}

// hideSearchObjects removes the full-text search objects from the current
// state before diffing. They are written by hand in their own migration (a
// generated tsvector column on PostgreSQL, FTS5 tables and triggers on
// SQLite) and ent knows nothing of them, so the diff must not either, or it
// would one day plan to drop them.
func hideSearchObjects(next entschema.Differ) entschema.Differ {
	return entschema.DiffFunc(func(current, desired *atlasschema.Schema) ([]atlasschema.Change, error) {
		current.Tables = slices.DeleteFunc(current.Tables, func(t *atlasschema.Table) bool {
			return isSearchObject(t.Name)
		})
		for _, t := range current.Tables {
			t.Columns = slices.DeleteFunc(t.Columns, func(c *atlasschema.Column) bool { return isSearchObject(c.Name) })
			t.Indexes = slices.DeleteFunc(t.Indexes, func(i *atlasschema.Index) bool { return isSearchObject(i.Name) })
		}
		return next.Diff(current, desired)
	})
}

// isSearchObject tells full-text search objects by name: the search_vector
// column and its index on PostgreSQL, the *_fts tables (and FTS5's shadow
// tables, *_fts_data and so on) on SQLite.
func isSearchObject(name string) bool {
	return name == "search_vector" || strings.HasSuffix(name, "_search_idx") || strings.Contains(name, "_fts")
}

// DialectDir is the migration directory of a dialect under root.
func DialectDir(root, dialectName string) string {
	if dialectName == dialect.Postgres {
		return root + string(os.PathSeparator) + "postgres"
	}
	return root + string(os.PathSeparator) + "sqlite"
}
