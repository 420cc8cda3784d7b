package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestMemoryGCRA(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	ctx := context.Background()
	l := PerMinute(100)

	for i := range 100 {
		r, err := m.Allow(ctx, "k", l)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Allowed || r.Remaining != 99-i || r.Limit != 100 {
			t.Fatalf("request %d: %+v, want allowed with %d remaining", i+1, r, 99-i)
		}
		if want := time.Duration(i+1) * 600 * time.Millisecond; r.ResetAfter != want {
			t.Fatalf("request %d: ResetAfter %v, want %v", i+1, r.ResetAfter, want)
		}
	}
	r, err := m.Allow(ctx, "k", l)
	if err != nil {
		t.Fatal(err)
	}
	if r.Allowed || r.Remaining != 0 || r.RetryAfter != 600*time.Millisecond || r.ResetAfter != time.Minute {
		t.Fatalf("request 101: %+v, want refused, retry after 600ms, reset after 1m", r)
	}

	// Another key has its own budget.
	if r, _ := m.Allow(ctx, "other", l); !r.Allowed || r.Remaining != 99 {
		t.Fatalf("other key: %+v", r)
	}

	clock.Advance(599 * time.Millisecond)
	if r, _ := m.Allow(ctx, "k", l); r.Allowed || r.RetryAfter != time.Millisecond {
		t.Fatalf("1ms early: %+v, want refused for 1ms more", r)
	}
	clock.Advance(time.Millisecond)
	if r, _ := m.Allow(ctx, "k", l); !r.Allowed || r.Remaining != 0 || r.RetryAfter != 0 {
		t.Fatalf("after 600ms: %+v, want one allowed", r)
	}
	if r, _ := m.Allow(ctx, "k", l); r.Allowed {
		t.Fatalf("right after the refill: %+v, want refused", r)
	}

	// A full period of quiet restores the whole burst.
	clock.Advance(time.Minute)
	if r, _ := m.Allow(ctx, "k", l); !r.Allowed || r.Remaining != 99 {
		t.Fatalf("after a minute: %+v, want 99 remaining", r)
	}
}

func TestMemoryForgetsIdleKeys(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	ctx := context.Background()
	for i := range 10 * minSweep {
		if _, err := m.Allow(ctx, fmt.Sprint("a", i), PerMinute(10)); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.size(); n != 10*minSweep {
		t.Fatalf("size %d, want every live key kept (%d)", n, 10*minSweep)
	}
	// Every key above is back to a full budget after 6s (one request of
	// 10/min), so the next sweep, due when the table has doubled, drops them all.
	clock.Advance(6 * time.Second)
	fresh := 8 * minSweep
	for i := range fresh {
		if _, err := m.Allow(ctx, fmt.Sprint("b", i), PerMinute(10)); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.size(); n != fresh {
		t.Fatalf("size %d after the old keys expired, want only the %d fresh ones", n, fresh)
	}
	// A forgotten key starts afresh, as it would have anyway.
	if r, _ := m.Allow(ctx, "a0", PerMinute(10)); !r.Allowed || r.Remaining != 9 {
		t.Fatalf("forgotten key: %+v", r)
	}
}

func TestMemoryCap(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	m.maxKeys = 100
	for i := range 1000 {
		if _, err := m.Allow(context.Background(), fmt.Sprint(i), PerMinute(10)); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.size(); n > 100 {
		t.Fatalf("size %d, want at most the cap of 100", n)
	}
}

func TestInvalidLimit(t *testing.T) {
	t.Parallel()
	for _, l := range []Limit{{}, {Rate: 0, Period: time.Minute}, {Rate: 5, Period: 0}, {Rate: -1, Period: time.Minute}} {
		if _, err := NewMemory(nil).Allow(context.Background(), "k", l); err == nil {
			t.Errorf("%+v: no error", l)
		}
	}
}

// testRedis returns a client of the test Redis and a key prefix of the test's
// own, so parallel tests never share budgets. Without a server the test is
// skipped, except under CI, where it fails: CI must not pass by skipping.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("OOPSIE_TEST_REDIS_URL")
	if url == "" {
		unavailable(t, fmt.Errorf("OOPSIE_TEST_REDIS_URL is not set"))
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("OOPSIE_TEST_REDIS_URL: %v", err)
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		unavailable(t, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "oopsie-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		keys, err := client.Keys(ctx, "rate:"+prefix+"*").Result()
		if err == nil && len(keys) > 0 {
			client.Del(ctx, keys...)
		}
	})
	return client, prefix
}

func unavailable(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("Redis is required under CI: %v", err)
	}
	t.Skipf("Redis unavailable, skipping: %v", err)
}

// slow is a limit whose refill (one request every 12 minutes) cannot show
// within a test, however slow the machine: counts are exact.
var slow = Limit{Rate: 5, Period: time.Hour}

func TestRedisGCRA(t *testing.T) {
	t.Parallel()
	client, prefix := testRedis(t)
	r := NewRedis(client, prefix)
	ctx := context.Background()
	for i := range slow.Rate {
		res, err := r.Allow(ctx, "k", slow)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Allowed || res.Remaining != slow.Rate-1-i || res.Limit != slow.Rate || res.RetryAfter != 0 || res.ResetAfter <= 0 {
			t.Fatalf("request %d: %+v, want allowed with %d remaining", i+1, res, slow.Rate-1-i)
		}
	}
	res, err := r.Allow(ctx, "k", slow)
	if err != nil {
		t.Fatal(err)
	}
	if res.Allowed || res.Remaining != 0 || res.RetryAfter <= 0 || res.RetryAfter > 12*time.Minute || res.ResetAfter <= 0 {
		t.Fatalf("request %d: %+v, want refused with a retry delay", slow.Rate+1, res)
	}
	if res, _ := r.Allow(ctx, "other", slow); !res.Allowed || res.Remaining != slow.Rate-1 {
		t.Fatalf("other key: %+v", res)
	}
}

func TestRedisSharedAcrossReplicas(t *testing.T) {
	t.Parallel()
	client, prefix := testRedis(t)
	other := redis.NewClient(client.Options())
	t.Cleanup(func() { other.Close() })
	replicas := []Limiter{NewRedis(client, prefix), NewRedis(other, prefix)}
	ctx := context.Background()
	allowed := 0
	for i := range 2 * slow.Rate {
		res, err := replicas[i%2].Allow(ctx, "k", slow)
		if err != nil {
			t.Fatal(err)
		}
		if res.Allowed {
			allowed++
		}
	}
	if allowed != slow.Rate {
		t.Fatalf("two replicas allowed %d requests, want the one budget of %d", allowed, slow.Rate)
	}
}

func TestRedisPrefixesSeparateBudgets(t *testing.T) {
	t.Parallel()
	client, prefix := testRedis(t)
	a, b := NewRedis(client, prefix+"a:"), NewRedis(client, prefix+"b:")
	ctx := context.Background()
	for range slow.Rate {
		if res, err := a.Allow(ctx, "k", slow); err != nil || !res.Allowed {
			t.Fatalf("a: %+v %v", res, err)
		}
	}
	if res, err := b.Allow(ctx, "k", slow); err != nil || !res.Allowed || res.Remaining != slow.Rate-1 {
		t.Fatalf("b: %+v %v, want a fresh budget", res, err)
	}
}

func TestRedisError(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1; the error must reach the caller, who fails open.
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { client.Close() })
	if _, err := NewRedis(client, "x:").Allow(context.Background(), "k", slow); err == nil {
		t.Fatal("no error without a server")
	}
}

func TestWriteHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    Result
		want map[string]string
	}{
		{"allowed", Result{Allowed: true, Limit: 100, Remaining: 42, ResetAfter: 34800 * time.Millisecond},
			map[string]string{"RateLimit-Limit": "100", "RateLimit-Remaining": "42", "RateLimit-Reset": "35", "Retry-After": ""}},
		{"full budget", Result{Allowed: true, Limit: 100, Remaining: 99},
			map[string]string{"RateLimit-Reset": "0", "Retry-After": ""}},
		{"refused", Result{Limit: 100, RetryAfter: 600 * time.Millisecond, ResetAfter: time.Minute},
			map[string]string{"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "60", "Retry-After": "1"}},
		{"refused whole seconds", Result{Limit: 5, RetryAfter: 12 * time.Second, ResetAfter: time.Hour},
			map[string]string{"Retry-After": "12", "RateLimit-Reset": "3600"}},
		{"refused without a delay still waits a second", Result{Limit: 5},
			map[string]string{"Retry-After": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			WriteHeaders(w, tt.r)
			for h, want := range tt.want {
				if got := w.Header().Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
		})
	}
}
