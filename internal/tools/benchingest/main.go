// Command benchingest measures ingest on PostgreSQL: `make bench-ingest`.
//
// It builds the server, starts it on a throwaway database, and sends it
// realistic reports and crashes (≈5 KB each, 60% with recurring
// fingerprints) over HTTP: a closed-loop throughput phase, an open-loop
// latency phase at a fixed rate, and crashes all in one group against
// crashes all in distinct groups. In the same run it writes the same rows
// with a plain pgx loop into a second throwaway database, as the baseline.
//
// It is a benchmark, not a test: it prints the figures next to their targets
// and exits non-zero only when the run itself fails (the server does not
// start, or more than 1% of the requests fail), never for a missed target.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchingest:", err)
		os.Exit(1)
	}
}

// The targets of the benchmark (issue 4), on a 2-core machine.
const (
	targetThroughput = 1500.0 // ingests/s
	targetOfBaseline = 0.50
	targetP99        = 50 * time.Millisecond // at targetRate
	targetOneGroup   = 0.80                  // one group's throughput over distinct groups'
	targetRate       = 1000.0
	maxErrorRate     = 0.01
)

type options struct {
	postgres      string
	concurrency   int
	requests      int
	rate          float64
	duration      time.Duration
	warmup        int
	baselineConns int
	timeout       time.Duration
	seed          uint64
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) (err error) {
	fs := flag.NewFlagSet("benchingest", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.postgres, "postgres", benchkit.PostgresURL(getenv), "PostgreSQL server to create the throwaway databases on")
	fs.IntVar(&o.concurrency, "c", 32, "concurrent requests of the closed-loop phases and the baseline")
	fs.IntVar(&o.requests, "n", 20_000, "requests of the throughput phase (and of the baseline); the one-group and distinct phases send n/2 each")
	fs.Float64Var(&o.rate, "rate", targetRate, "requests per second of the latency phase")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of the latency phase")
	fs.IntVar(&o.baselineConns, "baseline-conns", 0, "connections of the baseline's pgx pool (default: -c)")
	fs.IntVar(&o.warmup, "warmup", 1_000, "requests sent (and rows written) before each measurement, not counted")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "bound on the whole run")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the generated payloads")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	case o.concurrency < 1 || o.concurrency > 1024:
		return errors.New("-c must be between 1 and 1024")
	case o.requests < 2 || o.requests > 1_000_000:
		return errors.New("-n must be between 2 and 1,000,000")
	case o.rate <= 0 || o.rate > 100_000:
		return errors.New("-rate must be above 0 and at most 100,000")
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return errors.New("-duration must be above 0 and at most 10m")
	case o.warmup < 0 || o.timeout <= 0:
		return errors.New("-warmup and -timeout must not be negative")
	}

	ctx, cancel, explain := benchkit.Deadline(ctx, o.timeout)
	defer cancel()
	defer func() { err = explain(err) }()
	// Clean-up runs even when ctx is done (Ctrl-C, timeout).
	cleanupCtx := context.WithoutCancel(ctx)

	tmp, err := os.MkdirTemp("", "oopsie-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Fprintln(stdout, "building the server…")
	bin, err := benchkit.BuildServer(ctx, tmp)
	if err != nil {
		return err
	}

	serverDB, dropServerDB, err := database.CreatePostgresDatabase(ctx, o.postgres, "oopsie_bench", "")
	if err != nil {
		return err
	}
	defer benchkit.Drop(cleanupCtx, stdout, dropServerDB)
	baselineDB, dropBaselineDB, err := database.CreatePostgresDatabase(ctx, o.postgres, "oopsie_bench_pgx", "")
	if err != nil {
		return err
	}
	defer benchkit.Drop(cleanupCtx, stdout, dropBaselineDB)

	fmt.Fprintln(stdout, "starting the server…")
	srv, err := benchkit.StartServer(ctx, bin, tmp, serverDB, getenv)
	if err != nil {
		return err
	}
	defer srv.Stop()

	setupClient := newClient(2)
	prj, err := setUp(ctx, setupClient, srv.URL)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "server at %s, project %q\n", srv.URL, prj.slug)

	gen := newGenerator(o.seed)
	tgt := target{
		client:    newClient(o.concurrency),
		reportURL: srv.URL + "/api/v1/reports",
		crashURL:  srv.URL + "/sdk/" + prj.slug + "/crashes",
		key:       prj.key,
	}
	if err := tgt.check(ctx, gen); err != nil {
		return err
	}

	var phases []result
	// measure runs one phase, with the CPU the load generator and the
	// server (serverPID; 0 for none) used meanwhile.
	measure := func(serverPID int, phase func() (result, error)) error {
		before := benchkit.SampleCPU(serverPID)
		r, err := phase()
		if err != nil {
			return err
		}
		r.clientCPU, r.serverCPU, r.idleCPU = benchkit.Cores(before, benchkit.SampleCPU(serverPID))
		phases = append(phases, r)
		fmt.Fprintf(stdout, "  %-30s %7.0f/s  p50 %-8s p99 %-8s errors %d\n",
			r.name, r.perSecond(), benchkit.Ms(r.percentile(0.50)), benchkit.Ms(r.percentile(0.99)), r.errors)
		return nil
	}
	pid := srv.PID()

	// Warm up: connections, caches, and the recurring groups created.
	if o.warmup > 0 {
		fmt.Fprintf(stdout, "warming up with %d requests…\n", o.warmup)
		if _, err := closedLoop(ctx, "warm-up", o.warmup, o.concurrency, tgt.sendAll(gen.mix(o.warmup))); err != nil {
			return err
		}
	}

	mixed := gen.mix(o.requests)
	fmt.Fprintf(stdout, "payloads: report ≈ %.1f KB, crash ≈ %.1f KB\n",
		float64(averageSize(mixed, kindReport))/1024, float64(averageSize(mixed, kindCrash))/1024)
	fmt.Fprintln(stdout, "measuring…")
	throughputName := fmt.Sprintf("throughput (c=%d)", o.concurrency)
	if err := measure(pid, func() (result, error) {
		return closedLoop(ctx, throughputName, len(mixed), o.concurrency, tgt.sendAll(mixed))
	}); err != nil {
		return err
	}
	throughput := phases[len(phases)-1]

	n := max(1, int(o.rate*o.duration.Seconds()))
	paced := gen.mix(n)
	interval := time.Duration(float64(time.Second) / o.rate)
	open := tgt
	open.client = newClient(max(o.concurrency, 512)) // open loop: answers may overlap more
	latencyName := fmt.Sprintf("latency at %s/s (open loop)", benchkit.Thousands(o.rate))
	err = measure(pid, func() (result, error) { return openLoop(ctx, latencyName, n, interval, open.sendAll(paced)) })
	open.client.CloseIdleConnections()
	if err != nil {
		return err
	}
	latency := phases[len(phases)-1]

	half := max(1, o.requests/2)
	// A signature of its own, so its group starts empty like a new crash's.
	one := gen.crashes(half, gen.signature(false))
	if err := measure(pid, func() (result, error) {
		return closedLoop(ctx, "crashes, one group", half, o.concurrency, tgt.sendAll(one))
	}); err != nil {
		return err
	}
	oneGroup := phases[len(phases)-1]
	distinct := gen.crashes(half, nil)
	if err := measure(pid, func() (result, error) {
		return closedLoop(ctx, "crashes, distinct groups", half, o.concurrency, tgt.sendAll(distinct))
	}); err != nil {
		return err
	}
	distinctGroups := phases[len(phases)-1]

	logged, firstLogged := srv.ErrorLogs()
	// The baseline has the machine to itself, as the server had.
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(stdout, "warning:", err)
	}

	fmt.Fprintln(stdout, "baseline: same rows with plain pgx…")
	conns := o.baselineConns
	if conns <= 0 {
		conns = o.concurrency
	}
	base, err := openBaseline(ctx, baselineDB, conns)
	if err != nil {
		return err
	}
	defer base.close()
	if o.warmup > 0 {
		warm, err := rows(gen.mix(o.warmup))
		if err != nil {
			return err
		}
		if _, err := closedLoop(ctx, "baseline warm-up", len(warm), o.concurrency, base.writeAll(warm)); err != nil {
			return err
		}
	}
	baseRows, err := rows(mixed)
	if err != nil {
		return err
	}
	baseName := fmt.Sprintf("baseline pgx (c=%d)", o.concurrency)
	if conns != o.concurrency {
		baseName = fmt.Sprintf("baseline pgx (c=%d, %d conns)", o.concurrency, conns)
	}
	if err := measure(0, func() (result, error) {
		return closedLoop(ctx, baseName, len(baseRows), o.concurrency, base.writeAll(baseRows))
	}); err != nil {
		return err
	}
	baseline := phases[len(phases)-1]

	printReport(stdout, o, phases, throughput, latency, oneGroup, distinctGroups, baseline)
	if logged > 0 {
		fmt.Fprintf(stdout, "\nthe server logged %d errors; the first:\n  %s\n", logged, firstLogged)
	}

	var failed []string
	for _, r := range phases {
		if r.errorRate() > maxErrorRate {
			failed = append(failed, fmt.Sprintf("%s: %d of %d requests failed (%.1f%%), the first with %s",
				r.name, r.errors, r.sent, 100*r.errorRate(), r.firstErr))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("more than %.0f%% of the requests failed:\n  %s", 100*maxErrorRate, joinLines(failed))
	}
	return nil
}

func printReport(stdout io.Writer, o options, phases []result, throughput, latency, oneGroup, distinct, baseline result) {
	fmt.Fprintf(stdout, "\nOopsie ingest benchmark: %d CPUs (%s/%s), concurrency %d, %s requests, half reports, half crashes, 60%% recurring fingerprints\n\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, o.concurrency, benchkit.Thousands(float64(o.requests)))

	const row = "%-32s %9s %7s %9s %9s %9s %6s %7s %5s\n"
	fmt.Fprintf(stdout, row, "phase", "requests", "errors", "req/s", "p50", "p99", "bench", "server", "idle")
	for _, r := range phases {
		fmt.Fprintf(stdout, row, r.name, benchkit.Thousands(float64(r.sent)), benchkit.Thousands(float64(r.errors)),
			benchkit.Thousands(r.perSecond()), benchkit.Ms(r.percentile(0.50)), benchkit.Ms(r.percentile(0.99)), r.clientCPU, r.serverCPU, r.idleCPU)
	}
	fmt.Fprintf(stdout, "(bench, server, idle: CPUs kept busy by this load generator or the pgx loop, by the server,\n and left idle, of the %d that PostgreSQL shares; the rest is mostly PostgreSQL)\n", runtime.NumCPU())
	for _, r := range phases {
		if r.errors > 0 {
			fmt.Fprintf(stdout, "first error of %s: %s\n", r.name, r.firstErr)
		}
	}
	fmt.Fprintf(stdout, "\nlatency phase: %d requests scheduled at %s/s over %s, achieved %s/s\n",
		latency.sent, benchkit.Thousands(o.rate), o.duration, benchkit.Thousands(latency.perSecond()))

	ofBaseline := benchkit.Ratio(throughput.perSecond(), baseline.perSecond())
	oneVsDistinct := benchkit.Ratio(oneGroup.perSecond(), distinct.perSecond())
	fmt.Fprintln(stdout)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "target\tfigure\tresult")
	fmt.Fprintf(w, "≥ %s ingests/s\t%s/s\t%s\n", benchkit.Thousands(targetThroughput), benchkit.Thousands(throughput.perSecond()),
		benchkit.Verdict(throughput.perSecond() >= targetThroughput))
	fmt.Fprintf(w, "≥ %.0f%% of the pgx baseline\t%.0f%% (%s/s of %s/s)\t%s\n", 100*targetOfBaseline, 100*ofBaseline,
		benchkit.Thousands(throughput.perSecond()), benchkit.Thousands(baseline.perSecond()), benchkit.Verdict(ofBaseline >= targetOfBaseline))
	p99 := latency.percentile(0.99)
	rateNote := ""
	if o.rate != targetRate {
		rateNote = fmt.Sprintf(" (measured at %s/s)", benchkit.Thousands(o.rate))
	}
	fmt.Fprintf(w, "p99 ≤ %s at %s/s\t%s%s\t%s\n", benchkit.Ms(targetP99), benchkit.Thousands(targetRate), benchkit.Ms(p99), rateNote,
		benchkit.Verdict(p99 <= targetP99 && o.rate >= targetRate && latency.perSecond() >= 0.95*o.rate))
	fmt.Fprintf(w, "one group ≥ %.0f%% of distinct\t%.0f%% (%s/s vs %s/s)\t%s\n", 100*targetOneGroup, 100*oneVsDistinct,
		benchkit.Thousands(oneGroup.perSecond()), benchkit.Thousands(distinct.perSecond()), benchkit.Verdict(oneVsDistinct >= targetOneGroup))
	_ = w.Flush()
}

func joinLines(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n  "
		}
		out += l
	}
	return out
}
