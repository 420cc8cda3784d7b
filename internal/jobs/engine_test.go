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
				func() (river.JobArgs, *river.InsertOpts) { return tickArgs{}, nil },
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
	// Leader election can take a moment; then ticks accrue.
	const window = 4 * time.Second
	time.Sleep(window)
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
	// One leader enqueues at most window/every ticks; two would enqueue
	// about twice that.
	if max := int(window/every) + 1; enqueued == 0 || enqueued > max {
		t.Errorf("%d ticks enqueued in %s every %s by two replicas, want 1..%d (one leader)", enqueued, window, every, max)
	}
	t.Logf("%d ticks enqueued, runs per replica %v", enqueued, runs)
	if runs["a"]+runs["b"] == 0 {
		t.Errorf("no tick ran: %v", runs)
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
