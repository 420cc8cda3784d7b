package ratelimit

import (
	"context"
	"sync"
	"time"
)

const (
	// minSweep is the size under which the table is never swept: small
	// tables cost nothing to keep.
	minSweep = 1024
	// maxKeys caps the table even when every entry is live, as under a
	// flood from many addresses. Forgetting a live entry only hands that
	// key a fresh budget, which beats running out of memory.
	maxKeys = 1 << 20
)

// Memory is an in-process GCRA limiter, for a single replica.
//
// Per key it keeps only the theoretical arrival time (TAT): the time at
// which the key's budget is full again. A key whose TAT has passed is in the
// same state as a key never seen, so it is forgotten; the table is swept
// whenever it has doubled since the last sweep, which keeps it within about
// twice the keys active in the last Period at amortised constant cost.
type Memory struct {
	now func() time.Time

	mu        sync.Mutex
	tats      map[string]time.Time
	nextSweep int
	maxKeys   int
}

// NewMemory returns an in-process limiter reading time from now (time.Now
// when nil), which tests replace with a fake clock.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, tats: make(map[string]time.Time), nextSweep: minSweep, maxKeys: maxKeys}
}

// Allow counts one request under key if l allows it. It only fails for an
// invalid limit.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Result, error) {
	if err := l.valid(); err != nil {
		return Result{}, err
	}
	interval := l.Period / time.Duration(l.Rate)
	burst := interval * time.Duration(l.Rate)

	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	tat, ok := m.tats[key]
	if !ok || tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(interval)
	// The request fits when the new TAT is at most one burst ahead of now.
	diff := now.Sub(newTAT.Add(-burst))
	if diff < 0 {
		return Result{Limit: l.Rate, RetryAfter: -diff, ResetAfter: tat.Sub(now)}, nil
	}
	if !ok {
		m.grow(now)
	}
	m.tats[key] = newTAT
	return Result{
		Allowed:    true,
		Limit:      l.Rate,
		Remaining:  int(diff / interval),
		ResetAfter: newTAT.Sub(now),
	}, nil
}

// grow makes room for one more key.
func (m *Memory) grow(now time.Time) {
	if len(m.tats) < m.nextSweep && len(m.tats) < m.maxKeys {
		return
	}
	for k, tat := range m.tats {
		if !tat.After(now) {
			delete(m.tats, k)
		}
	}
	// Map iteration order is random, so this drops arbitrary live keys.
	for k := range m.tats {
		if len(m.tats) < m.maxKeys {
			break
		}
		delete(m.tats, k)
	}
	m.nextSweep = max(2*len(m.tats), minSweep)
}

// size is the number of keys remembered, for tests.
func (m *Memory) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.tats)
}
