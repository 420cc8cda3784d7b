// Package jobs runs Oopsie's durable background work (webhook deliveries,
// the retention purge, the version check) on River, on the same database as
// everything else: PostgreSQL at scale, the SQLite file by default.
//
// Jobs are enqueued on the transaction of the write that causes them
// (dbtx.SQLTx), so a job exists exactly when its write committed, and it
// survives a crash or restart from then on. Periodic jobs run on the
// replica River elects leader, one at a time.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
)

// Queues. Webhook deliveries wait on other people's servers (up to 10 s
// each), so they get their own workers and never hold up maintenance.
const (
	QueueWebhooks    = "webhooks"
	QueueMaintenance = river.QueueDefault
)

// Options configure an Engine.
type Options struct {
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
	Logger   *slog.Logger
	// PollInterval is how often a replica looks for jobs it was not told
	// about (on SQLite, every job; on PostgreSQL, LISTEN/NOTIFY tells it).
	PollInterval time.Duration
	// RetryPolicy overrides the backoff (see backoff); tests shorten it.
	RetryPolicy river.ClientRetryPolicy
}

// Engine enqueues and works jobs.
type Engine struct {
	logger *slog.Logger
	insert func(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) error
	start  func(ctx context.Context) error
	stop   func(ctx context.Context) error
	close  func() error
}

// webhookWorkers is how many deliveries run at once per replica; each
// mostly waits on the receiver.
const webhookWorkers = 10

// maxAttempts bounds retries: with backoff, ten attempts span about a day
// and a half.
const maxAttempts = 10

// rescueAfter is when a job left running by a replica that died mid-job
// counts as stuck and is retried: longer than any job's timeout (the
// purge's 10 min). A job that failed or was never started before the crash
// is not stuck: the next replica to start runs it as scheduled.
const rescueAfter = 15 * time.Minute

// New migrates River's tables on db and builds the engine. It starts no
// work until Start.
func New(ctx context.Context, db *database.DB, opts Options) (*Engine, error) {
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.RetryPolicy == nil {
		opts.RetryPolicy = backoff{}
	}
	cfg := &river.Config{
		Logger:               opts.Logger,
		Workers:              opts.Workers,
		PeriodicJobs:         opts.Periodic,
		MaxAttempts:          maxAttempts,
		RescueStuckJobsAfter: rescueAfter,
		FetchPollInterval:    opts.PollInterval,
		FetchCooldown:        min(opts.PollInterval, 100*time.Millisecond),
		RetryPolicy:          opts.RetryPolicy,
		Queues: map[string]river.QueueConfig{
			QueueMaintenance: {MaxWorkers: 2},
			QueueWebhooks:    {MaxWorkers: webhookWorkers},
		},
	}
	e := &Engine{logger: opts.Logger}
	switch db.Dialect {
	case dialect.Postgres:
		if err := migratePostgres(ctx, db); err != nil {
			return nil, err
		}
		work, err := river.NewClient(riverpgxv5.New(db.Pool), cfg)
		if err != nil {
			return nil, fmt.Errorf("job engine: %w", err)
		}
		// ent's transactions are database/sql ones, so jobs are enqueued
		// through River's database/sql driver on the same PostgreSQL; its
		// NOTIFY wakes the pgx client at once.
		ins, err := river.NewClient(riverdatabasesql.New(db.SQL), &river.Config{Workers: opts.Workers, Logger: opts.Logger, MaxAttempts: maxAttempts})
		if err != nil {
			return nil, fmt.Errorf("job engine: %w", err)
		}
		e.insert = insertWith(ins)
		e.start, e.stop = work.Start, work.Stop
		e.close = func() error { return nil }
	case dialect.SQLite:
		// River's SQLite driver wants a single connection; a pool of its
		// own on the same file keeps it from taking the app's connections,
		// and the busy timeout makes each side wait out the other's writes.
		rdb, err := sql.Open(database.SQLiteDriver, database.SQLiteDSN(db.Path))
		if err != nil {
			return nil, fmt.Errorf("job engine: %w", err)
		}
		rdb.SetMaxOpenConns(1)
		if err := migrateSQLite(ctx, rdb); err != nil {
			rdb.Close()
			return nil, err
		}
		client, err := river.NewClient(riversqlite.New(rdb), cfg)
		if err != nil {
			rdb.Close()
			return nil, fmt.Errorf("job engine: %w", err)
		}
		e.insert = insertWith(client)
		e.start, e.stop = client.Start, client.Stop
		e.close = rdb.Close
	default:
		return nil, fmt.Errorf("job engine: unknown dialect %q", db.Dialect)
	}
	return e, nil
}

func insertWith(c *river.Client[*sql.Tx]) func(context.Context, *sql.Tx, []river.InsertManyParams) error {
	return func(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) error {
		_, err := c.InsertManyTx(ctx, tx, params)
		return err
	}
}

// riverLockKey serialises River's migrations across replicas starting at once.
const riverLockKey int64 = 0x6f6f7073696572 // "oopsier"

func migratePostgres(ctx context.Context, db *database.DB) error {
	m, err := rivermigrate.New(riverpgxv5.New(db.Pool), nil)
	if err != nil {
		return fmt.Errorf("job engine: migrate: %w", err)
	}
	// River's migrations cannot share one transaction (one adds an enum
	// value the next uses), so a lock held on a connection of its own makes
	// replicas starting at once take turns.
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("job engine: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", riverLockKey); err != nil {
		return fmt.Errorf("job engine: migrate: take the migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", riverLockKey) //nolint:errcheck
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("job engine: migrate: %w", err)
	}
	return nil
}

// migrateSQLite runs in one transaction that, with the DSN's
// _txlock=immediate, holds the file's write lock throughout.
func migrateSQLite(ctx context.Context, db *sql.DB) error {
	m, err := rivermigrate.New(riversqlite.New(db), nil)
	if err != nil {
		return fmt.Errorf("job engine: migrate: %w", err)
	}
	return migrateTx(ctx, db, func(tx *sql.Tx) error {
		_, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil)
		return err
	})
}

func migrateTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("job engine: migrate: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("job engine: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("job engine: migrate: %w", err)
	}
	return nil
}

// Enqueue inserts jobs on the transaction ctx carries (see dbtx.Begin), so
// they run only if it commits. Outside a transaction it fails: a job
// enqueued apart from its write could run for a write that rolled back, or
// be lost after one that committed.
func (e *Engine) Enqueue(ctx context.Context, params ...river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	tx, err := dbtx.SQLTx(ctx)
	if err != nil {
		return fmt.Errorf("enqueue jobs: %w", err)
	}
	if err := e.insert(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue jobs: %w", err)
	}
	return nil
}

// Start begins working jobs until Stop.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.start(ctx); err != nil {
		return fmt.Errorf("start job engine: %w", err)
	}
	return nil
}

// Stop waits for running jobs to finish, up to ctx's deadline, then
// releases the engine. Jobs cut short are retried by another replica or on
// the next start.
func (e *Engine) Stop(ctx context.Context) error {
	err := e.stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		e.logger.Warn("job engine stopped before its jobs finished; they will be retried")
		err = nil
	}
	return errors.Join(err, e.close())
}
