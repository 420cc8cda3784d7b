// Package restapi serves the few REST routes for clients that do not speak
// GraphQL: login, token refresh and the version check. Each handler decodes,
// validates, calls one service and encodes.
package restapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/accounts"
	"github.com/yoanbernabeu/oopsie/internal/auth"
	"github.com/yoanbernabeu/oopsie/internal/rest"
	"github.com/yoanbernabeu/oopsie/internal/settings"
)

// maxBody bounds login and refresh bodies: a few hundred bytes are plenty.
const maxBody = 16 << 10

// Handlers are the REST routes' handlers; httpserver's route table mounts them.
type Handlers struct {
	Accounts *accounts.Service
	Auth     *auth.Service
	Settings *settings.Service
	Logger   *slog.Logger
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

type userJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type tokensJSON struct {
	AccessToken          string    `json:"accessToken"`
	AccessTokenExpiresAt time.Time `json:"accessTokenExpiresAt"`
	RefreshToken         string    `json:"refreshToken"`
	User                 userJSON  `json:"user"`
}

func tokensResponse(u *ent.User, t auth.Tokens) tokensJSON {
	return tokensJSON{
		AccessToken:          t.AccessToken,
		AccessTokenExpiresAt: t.AccessExpiresAt,
		RefreshToken:         t.RefreshToken,
		User:                 userJSON{ID: u.ID, Email: u.Email, Name: u.Name},
	}
}

// Login is POST /api/v1/auth/login.
func (h *Handlers) Login(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if err := rest.DecodeJSON(w, r, maxBody, &in); err != nil {
		rest.WriteError(w, r, h.Logger, err)
		return
	}
	u, tokens, err := h.Accounts.Login(r.Context(), in.Email, in.Password, rest.ClientIP(r), r.UserAgent())
	if err != nil {
		rest.WriteError(w, r, h.Logger, err)
		return
	}
	rest.WriteData(w, http.StatusOK, tokensResponse(u, tokens))
}

// Refresh is POST /api/v1/auth/refresh.
func (h *Handlers) Refresh(w http.ResponseWriter, r *http.Request) {
	var in refreshRequest
	if err := rest.DecodeJSON(w, r, maxBody, &in); err != nil {
		rest.WriteError(w, r, h.Logger, err)
		return
	}
	tokens, u, err := h.Auth.Refresh(r.Context(), in.RefreshToken, r.UserAgent())
	if err != nil {
		rest.WriteError(w, r, h.Logger, err)
		return
	}
	rest.WriteData(w, http.StatusOK, tokensResponse(u, tokens))
}

// Version is GET /api/v1/version, public so the login page can show it.
func (h *Handlers) Version(w http.ResponseWriter, r *http.Request) {
	v, err := h.Settings.Version(r.Context())
	if err != nil {
		rest.WriteError(w, r, h.Logger, err)
		return
	}
	rest.WriteData(w, http.StatusOK, map[string]any{
		"current":         v.Current,
		"latest":          v.Latest,
		"updateAvailable": v.UpdateAvailable,
		"releaseUrl":      v.ReleaseURL,
	})
}
