package auth

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/refreshtoken"
	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
)

// accessClaims are the claims of an access token. Typ tells it apart from
// any other JWT the same secret might ever sign.
type accessClaims struct {
	jwt.RegisteredClaims
	Type string `json:"typ"`
}

// StartSession signs userID in: a new refresh-token family and an access
// token. The caller has already proven who the user is (password, setup).
func (s *Service) StartSession(ctx context.Context, userID, userAgent string) (Tokens, error) {
	now := s.now()
	refresh, refreshExp, err := s.newRefreshToken(ctx, s.db(ctx), userID, pulid.New("fam"), userAgent, now)
	if err != nil {
		return Tokens{}, fmt.Errorf("start session: %w", err)
	}
	access, accessExp, err := s.newAccessToken(userID, now)
	if err != nil {
		return Tokens{}, fmt.Errorf("start session: %w", err)
	}
	return Tokens{AccessToken: access, AccessExpiresAt: accessExp, RefreshToken: refresh, RefreshExpiresAt: refreshExp}, nil
}

// Refresh exchanges a refresh token for new tokens, rotating it. Presenting
// a token that was already rotated means two parties hold the chain (one of
// them a thief), so the whole family is revoked and both must sign in again.
func (s *Service) Refresh(ctx context.Context, refreshToken, userAgent string) (Tokens, *ent.User, error) {
	sys, c, now := system(ctx), s.db(ctx), s.now()
	old, err := c.RefreshToken.Query().Where(refreshtoken.TokenHash(hashToken(refreshToken))).Only(sys)
	switch {
	case ent.IsNotFound(err):
		return Tokens{}, nil, errInvalidRefresh()
	case err != nil:
		return Tokens{}, nil, fmt.Errorf("refresh session: find token: %w", err)
	case old.RevokedAt != nil:
		return Tokens{}, nil, errInvalidRefresh()
	case old.RotatedAt != nil:
		return Tokens{}, nil, s.reused(ctx, old.FamilyID)
	case !now.Before(old.ExpiresAt):
		return Tokens{}, nil, errInvalidRefresh()
	}
	u, err := c.User.Get(sys, old.UserID)
	if ent.IsNotFound(err) {
		return Tokens{}, nil, errInvalidRefresh()
	}
	if err != nil {
		return Tokens{}, nil, fmt.Errorf("refresh session: find user: %w", err)
	}
	// The successor is stored before the old token is retired. Whoever loses
	// a race for the old token only notices after the winner retired it, so
	// the family revocation it then runs also catches the winner's successor.
	// In the other order the successor could slip in after the revocation.
	refresh, refreshExp, err := s.newRefreshToken(ctx, c, old.UserID, old.FamilyID, userAgent, now)
	if err != nil {
		return Tokens{}, nil, fmt.Errorf("refresh session: %w", err)
	}
	// Conditional, so of two concurrent refreshes with one token only one
	// can retire it; the other is treated as reuse.
	n, err := c.RefreshToken.Update().
		Where(refreshtoken.ID(old.ID), refreshtoken.RotatedAtIsNil(), refreshtoken.RevokedAtIsNil()).
		SetRotatedAt(now).
		Save(sys)
	if err != nil {
		return Tokens{}, nil, fmt.Errorf("refresh session: rotate token: %w", err)
	}
	if n == 0 {
		return Tokens{}, nil, s.reused(ctx, old.FamilyID)
	}
	access, accessExp, err := s.newAccessToken(old.UserID, now)
	if err != nil {
		return Tokens{}, nil, fmt.Errorf("refresh session: %w", err)
	}
	return Tokens{AccessToken: access, AccessExpiresAt: accessExp, RefreshToken: refresh, RefreshExpiresAt: refreshExp}, u, nil
}

// reused revokes a family whose rotated token came back and returns the
// error for the caller.
//
// The revocation must outlive the request, whose transaction rolls back
// because the request fails. It is therefore made with the service's own
// client, outside that transaction. Inside a transaction it cannot be made
// right away: on SQLite the open transaction holds the database's write
// lock, so a second connection's write would wait for it, and it waits for
// us. So it is made in the transaction (kept if that commits) and again
// with the root client once the transaction has rolled back.
func (s *Service) reused(ctx context.Context, familyID string) error {
	now := s.now()
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		if err := s.revokeFamily(ctx, s.client, familyID, now); err != nil {
			return fmt.Errorf("refresh session: revoke reused family: %w", err)
		}
		return errInvalidRefresh()
	}
	if err := s.revokeFamily(ctx, tx.Client(), familyID, now); err != nil {
		return fmt.Errorf("refresh session: revoke reused family: %w", err)
	}
	detached := context.WithoutCancel(ctx)
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(rctx context.Context, tx *ent.Tx) error {
			err := next.Rollback(rctx, tx)
			wctx, cancel := context.WithTimeout(detached, 30*time.Second)
			defer cancel()
			if rerr := s.revokeFamily(wctx, s.client, familyID, now); rerr != nil {
				err = errors.Join(err, fmt.Errorf("revoke reused refresh token family after rollback: %w", rerr))
			}
			return err
		})
	})
	return errInvalidRefresh()
}

// Logout ends the session the refresh token belongs to, on every device that
// shares its family. An unknown token is not an error: logging out twice is
// harmless, and the answer must not reveal which tokens exist.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	rt, err := s.db(ctx).RefreshToken.Query().Where(refreshtoken.TokenHash(hashToken(refreshToken))).Only(system(ctx))
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("logout: find token: %w", err)
	}
	if err := s.revokeFamily(ctx, s.db(ctx), rt.FamilyID, s.now()); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

func (s *Service) revokeFamily(ctx context.Context, c *ent.Client, familyID string, now time.Time) error {
	_, err := c.RefreshToken.Update().
		Where(refreshtoken.FamilyID(familyID), refreshtoken.RevokedAtIsNil()).
		SetRevokedAt(now).
		Save(system(ctx))
	return err
}

func (s *Service) newRefreshToken(ctx context.Context, c *ent.Client, userID, familyID, userAgent string, now time.Time) (string, time.Time, error) {
	raw, err := randomBytes(32)
	if err != nil {
		return "", time.Time{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	expires := now.Add(s.cfg.RefreshTTL)
	err = c.RefreshToken.Create().
		SetUserID(userID).
		SetTokenHash(hashToken(token)).
		SetFamilyID(familyID).
		SetExpiresAt(expires).
		SetUserAgent(cleanUserAgent(userAgent)).
		SetCreatedAt(now).
		Exec(system(ctx))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store refresh token: %w", err)
	}
	return token, expires, nil
}

func (s *Service) newAccessToken(userID string, now time.Time) (string, time.Time, error) {
	jti, err := randomBytes(16)
	if err != nil {
		return "", time.Time{}, err
	}
	// JWT times have whole seconds; report the expiry the token really has.
	expires := now.Add(s.cfg.AccessTTL).Truncate(time.Second)
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   userID,
			ExpiresAt: jwt.NewNumericDate(expires),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        hex.EncodeToString(jti),
		},
		Type: accessType,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.cfg.Secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return signed, expires, nil
}

// parseAccessToken returns the user id and expiry of a valid access token.
func (s *Service) parseAccessToken(token string) (string, time.Time, bool) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims,
		func(*jwt.Token) (any, error) { return s.cfg.Secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.cfg.Now),
	)
	if err != nil || claims.Type != accessType || claims.Subject == "" || claims.ExpiresAt == nil {
		return "", time.Time{}, false
	}
	return claims.Subject, claims.ExpiresAt.Time, true
}
