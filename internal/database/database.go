// Package database opens Oopsie's store — SQLite on the embedded default,
// PostgreSQL at scale — and keeps its schema migrated.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	sqlite "modernc.org/sqlite"

	// Registers the schema hooks and privacy policies with the ent client.
	_ "github.com/yoanbernabeu/oopsie/ent/runtime"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
)

// SQLiteDriver is the database/sql name of the pure-Go SQLite driver:
// Atlas's name for SQLite as well as modernc's own, so Atlas tooling finds it.
const SQLiteDriver = "sqlite3"

func init() {
	sql.Register(SQLiteDriver, &sqlite.Driver{})
}

// DB is an open store: the ent client and the handles under it.
type DB struct {
	// Dialect is ent's dialect name: dialect.SQLite or dialect.Postgres.
	Dialect string
	SQL     *sql.DB
	// Pool is the pgx pool under SQL on PostgreSQL (the job engine shares it);
	// nil on SQLite.
	Pool   *pgxpool.Pool
	Client *ent.Client
	// Path is the SQLite file; "" on PostgreSQL.
	Path string
}

// Open connects to the configured database. It does not migrate.
func Open(ctx context.Context, cfg config.Database) (*DB, error) {
	switch cfg.Dialect {
	case config.DialectPostgres:
		return openPostgres(ctx, cfg.URL)
	case config.DialectSQLite:
		return openSQLite(ctx, cfg.SQLitePath)
	default:
		return nil, fmt.Errorf("open database: unknown dialect %q", cfg.Dialect)
	}
}

// defaultPoolSize is the PostgreSQL pool size per replica unless
// DATABASE_URL says otherwise: enough to keep a few cores busy, few enough
// that several replicas stay under PostgreSQL's default 100 connections.
const defaultPoolSize = 20

func openPostgres(ctx context.Context, url string) (*DB, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors can quote the connection string, password included.
		return nil, errors.New("open database: DATABASE_URL is not a valid PostgreSQL connection string")
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgx defaults to max(4, CPUs) connections, which starves ingest on
		// small machines: requests wait on a connection while PostgreSQL
		// idles. pool_max_conns in DATABASE_URL overrides this.
		pcfg.MaxConns = defaultPoolSize
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := ping(ctx, db); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("open database: connect to PostgreSQL at %s (DATABASE_URL): %w", pcfg.ConnConfig.Host, err)
	}
	return &DB{
		Dialect: dialect.Postgres,
		SQL:     db,
		Pool:    pool,
		Client:  ent.NewClient(ent.Driver(dbtx.NewDriver(entsql.OpenDB(dialect.Postgres, db)))),
	}, nil
}

// SQLiteDSN is the connection string Oopsie uses for a SQLite file. (WAL,
// which lets readers go on while one writer commits, is switched on once per
// file by enableWAL: it persists in the file.)
//
//   - synchronous(FULL) makes every acknowledged write survive a power cut,
//     not only a process crash: an acknowledged report must never be lost.
//   - busy_timeout waits for the writer instead of failing with SQLITE_BUSY.
//   - _time_format=sqlite stores times as SQLite's own "YYYY-MM-DD HH:MM:SS"
//     text, which its date functions read and which sorts in time order;
//     the driver's default is Go's Time.String(), with a monotonic-clock
//     suffix that neither does.
//   - _txlock=immediate takes the write lock at BEGIN, so two transactions
//     never deadlock upgrading read locks, which SQLite would not wait out.
func SQLiteDSN(path string) string {
	return "file:" + path +
		"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate&_time_format=sqlite"
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open database: create directory for %s: %w", path, err)
	}
	// SQLite would create the file world-readable; it holds user reports.
	// Its -wal and -shm files take the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database: SQLite file %s: %w", path, err)
	}
	f.Close()
	db, err := sql.Open(SQLiteDriver, SQLiteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// SQLite has one writer at a time whatever the pool size; a few
	// connections serve concurrent readers without piling up waiting writers.
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := enableWAL(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: SQLite file %s: %w", path, err)
	}
	return &DB{
		Dialect: dialect.SQLite,
		SQL:     db,
		Path:    path,
		Client:  ent.NewClient(ent.Driver(dbtx.NewDriver(entsql.OpenDB(dialect.SQLite, db)))),
	}, nil
}

// enableWAL switches the file to write-ahead logging. SQLite answers BUSY at
// once, without waiting out busy_timeout, when another process opens the
// same fresh file at the same moment, so this retries for a bounded time.
func enableWAL(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil {
			if mode != "wal" {
				return fmt.Errorf("journal mode is %q, want wal", mode)
			}
			return nil
		}
		var coded interface{ Code() int }
		if !errors.As(err, &coded) || coded.Code()&0xff != sqlite3Busy {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("switch to WAL: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// sqlite3Busy is SQLITE_BUSY, the primary result code (extended codes keep
// it in the low byte).
const sqlite3Busy = 5

func ping(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// Close closes the client and the pool under it.
func (db *DB) Close() error {
	err := db.Client.Close()
	if db.Pool != nil {
		db.Pool.Close()
	}
	return err
}
