// Command migratediff writes a new versioned migration for PostgreSQL and
// SQLite when ent/schema changed: `make migrate-diff name=add_widgets`.
// It needs a PostgreSQL server to create a throwaway dev database on.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"

	"entgo.io/ent/dialect"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/yoanbernabeu/oopsie/internal/database"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "migratediff:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migratediff", flag.ContinueOnError)
	name := fs.String("name", "", "name of the migration, e.g. add_widgets")
	root := fs.String("dir", "ent/migrate/migrations", "root of the per-dialect migration directories")
	pgURL := fs.String("postgres", getenv("OOPSIE_TEST_POSTGRES_URL"), "PostgreSQL server to create a dev database on")
	rehash := fs.Bool("rehash", false, "only rewrite both atlas.sum files (after editing a migration by hand)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rehash {
		for _, d := range []string{dialect.Postgres, dialect.SQLite} {
			if err := database.Rehash(database.DialectDir(*root, d)); err != nil {
				return err
			}
		}
		return nil
	}
	if *name == "" {
		return fmt.Errorf("-name is required")
	}
	if *pgURL == "" {
		*pgURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}

	sqliteDev, err := database.OpenSQLiteDev()
	if err != nil {
		return err
	}
	defer sqliteDev.Close()
	if err := diff(ctx, stdout, dialect.SQLite, sqliteDev, *root, *name); err != nil {
		return err
	}

	pgDev, drop, err := createPostgresDev(ctx, *pgURL)
	if err != nil {
		return err
	}
	defer drop()
	return diff(ctx, stdout, dialect.Postgres, pgDev, *root, *name)
}

func diff(ctx context.Context, stdout io.Writer, d string, dev *sql.DB, root, name string) error {
	dir := database.DialectDir(root, d)
	wrote, err := database.Diff(ctx, d, dev, dir, name)
	if err != nil {
		return err
	}
	if wrote {
		fmt.Fprintf(stdout, "%s: wrote a new migration in %s\n", d, dir)
	} else {
		fmt.Fprintf(stdout, "%s: no changes\n", d)
	}
	return nil
}

// createPostgresDev makes an empty database to replay the migrations into,
// and returns a function that drops it.
func createPostgresDev(ctx context.Context, serverURL string) (*sql.DB, func(), error) {
	devURL, drop, err := database.CreatePostgresDatabase(ctx, serverURL, "oopsie_dev", "")
	if err != nil {
		return nil, nil, err
	}
	dev, err := sql.Open("pgx", devURL)
	if err != nil {
		_ = drop(ctx)
		return nil, nil, err
	}
	return dev, func() {
		dev.Close()
		_ = drop(context.WithoutCancel(ctx))
	}, nil
}
