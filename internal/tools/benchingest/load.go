package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

// requestTimeout bounds one request, so a stuck server cannot hang the run.
const requestTimeout = 30 * time.Second

// result is what one phase measured.
type result struct {
	name     string
	sent     int             // requests started
	ok       int             // requests that succeeded
	errors   int             // requests that failed
	elapsed  time.Duration   // from the first send to the last answer
	lats     []time.Duration // latencies of the successful requests
	firstErr string

	// CPUs kept busy meanwhile by the load generator (or the baseline's
	// pgx loop) and by the server, and left idle on the machine, formatted;
	// "-" when unknown.
	clientCPU, serverCPU, idleCPU string
}

func (r result) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

func (r result) errorRate() float64 {
	if r.sent == 0 {
		return 0
	}
	return float64(r.errors) / float64(r.sent)
}

// percentile is the q-quantile (0 < q ≤ 1) of the successful latencies.
func (r result) percentile(q float64) time.Duration {
	return benchkit.Percentile(r.lats, q)
}

// recorder collects a phase's samples from concurrent workers.
type recorder struct {
	lats     []time.Duration // indexed by request; -1 for a failure
	errors   atomic.Int64
	mu       sync.Mutex
	firstErr string
}

func newRecorder(n int) *recorder { return &recorder{lats: make([]time.Duration, n)} }

func (rec *recorder) record(i int, lat time.Duration, err error) {
	if err == nil {
		rec.lats[i] = lat
		return
	}
	rec.lats[i] = -1
	rec.errors.Add(1)
	rec.mu.Lock()
	if rec.firstErr == "" {
		rec.firstErr = err.Error()
	}
	rec.mu.Unlock()
}

func (rec *recorder) result(name string, sent int, elapsed time.Duration) result {
	r := result{name: name, sent: sent, elapsed: elapsed, firstErr: rec.firstErr}
	r.lats = make([]time.Duration, 0, sent)
	for _, l := range rec.lats[:sent] {
		if l >= 0 {
			r.lats = append(r.lats, l)
		}
	}
	slices.Sort(r.lats)
	r.ok = len(r.lats)
	r.errors = sent - r.ok
	return r
}

// closedLoop runs do for 0..n-1 on c workers, each starting its next request
// as soon as the previous one is answered.
func closedLoop(ctx context.Context, name string, n, c int, do func(ctx context.Context, i int) error) (result, error) {
	rec := newRecorder(n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t := time.Now()
				err := do(ctx, i)
				rec.record(i, time.Since(t), err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	return rec.result(name, n, elapsed), nil
}

// openLoop starts do for 0..n-1 on a schedule of one every interval, each in
// its own goroutine so that a slow answer never delays the next send, and
// measures each latency from the request's scheduled time: a send the load
// generator itself made late counts as latency (no coordinated omission).
func openLoop(ctx context.Context, name string, n int, interval time.Duration, do func(ctx context.Context, i int) error) (result, error) {
	rec := newRecorder(n)
	var wg sync.WaitGroup
	var lastDone atomic.Int64 // UnixNano of the last answer
	tick := min(interval, time.Millisecond)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	start := time.Now()
	sent := 0
loop:
	for sent < n {
		select {
		case <-ctx.Done():
			break loop
		case now := <-ticker.C:
			// Ticks the runtime dropped are caught up here: everything due is sent.
			for sent < n {
				scheduled := start.Add(time.Duration(sent) * interval)
				if scheduled.After(now) {
					break
				}
				i := sent
				wg.Go(func() {
					err := do(ctx, i)
					done := time.Now()
					rec.record(i, done.Sub(scheduled), err)
					for {
						last := lastDone.Load()
						if done.UnixNano() <= last || lastDone.CompareAndSwap(last, done.UnixNano()) {
							break
						}
					}
				})
				sent++
			}
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	return rec.result(name, n, time.Unix(0, lastDone.Load()).Sub(start)), nil
}

// newClient is an HTTP client that keeps up to conns connections open to the
// server, so the load does not pay for new connections.
func newClient(conns int) *http.Client { return benchkit.NewClient(conns, requestTimeout) }

// target is where the ingest requests go.
type target struct {
	client    *http.Client
	reportURL string // POST /api/v1/reports
	crashURL  string // POST /sdk/{slug}/crashes
	key       string
}

// statusError is an answer other than 201.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

// send posts one payload and succeeds only on 201 Created.
func (t target) send(ctx context.Context, p payload) error {
	url, header := t.reportURL, "X-Oopsie-Key"
	if p.kind == kindCrash {
		url, header = t.crashURL, "X-API-Key"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(p.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(header, t.key)
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return &statusError{status: resp.StatusCode, body: string(bytes.TrimSpace(b))}
	}
	// Read to the end, so the connection goes back to the pool.
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// sendAll returns the do function of a loop over ps.
func (t target) sendAll(ps []payload) func(ctx context.Context, i int) error {
	return func(ctx context.Context, i int) error { return t.send(ctx, ps[i]) }
}

// check sends one report and one crash and fails unless both are accepted,
// so a server that cannot ingest is told apart from a slow one.
func (t target) check(ctx context.Context, g *generator) error {
	for _, p := range g.mix(2) {
		if err := t.send(ctx, p); err != nil {
			what := "POST /api/v1/reports"
			if p.kind == kindCrash {
				what = "POST /sdk/{slug}/crashes"
			}
			var se *statusError
			if errors.As(err, &se) {
				return fmt.Errorf("the server does not accept ingests: %s answered %w", what, err)
			}
			return fmt.Errorf("the server does not accept ingests: %s: %w", what, err)
		}
	}
	return nil
}
