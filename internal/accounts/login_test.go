package accounts

import (
	"context"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		admin := e.setUp(t)

		u, tokens, err := e.svc.Login(context.Background(), "  ADMIN@example.com", "first password", "10.0.0.1", "ua")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != admin.ID {
			t.Fatalf("logged in as %s, want %s", u.ID, admin.ID)
		}
		if v, err := e.auth.Authenticate(context.Background(), "Bearer "+tokens.AccessToken); err != nil || v != viewer.ForUser(admin.ID) {
			t.Fatalf("login's access token: %+v, %v", v, err)
		}

		_, _, wrongPassword := e.svc.Login(context.Background(), "admin@example.com", "wrong password", "10.0.0.1", "")
		_, _, unknownEmail := e.svc.Login(context.Background(), "nobody@example.com", "first password", "10.0.0.1", "")
		a := wantKind(t, wrongPassword, apperr.Unauthenticated)
		b := wantKind(t, unknownEmail, apperr.Unauthenticated)
		if a.Message != "invalid email or password" || a.Error() != b.Error() {
			t.Errorf("wrong password %q and unknown email %q must look the same", a.Error(), b.Error())
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		e.setUp(t)
		login := func(email, password, ip string) error {
			_, _, err := e.svc.Login(context.Background(), email, password, ip, "")
			return err
		}

		for i := range 5 {
			e.clock.Advance(time.Second)
			// Case variants of one email share the limit.
			email := []string{"admin@example.com", "ADMIN@example.com", "Admin@Example.com"}[i%3]
			wantKind(t, login(email, "wrong password", "10.0.0.1"), apperr.Unauthenticated)
		}
		// The 6th attempt is refused, even with the right password.
		ae := wantKind(t, login("admin@example.com", "first password", "10.0.0.1"), apperr.RateLimited)
		// First failure at +1s, now +5s: it leaves the window at +61s.
		if ae.RetryAfter != 56*time.Second {
			t.Errorf("RetryAfter = %v, want 56s", ae.RetryAfter)
		}
		// Another IP, or another email from this IP, is not limited.
		if err := login("admin@example.com", "first password", "10.0.0.2"); err != nil {
			t.Fatalf("another IP is limited: %v", err)
		}
		wantKind(t, login("other@example.com", "x", "10.0.0.1"), apperr.Unauthenticated)

		e.clock.Advance(56 * time.Second)
		if err := login("admin@example.com", "first password", "10.0.0.1"); err != nil {
			t.Fatalf("still limited after the window: %v", err)
		}
		// The success forgot the earlier failures: 4 more failures are allowed.
		for range 4 {
			wantKind(t, login("admin@example.com", "wrong", "10.0.0.1"), apperr.Unauthenticated)
		}
		if err := login("admin@example.com", "first password", "10.0.0.1"); err != nil {
			t.Fatalf("limited after 4 failures following a success: %v", err)
		}
	})
}
