package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/seed"
)

// dev holds commands for development and benchmarks, never for production
// data.
func dev(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "seed" {
		return fmt.Errorf("dev needs seed: %w", errUsage)
	}
	return devSeed(ctx, args[1:], getenv, stdout)
}

func devSeed(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dev seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the usage text is printed by main
	var o seed.Options
	fs.IntVar(&o.Reports, "reports", 1000, "bug reports to insert")
	fs.IntVar(&o.Crashes, "crashes", 1000, "crash reports to insert")
	fs.IntVar(&o.Feedback, "feedback", 200, "pieces of feedback to insert")
	fs.IntVar(&o.Projects, "projects", 3, "projects to create for them")
	fs.Int64Var(&o.Seed, "seed", 1, "the same seed makes the same data")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("dev seed: %v: %w", err, errUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("dev seed: unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	if o.Reports < 0 || o.Crashes < 0 || o.Feedback < 0 || o.Projects < 1 {
		return fmt.Errorf("dev seed: counts must not be negative, and --projects at least 1: %w", errUsage)
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	// As serve would on start-up: seeding an empty database is the point.
	applied, err := db.Migrate(ctx)
	for _, v := range applied {
		fmt.Fprintln(stdout, "applied", v)
	}
	if err != nil {
		return err
	}

	start := time.Now()
	o.Progress = stdout
	if err := seed.Run(ctx, db.Client, o); err != nil {
		return err
	}
	elapsed := time.Since(start)
	rows := o.Reports + o.Crashes + o.Feedback
	fmt.Fprintf(stdout, "seeded %d projects with %d reports, %d crash reports and %d feedback in %s (%.0f rows/s) into %s\n",
		o.Projects, o.Reports, o.Crashes, o.Feedback, elapsed.Round(time.Millisecond), float64(rows)/elapsed.Seconds(), db.Dialect)
	return nil
}
