// Package ratelimit limits how often a key (a public key, a client IP, a
// project) may act, with GCRA: a budget of Rate requests that refills
// evenly over Period, so a client that used its burst gets one more request
// every Period/Rate rather than waiting for a window to roll over.
//
// Two implementations share one interface: Memory for a single process, and
// Redis, which shares budgets between replicas.
//
// Allow reports a failure of the store (Redis down) as an error and leaves
// the decision to the caller. Ingest fails open: it lets the request
// through and logs, because an outage of Redis must never lose a bug report
// or crash; going unlimited for the length of the outage is the lesser harm.
package ratelimit

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Limit is a budget of Rate requests per Period. The burst equals Rate: a
// client that was idle may send Rate requests at once.
type Limit struct {
	Rate   int
	Period time.Duration
}

// PerMinute is a budget of n requests a minute.
func PerMinute(n int) Limit { return Limit{Rate: n, Period: time.Minute} }

func (l Limit) valid() error {
	if l.Rate <= 0 || l.Period <= 0 {
		return errors.New("ratelimit: limit needs a positive rate and period")
	}
	return nil
}

// Result is the outcome of one Allow.
type Result struct {
	Allowed bool
	// Limit is the budget's size (the limit's Rate).
	Limit int
	// Remaining is how many more requests would be allowed right now.
	Remaining int
	// RetryAfter is how long until the next request is allowed; zero when
	// this one was.
	RetryAfter time.Duration
	// ResetAfter is how long until the whole budget is available again.
	ResetAfter time.Duration
}

// Limiter decides whether one more request under key fits the limit, and
// counts it when it does.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit) (Result, error)
}

// WriteHeaders sets the RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset headers of the IETF draft, and Retry-After when r was
// refused. Durations are whole seconds rounded up: rounding down would
// tell clients to come back before they may.
func WriteHeaders(w http.ResponseWriter, r Result) {
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(r.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(r.Remaining, 0)))
	h.Set("RateLimit-Reset", strconv.FormatInt(ceilSeconds(r.ResetAfter), 10))
	if !r.Allowed {
		// "Retry-After: 0" would invite an immediate retry that is refused again.
		h.Set("Retry-After", strconv.FormatInt(max(ceilSeconds(r.RetryAfter), 1), 10))
	}
}

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Seconds()))
}
