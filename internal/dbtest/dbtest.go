// Package dbtest gives each test its own migrated database, on SQLite and on
// PostgreSQL, so tests can run in parallel against the real engines.
//
// PostgreSQL tests use the server at OOPSIE_TEST_POSTGRES_URL. When it is
// unset or unreachable they skip, except with CI=true, where they fail: CI
// must never pass by skipping the PostgreSQL suite.
package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5"

	"github.com/yoanbernabeu/oopsie/ent/migrate/migrations"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
)

// Dialects are the ent dialect names every storage test runs on.
var Dialects = []string{dialect.SQLite, dialect.Postgres}

// Each runs fn as a parallel subtest per dialect, each with a fresh,
// migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated database of the dialect, closed (and on
// PostgreSQL dropped) when the test ends.
func Open(t testing.TB, dialectName string) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), Config(t, dialectName, true))
	if err != nil {
		t.Fatalf("open %s test database: %v", dialectName, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Config returns the configuration of a fresh database of the dialect, for
// tests that start the whole server. With migrated false the database is
// empty, for tests of migrating itself.
func Config(t testing.TB, dialectName string, migrated bool) config.Database {
	t.Helper()
	if dialectName == dialect.SQLite {
		path := filepath.Join(t.TempDir(), "oopsie.db")
		if migrated {
			db, err := database.Open(context.Background(), config.Database{Dialect: config.DialectSQLite, SQLitePath: path})
			if err != nil {
				t.Fatalf("open SQLite test database: %v", err)
			}
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate SQLite test database: %v", err)
			}
			db.Close()
		}
		return config.Database{Dialect: config.DialectSQLite, SQLitePath: path}
	}
	return config.Database{Dialect: config.DialectPostgres, URL: PostgresURL(t, migrated)}
}

// PostgresServer returns the URL of the test PostgreSQL server, skipping the
// test when there is none (failing it under CI).
func PostgresServer(t testing.TB) string {
	t.Helper()
	url := os.Getenv("OOPSIE_TEST_POSTGRES_URL")
	if url == "" {
		unavailable(t, "PostgreSQL", errors.New("OOPSIE_TEST_POSTGRES_URL is not set"))
	}
	return url
}

// PostgresURL creates a database on the test server, dropped when the test
// ends. Migrated databases are copied from a template database migrated once
// per migration set, which is much faster than migrating each.
func PostgresURL(t testing.TB, migrated bool) string {
	t.Helper()
	server := PostgresServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	template := ""
	if migrated {
		var err error
		if template, err = postgresTemplate(ctx, server); err != nil {
			unavailable(t, "PostgreSQL", err)
		}
	}
	var (
		url  string
		drop func(context.Context) error
		err  error
	)
	// CREATE DATABASE … TEMPLATE fails while another session copies the
	// same template, which parallel tests do; it is brief, so retry.
	for attempt := 0; ; attempt++ {
		url, drop, err = database.CreatePostgresDatabase(ctx, server, "oopsie_test", template)
		if err == nil || attempt == 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(time.Duration(20+attempt*10) * time.Millisecond)
	}
	if err != nil {
		unavailable(t, "PostgreSQL", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := drop(ctx); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return url
}

var templates sync.Map // server URL → *templateOnce

type templateOnce struct {
	once sync.Once
	name string
	err  error
}

// postgresTemplate returns the name of a migrated template database for the
// current migrations, creating it once per server. The name carries a hash
// of the migrations, so a changed migration gets a new template; an
// advisory lock keeps test binaries running in parallel from racing.
func postgresTemplate(ctx context.Context, server string) (string, error) {
	v, _ := templates.LoadOrStore(server, &templateOnce{})
	o := v.(*templateOnce)
	o.once.Do(func() { o.name, o.err = createTemplate(ctx, server) })
	return o.name, o.err
}

func createTemplate(ctx context.Context, server string) (string, error) {
	sum, err := fs.ReadFile(migrations.FS, "postgres/atlas.sum")
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(sum)
	name := "oopsie_template_" + hex.EncodeToString(h[:6])

	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", fmt.Errorf("connect to the test server: %w", err)
	}
	defer admin.Close(ctx)
	const lockKey = 0x6f6f7073_7465 // any constant shared by all test binaries
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return "", err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck

	var ready bool
	err = admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready)
	if err != nil || ready {
		return name, err
	}
	// A half-built template from an interrupted run is rebuilt.
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	u, err := database.WithDatabaseName(server, name)
	if err != nil {
		return "", err
	}
	db, err := database.Open(ctx, config.Database{Dialect: config.DialectPostgres, URL: u})
	if err != nil {
		return "", err
	}
	_, err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" WITH is_template true"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("COMMENT ON DATABASE %s IS '%d'", name, time.Now().Unix())); err != nil {
		return "", err
	}
	dropStaleTemplates(ctx, admin, name)
	return name, nil
}

// dropStaleTemplates removes templates of earlier migration sets, so the
// test server does not collect one per schema change. Only those made over
// an hour ago (their comment holds the time): another checkout's tests may
// be copying a recent one right now. Best effort.
func dropStaleTemplates(ctx context.Context, admin *pgx.Conn, keep string) {
	rows, err := admin.Query(ctx, `SELECT d.datname FROM pg_database d
		WHERE d.datistemplate AND d.datname LIKE 'oopsie_template_%' AND d.datname <> $1
		AND coalesce(shobj_description(d.oid, 'pg_database'), '') ~ '^[0-9]+$'
		AND shobj_description(d.oid, 'pg_database')::bigint < $2`, keep, time.Now().Add(-time.Hour).Unix())
	if err != nil {
		return
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range stale {
		if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH is_template false"); err == nil {
			_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		}
	}
}

func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI: %v", what, err)
	}
	t.Skipf("%s unavailable, skipping: %v", what, err)
}
