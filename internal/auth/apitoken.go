package auth

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/apitoken"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

const (
	// APITokenPrefix starts every integration token, so scanners and people
	// can recognise a leaked one.
	APITokenPrefix = "uk_live_"
	// apiTokenPrefixLen is how much of a token is kept in clear to tell
	// tokens apart in a list: the marker and 4 hex digits.
	apiTokenPrefixLen = 12
	maxAPITokenName   = 100
)

// CreateAPIToken makes a named integration token for the viewer in ctx, who
// must be an admin. The token itself is returned once and never stored.
func (s *Service) CreateAPIToken(ctx context.Context, name string) (string, *ent.APIToken, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", nil, apperr.InvalidField("name", "is required")
	case !utf8.ValidString(name):
		return "", nil, apperr.InvalidField("name", "must be valid UTF-8")
	// Bytes, not characters: the schema's MaxLen counts bytes.
	case len(name) > maxAPITokenName:
		return "", nil, apperr.InvalidField("name", fmt.Sprintf("must be at most %d bytes", maxAPITokenName))
	}
	raw, err := randomBytes(20)
	if err != nil {
		return "", nil, fmt.Errorf("create api token: %w", err)
	}
	token := APITokenPrefix + hex.EncodeToString(raw)
	create := s.db(ctx).APIToken.Create().
		SetName(name).
		SetTokenHash(hashToken(token)).
		SetTokenPrefix(token[:apiTokenPrefixLen]).
		SetCreatedAt(s.now())
	if v := viewer.FromContext(ctx); v.Kind == viewer.User {
		create.SetCreatedByID(v.UserID)
	}
	t, err := create.Save(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("create api token: %w", err)
	}
	return token, t, nil
}

// RevokeAPIToken revokes a token at once. Revoking a revoked token returns
// it unchanged, keeping the first revocation time.
func (s *Service) RevokeAPIToken(ctx context.Context, id string) (*ent.APIToken, error) {
	c := s.db(ctx)
	_, err := c.APIToken.Update().
		Where(apitoken.ID(id), apitoken.RevokedAtIsNil()).
		SetRevokedAt(s.now()).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("revoke api token: %w", err)
	}
	t, err := c.APIToken.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "API token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("revoke api token: %w", err)
	}
	return t, nil
}
