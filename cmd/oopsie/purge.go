package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/retention"
	"github.com/yoanbernabeu/oopsie/internal/storage"
)

// purge runs one retention pass now, as the server does every hour: with a
// progress bar on a terminal, and a summary either way.
func purge(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // main prints the usage
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("purge takes no arguments: %w", errUsage)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	blobs, err := storage.New(ctx, cfg.Storage)
	if err != nil {
		return fmt.Errorf("attachment storage (STORAGE_*): %w", err)
	}
	db, err := database.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	p := retention.New(db.Client, blobs, cfg.Retention, time.Now)
	var bar func(retention.Counts)
	if logging.IsTerminal(stdout) {
		pending, err := p.Pending(ctx)
		if err != nil {
			return err
		}
		bar = progressBar(stdout, pending.Items())
	}
	done, err := p.Run(ctx, bar)
	if bar != nil {
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "purged %d reports, %d feedback, %d crash reports, %d attachments\n",
		done.Reports, done.Feedback, done.CrashReports, done.Attachments)
	fmt.Fprintf(stdout, "and %d emptied report groups, %d statistics rows, %d webhook deliveries\n",
		done.ReportGroups, done.StatsRows, done.Deliveries)
	return err
}

// progressBar redraws one line in place as items are deleted.
func progressBar(w io.Writer, total int) func(retention.Counts) {
	return func(c retention.Counts) {
		n := min(c.Items(), total)
		pct := 100
		if total > 0 {
			pct = n * 100 / total
		}
		fmt.Fprintf(w, "\r%s %3d%%  %d/%d items   ", logging.Bar(pct), pct, n, total)
	}
}
