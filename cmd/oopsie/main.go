// Command oopsie is the Oopsie server and its administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/app"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/gcpace"
	"github.com/yoanbernabeu/oopsie/internal/logging"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `Oopsie: self-hosted bug reports, feedback and crash analytics.

Usage:
  oopsie serve            run the server
  oopsie migrate up       apply pending database migrations
  oopsie migrate status   show applied and pending migrations
  oopsie purge            delete what is older than its retention, now
  oopsie dev seed         fill the database with realistic demo data:
        [--reports N] [--crashes N] [--feedback N] [--projects P] [--seed S]
  oopsie version          print the version

Configuration comes from the environment; see README.md.
`

// errUsage marks a command line that could not be understood (exit status 2).
var errUsage = errors.New("usage")

func main() {
	// The server keeps time in UTC: SQLite compares stored times as text,
	// which orders them rightly only when they share one zone.
	time.Local = time.UTC
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "oopsie:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout)
	case "purge":
		return purge(ctx, args[1:], getenv, stdout)
	case "dev":
		return dev(ctx, args[1:], getenv, stdout)
	case "version":
		fmt.Fprintln(stdout, "oopsie", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
	}
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if err := flag.NewFlagSet("serve", flag.ContinueOnError).Parse(args); err != nil {
		return errUsage
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := logging.New(stdout, cfg.LogLevel, cfg.LogFormat)
	if getenv("GOGC") == "" {
		// Ingest allocates briefly and a lot over a small live heap; idle
		// live connections hold theirs for hours. 100 MB of headroom
		// suits both, where a fixed GOGC suits one.
		defer gcpace.Start(gcpace.Default)()
	}
	a, err := app.New(ctx, cfg, logger, version)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (OOPSIE_ADDR): %w", cfg.Addr, err)
	}
	logger.Info("Oopsie is serving", "url", listenURL(ln.Addr()), "public_url", cfg.PublicURL, "version", version)
	return a.Serve(ctx, ln)
}

// listenURL is a URL a person can open for the address the server listens
// on: an unspecified host (":8080") becomes localhost.
func listenURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		_, port, _ := net.SplitHostPort(addr.String())
		return "http://localhost:" + port
	}
	return "http://" + addr.String()
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 || (args[0] != "up" && args[0] != "status") {
		return fmt.Errorf("migrate needs up or status: %w", errUsage)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "up" {
		applied, err := db.Migrate(ctx)
		for _, v := range applied {
			fmt.Fprintln(stdout, "applied", v)
		}
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(stdout, "nothing to apply: the schema is up to date")
		}
		return nil
	}
	st, err := db.Status(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "dialect\t%s\n", db.Dialect)
	fmt.Fprintf(w, "current\t%s\n", orNone(st.Current))
	fmt.Fprintf(w, "latest\t%s\n", orNone(st.Latest))
	fmt.Fprintf(w, "pending\t%d\n", len(st.Pending))
	for _, p := range st.Pending {
		fmt.Fprintf(w, "\t%s\n", p)
	}
	return w.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
