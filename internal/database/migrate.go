package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlassqlite "ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/ent/migrate/migrations"
)

// revisionsTable records which migration files were applied, one row per
// version. The Atlas CLI keeps its own table; this one belongs to Oopsie so
// the server can migrate itself at start-up without the CLI.
const revisionsTable = "oopsie_schema_revisions"

// migrationLockKey is the PostgreSQL advisory lock that serialises
// migrations across replicas starting at once (an arbitrary constant).
const migrationLockKey int64 = 0x6f6f70736965 // "oopsie"

// Dir returns the embedded migration directory for an ent dialect name.
func Dir(dialectName string) (migrate.Dir, error) {
	var sub string
	switch dialectName {
	case dialect.Postgres:
		sub = "postgres"
	case dialect.SQLite:
		sub = "sqlite"
	default:
		return nil, fmt.Errorf("migration directory: unknown dialect %q", dialectName)
	}
	dir := &migrate.MemDir{}
	entries, err := fs.ReadDir(migrations.FS, sub)
	if err != nil {
		return nil, fmt.Errorf("migration directory %s: %w", sub, err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(migrations.FS, path.Join(sub, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migration directory %s: %w", sub, err)
		}
		if err := dir.WriteFile(e.Name(), b); err != nil {
			return nil, fmt.Errorf("migration directory %s: %w", sub, err)
		}
	}
	return dir, nil
}

// Migrate applies every pending migration, each file in its own transaction,
// and returns the versions it applied. It is idempotent, and safe when
// several processes run it at once: on PostgreSQL an advisory lock makes the
// others wait; on SQLite, BEGIN IMMEDIATE does.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	dir, err := Dir(db.Dialect)
	if err != nil {
		return nil, err
	}
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("migrate: the embedded migrations do not match their atlas.sum: %w", err)
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if db.Dialect == dialect.Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return nil, fmt.Errorf("migrate: take the migration lock: %w", err)
		}
		// Unlock on a fresh context: the caller's may be cancelled by now,
		// and a lock left on a pooled connection would block every replica.
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey) //nolint:errcheck
	}
	if err := createRevisionsTable(ctx, conn, db.Dialect); err != nil {
		return nil, err
	}
	var applied []string
	for {
		version, err := db.applyNext(ctx, conn, dir)
		if err != nil {
			return applied, err
		}
		if version == "" {
			return applied, nil
		}
		applied = append(applied, version)
	}
}

// applyNext applies the first pending file and returns its version, or ""
// when nothing is pending.
func (db *DB) applyNext(ctx context.Context, conn *sql.Conn, dir migrate.Dir) (version string, err error) {
	if db.Dialect == dialect.SQLite {
		// SQLite ignores this pragma inside a transaction, and table rebuilds
		// (how SQLite alters columns) would otherwise cascade deletes when the
		// old table is dropped. The transaction checks the keys before commit.
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = off"); err != nil {
			return "", fmt.Errorf("migrate: %w", err)
		}
		defer func() {
			if _, perr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = on"); perr != nil && err == nil {
				err = fmt.Errorf("migrate: %w", perr)
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	drv, err := atlasDriver(db.Dialect, tx)
	if err != nil {
		return "", err
	}
	// Atlas refuses a first run on a database holding anything at all, down to
	// PostgreSQL's public schema with our revisions table in it. The database
	// may rightly hold other things (the job engine's tables, another app's),
	// and a real conflict makes the first migration fail inside its
	// transaction, leaving nothing behind, so the check buys nothing here.
	ex, err := migrate.NewExecutor(drv, dir, &revisions{q: tx, dialect: db.Dialect}, migrate.WithAllowDirty(true))
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	pending, err := ex.Pending(ctx)
	if errors.Is(err, migrate.ErrNoPendingFiles) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	f := pending[0]
	if err := ex.Execute(ctx, f); err != nil {
		return "", fmt.Errorf("migrate: apply %s: %w", f.Name(), err)
	}
	if db.Dialect == dialect.SQLite {
		if err := checkForeignKeys(ctx, tx); err != nil {
			return "", fmt.Errorf("migrate: apply %s: %w", f.Name(), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("migrate: commit %s: %w", f.Name(), err)
	}
	return f.Version(), nil
}

func atlasDriver(dialectName string, q *sql.Tx) (migrate.Driver, error) {
	var (
		drv migrate.Driver
		err error
	)
	if dialectName == dialect.Postgres {
		drv, err = postgres.Open(q)
	} else {
		drv, err = atlassqlite.Open(q)
	}
	if err != nil {
		return nil, fmt.Errorf("migrate: open atlas driver: %w", err)
	}
	return drv, nil
}

func checkForeignKeys(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		return errors.New("the migration leaves rows that violate foreign keys")
	}
	return rows.Err()
}

// MigrationStatus is what `oopsie migrate status` and /readyz report.
type MigrationStatus struct {
	Current string   // last applied version, "" when none
	Latest  string   // last version in the embedded directory
	Pending []string // file names not yet applied
}

// UpToDate reports whether every embedded migration was applied.
func (s MigrationStatus) UpToDate() bool { return len(s.Pending) == 0 }

// Status compares the applied revisions with the embedded directory.
func (db *DB) Status(ctx context.Context) (MigrationStatus, error) {
	dir, err := Dir(db.Dialect)
	if err != nil {
		return MigrationStatus{}, err
	}
	files, err := dir.Files()
	if err != nil {
		return MigrationStatus{}, fmt.Errorf("migration status: %w", err)
	}
	applied, err := appliedVersions(ctx, db.SQL, db.Dialect)
	if err != nil {
		return MigrationStatus{}, err
	}
	var st MigrationStatus
	for _, f := range files {
		st.Latest = f.Version()
		if applied[f.Version()] {
			st.Current = f.Version()
		} else {
			st.Pending = append(st.Pending, f.Name())
		}
	}
	return st, nil
}

func appliedVersions(ctx context.Context, q *sql.DB, dialectName string) (map[string]bool, error) {
	exists, err := revisionsTableExists(ctx, q, dialectName)
	if err != nil || !exists {
		return map[string]bool{}, err
	}
	rows, err := q.QueryContext(ctx, "SELECT version FROM "+revisionsTable+" WHERE applied = total")
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migration status: %w", err)
		}
		out[v] = true
	}
	return out, rows.Err()
}

func revisionsTableExists(ctx context.Context, q *sql.DB, dialectName string) (bool, error) {
	query := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
	if dialectName == dialect.Postgres {
		query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
	}
	var n int
	if err := q.QueryRowContext(ctx, query, revisionsTable).Scan(&n); err != nil {
		return false, fmt.Errorf("migration status: %w", err)
	}
	return n > 0, nil
}

func createRevisionsTable(ctx context.Context, conn *sql.Conn, dialectName string) error {
	ts := "TEXT"
	if dialectName == dialect.Postgres {
		ts = "TIMESTAMPTZ"
	}
	_, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+revisionsTable+` (
		version TEXT PRIMARY KEY,
		description TEXT NOT NULL,
		type INTEGER NOT NULL,
		applied INTEGER NOT NULL,
		total INTEGER NOT NULL,
		executed_at `+ts+` NOT NULL,
		execution_time BIGINT NOT NULL,
		error TEXT NOT NULL DEFAULT '',
		error_stmt TEXT NOT NULL DEFAULT '',
		hash TEXT NOT NULL,
		partial_hashes TEXT NOT NULL DEFAULT '',
		operator_version TEXT NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("migrate: create %s: %w", revisionsTable, err)
	}
	return nil
}

// revisions is Atlas's revision store on Oopsie's own table.
type revisions struct {
	q       *sql.Tx
	dialect string
}

var _ migrate.RevisionReadWriter = (*revisions)(nil)

func (r *revisions) Ident() *migrate.TableIdent { return &migrate.TableIdent{Name: revisionsTable} }

const revisionColumns = "version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version"

func (r *revisions) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	rows, err := r.q.QueryContext(ctx, "SELECT "+revisionColumns+" FROM "+revisionsTable+" ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	defer rows.Close()
	var out []*migrate.Revision
	for rows.Next() {
		rev, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rev)
	}
	return out, rows.Err()
}

func (r *revisions) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	rows, err := r.q.QueryContext(ctx, "SELECT "+revisionColumns+" FROM "+revisionsTable+" WHERE version = $1", version)
	if err != nil {
		return nil, fmt.Errorf("read revision %s: %w", version, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, migrate.ErrRevisionNotExist
	}
	return scanRevision(rows)
}

func (r *revisions) WriteRevision(ctx context.Context, rev *migrate.Revision) error {
	executedAt := any(rev.ExecutedAt.UTC())
	if r.dialect == dialect.SQLite {
		executedAt = rev.ExecutedAt.UTC().Format(time.RFC3339Nano)
	}
	_, err := r.q.ExecContext(ctx, `INSERT INTO `+revisionsTable+` (`+revisionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (version) DO UPDATE SET
			description = excluded.description, type = excluded.type, applied = excluded.applied,
			total = excluded.total, executed_at = excluded.executed_at, execution_time = excluded.execution_time,
			error = excluded.error, error_stmt = excluded.error_stmt, hash = excluded.hash,
			partial_hashes = excluded.partial_hashes, operator_version = excluded.operator_version`,
		rev.Version, rev.Description, int(rev.Type), rev.Applied, rev.Total, executedAt,
		int64(rev.ExecutionTime), rev.Error, rev.ErrorStmt, rev.Hash,
		strings.Join(rev.PartialHashes, ","), rev.OperatorVersion)
	if err != nil {
		return fmt.Errorf("write revision %s: %w", rev.Version, err)
	}
	return nil
}

func (r *revisions) DeleteRevision(ctx context.Context, version string) error {
	if _, err := r.q.ExecContext(ctx, "DELETE FROM "+revisionsTable+" WHERE version = $1", version); err != nil {
		return fmt.Errorf("delete revision %s: %w", version, err)
	}
	return nil
}

func scanRevision(rows *sql.Rows) (*migrate.Revision, error) {
	var (
		rev        migrate.Revision
		typ        int
		execTime   int64
		partial    string
		executedAt any
	)
	if err := rows.Scan(&rev.Version, &rev.Description, &typ, &rev.Applied, &rev.Total, &executedAt,
		&execTime, &rev.Error, &rev.ErrorStmt, &rev.Hash, &partial, &rev.OperatorVersion); err != nil {
		return nil, fmt.Errorf("scan revision: %w", err)
	}
	rev.Type = migrate.RevisionType(typ)
	rev.ExecutionTime = time.Duration(execTime)
	switch v := executedAt.(type) {
	case time.Time:
		rev.ExecutedAt = v
	case string:
		rev.ExecutedAt, _ = time.Parse(time.RFC3339Nano, v)
	}
	if partial != "" {
		rev.PartialHashes = strings.Split(partial, ",")
	}
	return &rev, nil
}

// latestVersion is the newest embedded migration of each dialect; the
// embedded directory never changes while the process runs.
var latestVersion = sync.OnceValues(func() (map[string]string, error) {
	out := map[string]string{}
	for _, d := range []string{dialect.Postgres, dialect.SQLite} {
		dir, err := Dir(d)
		if err != nil {
			return nil, err
		}
		files, err := dir.Files()
		if err != nil {
			return nil, fmt.Errorf("migration directory %s: %w", d, err)
		}
		if len(files) > 0 {
			out[d] = files[len(files)-1].Version()
		}
	}
	return out, nil
})

// CheckMigrated returns nil when the database answers and has every embedded
// migration applied: the readiness probe. It is one indexed query.
func (db *DB) CheckMigrated(ctx context.Context) error {
	latest, err := latestVersion()
	if err != nil {
		return err
	}
	var applied int
	err = db.SQL.QueryRowContext(ctx,
		"SELECT count(*) FROM "+revisionsTable+" WHERE version = $1 AND applied = total", latest[db.Dialect]).Scan(&applied)
	if err != nil {
		return fmt.Errorf("check migrations: %w", err)
	}
	if applied == 0 {
		return fmt.Errorf("check migrations: version %s is not applied yet", latest[db.Dialect])
	}
	return nil
}
