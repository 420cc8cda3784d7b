package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/refreshtoken"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func newService(db *database.DB, clock *testClock) *Service {
	return New(db.Client, Config{Secret: testSecret, Now: clock.Now})
}

func sysCtx() context.Context { return viewer.SystemContext(context.Background(), "test") }

func createUser(t *testing.T, db *database.DB, email string) *ent.User {
	t.Helper()
	u, err := db.Client.User.Create().SetEmail(email).SetPasswordHash("x").Save(sysCtx())
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

func wantKind(t *testing.T, err error, kind apperr.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind.Code())
	}
	if got := apperr.KindOf(err); got != kind {
		t.Fatalf("got %v (%s), want %s", err, got.Code(), kind.Code())
	}
}

func familyTokens(t *testing.T, db *database.DB, familyID string) []*ent.RefreshToken {
	t.Helper()
	rts, err := db.Client.RefreshToken.Query().Where(refreshtoken.FamilyID(familyID)).All(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	return rts
}

func tokenRow(t *testing.T, db *database.DB, token string) *ent.RefreshToken {
	t.Helper()
	rt, err := db.Client.RefreshToken.Query().Where(refreshtoken.TokenHash(hashToken(token))).Only(sysCtx())
	if err != nil {
		t.Fatalf("find refresh token: %v", err)
	}
	return rt
}

func TestStartSessionAndAuthenticate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		clock := newTestClock()
		s := newService(db, clock)
		u := createUser(t, db, "a@example.com")

		// Called for a caller who is not signed in yet: the context is anonymous.
		tok, err := s.StartSession(context.Background(), u.ID, "Firefox\x00 on\tLinux")
		if err != nil {
			t.Fatal(err)
		}
		if want := clock.Now().Add(15 * time.Minute); !tok.AccessExpiresAt.Equal(want) {
			t.Errorf("AccessExpiresAt = %v, want %v", tok.AccessExpiresAt, want)
		}
		if want := clock.Now().Add(30 * 24 * time.Hour); !tok.RefreshExpiresAt.Equal(want) {
			t.Errorf("RefreshExpiresAt = %v, want %v", tok.RefreshExpiresAt, want)
		}
		if s.AccessTTL() != 15*time.Minute {
			t.Errorf("AccessTTL = %v", s.AccessTTL())
		}
		row := tokenRow(t, db, tok.RefreshToken)
		if row.UserID != u.ID || !strings.HasPrefix(row.FamilyID, "fam_") || row.UserAgent != "Firefox onLinux" {
			t.Errorf("stored token: user %q family %q agent %q", row.UserID, row.FamilyID, row.UserAgent)
		}
		if row.TokenHash == tok.RefreshToken || strings.Contains(row.TokenHash, tok.RefreshToken) {
			t.Error("the refresh token is stored in clear")
		}

		v, err := s.Authenticate(context.Background(), "Bearer "+tok.AccessToken)
		if err != nil || v != viewer.ForUser(u.ID) {
			t.Fatalf("Authenticate = %+v, %v; want user %s", v, err, u.ID)
		}
		// The scheme is case-insensitive (RFC 9110).
		if v, err := s.Authenticate(context.Background(), "bearer "+tok.AccessToken); err != nil || v.UserID != u.ID {
			t.Fatalf("lower-case scheme: %+v, %v", v, err)
		}

		clock.Advance(15*time.Minute - time.Second)
		if _, err := s.Authenticate(context.Background(), "Bearer "+tok.AccessToken); err != nil {
			t.Fatalf("refused before expiry: %v", err)
		}
		clock.Advance(time.Second)
		v, err = s.Authenticate(context.Background(), "Bearer "+tok.AccessToken)
		wantKind(t, err, apperr.Unauthenticated)
		if v.Authenticated() {
			t.Fatal("expired token gave an authenticated viewer")
		}
	})
}

func TestAuthenticateRefusesDeletedUser(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := newService(db, newTestClock())
		u := createUser(t, db, "gone@example.com")
		tok, err := s.StartSession(context.Background(), u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Client.User.DeleteOneID(u.ID).Exec(sysCtx()); err != nil {
			t.Fatal(err)
		}
		_, err = s.Authenticate(context.Background(), "Bearer "+tok.AccessToken)
		wantKind(t, err, apperr.Unauthenticated)
		// The refresh tokens went with the user.
		_, _, err = s.Refresh(context.Background(), tok.RefreshToken, "")
		wantKind(t, err, apperr.Unauthenticated)
	})
}

func TestAuthenticateRefusesForgedAndMalformedJWTs(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	// No database: every one of these must be refused before any lookup.
	s := New(nil, Config{Secret: testSecret, Now: clock.Now})
	now := clock.Now()
	valid := func() accessClaims {
		return accessClaims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer: "oopsie", Subject: "usr_1",
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now),
			},
			Type: "access",
		}
	}
	sign := func(m jwt.SigningMethod, key any, c accessClaims) string {
		tok, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if _, _, ok := s.parseAccessToken(sign(jwt.SigningMethodHS256, testSecret, valid())); !ok {
		t.Fatal("control: a valid token does not parse")
	}
	noExp, wrongIss, wrongTyp, noSub := valid(), valid(), valid(), valid()
	noExp.ExpiresAt = nil
	wrongIss.Issuer = "someone-else"
	wrongTyp.Type = "refresh"
	noSub.Subject = ""
	cases := map[string]string{
		"other secret":   "Bearer " + sign(jwt.SigningMethodHS256, []byte("another secret, also 32 bytes..."), valid()),
		"HS512":          "Bearer " + sign(jwt.SigningMethodHS512, testSecret, valid()),
		"alg none":       "Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid()),
		"no exp":         "Bearer " + sign(jwt.SigningMethodHS256, testSecret, noExp),
		"wrong issuer":   "Bearer " + sign(jwt.SigningMethodHS256, testSecret, wrongIss),
		"wrong typ":      "Bearer " + sign(jwt.SigningMethodHS256, testSecret, wrongTyp),
		"no subject":     "Bearer " + sign(jwt.SigningMethodHS256, testSecret, noSub),
		"garbage":        "Bearer not-a-token",
		"basic scheme":   "Basic dXNlcjpwYXNz",
		"empty bearer":   "Bearer ",
		"bearer only":    "Bearer",
		"token no schem": sign(jwt.SigningMethodHS256, testSecret, valid()),
	}
	for name, header := range cases {
		v, err := s.Authenticate(context.Background(), header)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.Unauthenticated || ae.Message != "invalid or expired credentials" {
			t.Errorf("%s: err = %v, want the generic Unauthenticated error", name, err)
		}
		if v.Authenticated() {
			t.Errorf("%s: viewer %+v, want anonymous", name, v)
		}
	}
	if v, err := s.Authenticate(context.Background(), ""); err != nil || v.Authenticated() {
		t.Errorf("no header: %+v, %v; want anonymous and no error", v, err)
	}
}

func TestRefreshRotates(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		clock := newTestClock()
		s := newService(db, clock)
		u := createUser(t, db, "a@example.com")
		first, err := s.StartSession(context.Background(), u.ID, "ua")
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		second, gotUser, err := s.Refresh(context.Background(), first.RefreshToken, "ua2")
		if err != nil {
			t.Fatal(err)
		}
		if gotUser.ID != u.ID {
			t.Errorf("user = %s, want %s", gotUser.ID, u.ID)
		}
		if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
			t.Fatal("refresh returned the same tokens")
		}
		if want := clock.Now().Add(30 * 24 * time.Hour); !second.RefreshExpiresAt.Equal(want) {
			t.Errorf("RefreshExpiresAt = %v, want %v", second.RefreshExpiresAt, want)
		}
		old, next := tokenRow(t, db, first.RefreshToken), tokenRow(t, db, second.RefreshToken)
		if old.RotatedAt == nil || !old.RotatedAt.Equal(clock.Now()) || old.RevokedAt != nil {
			t.Errorf("old token: rotated %v revoked %v; want rotated now, not revoked", old.RotatedAt, old.RevokedAt)
		}
		if next.FamilyID != old.FamilyID || next.RotatedAt != nil || next.UserAgent != "ua2" {
			t.Errorf("new token: family %s (want %s), rotated %v, agent %q", next.FamilyID, old.FamilyID, next.RotatedAt, next.UserAgent)
		}
		if v, err := s.Authenticate(context.Background(), "Bearer "+second.AccessToken); err != nil || v.UserID != u.ID {
			t.Fatalf("new access token: %+v, %v", v, err)
		}
		third, _, err := s.Refresh(context.Background(), second.RefreshToken, "ua")
		if err != nil {
			t.Fatal(err)
		}
		if tokenRow(t, db, third.RefreshToken).FamilyID != old.FamilyID {
			t.Error("the chain left its family")
		}
	})
}

func TestRefreshReuseRevokesTheFamily(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := newService(db, newTestClock())
		u := createUser(t, db, "a@example.com")
		stolen, err := s.StartSession(context.Background(), u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.StartSession(context.Background(), u.ID, "other device")
		if err != nil {
			t.Fatal(err)
		}
		legit, _, err := s.Refresh(context.Background(), stolen.RefreshToken, "")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Refresh(context.Background(), stolen.RefreshToken, "")
		wantKind(t, err, apperr.Unauthenticated)
		if ae := (*apperr.Error)(nil); !errors.As(err, &ae) || ae.Message != "invalid or expired refresh token" {
			t.Errorf("message: %v", err)
		}
		for _, rt := range familyTokens(t, db, tokenRow(t, db, stolen.RefreshToken).FamilyID) {
			if rt.RevokedAt == nil {
				t.Errorf("token %s of the family is not revoked", rt.ID)
			}
		}
		_, _, err = s.Refresh(context.Background(), legit.RefreshToken, "")
		wantKind(t, err, apperr.Unauthenticated)
		// Another login of the same user is another family: untouched.
		if _, _, err := s.Refresh(context.Background(), other.RefreshToken, ""); err != nil {
			t.Fatalf("another family was revoked: %v", err)
		}
	})
}

// GraphQL mutations run in a transaction that rolls back when the mutation
// fails; the revocation must survive that.
func TestRefreshReuseRevocationSurvivesRollback(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := newService(db, newTestClock())
		u := createUser(t, db, "a@example.com")
		first, err := s.StartSession(context.Background(), u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		second, _, err := s.Refresh(context.Background(), first.RefreshToken, "")
		if err != nil {
			t.Fatal(err)
		}
		// As entgql's Transactioner does it.
		txCtx, tx, err := db.Client.OpenTx(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Refresh(txCtx, first.RefreshToken, "")
		wantKind(t, err, apperr.Unauthenticated)
		if err := tx.Rollback(); err != nil {
			t.Fatalf("rollback: %v", err)
		}
		family := familyTokens(t, db, tokenRow(t, db, first.RefreshToken).FamilyID)
		if len(family) != 2 {
			t.Fatalf("family has %d tokens, want 2", len(family))
		}
		for _, rt := range family {
			if rt.RevokedAt == nil {
				t.Errorf("token %s is not revoked after the rollback", rt.ID)
			}
		}
		_, _, err = s.Refresh(context.Background(), second.RefreshToken, "")
		wantKind(t, err, apperr.Unauthenticated)
	})
}

// A successful refresh inside a transaction is undone with it.
func TestRefreshInTransactionCommitsWithIt(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := newService(db, newTestClock())
		u := createUser(t, db, "a@example.com")
		first, err := s.StartSession(context.Background(), u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		txCtx, tx, err := db.Client.OpenTx(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		next, _, err := s.Refresh(txCtx, first.RefreshToken, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if rt := tokenRow(t, db, first.RefreshToken); rt.RotatedAt != nil {
			t.Error("rotation survived the rollback")
		}
		if n := len(familyTokens(t, db, tokenRow(t, db, first.RefreshToken).FamilyID)); n != 1 {
			t.Errorf("family has %d tokens after rollback, want 1", n)
		}
		_, _, err = s.Refresh(context.Background(), next.RefreshToken, "")
		wantKind(t, err, apperr.Unauthenticated)
	})
}

func TestConcurrentRefreshesWithOneToken(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := newService(db, newTestClock())
		u := createUser(t, db, "a@example.com")
		start, err := s.StartSession(context.Background(), u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		const n = 4
		var (
			wg      sync.WaitGroup
			results [n]Tokens
			errs    [n]error
		)
		for i := range n {
			wg.Go(func() { results[i], _, errs[i] = s.Refresh(context.Background(), start.RefreshToken, "") })
		}
		wg.Wait()
		wins := 0
		for i, err := range errs {
			if err == nil {
				wins++
				// The winner's successor is caught by the losers' revocation.
				if _, _, err := s.Refresh(context.Background(), results[i].RefreshToken, ""); apperr.KindOf(err) != apperr.Unauthenticated {
					t.Errorf("the winner's new token still works after reuse: %v", err)
				}
				continue
			}
			wantKind(t, err, apperr.Unauthenticated)
		}
		if wins != 1 {
			t.Fatalf("%d refreshes succeeded, want exactly 1", wins)
		}
		for _, rt := range familyTokens(t, db, tokenRow(t, db, start.RefreshToken).FamilyID) {
			if rt.RevokedAt == nil {
				t.Errorf("token %s is not revoked", rt.ID)
			}
		}
	})
}

func TestRefreshRefusesExpiredAndUnknownTokens(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		clock := newTestClock()
		s := newService(db, clock)
		u := createUser(t, db, "a@example.com")
		tok, err := s.StartSession(context.Background(), u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"", "nope", tok.AccessToken} {
			_, _, err := s.Refresh(context.Background(), bad, "")
			wantKind(t, err, apperr.Unauthenticated)
		}
		clock.Advance(30 * 24 * time.Hour)
		_, _, err = s.Refresh(context.Background(), tok.RefreshToken, "")
		wantKind(t, err, apperr.Unauthenticated)
		if rt := tokenRow(t, db, tok.RefreshToken); rt.RotatedAt != nil {
			t.Error("an expired token was rotated")
		}
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := newService(db, newTestClock())
		u := createUser(t, db, "a@example.com")
		first, err := s.StartSession(context.Background(), u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.StartSession(context.Background(), u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		second, _, err := s.Refresh(context.Background(), first.RefreshToken, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Logout(context.Background(), second.RefreshToken); err != nil {
			t.Fatal(err)
		}
		for _, rt := range familyTokens(t, db, tokenRow(t, db, second.RefreshToken).FamilyID) {
			if rt.RevokedAt == nil {
				t.Errorf("token %s survived logout", rt.ID)
			}
		}
		_, _, err = s.Refresh(context.Background(), second.RefreshToken, "")
		wantKind(t, err, apperr.Unauthenticated)
		if err := s.Logout(context.Background(), second.RefreshToken); err != nil {
			t.Errorf("second logout: %v", err)
		}
		if err := s.Logout(context.Background(), "unknown"); err != nil {
			t.Errorf("logout with an unknown token: %v", err)
		}
		if _, _, err := s.Refresh(context.Background(), other.RefreshToken, ""); err != nil {
			t.Errorf("logout ended another session: %v", err)
		}
	})
}

func TestCleanUserAgent(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 300) // 600 bytes
	got := cleanUserAgent(long)
	if len(got) > 512 || !utf8.ValidString(got) || len(got) < 510 {
		t.Errorf("long agent: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if got := cleanUserAgent("a\x00b\xffc\n"); got != "abc" {
		t.Errorf("cleanUserAgent = %q, want %q", got, "abc")
	}
}
