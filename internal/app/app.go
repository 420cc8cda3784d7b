// Package app assembles Oopsie from its configuration: the database, its
// migrations and the HTTP handler. `oopsie serve` and the end-to-end tests
// build the server through it, so both run the same wiring.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/yoanbernabeu/oopsie/dashboard"
	"github.com/yoanbernabeu/oopsie/graph"
	"github.com/yoanbernabeu/oopsie/internal/accounts"
	"github.com/yoanbernabeu/oopsie/internal/auth"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/httpserver"
	"github.com/yoanbernabeu/oopsie/internal/projects"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/restapi"
	"github.com/yoanbernabeu/oopsie/internal/settings"
	"github.com/yoanbernabeu/oopsie/internal/storage"
)

// App is a started instance, ready to serve.
type App struct {
	cfg     *config.Config
	logger  *slog.Logger
	DB      *database.DB
	Broker  pubsub.Broker
	Blobs   storage.Blobs
	Handler http.Handler
}

// loginAttempts is how many failed logins one email may have from one
// address within loginWindow before logins are refused for a while.
const (
	loginAttempts = 5
	loginWindow   = time.Minute
)

// New connects to the database and brings its schema up to date. It fails
// when the database is unreachable or a migration fails, so a replica never
// serves on a schema it does not know. version is the running build's.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger, version string) (*App, error) {
	if err := cfg.ResolveJWTSecret(); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	// Fail loudly rather than run single-node when the operator asked for a
	// shared broker or bucket that this build cannot use yet.
	if cfg.RedisURL != "" {
		return nil, errors.New("start: REDIS_URL is set, but the Redis broker is not available in this version")
	}
	if cfg.Storage.Adapter != config.StorageLocal {
		return nil, fmt.Errorf("start: STORAGE_ADAPTER=%s is not available in this version", cfg.Storage.Adapter)
	}
	blobs, err := storage.NewLocal(cfg.Storage.LocalPath)
	if err != nil {
		return nil, fmt.Errorf("start: attachments directory (STORAGE_LOCAL_PATH): %w", err)
	}
	db, err := database.Open(ctx, cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("start: %w", err)
	}
	if len(applied) > 0 {
		logger.Info("applied database migrations", "dialect", db.Dialect, "versions", applied)
	} else {
		logger.Info("database schema is up to date", "dialect", db.Dialect)
	}
	authn := auth.New(db.Client, auth.Config{Secret: cfg.JWTSecret})
	accts := accounts.New(db.Client, authn, auth.NewMemoryLimiter(loginAttempts, loginWindow, time.Now))
	sets := settings.New(db.Client, version)
	resolver := &graph.Resolver{
		Client:          db.Client,
		Auth:            authn,
		Accounts:        accts,
		ProjectService:  projects.New(db.Client),
		SettingsService: sets,
		PublicURL:       cfg.PublicURL,
	}
	limits := graph.DefaultLimits
	limits.Introspection = cfg.GraphQLIntrospection
	restHandlers := &restapi.Handlers{Accounts: accts, Auth: authn, Settings: sets, Logger: logger}
	return &App{
		cfg:    cfg,
		logger: logger,
		DB:     db,
		Broker: pubsub.NewMemory(),
		Blobs:  blobs,
		Handler: httpserver.New(httpserver.Deps{
			Logger:     logger,
			Ready:      db.CheckMigrated,
			UI:         dashboard.Handler(),
			GraphQL:    graph.NewHandler(resolver, limits, logger),
			Playground: graph.PlaygroundHandler("/graphql"),
			Login:      http.HandlerFunc(restHandlers.Login),
			Refresh:    http.HandlerFunc(restHandlers.Refresh),
			Version:    http.HandlerFunc(restHandlers.Version),
		}),
	}, nil
}

// Serve serves on ln until ctx is done, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	return httpserver.Serve(ctx, ln, a.Handler, a.logger, a.cfg.ShutdownTimeout)
}

// Close releases the broker and the database.
func (a *App) Close() error { return errors.Join(a.Broker.Close(), a.DB.Close()) }
