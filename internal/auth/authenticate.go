package auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/apitoken"
	"github.com/yoanbernabeu/oopsie/ent/user"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// lastUsedGranularity bounds how often a token's last_used_at is written:
// an integration polling every second must not cost a write per request.
const lastUsedGranularity = time.Minute

// Authenticate turns an Authorization header value into a viewer. An empty
// header is an anonymous caller; a header that is present but not a valid
// access JWT or live API token is refused with one generic message.
func (s *Service) Authenticate(ctx context.Context, authorization string) (viewer.Viewer, error) {
	v, _, err := s.AuthenticateUntil(ctx, authorization)
	return v, err
}

// AuthenticateUntil is Authenticate, also telling until when the
// credential holds: an access JWT's expiry, or the zero time for an API
// token, which holds until revoked. A live subscription ends then.
func (s *Service) AuthenticateUntil(ctx context.Context, authorization string) (viewer.Viewer, time.Time, error) {
	if authorization == "" {
		return viewer.Viewer{}, time.Time{}, nil
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return viewer.Viewer{}, time.Time{}, errInvalidCredentials()
	}
	if strings.HasPrefix(token, APITokenPrefix) {
		v, err := s.authenticateAPIToken(ctx, token)
		return v, time.Time{}, err
	}
	userID, expires, ok := s.parseAccessToken(token)
	if !ok {
		return viewer.Viewer{}, time.Time{}, errInvalidCredentials()
	}
	// A JWT outlives its user by up to AccessTTL; a deleted user is out now.
	exists, err := s.db(ctx).User.Query().Where(user.ID(userID)).Exist(system(ctx))
	if err != nil {
		return viewer.Viewer{}, time.Time{}, fmt.Errorf("authenticate: find user: %w", err)
	}
	if !exists {
		return viewer.Viewer{}, time.Time{}, errInvalidCredentials()
	}
	return viewer.ForUser(userID), expires, nil
}

func (s *Service) authenticateAPIToken(ctx context.Context, token string) (viewer.Viewer, error) {
	sys, c, now := system(ctx), s.db(ctx), s.now()
	t, err := c.APIToken.Query().Where(apitoken.TokenHash(hashToken(token))).Only(sys)
	if ent.IsNotFound(err) {
		return viewer.Viewer{}, errInvalidCredentials()
	}
	if err != nil {
		return viewer.Viewer{}, fmt.Errorf("authenticate: find api token: %w", err)
	}
	if t.RevokedAt != nil {
		return viewer.Viewer{}, errInvalidCredentials()
	}
	stale := now.Add(-lastUsedGranularity)
	if t.LastUsedAt == nil || t.LastUsedAt.Before(stale) {
		// Conditional, so replicas seeing the same stale value write once.
		err := c.APIToken.Update().
			Where(apitoken.ID(t.ID), apitoken.Or(apitoken.LastUsedAtIsNil(), apitoken.LastUsedAtLT(stale))).
			SetLastUsedAt(now).
			Exec(sys)
		if err != nil {
			return viewer.Viewer{}, fmt.Errorf("authenticate: record api token use: %w", err)
		}
	}
	return viewer.ForAPIToken(t.ID), nil
}

// Middleware puts the caller's viewer in the request context. A missing or
// invalid token leaves the caller anonymous: the privacy policies then refuse
// whatever needs somebody, while public operations (login, setup) still work.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := s.Authenticate(r.Context(), r.Header.Get("Authorization"))
		next.ServeHTTP(w, r.WithContext(viewer.NewContext(r.Context(), v)))
	})
}
