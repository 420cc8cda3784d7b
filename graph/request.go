package graph

import (
	"context"
	"net/http"

	"github.com/yoanbernabeu/oopsie/internal/rest"
	"github.com/yoanbernabeu/oopsie/internal/wsconn"
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

// withRequest authenticates the caller and records the request facts.
func (r *Resolver) withRequest(next http.Handler) http.Handler {
	return r.Auth.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := context.WithValue(wsconn.WithCloser(req.Context()), requestKey{}, requestInfo{
			ip:        rest.ClientIP(req),
			userAgent: req.UserAgent(),
			baseURL:   r.baseURL(req),
		})
		next.ServeHTTP(w, req.WithContext(ctx))
	}))
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
