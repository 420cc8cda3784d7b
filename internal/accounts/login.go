package accounts

import (
	"context"
	"fmt"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/user"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/auth"
)

// Login signs a user in with email and password. Unknown emails and wrong
// passwords get the same answer, after the same work. Failures are limited
// per email and IP; while limited, even the right password is refused, or
// guessing could go on with the answers simply delayed.
func (s *Service) Login(ctx context.Context, email, password, ip, userAgent string) (*ent.User, auth.Tokens, error) {
	email = normalizeEmail(email)
	key := email + "|" + ip
	if retry, ok := s.limiter.Allow(key); !ok {
		return nil, auth.Tokens{}, &apperr.Error{
			Kind:       apperr.RateLimited,
			Message:    "too many failed login attempts, try again later",
			RetryAfter: retry,
		}
	}
	// Counted as a failure up front and forgiven on success: attempts sent
	// in parallel are each counted before the slow hash, so a burst cannot
	// slip past the limit while the first ones are still being verified.
	s.limiter.Fail(key)

	u, err := s.db(ctx).User.Query().Where(user.Email(email)).Only(system(ctx))
	if err != nil && !ent.IsNotFound(err) {
		return nil, auth.Tokens{}, fmt.Errorf("login: find user: %w", err)
	}
	hash := dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	if !auth.VerifyPassword(hash, password) || u == nil {
		return nil, auth.Tokens{}, apperr.New(apperr.Unauthenticated, "invalid email or password")
	}
	s.limiter.Reset(key)
	tokens, err := s.auth.StartSession(ctx, u.ID, userAgent)
	if err != nil {
		return nil, auth.Tokens{}, fmt.Errorf("login: %w", err)
	}
	return u, tokens, nil
}
