// Package accounts manages the people who use the dashboard: the first-run
// setup, signing in, and creating, changing and deleting users.
package accounts

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/auth"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Default login limit: 5 failures per email and IP within a minute.
const (
	loginMaxFailures = 5
	loginWindow      = time.Minute
)

// Service manages accounts.
type Service struct {
	client  *ent.Client
	auth    *auth.Service
	limiter auth.LoginLimiter
	now     func() time.Time
}

// New returns a Service. A nil limiter means an in-process limiter of 5
// failures per email and IP per minute.
func New(client *ent.Client, authService *auth.Service, limiter auth.LoginLimiter) *Service {
	if limiter == nil {
		limiter = auth.NewMemoryLimiter(loginMaxFailures, loginWindow, nil)
	}
	return &Service{client: client, auth: authService, limiter: limiter, now: time.Now}
}

// db is the transaction's client when the caller runs in one (GraphQL
// mutations do), else the service's own.
func (s *Service) db(ctx context.Context) *ent.Client { return dbtx.Client(ctx, s.client) }

// inTx runs fn in the caller's transaction if there is one, else in a new
// one. fn gets a context carrying the transaction, so services it calls
// join it too.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, c *ent.Client) error) error {
	_, err := dbtx.Run(ctx, s.client, fn)
	return err
}

// system is the viewer of lookups made for callers who are not signed in
// yet: setup and login.
func system(ctx context.Context) context.Context { return viewer.SystemContext(ctx, "accounts") }

// dummyHash is verified against when a login names no account, so that an
// unknown email costs as much time as a wrong password and response times
// do not reveal which emails have accounts.
var dummyHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword("oopsie: no such account")
	if err != nil {
		panic(fmt.Sprintf("accounts: hash dummy password: %v", err))
	}
	return h
})

func errEmailTaken(err error) error {
	return &apperr.Error{
		Kind:    apperr.Conflict,
		Message: "a user with this email already exists",
		Fields:  map[string]string{"email": "is already taken"},
		Err:     err,
	}
}

func errUserNotFound() error { return apperr.New(apperr.NotFound, "user not found") }
