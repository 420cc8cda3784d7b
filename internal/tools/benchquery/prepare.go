package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/seed"
	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

// teammates are the users created besides the admin, so that seeded reports
// and crash groups have assignees of several people, as on a real team.
const teammates = 4

// prepare makes the database at dbURL ready to measure: migrated, with the
// admin and teammates (created through the server's API, before the seed,
// which assigns work to the users it finds), seeded when it holds no rows
// yet, and vacuumed and analyzed so that the plans are those of a settled
// database.
func prepare(ctx context.Context, o options, dbURL string, start func() (*benchkit.Server, error), stdout io.Writer) error {
	db, err := database.Open(ctx, config.Database{Dialect: config.DialectPostgres, URL: dbURL})
	if err != nil {
		return fmt.Errorf("open the database: %w", err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	var users int
	var seeded bool
	err = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM users),
		EXISTS (SELECT FROM reports) OR EXISTS (SELECT FROM crash_reports) OR EXISTS (SELECT FROM feedback)`).Scan(&users, &seeded)
	if err != nil {
		return fmt.Errorf("inspect the database: %w", err)
	}
	if users == 0 {
		if err := createUsers(ctx, start); err != nil {
			return err
		}
	}

	if seeded {
		var reports, crashes, feedback int
		err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM crash_reports),
			(SELECT count(*) FROM feedback)`).Scan(&reports, &crashes, &feedback)
		if err != nil {
			return fmt.Errorf("count the rows: %w", err)
		}
		fmt.Fprintf(stdout, "the database holds %s reports, %s crash reports and %s feedback already: not seeding it\n",
			benchkit.Thousands(float64(reports)), benchkit.Thousands(float64(crashes)), benchkit.Thousands(float64(feedback)))
	} else {
		fmt.Fprintf(stdout, "seeding %s reports, %s crash reports and %s feedback into %d projects…\n",
			benchkit.Thousands(float64(o.reports)), benchkit.Thousands(float64(o.crashes)), benchkit.Thousands(float64(o.feedback)), o.projects)
		began := time.Now()
		err := seed.Run(ctx, db.Client, seed.Options{
			Projects: o.projects, Reports: o.reports, Crashes: o.crashes, Feedback: o.feedback,
			Progress: stdout, Seed: o.seed,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "seeded in %s\n", time.Since(began).Round(time.Second))
	}

	fmt.Fprintln(stdout, "VACUUM ANALYZE…")
	began := time.Now()
	// VACUUM cannot run in a transaction, which the extended protocol's
	// implicit one is.
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE", pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("VACUUM ANALYZE: %w", err)
	}
	fmt.Fprintf(stdout, "vacuumed and analyzed in %s\n", time.Since(began).Round(100*time.Millisecond))
	return nil
}

// createUsers starts the server on the empty database, runs its setup
// wizard (the admin the benchmark signs in as) and creates the teammates.
func createUsers(ctx context.Context, start func() (*benchkit.Server, error)) (err error) {
	srv, err := start()
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := srv.Stop(); err == nil {
			err = stopErr
		}
	}()
	client := benchkit.NewClient(1, requestTimeout)
	defer client.CloseIdleConnections()
	token, err := benchkit.SetUpAdmin(ctx, client, srv.URL)
	if err != nil {
		return err
	}
	for i := range teammates {
		var created struct{ CreateUser struct{ ID string } }
		err := benchkit.GraphQL(ctx, client, srv.URL, token,
			`mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`,
			map[string]any{"in": map[string]any{
				"email":    fmt.Sprintf("teammate%d@example.com", i+1),
				"password": benchkit.AdminPassword,
				"name":     fmt.Sprintf("Teammate %d", i+1),
			}}, &created)
		if err != nil {
			return fmt.Errorf("createUser: %w", err)
		}
	}
	return nil
}

// project is the project measured.
type project struct {
	id, name string
	crashes  int
}

// largestProject is the project with the most crash reports.
func largestProject(ctx context.Context, pool *pgxpool.Pool) (project, error) {
	var p project
	err := pool.QueryRow(ctx, `SELECT p.id, p.name, (SELECT count(*) FROM crash_reports c WHERE c.project_id = p.id) AS n
		FROM projects p ORDER BY n DESC, p.id LIMIT 1`).Scan(&p.id, &p.name, &p.crashes)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, errors.New("the database has no project to measure")
	}
	if err != nil {
		return p, fmt.Errorf("find the largest project: %w", err)
	}
	return p, nil
}
