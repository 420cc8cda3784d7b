package accounts

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/auth"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
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

type env struct {
	db    *database.DB
	svc   *Service
	auth  *auth.Service
	clock *testClock
}

func newEnv(db *database.DB) *env {
	clock := &testClock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	a := auth.New(db.Client, auth.Config{Secret: []byte("0123456789abcdef0123456789abcdef"), Now: clock.Now})
	return &env{
		db:    db,
		svc:   New(db.Client, a, auth.NewMemoryLimiter(5, time.Minute, clock.Now)),
		auth:  a,
		clock: clock,
	}
}

func sysCtx() context.Context { return viewer.SystemContext(context.Background(), "test") }

func userCtx(id string) context.Context {
	return viewer.NewContext(context.Background(), viewer.ForUser(id))
}

func ptr[T any](v T) *T { return &v }

// setUp runs the setup wizard and returns the first user.
func (e *env) setUp(t *testing.T) *ent.User {
	t.Helper()
	u, _, err := e.svc.Setup(context.Background(), SetupInput{
		Email: "admin@example.com", Password: "first password", Name: "Admin", InstanceName: "Acme",
	}, "test")
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	return u
}

func (e *env) userCount(t *testing.T) int {
	t.Helper()
	n, err := e.db.Client.User.Query().Count(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func wantKind(t *testing.T, err error, kind apperr.Kind) *apperr.Error {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != kind {
		t.Fatalf("got %v (%s), want %s", err, apperr.KindOf(err).Code(), kind.Code())
	}
	return ae
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if ae := wantKind(t, err, apperr.Invalid); ae.Fields[field] == "" {
		t.Fatalf("got %v (fields %v), want an error on %s", err, ae.Fields, field)
	}
}
