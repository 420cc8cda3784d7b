package httpserver

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/logging"
)

// readyTimeout bounds the readiness check so a hung database makes the probe
// fail fast instead of piling up probe requests.
const readyTimeout = 2 * time.Second

// routes is the single route table of the server.
func routes(d Deps, logger *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", handleHealthz)
	mux.Handle("GET /readyz", handleReadyz(d.Ready, logger))

	// The SDK's CDN build, as the integration snippet loads it (projects.CDNPath).
	handle(mux, "GET /sdk/oopsie.js", d.SDKScript)

	handle(mux, "/graphql", d.GraphQL)
	handle(mux, "GET /graphql/playground", d.Playground)
	for _, rt := range restRoutes(d) {
		handle(mux, rt.pattern, rt.handler)
	}

	// Registered without a method so any verb on an unknown API path gets the
	// JSON 404 rather than falling through to the SPA, which would answer 200
	// with HTML and confuse API clients. "/api" itself is listed so it does
	// not get ServeMux's redirect to "/api/".
	mux.HandleFunc("/api", handleAPINotFound)
	mux.HandleFunc("/api/", handleAPINotFound)

	if d.UI != nil {
		mux.Handle("/", d.UI)
	}
	return mux
}

type route struct {
	pattern string
	handler http.Handler
}

// restRoutes are the REST routes, the ones api/v1/openapi.json describes.
func restRoutes(d Deps) []route {
	return []route{
		{"POST /api/v1/reports", d.Report},
		{"OPTIONS /api/v1/reports", d.Preflight},
		{"POST /sdk/{slug}/feedback", d.Feedback},
		{"OPTIONS /sdk/{slug}/feedback", d.Preflight},
		{"POST /sdk/{slug}/crashes", d.Crash},
		{"OPTIONS /sdk/{slug}/crashes", d.Preflight},
		{"GET /api/v1/attachments/{id}", d.Attachment},
		{"POST /api/v1/auth/login", d.Login},
		{"POST /api/v1/auth/refresh", d.Refresh},
		{"GET /api/v1/version", d.Version},
		{"GET /api/v1/openapi.json", http.HandlerFunc(serveOpenAPI)},
	}
}

//go:embed openapi.json
var openAPI []byte

// serveOpenAPI serves the OpenAPI 3 document of the REST routes.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(openAPI)
}

// RESTPatterns lists the REST routes' patterns ("METHOD /path/{param}"), so a
// test can hold the OpenAPI document to them.
func RESTPatterns() []string {
	var out []string
	for _, rt := range restRoutes(Deps{}) {
		out = append(out, rt.pattern)
	}
	return out
}

// handle registers h unless it is nil, so tests can build a partial server.
func handle(mux *http.ServeMux, pattern string, h http.Handler) {
	if h != nil {
		mux.Handle(pattern, h)
	}
}

// handleHealthz is the liveness probe: it checks nothing but the process
// answering, so a database outage does not get every replica restarted.
func handleHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func handleReadyz(ready func(context.Context) error, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			err := ready(ctx)
			cancel()
			if err != nil {
				// The error may name hosts, users or DSNs; probes are often
				// reachable from outside, so it goes to the log only.
				logging.FromContext(r.Context(), logger).Warn("readiness check failed", "error", err)
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

func handleAPINotFound(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, apperr.NotFound.Code(), "no such API endpoint")
}
