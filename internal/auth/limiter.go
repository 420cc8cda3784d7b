package auth

import (
	"sync"
	"time"
)

// LoginLimiter counts failed sign-ins per key (an email and an IP) to stop
// password guessing. Implementations must be safe for concurrent use.
type LoginLimiter interface {
	// Allow reports whether key may try now, and if not, how long to wait.
	Allow(key string) (retryAfter time.Duration, ok bool)
	// Fail records a failed attempt.
	Fail(key string)
	// Reset forgets the key's failures, after a successful sign-in.
	Reset(key string)
}

// MemoryLimiter is a LoginLimiter for one process: at most max failures per
// key within a sliding window.
type MemoryLimiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	failures  map[string][]time.Time // oldest first, at most max entries
	lastSweep time.Time
}

// NewMemoryLimiter returns a limiter allowing max failures per key within
// window. A nil now means time.Now.
func NewMemoryLimiter(max int, window time.Duration, now func() time.Time) *MemoryLimiter {
	if now == nil {
		now = time.Now
	}
	if max < 1 {
		max = 1
	}
	return &MemoryLimiter{max: max, window: window, now: now, failures: map[string][]time.Time{}}
}

// Allow implements LoginLimiter.
func (l *MemoryLimiter) Allow(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	f := l.recent(key, now)
	if len(f) < l.max {
		return 0, true
	}
	// The oldest failure that still counts leaves the window first.
	return f[len(f)-l.max].Add(l.window).Sub(now), false
}

// Fail implements LoginLimiter.
func (l *MemoryLimiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	f := append(l.recent(key, now), now)
	// Only the newest max failures can ever decide Allow.
	if len(f) > l.max {
		f = append([]time.Time(nil), f[len(f)-l.max:]...)
	}
	l.failures[key] = f
}

// Reset implements LoginLimiter.
func (l *MemoryLimiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// recent returns the key's failures still inside the window, dropping the
// key when none are.
func (l *MemoryLimiter) recent(key string, now time.Time) []time.Time {
	f := l.failures[key]
	cutoff := now.Add(-l.window)
	i := 0
	for i < len(f) && !f[i].After(cutoff) {
		i++
	}
	if i == len(f) {
		delete(l.failures, key)
		return nil
	}
	return f[i:]
}

// sweep drops keys whose failures have all left the window, at most once a
// window, so memory is bounded by the keys that failed within one window
// and the cost is amortised over the calls.
func (l *MemoryLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	cutoff := now.Add(-l.window)
	for key, f := range l.failures {
		if !f[len(f)-1].After(cutoff) {
			delete(l.failures, key)
		}
	}
}

// Len reports how many keys the limiter holds, for tests and metrics.
func (l *MemoryLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.failures)
}
