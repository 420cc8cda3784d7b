// Package ingest is the REST door through which SDKs send bug reports,
// feedback and crashes. Each handler admits the request (key, project,
// origin, rate limits), decodes and bounds the body, makes one service call
// and answers in the REST envelope. The services behind it are
// source-neutral, so other doors (a Sentry envelope endpoint) can feed them.
package ingest

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/feedback"
	"github.com/yoanbernabeu/oopsie/internal/keys"
	"github.com/yoanbernabeu/oopsie/internal/origin"
	"github.com/yoanbernabeu/oopsie/internal/ratelimit"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/rest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Default rate limits of the REST contract.
var (
	DefaultPerKey = ratelimit.PerMinute(100)
	DefaultPerIP  = ratelimit.PerMinute(200)
)

// Deps are what ingest calls.
type Deps struct {
	Keys     *keys.Resolver
	Limiter  ratelimit.Limiter
	Reports  *reports.Service
	Feedback *feedback.Service
	Crashes  *crashes.Service
	Logger   *slog.Logger
	// PerKey and PerIP default to DefaultPerKey and DefaultPerIP. Both are
	// counted per project; a project's rate_limit_per_minute replaces PerKey
	// for its keys and allows twice as much per address, so several users
	// behind one NAT are not cut off first.
	PerKey, PerIP ratelimit.Limit
}

// Handler serves the ingest routes.
type Handler struct{ d Deps }

// New returns the ingest handlers.
func New(d Deps) *Handler {
	if d.PerKey.Rate == 0 {
		d.PerKey = DefaultPerKey
	}
	if d.PerIP.Rate == 0 {
		d.PerIP = DefaultPerIP
	}
	return &Handler{d: d}
}

// keyHeaders are the headers a public key may come in; every route takes
// both (the PRD's and the RFC's).
var keyHeaders = []string{"X-Oopsie-Key", "X-API-Key"}

func keyFrom(r *http.Request) string {
	for _, h := range keyHeaders {
		if v := strings.TrimSpace(r.Header.Get(h)); v != "" {
			return v
		}
	}
	return ""
}

// guardFactor sets the address guard counted before the key is known: far
// above any one project's per-address limit, it only stops floods of
// made-up keys, each of which costs a database read.
const guardFactor = 10

// admit checks who is sending and whether they may: the address guard,
// key, project, origin, then the project's rate limits. On success it
// returns a context acting as the key. It sets the CORS headers first, so
// that its refusals are readable too.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request, slug string) (context.Context, keys.Key, error) {
	o := r.Header.Get("Origin")
	if o != "" {
		// Refusals are readable by any page: the SDK must tell a revoked key
		// or a disallowed origin (final) from a network error (worth
		// queueing and retrying for a day), and an unreadable answer is a
		// network error to fetch. They carry nothing but the reason; what
		// is stored is still checked against the project's domains below.
		origin.CORSHeaders(w, []string{"*"}, o)
	}
	ip := rest.ClientIP(r)
	guard := ratelimit.Limit{Rate: guardFactor * h.d.PerIP.Rate, Period: h.d.PerIP.Period}
	if err := h.limit(w, r, "guard:"+ip, guard); err != nil {
		return nil, keys.Key{}, err
	}
	raw := keyFrom(r)
	if raw == "" {
		return nil, keys.Key{}, apperr.New(apperr.Unauthenticated, "missing API key: send it in the X-Oopsie-Key or X-API-Key header")
	}
	k, err := h.d.Keys.Resolve(r.Context(), raw)
	if err != nil {
		return nil, keys.Key{}, err
	}
	// A key names its project in the path of the SDK routes. The slug the
	// key was made with still counts after a rename, so shipped apps keep
	// working.
	if slug != "" && slug != k.ProjectSlug && !strings.HasPrefix(raw, "pk_"+slug+"_") {
		return nil, keys.Key{}, apperr.New(apperr.Forbidden, "this API key belongs to another project")
	}
	if !origin.Allowed(k.AllowedDomains, o, r.Header.Get("Referer")) {
		return nil, keys.Key{}, apperr.New(apperr.Forbidden, "origin not allowed for this project; add it to the project's allowed domains")
	}
	perKey, perIP := h.d.PerKey, h.d.PerIP
	if k.RateLimitPerMinute > 0 {
		perKey, perIP = ratelimit.PerMinute(k.RateLimitPerMinute), ratelimit.PerMinute(2*k.RateLimitPerMinute)
	}
	if err := h.limit(w, r, "ip:"+k.ProjectID+":"+ip, perIP); err != nil {
		return nil, keys.Key{}, err
	}
	if err := h.limit(w, r, "key:"+k.ID, perKey); err != nil {
		return nil, keys.Key{}, err
	}
	h.d.Keys.Touch(k.ID)
	return viewer.NewContext(r.Context(), viewer.ForPublicKey(k.ProjectID, k.ID)), k, nil
}

// limit applies one rate limit. When the limiter itself fails (Redis is
// down), the request goes through: losing reports to an outage of the
// limiter would be worse than letting a burst in.
func (h *Handler) limit(w http.ResponseWriter, r *http.Request, key string, l ratelimit.Limit) error {
	res, err := h.d.Limiter.Allow(r.Context(), key, l)
	if err != nil {
		h.d.Logger.WarnContext(r.Context(), "rate limiter unavailable, letting the request through", "error", err)
		return nil
	}
	ratelimit.WriteHeaders(w, res)
	if !res.Allowed {
		return &apperr.Error{Kind: apperr.RateLimited, Message: "rate limit exceeded; retry later", RetryAfter: res.RetryAfter}
	}
	return nil
}

// Preflight answers CORS preflight requests. A preflight carries no key, so
// the project is known only from the path: the SDK routes name it and are
// answered for its allowed domains; /api/v1/reports does not, so its
// preflight is answered for any origin and the real request's origin is
// checked against the key's project.
func (h *Handler) Preflight(w http.ResponseWriter, r *http.Request) {
	o := r.Header.Get("Origin")
	slug := r.PathValue("slug")
	if slug == "" {
		origin.CORSHeaders(w, []string{"*"}, o)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	domains, err := h.d.Keys.ProjectDomains(r.Context(), slug)
	if err != nil || !origin.CORSHeaders(w, domains, o) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
