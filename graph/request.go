package graph

import (
	"context"
	"net/http"

	"github.com/yoanbernabeu/oopsie/internal/rest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// requestInfo is what resolvers need to know of the HTTP request.
type requestInfo struct {
	ip        string
	userAgent string
	baseURL   string
}

type requestKey struct{}

func requestFrom(ctx context.Context) requestInfo {
	ri, _ := ctx.Value(requestKey{}).(requestInfo)
	return ri
}

// withRequest authenticates the caller and records the request facts. A
// missing or invalid token leaves the caller anonymous, so that login,
// setup and version still work while everything else answers
// UNAUTHENTICATED.
func (r *Resolver) withRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		v, _ := r.Auth.Authenticate(req.Context(), req.Header.Get("Authorization"))
		ctx := viewer.NewContext(req.Context(), v)
		ctx = context.WithValue(ctx, requestKey{}, requestInfo{
			ip:        rest.ClientIP(req),
			userAgent: req.UserAgent(),
			baseURL:   r.baseURL(req),
		})
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}

func (r *Resolver) baseURL(req *http.Request) string {
	if r.PublicURL != "" {
		return r.PublicURL
	}
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + req.Host
}
