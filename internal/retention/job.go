package retention

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// PurgeArgs is the periodic purge job.
type PurgeArgs struct{}

// Kind names the job in River's table.
func (PurgeArgs) Kind() string { return "retention_purge" }

// Every is how often the server purges.
const Every = time.Hour

// Periodic schedules the purge hourly, and once when a replica becomes the
// leader (River runs periodic jobs on one replica at a time).
func Periodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(Every),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
		&river.PeriodicJobOpts{ID: "retention_purge", RunOnStart: true})
}

// Worker runs the purge as a job.
type Worker struct {
	river.WorkerDefaults[PurgeArgs]
	purger *Purger
	logger *slog.Logger
}

// NewWorker returns the job's worker.
func NewWorker(p *Purger, logger *slog.Logger) *Worker { return &Worker{purger: p, logger: logger} }

// Timeout bounds one run; a large backlog (the first purge after retention
// was shortened) goes on at the next run, batches being independent.
func (w *Worker) Timeout(*river.Job[PurgeArgs]) time.Duration { return 10 * time.Minute }

// Work purges once and logs what it deleted.
func (w *Worker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	c, err := w.purger.Run(ctx, nil)
	w.logger.Info("retention purge",
		"reports", c.Reports, "feedback", c.Feedback, "crash_reports", c.CrashReports,
		"attachments", c.Attachments, "report_groups", c.ReportGroups,
		"stats_rows", c.StatsRows, "webhook_deliveries", c.Deliveries, "complete", err == nil)
	return err
}
