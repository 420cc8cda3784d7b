package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

func TestAPITokenLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		clock := newTestClock()
		s := newService(db, clock)
		u := createUser(t, db, "a@example.com")
		userCtx := viewer.NewContext(context.Background(), viewer.ForUser(u.ID))

		token, row, err := s.CreateAPIToken(userCtx, "  CI pipeline  ")
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^uk_live_[0-9a-f]{40}$`).MatchString(token) {
			t.Fatalf("token %q has the wrong shape", token)
		}
		sum := sha256.Sum256([]byte(token))
		if row.TokenHash != hex.EncodeToString(sum[:]) {
			t.Error("stored hash is not the token's SHA-256")
		}
		if row.TokenPrefix != token[:12] || row.Name != "CI pipeline" {
			t.Errorf("prefix %q name %q", row.TokenPrefix, row.Name)
		}
		if row.CreatedByID == nil || *row.CreatedByID != u.ID {
			t.Errorf("created_by = %v, want %s", row.CreatedByID, u.ID)
		}
		if row.LastUsedAt != nil || row.RevokedAt != nil {
			t.Error("a new token is marked used or revoked")
		}

		lastUsed := func() *time.Time {
			t.Helper()
			got, err := db.Client.APIToken.Get(sysCtx(), row.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.LastUsedAt
		}
		v, err := s.Authenticate(context.Background(), "Bearer "+token)
		if err != nil || v != viewer.ForAPIToken(row.ID) {
			t.Fatalf("Authenticate = %+v, %v; want token %s", v, err, row.ID)
		}
		firstUse := clock.Now()
		if lu := lastUsed(); lu == nil || !lu.Equal(firstUse) {
			t.Fatalf("last_used_at = %v, want %v", lu, firstUse)
		}
		clock.Advance(59 * time.Second)
		if _, err := s.Authenticate(context.Background(), "Bearer "+token); err != nil {
			t.Fatal(err)
		}
		if lu := lastUsed(); !lu.Equal(firstUse) {
			t.Fatalf("last_used_at rewritten within the minute: %v", lu)
		}
		clock.Advance(2 * time.Second)
		if _, err := s.Authenticate(context.Background(), "Bearer "+token); err != nil {
			t.Fatal(err)
		}
		if lu := lastUsed(); !lu.Equal(clock.Now()) {
			t.Fatalf("last_used_at = %v after a minute, want %v", lu, clock.Now())
		}

		// A token acting on its own can make and revoke tokens; it creates none "by" a user.
		tokCtx := viewer.NewContext(context.Background(), v)
		_, byToken, err := s.CreateAPIToken(tokCtx, "made by a token")
		if err != nil || byToken.CreatedByID != nil {
			t.Fatalf("token-made token: %+v, %v", byToken, err)
		}

		revoked, err := s.RevokeAPIToken(userCtx, row.ID)
		if err != nil {
			t.Fatal(err)
		}
		if revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(clock.Now()) {
			t.Fatalf("revoked_at = %v", revoked.RevokedAt)
		}
		v, err = s.Authenticate(context.Background(), "Bearer "+token)
		wantKind(t, err, apperr.Unauthenticated)
		if v.Authenticated() {
			t.Fatal("a revoked token authenticated")
		}
		clock.Advance(time.Hour)
		again, err := s.RevokeAPIToken(userCtx, row.ID)
		if err != nil || !again.RevokedAt.Equal(revoked.RevokedAt.Add(0)) {
			t.Fatalf("second revoke: %v, revoked_at %v (want the first time kept)", err, again.RevokedAt)
		}

		// A guessed token with the right shape.
		_, err = s.Authenticate(context.Background(), "Bearer uk_live_"+strings.Repeat("0", 40))
		wantKind(t, err, apperr.Unauthenticated)

		_, err = s.RevokeAPIToken(userCtx, "tok_unknown")
		wantKind(t, err, apperr.NotFound)
	})
}

func TestAPITokensNeedAnAdmin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := newService(db, newTestClock())
		_, row, err := s.CreateAPIToken(sysCtx(), "existing")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = s.CreateAPIToken(context.Background(), "sneaky")
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous create: %v, want ErrUnauthenticated", err)
		}
		_, err = s.RevokeAPIToken(context.Background(), row.ID)
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous revoke: %v, want ErrUnauthenticated", err)
		}
		pk := viewer.NewContext(context.Background(), viewer.ForPublicKey("prj_1", "key_1"))
		_, err = s.RevokeAPIToken(pk, row.ID)
		if !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("public key revoke: %v, want ErrForbidden", err)
		}
		n, err := db.Client.APIToken.Query().Count(sysCtx())
		if err != nil || n != 1 {
			t.Fatalf("%d tokens, %v; want only the first", n, err)
		}
		if got, _ := db.Client.APIToken.Get(sysCtx(), row.ID); got.RevokedAt != nil {
			t.Error("an anonymous caller revoked a token")
		}
	})
}

func TestCreateAPITokenValidatesName(t *testing.T) {
	t.Parallel()
	s := New(nil, Config{Secret: testSecret})
	for _, name := range []string{"", "   ", strings.Repeat("x", 101)} {
		_, _, err := s.CreateAPIToken(sysCtx(), name)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.Invalid || ae.Fields["name"] == "" {
			t.Errorf("name %q: %v, want an invalid name field", name, err)
		}
	}
}
