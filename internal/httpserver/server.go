// Package httpserver owns Oopsie's HTTP surface: the route table, the
// middleware every request goes through, and graceful serving.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// Deps are the collaborators the HTTP layer needs.
type Deps struct {
	// Logger is the base logger; requests log through a child carrying
	// request_id. nil discards logs.
	Logger *slog.Logger
	// Ready reports whether the instance can serve traffic (database
	// reachable, migrations applied). nil error = ready. A nil func means
	// there is nothing to check, so the instance is always ready.
	Ready func(context.Context) error
	// UI serves the dashboard SPA at "/" when set. May be nil.
	UI http.Handler
	// GraphQL is the /graphql endpoint and Playground its GraphiQL page.
	GraphQL, Playground http.Handler
	// Login, Refresh and Version are the REST routes for non-GraphQL clients.
	Login, Refresh, Version http.Handler
	// Report, Feedback and Crash are the ingest routes, Preflight their CORS
	// preflight; Attachment downloads an attachment.
	Report, Feedback, Crash, Preflight, Attachment http.Handler
	// SDKScript serves the SDK's CDN build at projects.CDNPath.
	SDKScript http.Handler
	// TrustedProxies are the networks whose X-Forwarded-For is believed
	// (see rest.TrustProxies).
	TrustedProxies []netip.Prefix
}

// New builds the route table wrapped in the middleware chain.
func New(d Deps) http.Handler {
	logger := orDiscard(d.Logger)
	return withMiddleware(routes(d, logger), logger, d.TrustedProxies)
}

const (
	// readHeaderTimeout stops slowloris clients holding connections open by
	// trickling headers.
	readHeaderTimeout = 10 * time.Second
	// idleTimeout reclaims keep-alive connections that browsers and SDKs
	// leave open.
	idleTimeout = 2 * time.Minute
)

// Serve serves h on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets in-flight requests finish within shutdownTimeout,
// then force-closes the remaining connections. It returns nil on a clean
// shutdown, an error wrapping context.DeadlineExceeded when connections had
// to be force-closed, and the serve error if serving fails before ctx ends.
// ln is closed when Serve returns.
//
// Connections taken over via Hijack (WebSockets) are invisible to the
// server's shutdown; their handlers must watch for it themselves.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger, shutdownTimeout time.Duration) error {
	logger = orDiscard(logger)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		// No ReadTimeout or WriteTimeout: they are absolute deadlines on the
		// connection, so they would kill long-lived WebSocket / streaming
		// subscriptions and slow uploads of large crash reports. Handlers
		// that need bounds set them per request via http.ResponseController
		// and http.MaxBytesReader.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		// BaseContext is left at its default on purpose: deriving request
		// contexts from ctx would cancel every in-flight request the moment
		// shutdown starts, defeating the graceful drain.
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	logger.Info("http server listening", "addr", ln.Addr().String())

	select {
	case err := <-serveErr:
		return fmt.Errorf("httpserver: serve: %w", err)
	case <-ctx.Done():
	}

	logger.Info("http server shutting down", "timeout", shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(shutdownCtx)
	if shutdownErr != nil {
		logger.Warn("graceful shutdown incomplete, closing remaining connections", "error", shutdownErr)
		// Close's error only repeats the listener-close error Shutdown
		// already surfaced.
		_ = srv.Close()
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpserver: serve: %w", err)
	}
	if shutdownErr != nil {
		return fmt.Errorf("httpserver: shutdown: %w", shutdownErr)
	}
	logger.Info("http server stopped")
	return nil
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
