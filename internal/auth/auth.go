// Package auth holds Oopsie's credentials: argon2id passwords, short-lived
// access JWTs, rotating refresh tokens, uk_live_ API tokens, and the
// Authorization header check that turns any of them into a viewer.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

const (
	// DefaultAccessTTL and DefaultRefreshTTL apply where Config leaves zero.
	DefaultAccessTTL  = 15 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour

	// issuer and accessType are checked on every access token, so a JWT
	// signed with the same secret for another purpose is never accepted.
	issuer     = "oopsie"
	accessType = "access"

	// systemJob names the system viewer of lookups made for callers who are
	// not signed in yet (login, refresh, checking a bearer token).
	systemJob = "auth"

	maxUserAgentLen = 512
)

// Config configures a Service.
type Config struct {
	// Secret signs access tokens (HS256). It must not be empty.
	Secret []byte
	// AccessTTL is the lifetime of an access token; zero means 15 minutes.
	AccessTTL time.Duration
	// RefreshTTL is the lifetime of a refresh token; zero means 30 days.
	RefreshTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Tokens is what a sign-in or a refresh hands to the client.
type Tokens struct {
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
}

// Service issues and checks credentials.
type Service struct {
	client *ent.Client
	cfg    Config
}

// New returns a Service. It panics when cfg.Secret is empty, because every
// token signed with an empty key could be forged by anyone.
func New(client *ent.Client, cfg Config) *Service {
	if len(cfg.Secret) == 0 {
		panic("auth: empty JWT secret")
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = DefaultAccessTTL
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = DefaultRefreshTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Secret = append([]byte(nil), cfg.Secret...)
	return &Service{client: client, cfg: cfg}
}

// AccessTTL is the lifetime of the access tokens the service issues.
func (s *Service) AccessTTL() time.Duration { return s.cfg.AccessTTL }

// db is the transaction's client when the caller runs in one (GraphQL
// mutations do), else the service's own.
func (s *Service) db(ctx context.Context) *ent.Client { return dbtx.Client(ctx, s.client) }

// now is in UTC so every stored time has one zone: SQLite compares times
// as text.
func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

func system(ctx context.Context) context.Context { return viewer.SystemContext(ctx, systemJob) }

// The messages are deliberately the same whatever went wrong, so a caller
// learns nothing about which tokens exist. (Fresh values each time: callers
// may annotate the errors they get.)
func errInvalidRefresh() error {
	return apperr.New(apperr.Unauthenticated, "invalid or expired refresh token")
}

func errInvalidCredentials() error {
	return apperr.New(apperr.Unauthenticated, "invalid or expired credentials")
}

// hashToken is how high-entropy tokens are stored: guessing one is hopeless
// already, so a fast hash suffices and keeps lookups a unique-index probe.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("read random bytes: %w", err)
	}
	return b, nil
}

// cleanUserAgent makes a User-Agent header storable: PostgreSQL rejects
// invalid UTF-8 and NUL bytes, and the column holds at most 512 bytes.
func cleanUserAgent(ua string) string {
	ua = strings.ToValidUTF8(ua, "")
	ua = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, ua)
	ua = strings.TrimSpace(ua)
	if len(ua) <= maxUserAgentLen {
		return ua
	}
	cut := maxUserAgentLen
	for cut > 0 && !utf8.RuneStart(ua[cut]) {
		cut--
	}
	return ua[:cut]
}
