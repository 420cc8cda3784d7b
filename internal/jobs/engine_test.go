package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/jobs"
)

type tickArgs struct{}

func (tickArgs) Kind() string { return "test_tick" }

// tickWorker records which replica ran each tick.
type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	replica string
	mu      *sync.Mutex
	runs    map[string]int
}

func (w *tickWorker) Work(context.Context, *river.Job[tickArgs]) error {
	w.mu.Lock()
	w.runs[w.replica]++
	w.mu.Unlock()
	return nil
}

// Two replicas on one database run a periodic job as one would: River
// elects a leader, and only the leader enqueues periodic jobs.
func TestPeriodicJobsRunOnOneReplicaAtATime(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			periodicOnOneReplica(t, dbtest.Config(t, d, true))
		})
	}
}

func periodicOnOneReplica(t *testing.T, cfg config.Database) {
	const every = 300 * time.Millisecond
	var mu sync.Mutex
	runs := map[string]int{}
	enqueuers := map[string]int{} // ticks each replica enqueued
	var engines []*jobs.Engine
	var db *database.DB
	for _, replica := range []string{"a", "b"} {
		// Each replica opens the database as its own process would.
		own := open(t, cfg)
		if db == nil {
			db = own
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, &tickWorker{replica: replica, mu: &mu, runs: runs})
		e, err := jobs.New(context.Background(), own, jobs.Options{
			Workers: workers,
			Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
			Periodic: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
				// The constructor runs on the replica that enqueues.
				func() (river.JobArgs, *river.InsertOpts) {
					mu.Lock()
					enqueuers[replica]++
					mu.Unlock()
					return tickArgs{}, nil
				},
				&river.PeriodicJobOpts{ID: "tick"})},
			PollInterval: 50 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		engines = append(engines, e)
	}
	// Leader election can take a moment; then ticks accrue. The deadline
	// bounds a hung test; it is not an expected duration.
	const ticks = 3
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		ran := runs["a"] + runs["b"]
		mu.Unlock()
		if ran >= ticks || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, e := range engines {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := e.Stop(ctx); err != nil {
			t.Error(err)
		}
		cancel()
	}
	var enqueued int
	if err := db.SQL.QueryRow("SELECT count(*) FROM river_job WHERE kind = 'test_tick'").Scan(&enqueued); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d ticks enqueued, by replica %v; runs per replica %v", enqueued, enqueuers, runs)
	if enqueued == 0 {
		t.Error("no tick was enqueued")
	}
	// Only the leader enqueues periodic jobs; two leaders would both have.
	if len(enqueuers) != 1 {
		t.Errorf("ticks enqueued by %d replicas %v, want one (the leader)", len(enqueuers), enqueuers)
	}
	if runs["a"]+runs["b"] < ticks {
		t.Errorf("%d ticks ran within a minute, want %d: %v", runs["a"]+runs["b"], ticks, runs)
	}
}

func open(t *testing.T, cfg config.Database) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
