package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock for tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestMemoryLimiterSlidingWindow(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	l := NewMemoryLimiter(3, time.Minute, clock.Now)

	for i := range 3 {
		if _, ok := l.Allow("a"); !ok {
			t.Fatalf("attempt %d refused before the limit", i+1)
		}
		l.Fail("a")
		clock.Advance(10 * time.Second)
	}
	// Failures at 0s, 10s, 20s; now 30s: the first leaves the window at 60s.
	retry, ok := l.Allow("a")
	if ok || retry != 30*time.Second {
		t.Fatalf("after 3 failures: Allow = (%v, %v), want (30s, false)", retry, ok)
	}
	if _, ok := l.Allow("b"); !ok {
		t.Fatal("another key is limited")
	}
	clock.Advance(30 * time.Second) // 60s: the failure at 0s has left the window
	if _, ok := l.Allow("a"); !ok {
		t.Fatal("still limited once the oldest failure left the window")
	}
	l.Fail("a") // failures at 10s, 20s, 60s
	retry, ok = l.Allow("a")
	if ok || retry != 10*time.Second {
		t.Fatalf("sliding window: Allow = (%v, %v), want (10s, false)", retry, ok)
	}
	l.Reset("a")
	if _, ok := l.Allow("a"); !ok {
		t.Fatal("limited after Reset")
	}
}

func TestMemoryLimiterForgetsOldKeys(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	l := NewMemoryLimiter(5, time.Minute, clock.Now)
	for i := range 1000 {
		l.Fail(fmt.Sprintf("user%d|ip", i))
	}
	if l.Len() != 1000 {
		t.Fatalf("Len = %d, want 1000", l.Len())
	}
	clock.Advance(time.Minute + time.Second)
	l.Allow("someone")
	if l.Len() != 0 {
		t.Fatalf("Len after the window = %d, want 0: expired keys are kept", l.Len())
	}
}

func TestMemoryLimiterKeepsOnlyMaxFailures(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	l := NewMemoryLimiter(2, time.Minute, clock.Now)
	for range 100 {
		l.Fail("k")
	}
	l.mu.Lock()
	n := len(l.failures["k"])
	l.mu.Unlock()
	if n != 2 {
		t.Fatalf("stored %d failures for one key, want 2", n)
	}
}
