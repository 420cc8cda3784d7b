package keys

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/projects"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	// Whole seconds, so the time survives a database round trip exactly.
	return &fakeClock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
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

func sys() context.Context { return viewer.SystemContext(context.Background(), "test") }

func createProject(t *testing.T, c *ent.Client, slug string, domains []string, rateLimit *int) *ent.Project {
	t.Helper()
	p, err := c.Project.Create().
		SetName(slug).
		SetSlug(slug).
		SetAllowedDomains(domains).
		SetNillableRateLimitPerMinute(rateLimit).
		Save(sys())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func createKey(t *testing.T, c *ent.Client, p *ent.Project, text string) *ent.PublicKey {
	t.Helper()
	if text == "" {
		text = projects.NewPublicKey(p.Slug)
	}
	k, err := c.PublicKey.Create().SetProjectID(p.ID).SetName("test").SetKey(text).Save(sys())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// countQueries counts the public key queries that reach the database.
func countQueries(c *ent.Client) *atomic.Int64 {
	var n atomic.Int64
	c.PublicKey.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			n.Add(1)
			return next.Query(ctx, q)
		})
	}))
	return &n
}

func wantUnauthenticated(t *testing.T, err error) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.Unauthenticated || ae.Message != "unknown or revoked API key" {
		t.Fatalf("error %v, want Unauthenticated \"unknown or revoked API key\"", err)
	}
}

func TestResolveCachesUntilTTL(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		c := db.Client
		limit := 500
		p := createProject(t, c, "shop", []string{"shop.example.com", "*.shop.test"}, &limit)
		k := createKey(t, c, p, "")
		plain := createProject(t, c, "plain", nil, nil)
		pk := createKey(t, c, plain, "")
		queries := countQueries(c)
		clock := newFakeClock()
		r := New(c, Options{Now: clock.Now})

		got, err := r.Resolve(ctx, k.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != k.ID || got.ProjectID != p.ID || got.ProjectSlug != "shop" || got.RateLimitPerMinute != 500 ||
			len(got.AllowedDomains) != 2 || got.AllowedDomains[0] != "shop.example.com" || got.AllowedDomains[1] != "*.shop.test" {
			t.Fatalf("resolved %+v", got)
		}
		got.AllowedDomains[0] = "evil.org" // a caller's copy is its own
		if got, err := r.Resolve(ctx, pk.Key); err != nil || got.RateLimitPerMinute != 0 || got.ProjectSlug != "plain" || len(got.AllowedDomains) != 0 {
			t.Fatalf("project without overrides: %+v, %v", got, err)
		}
		if n := queries.Load(); n != 2 {
			t.Fatalf("%d queries for two keys", n)
		}

		if _, err := projects.New(c).RevokePublicKey(sys(), k.ID); err != nil {
			t.Fatal(err)
		}
		queries.Store(2) // the revocation's own reads do not count
		clock.Advance(defaultTTL - time.Nanosecond)
		got, err = r.Resolve(ctx, k.Key)
		if err != nil || got.ID != k.ID || got.AllowedDomains[0] != "shop.example.com" {
			t.Fatalf("within the TTL, the cached key: %+v, %v", got, err)
		}
		if n := queries.Load(); n != 2 {
			t.Fatalf("%d queries, want the cache to answer", n)
		}

		clock.Advance(time.Nanosecond)
		_, err = r.Resolve(ctx, k.Key)
		wantUnauthenticated(t, err)
		if _, err := r.Resolve(ctx, pk.Key); err != nil {
			t.Fatalf("the unrevoked key after the TTL: %v", err)
		}
		if n := queries.Load(); n != 4 {
			t.Fatalf("%d queries, want both keys read again after the TTL", n)
		}
	})
}

func TestResolveUnknownKeyIsNegativelyCached(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		c := db.Client
		p := createProject(t, c, "app", nil, nil)
		queries := countQueries(c)
		clock := newFakeClock()
		r := New(c, Options{Now: clock.Now, TTL: time.Minute})
		text := "pk_app_0123456789abcdef"

		_, err := r.Resolve(ctx, text)
		wantUnauthenticated(t, err)

		// The key now exists, but the refusal is cached for the TTL.
		createKey(t, c, p, text)
		clock.Advance(time.Minute - time.Nanosecond)
		for range 10 {
			_, err = r.Resolve(ctx, text)
			wantUnauthenticated(t, err)
		}
		if n := queries.Load(); n != 1 {
			t.Fatalf("%d queries, want one", n)
		}
		clock.Advance(time.Nanosecond)
		if got, err := r.Resolve(ctx, text); err != nil || got.ProjectID != p.ID {
			t.Fatalf("after the TTL: %+v, %v", got, err)
		}
	})
}

func TestResolveRefusesMalformedKeysWithoutQuery(t *testing.T) {
	t.Parallel()
	// A nil client: any database read would panic.
	r := New(nil, Options{})
	for _, k := range []string{
		"",
		"pk_",
		"pk_app",
		"pk_app_",
		"pk_app_0123456789abcde",   // 15 hex digits
		"pk_app_0123456789abcdef0", // 17
		"pk_app_0123456789ABCDEF",  // upper case hex
		"pk_app_0123456789abcdeg",
		"pk_App_0123456789abcdef",
		"pk__0123456789abcdef",
		"pk_-app_0123456789abcdef",
		"pk_app-_0123456789abcdef",
		"pk_a--b_0123456789abcdef",
		"pk_a_b_0123456789abcdef",
		"uk_live_0123456789abcdef",
		"PK_app_0123456789abcdef",
		" pk_app_0123456789abcdef",
		"pk_app_0123456789abcdef\n",
		"pk_app_0123456789abcdef' OR 1=1 --",
		"pk_" + string(make([]byte, 100)) + "_0123456789abcdef",
		"pk_" + fmt.Sprintf("%065d", 0) + "_0123456789abcdef", // slug over 64
	} {
		_, err := r.Resolve(context.Background(), k)
		wantUnauthenticated(t, err)
	}
}

func TestResolveCoalescesConcurrentMisses(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		c := db.Client
		p := createProject(t, c, "busy", nil, nil)
		k := createKey(t, c, p, "")
		const callers = 20
		var (
			queries atomic.Int64
			missed  sync.WaitGroup
			release = make(chan struct{})
		)
		// Every query waits until all callers have missed the cache, so
		// without coalescing each of them would reach the database.
		c.PublicKey.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
			return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
				queries.Add(1)
				<-release
				return next.Query(ctx, q)
			})
		}))
		r := New(c, Options{Now: newFakeClock().Now})
		missed.Add(callers)
		r.testHookMiss = missed.Done
		errs := make(chan error, callers)
		for range callers {
			go func() {
				got, err := r.Resolve(context.Background(), k.Key)
				if err == nil && got.ID != k.ID {
					err = fmt.Errorf("resolved %+v", got)
				}
				errs <- err
			}()
		}
		missed.Wait()
		close(release)
		for range callers {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if n := queries.Load(); n != 1 {
			t.Fatalf("%d queries for %d concurrent misses, want 1", n, callers)
		}
	})
}

func TestResolveCallerCancellationSparesOthers(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, dialect.SQLite)
	c := db.Client
	k := createKey(t, c, createProject(t, c, "app", nil, nil), "")
	var (
		queries atomic.Int64
		entered = make(chan struct{}, 1)
		release = make(chan struct{})
	)
	c.PublicKey.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			queries.Add(1)
			entered <- struct{}{}
			<-release
			return next.Query(ctx, q)
		})
	}))
	r := New(c, Options{Now: newFakeClock().Now})
	resolve := func(ctx context.Context) <-chan error {
		ch := make(chan error, 1)
		go func() {
			_, err := r.Resolve(ctx, k.Key)
			ch <- err
		}()
		return ch
	}

	// The first caller starts the read; the second misses while it runs.
	ctx, cancel := context.WithCancel(context.Background())
	first := resolve(ctx)
	<-entered
	missed := make(chan struct{})
	r.testHookMiss = func() { close(missed) }
	second := resolve(context.Background())
	<-missed

	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	close(release)
	if err := <-second; err != nil {
		t.Fatalf("other caller: %v", err)
	}
	if n := queries.Load(); n != 1 {
		t.Fatalf("%d queries, want the one read to survive its first caller's cancellation", n)
	}
}

func TestCacheIsBounded(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, dialect.SQLite)
	clock := newFakeClock()
	r := New(db.Client, Options{Now: clock.Now})
	r.maxEntries = 16
	for i := range 100 {
		_, err := r.Resolve(context.Background(), fmt.Sprintf("pk_app_%016x", i))
		wantUnauthenticated(t, err)
		if n := len(r.cache); n > r.maxEntries {
			t.Fatalf("cache holds %d entries, over its bound of %d", n, r.maxEntries)
		}
	}
	// Expired entries go first.
	clock.Advance(defaultTTL)
	if _, err := r.Resolve(context.Background(), "pk_app_ffffffffffffffff"); err == nil {
		t.Fatal("unknown key resolved")
	}
	if n := len(r.cache); n != 1 {
		t.Fatalf("cache holds %d entries, want only the live one", n)
	}
}

func lastUsed(t *testing.T, c *ent.Client, id string) *time.Time {
	t.Helper()
	k, err := c.PublicKey.Get(sys(), id)
	if err != nil {
		t.Fatal(err)
	}
	return k.LastUsedAt
}

func TestTouchAndFlush(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		c := db.Client
		p := createProject(t, c, "app", nil, nil)
		a, b, idle := createKey(t, c, p, ""), createKey(t, c, p, ""), createKey(t, c, p, "")
		var updates atomic.Int64
		c.PublicKey.Use(func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				updates.Add(1)
				return next.Mutate(ctx, m)
			})
		})
		clock := newFakeClock()
		r := New(c, Options{Now: clock.Now})

		var wg sync.WaitGroup
		for i := range 1000 {
			wg.Go(func() {
				if i%2 == 0 {
					r.Touch(a.ID)
				} else {
					r.Touch(b.ID)
				}
			})
		}
		wg.Wait()
		if lastUsed(t, c, a.ID) != nil {
			t.Fatal("Touch wrote to the database")
		}
		if err := r.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := updates.Load(); n != 1 {
			t.Fatalf("%d writes for 1,000 uses, want one", n)
		}
		for _, k := range []*ent.PublicKey{a, b} {
			if got := lastUsed(t, c, k.ID); got == nil || !got.Equal(clock.Now()) {
				t.Errorf("key %s last used %v, want %v", k.ID, got, clock.Now())
			}
		}
		if got := lastUsed(t, c, idle.ID); got != nil {
			t.Errorf("untouched key last used %v", got)
		}

		// Nothing touched since: no write at all.
		clock.Advance(time.Minute)
		if err := r.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := updates.Load(); n != 1 {
			t.Fatalf("%d writes, want none for an empty flush", n)
		}
		if got := lastUsed(t, c, a.ID); !got.Equal(clock.Now().Add(-time.Minute)) {
			t.Errorf("an empty flush moved lastUsedAt to %v", got)
		}
	})
}

func TestFlushFailureKeepsUses(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, dialect.SQLite)
	c := db.Client
	k := createKey(t, c, createProject(t, c, "app", nil, nil), "")
	fail := true
	c.PublicKey.Use(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if fail {
				return nil, errors.New("database down")
			}
			return next.Mutate(ctx, m)
		})
	})
	clock := newFakeClock()
	r := New(c, Options{Now: clock.Now})
	r.Touch(k.ID)
	if err := r.Flush(context.Background()); err == nil {
		t.Fatal("no error from a failed flush")
	}
	fail = false
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(t, c, k.ID); got == nil || !got.Equal(clock.Now()) {
		t.Fatalf("last used %v after the retry, want %v", got, clock.Now())
	}
}

func TestRunFlushesOnShutdown(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		c := db.Client
		k := createKey(t, c, createProject(t, c, "app", nil, nil), "")
		clock := newFakeClock()
		// No tick can come within the test: only the final flush writes.
		r := New(c, Options{Now: clock.Now, FlushInterval: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			r.Run(ctx)
			close(done)
		}()
		r.Touch(k.ID)
		cancel()
		<-done
		if got := lastUsed(t, c, k.ID); got == nil || !got.Equal(clock.Now()) {
			t.Fatalf("last used %v after shutdown, want %v", got, clock.Now())
		}
	})
}

func TestRevokedKeyLooksUnknown(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		c := db.Client
		k := createKey(t, c, createProject(t, c, "app", nil, nil), "")
		if err := c.PublicKey.UpdateOneID(k.ID).SetRevokedAt(time.Now()).Exec(sys()); err != nil {
			t.Fatal(err)
		}
		_, err := New(c, Options{}).Resolve(context.Background(), k.Key)
		wantUnauthenticated(t, err)
	})
}
