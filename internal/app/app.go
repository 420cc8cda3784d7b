// Package app assembles Oopsie from its configuration: the database, its
// migrations, the services and the HTTP handler. `oopsie serve` and the
// end-to-end tests build the server through it, so both run the same wiring.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"entgo.io/ent/dialect"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/dashboard"
	"github.com/yoanbernabeu/oopsie/graph"
	"github.com/yoanbernabeu/oopsie/ingest"
	"github.com/yoanbernabeu/oopsie/internal/accounts"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/auth"
	"github.com/yoanbernabeu/oopsie/internal/comments"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/feedback"
	"github.com/yoanbernabeu/oopsie/internal/httpserver"
	"github.com/yoanbernabeu/oopsie/internal/jobs"
	"github.com/yoanbernabeu/oopsie/internal/keys"
	"github.com/yoanbernabeu/oopsie/internal/live"
	"github.com/yoanbernabeu/oopsie/internal/projects"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/ratelimit"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/restapi"
	"github.com/yoanbernabeu/oopsie/internal/retention"
	"github.com/yoanbernabeu/oopsie/internal/settings"
	"github.com/yoanbernabeu/oopsie/internal/stats"
	"github.com/yoanbernabeu/oopsie/internal/storage"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
	"github.com/yoanbernabeu/oopsie/sdk"
)

// App is a started instance, ready to serve.
type App struct {
	cfg     *config.Config
	logger  *slog.Logger
	DB      *database.DB
	Broker  pubsub.Broker
	Blobs   storage.Blobs
	Handler http.Handler

	// Jobs works webhook deliveries, the retention purge and the version
	// check.
	Jobs *jobs.Engine

	redis    *redis.Client // nil without REDIS_URL
	keys     *keys.Resolver
	webhooks *webhooks.Notifier
	stop     context.CancelFunc
	done     chan struct{}
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
	blobs, err := storage.New(ctx, cfg.Storage)
	if err != nil {
		return nil, fmt.Errorf("start: attachment storage (STORAGE_*): %w", err)
	}
	a := &App{cfg: cfg, logger: logger, Blobs: blobs, Broker: pubsub.NewMemory(), done: make(chan struct{})}
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, errors.New("start: REDIS_URL is not a valid Redis URL")
		}
		a.redis = redis.NewClient(opts)
		// One Redis subscription per process fans events out to every
		// replica's subscribers; publishing is queued, so ingest never
		// waits on Redis.
		a.Broker = pubsub.NewAsync(pubsub.NewRedis(a.redis, eventsChannel, logger), eventQueue, logger)
	}
	if a.DB, err = openAndMigrate(ctx, cfg, logger); err != nil {
		_ = a.Broker.Close()
		a.closeRedis()
		return nil, err
	}
	a.keys = keys.New(a.DB.Client, keys.Options{Logger: logger})
	if a.Jobs, err = a.newJobs(ctx, version); err != nil {
		a.release()
		return nil, fmt.Errorf("start: %w", err)
	}
	a.webhooks = webhooks.NewNotifier(a.DB.Client, a.Jobs)
	a.Handler = a.routes(version)

	// The key cache flushes lastUsedAt in the background until Close.
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = stop
	// Not bg: River cancels its running jobs with the context Start got.
	// Close stops it with Stop instead, which lets them finish.
	if err := a.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
		stop()
		_ = a.Jobs.Stop(ctx)
		a.release()
		return nil, fmt.Errorf("start: %w", err)
	}
	go func() {
		defer close(a.done)
		a.keys.Run(bg)
	}()
	return a, nil
}

// newJobs builds the job engine and its workers: webhook deliveries, the
// hourly retention purge, the deletion of a deleted project's files and,
// when OOPSIE_RELEASES_URL is set, the daily version check.
func (a *App) newJobs(ctx context.Context, version string) (*jobs.Engine, error) {
	client, logger := a.DB.Client, a.logger
	workers := river.NewWorkers()
	river.AddWorker(workers, webhooks.NewWorker(client, webhooks.Config{
		PublicURL:    dashboardURL(a.cfg),
		AllowPrivate: a.cfg.WebhookAllowPrivate,
		UserAgent:    "Oopsie-Webhook/" + version,
		Logger:       logger,
	}))
	river.AddWorker(workers, retention.NewWorker(a.Purger(), logger))
	river.AddWorker(workers, attachments.NewDeleteBlobsWorker(a.Blobs))
	periodic := []*river.PeriodicJob{retention.Periodic()}
	// Registered even when the check is off, so a check left queued by an
	// earlier configuration fails as a check, not as an unknown job.
	river.AddWorker(workers, settings.NewCheckWorker(settings.New(client, version), a.cfg.ReleasesURL, logger))
	if a.cfg.ReleasesURL != "" {
		periodic = append(periodic, settings.PeriodicCheck())
	}
	return jobs.New(ctx, a.DB, jobs.Options{
		Workers:  workers,
		Periodic: periodic,
		Logger:   logger.With("component", "jobs"),
	})
}

// dashboardURL is the address webhooks link to: OOPSIE_PUBLIC_URL, or
// without it this machine's listening port, right at least for a solo
// developer running Oopsie locally.
func dashboardURL(cfg *config.Config) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || port == "" || port == "0" {
		return "http://localhost"
	}
	return "http://localhost:" + port
}

// Purger purges by the configured retention.
func (a *App) Purger() *retention.Purger {
	return retention.New(a.DB.Client, a.Blobs, a.cfg.Retention, time.Now)
}

// The Redis channel of live events, and how many events may wait to be
// published to it.
const (
	eventsChannel = "oopsie:events"
	eventQueue    = 10_000
)

func openAndMigrate(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*database.DB, error) {
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
	return db, nil
}

// limiter shares rate limits across replicas through Redis when there is
// one, and keeps them in the process otherwise.
func (a *App) limiter() ratelimit.Limiter {
	if a.redis != nil {
		return ratelimit.NewRedis(a.redis, "oopsie:rl:")
	}
	return ratelimit.NewMemory(time.Now)
}

// ingestWriters is how many ingest transactions of one kind (reports,
// crashes) may write at a time. SQLite has one writer; on PostgreSQL, while
// one batch commits, the next is being written. Measured with make
// bench-ingest on 2 cores, 2 balanced mixed load (924/s) against a burst of
// crashes alone (1,422/s); 1 did better mixed (1,027/s) but left the CPU
// idle during a crash burst (1,090/s), 3 did worse on both.
func ingestWriters(d string) int {
	if d == dialect.Postgres {
		return 2
	}
	return 1
}

func (a *App) routes(version string) http.Handler {
	client, logger := a.DB.Client, a.logger
	authn := auth.New(client, auth.Config{Secret: a.cfg.JWTSecret})
	accts := accounts.New(client, authn, auth.NewMemoryLimiter(loginAttempts, loginWindow, time.Now))
	sets := settings.New(client, version)
	files := attachments.NewStore(a.Blobs)
	// One of each service, shared by the ingest door and GraphQL.
	reportSvc := reports.New(client, files, a.Broker, time.Now,
		reports.Writers(ingestWriters(a.DB.Dialect)), reports.Webhooks(a.webhooks))
	feedbackSvc := feedback.New(client, files, a.Broker, feedback.Webhooks(a.webhooks))
	crashSvc := crashes.New(client, files, a.Broker, time.Now,
		crashes.Writers(ingestWriters(a.DB.Dialect)), crashes.Webhooks(a.webhooks))
	projectOpts := []projects.Option{projects.DeleteFilesWith(a.Jobs)}
	if !a.cfg.WebhookAllowPrivate {
		projectOpts = append(projectOpts, projects.RefusePrivateWebhooks(net.DefaultResolver))
	}

	limits := graph.DefaultLimits
	limits.Introspection = a.cfg.GraphQLIntrospection
	gql := graph.NewHandler(&graph.Resolver{
		Client:          client,
		Auth:            authn,
		Accounts:        accts,
		ProjectService:  projects.New(client, projectOpts...),
		Webhooks:        a.webhooks,
		SettingsService: sets,
		ReportService:   reportSvc,
		FeedbackService: feedbackSvc,
		CrashService:    crashSvc,
		CommentService:  comments.New(client),
		StatsService:    stats.New(client, time.Now),
		Live:            live.New(client, a.Broker, logger),
		PublicURL:       a.cfg.PublicURL,
	}, limits, logger)

	in := ingest.New(ingest.Deps{
		Keys:     a.keys,
		Limiter:  a.limiter(),
		Reports:  reportSvc,
		Feedback: feedbackSvc,
		Crashes:  crashSvc,
		Logger:   logger,
		PerKey:   ratelimit.PerMinute(a.cfg.RateLimits.PerKey),
		PerIP:    ratelimit.PerMinute(a.cfg.RateLimits.PerIP),
	})
	rest := &restapi.Handlers{Accounts: accts, Auth: authn, Settings: sets, Logger: logger}
	return httpserver.New(httpserver.Deps{
		Logger:         logger,
		TrustedProxies: a.cfg.TrustedProxies,
		Ready:          a.DB.CheckMigrated,
		UI:             dashboard.Handler(),
		GraphQL:        gql,
		Playground:     graph.PlaygroundHandler("/graphql"),
		Login:          http.HandlerFunc(rest.Login),
		Refresh:        http.HandlerFunc(rest.Refresh),
		Version:        http.HandlerFunc(rest.Version),
		Report:         http.HandlerFunc(in.Report),
		Feedback:       http.HandlerFunc(in.Feedback),
		Crash:          http.HandlerFunc(in.Crash),
		Preflight:      http.HandlerFunc(in.Preflight),
		Attachment:     authn.Middleware(files.Download(client, logger)),
		SDKScript:      sdk.Handler(),
	})
}

// Serve serves on ln until ctx is done, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	return httpserver.Serve(ctx, ln, a.Handler, a.logger, a.cfg.ShutdownTimeout)
}

// Close stops background work (flushing what it holds, letting running
// jobs finish within the shutdown timeout), then releases the broker, Redis
// and the database.
func (a *App) Close() error {
	a.stop()
	<-a.done
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	jerr := a.Jobs.Stop(ctx)
	return errors.Join(jerr, a.Broker.Close(), a.closeRedis(), a.DB.Close())
}

// release closes what New opened before failing.
func (a *App) release() {
	a.DB.Close()
	_ = a.Broker.Close()
	_ = a.closeRedis()
}

func (a *App) closeRedis() error {
	if a.redis == nil {
		return nil
	}
	return a.redis.Close()
}
