// Command benchlive measures live updates (GraphQL subscriptions over
// WebSocket): `make bench-live`.
//
// It builds the server, starts two replicas of it on a throwaway PostgreSQL
// database, both with REDIS_URL so that events fan out across them, and sets
// up an admin and a project on replica A. Then:
//
//   - memory: it connects idle subscribers (authenticated, subscribed to
//     reportCreated) to replica A alone, 0, 1,000 then 10,000 of them, waits
//     each time for the server's RSS to settle, and reports the RSS each
//     subscriber costs: (RSS(n) − RSS(0)) / n;
//   - latency: it subscribes -subscribers connections, spread evenly over A
//     and B, then ingests reports at -rate per second (open loop) through A
//     and B in turn, each carrying a marker in its message, and records for
//     every (report, subscriber) the time from the ingest request's send to
//     the subscriber's receiving the report.
//
// In the same run it measures a bare gorilla/websocket hub, in a process of
// its own (this binary, run with -hub), the same way: its RSS per idle
// connection, and the latency from a POST /publish to the connection's
// receiving the broadcast, with the same subscribers, rate and frames.
//
// It is a benchmark, not a test: it prints the figures next to their targets
// and exits non-zero only when the run itself fails (a server does not start,
// the subscription protocol fails, more than 1% of the deliveries or of the
// ingests are missing), never for a missed target.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == hubFlag {
		if err := runHub(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "benchlive hub:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchlive:", err)
		os.Exit(1)
	}
}

// The targets of the benchmark (issue 6), on a 2-core machine.
const (
	targetP99         = 100 * time.Millisecond // ingest → delivery
	targetSubscribers = 1000                   // … with this many subscribers
	targetRate        = 100.0                  // … and ingests per second
	targetKBPerConn   = 32.0                   // RSS per idle subscriber
	targetIdle        = 10_000                 // … with this many of them
	maxMissing        = 0.01                   // of the deliveries, or of the ingests
)

// requestTimeout bounds one HTTP request, so a stuck server cannot hang the run.
const requestTimeout = 30 * time.Second

// DefaultRedisURL is the Redis the replicas share, unless
// OOPSIE_TEST_REDIS_URL or -redis says otherwise.
const DefaultRedisURL = "redis://127.0.0.1:6379/0"

type options struct {
	postgres, redis string
	replicas        int
	subscribers     int
	rate            float64
	duration        time.Duration
	idle            []int
	timeout         time.Duration
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) (err error) {
	fs := flag.NewFlagSet("benchlive", flag.ContinueOnError)
	var o options
	redisDefault := getenv("OOPSIE_TEST_REDIS_URL")
	if redisDefault == "" {
		redisDefault = DefaultRedisURL
	}
	idle := "0,1000,10000"
	fs.StringVar(&o.postgres, "postgres", benchkit.PostgresURL(getenv), "PostgreSQL server to create the throwaway database on")
	fs.StringVar(&o.redis, "redis", redisDefault, "Redis the replicas share (REDIS_URL); its database number keeps their rate limits apart from others'")
	fs.IntVar(&o.replicas, "replicas", 2, "server replicas: 2 spreads the subscribers and the ingests over two, which Redis connects; 1 measures one")
	fs.IntVar(&o.subscribers, "subscribers", targetSubscribers, "subscribers of the latency phase")
	fs.Float64Var(&o.rate, "rate", targetRate, "ingests per second of the latency phase")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "length of the latency phase")
	fs.StringVar(&idle, "idle", idle, "counts of idle subscribers to read the RSS with, comma-separated (0 is always measured)")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "bound on the whole run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.idle, err = parseCounts(idle)
	if err != nil {
		return fmt.Errorf("-idle: %w", err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	case o.replicas != 1 && o.replicas != 2:
		return errors.New("-replicas must be 1 or 2")
	case o.subscribers < 1 || o.subscribers > 20_000:
		return errors.New("-subscribers must be between 1 and 20,000")
	case o.rate <= 0 || o.rate > 10_000:
		return errors.New("-rate must be above 0 and at most 10,000")
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return errors.New("-duration must be above 0 and at most 10m")
	case o.rate*o.duration.Seconds()*float64(o.subscribers) > 50_000_000:
		return errors.New("-rate × -duration × -subscribers must be at most 50,000,000 deliveries")
	case o.timeout <= 0:
		return errors.New("-timeout must be above 0")
	}
	if err := checkFiles(max(o.subscribers, slices.Max(o.idle))); err != nil {
		return err
	}

	ctx, cancel, explain := benchkit.Deadline(ctx, o.timeout)
	defer cancel()
	defer func() { err = explain(err) }()
	// Clean-up runs even when ctx is done (Ctrl-C, timeout).
	cleanupCtx := context.WithoutCancel(ctx)

	if err := pingRedis(ctx, o.redis); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "oopsie-bench-live-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Fprintln(stdout, "building the server…")
	bin, err := benchkit.BuildServer(ctx, tmp)
	if err != nil {
		return err
	}
	dbURL, dropDB, err := database.CreatePostgresDatabase(ctx, o.postgres, "oopsie_bench_live", "")
	if err != nil {
		return err
	}
	defer benchkit.Drop(cleanupCtx, stdout, dropDB)

	// The replicas share the database, Redis, and the data directory, hence
	// the JWT secret: a token from one is good on the other.
	names := []string{"A", "B"}[:o.replicas]
	servers := make([]*benchkit.Server, 0, o.replicas)
	defer func() {
		for _, s := range servers {
			_ = s.Stop()
		}
	}()
	for _, name := range names {
		fmt.Fprintf(stdout, "starting replica %s…\n", name)
		s, err := benchkit.StartServer(ctx, bin, tmp, dbURL, getenv, "REDIS_URL="+o.redis)
		if err != nil {
			return fmt.Errorf("replica %s: %w", name, err)
		}
		servers = append(servers, s)
	}

	client := benchkit.NewClient(512, requestTimeout)
	defer client.CloseIdleConnections()
	a := servers[0].URL
	token, err := benchkit.SetUpAdmin(ctx, client, a)
	if err != nil {
		return err
	}
	prj, err := benchkit.CreateProject(ctx, client, a, token, "Bench live")
	if err != nil {
		return err
	}
	oopsie := target{name: "Oopsie"}
	for i, s := range servers {
		oopsie.eps = append(oopsie.eps, endpoint{
			name: names[i], wsURL: "ws" + strings.TrimPrefix(s.URL, "http") + "/graphql",
			graphql: true, token: token, projectID: prj.ID,
		})
		oopsie.pubs = append(oopsie.pubs, publisher{name: names[i], send: ingester(client, s.URL, prj.Key)})
		oopsie.pids = append(oopsie.pids, s.PID())
		fmt.Fprintf(stdout, "replica %s at %s (pid %d)\n", names[i], s.URL, s.PID())
	}
	fmt.Fprintf(stdout, "project %q (%s)\n", prj.Slug, prj.ID)

	p := newPool()
	// A fresh access token (good for 15 minutes) for each phase.
	relogin := func() error {
		t, err := benchkit.LogIn(ctx, client, a)
		for i := range oopsie.eps {
			oopsie.eps[i].token = t
		}
		return err
	}

	fmt.Fprintf(stdout, "memory: idle subscribers on replica %s…\n", names[0])
	if err := relogin(); err != nil {
		return err
	}
	oopsieMem, err := measureMemory(ctx, stdout, p, oopsie, o.idle)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "latency: %s subscribers over %s, %s reports/s for %s…\n",
		benchkit.Thousands(float64(o.subscribers)), strings.Join(names, " and "), benchkit.Thousands(o.rate), o.duration)
	if err := relogin(); err != nil {
		return err
	}
	oopsieLat, err := latencyRun(ctx, p, oopsie, o)
	if err != nil {
		return err
	}
	printLatencyLine(stdout, oopsieLat)

	type logged struct {
		name  string
		count int64
		first string
	}
	var errLogs []logged
	for i, s := range servers {
		if n, first := s.ErrorLogs(); n > 0 {
			errLogs = append(errLogs, logged{names[i], n, first})
		}
	}
	// The baseline has the machine to itself, as the servers had.
	for i, s := range servers {
		if err := s.Stop(); err != nil {
			fmt.Fprintf(stdout, "warning: replica %s: %v\n", names[i], err)
		}
	}

	fmt.Fprintln(stdout, "baseline: a bare gorilla/websocket hub…")
	hp, err := startHub(ctx)
	if err != nil {
		return err
	}
	defer hp.Stop()
	frame := []byte(syntheticFrame)
	if t := p.template.Load(); t != nil {
		frame = *t
	}
	hubT := target{
		name: "hub",
		eps:  []endpoint{{name: "hub", wsURL: "ws" + strings.TrimPrefix(hp.URL, "http") + "/ws"}},
		pubs: []publisher{{name: "hub", send: broadcaster(client, hp.URL, frame)}},
		pids: []int{hp.PID()},
	}
	hubMem, err := measureMemory(ctx, stdout, p, hubT, o.idle)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	hubLat, err := latencyRun(ctx, p, hubT, o)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	printLatencyLine(stdout, hubLat)
	hp.Stop()
	oopsieLat.frameBytes, hubLat.frameBytes = len(frame), len(frame)

	printReport(stdout, o, names, oopsieLat, hubLat, oopsieMem, hubMem)
	for _, l := range errLogs {
		fmt.Fprintf(stdout, "\nreplica %s logged %d errors; the first:\n  %s\n", l.name, l.count, l.first)
	}

	var failed []string
	for _, l := range []latency{oopsieLat, hubLat} {
		if l.missingShare() > maxMissing {
			why := ""
			if l.ended > 0 {
				why = fmt.Sprintf("; %d subscribers were lost, %s", l.ended, l.firstEnd)
			}
			failed = append(failed, fmt.Sprintf("%s: %s of %s deliveries missing (%.1f%%)%s", l.name,
				benchkit.Thousands(float64(l.missing())), benchkit.Thousands(float64(l.expected)), 100*l.missingShare(), why))
		}
		if float64(l.failedSends) > maxMissing*float64(l.sends) {
			failed = append(failed, fmt.Sprintf("%s: %d of %d sends failed, the first with %s", l.name, l.failedSends, l.sends, l.firstSendErr))
		}
	}
	for _, m := range []memory{oopsieMem, hubMem} {
		if float64(m.checked-m.received) > maxMissing*float64(m.checked) {
			failed = append(failed, fmt.Sprintf("%s: only %d of %d idle subscribers received the check event", m.name, m.received, m.checked))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("the run failed:\n  %s", strings.Join(failed, "\n  "))
	}
	return nil
}

// latencyRun connects o.subscribers to t, checks that an event sent through
// each of t's publishers reaches every one of them, measures, and closes them.
func latencyRun(ctx context.Context, p *pool, t target, o options) (latency, error) {
	subs, err := p.openAll(ctx, t.eps, o.subscribers)
	if err != nil {
		return latency{}, err
	}
	defer closeAll(subs)
	const wait = 15 * time.Second
	missed, err := check(ctx, t, subs, wait)
	if err != nil {
		return latency{}, err
	}
	if err := checkProblems(t, missed, len(subs), wait); err != nil {
		return latency{}, err
	}
	return measureLatency(ctx, p, t, subs, o.rate, o.duration)
}

// checkProblems explains which subscribers missed which check event.
func checkProblems(t target, missed [][]int, subs int, wait time.Duration) error {
	var problems []string
	cross := true
	for e := range missed {
		on := (subs - e + len(t.eps) - 1) / len(t.eps) // subscribers on endpoint e
		for pi, n := range missed[e] {
			if n == 0 {
				continue
			}
			if e == pi {
				cross = false
			}
			problems = append(problems, fmt.Sprintf("%d of the %d subscribers on %s did not receive the event sent through %s within %s",
				n, on, t.eps[e].name, t.pubs[pi].name, wait))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	msg := strings.Join(problems, "; ")
	if cross && len(t.eps) > 1 {
		msg += ": events do not cross replicas (is the Redis broker wired to REDIS_URL?); -replicas 1 measures one replica"
	}
	return fmt.Errorf("%s: %s", t.name, msg)
}

// ingester sends a bug report through baseURL's ingest door, the marker in
// its message, and succeeds on 201 Created.
func ingester(client *http.Client, baseURL, key string) func(context.Context, string) error {
	return func(ctx context.Context, m string) error {
		return post(ctx, client, baseURL+"/api/v1/reports", key, reportBody(m), http.StatusCreated)
	}
}

// broadcaster publishes frame through the hub, with m for its marker.
func broadcaster(client *http.Client, hubURL string, frame []byte) func(context.Context, string) error {
	return func(ctx context.Context, m string) error {
		return post(ctx, client, hubURL+"/publish", "", remark(frame, m), http.StatusAccepted)
	}
}

func post(ctx context.Context, client *http.Client, url, key string, body []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-Oopsie-Key", key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	// Read to the end, so the connection goes back to the pool.
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// reportBody is a small bug report whose message carries marker m.
func reportBody(m string) []byte {
	b, _ := json.Marshal(map[string]any{
		"message":       "bench-live " + m + " The checkout froze after I clicked Pay: nothing happened and the total stayed at zero.",
		"category":      "ui",
		"severity":      "high",
		"consent":       true,
		"pageUrl":       "https://shop.example.com/checkout/payment",
		"appVersion":    "4.12.3",
		"reporterEmail": "customer@example.org",
		"userContext":   map[string]any{"id": "usr-42", "plan": "pro", "locale": "fr-FR"},
		"deviceInfo": map[string]any{
			"userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
			"language":  "fr-FR", "platform": "MacIntel", "timezone": "Europe/Paris",
		},
	})
	return b
}

// syntheticFrame is what the hub broadcasts should Oopsie never have
// delivered a frame to copy: the same shape, of about the same size.
const syntheticFrame = `{"payload":{"data":{"reportCreated":{"id":"01KBENCHLIVE00000000000000","message":"bench-live [bl:0:0] The checkout froze after I clicked Pay: nothing happened and the total stayed at zero.","category":"UI","severity":"HIGH","status":"NEW","pageUrl":"https://shop.example.com/checkout/payment","createdAt":"2025-01-01T00:00:00.000000Z"}}},"id":"1","type":"next"}`

// parseCounts parses "0,1000,10000": distinct counts, sorted, 0 added.
func parseCounts(s string) ([]int, error) {
	counts := []int{0}
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 20_000 {
			return nil, fmt.Errorf("%q is not a count between 0 and 20,000", f)
		}
		counts = append(counts, n)
	}
	slices.Sort(counts)
	return slices.Compact(counts), nil
}

// checkFiles fails unless this process may open conns connections besides
// what it needs otherwise. The servers' connections count against their own
// limits.
func checkFiles(conns int) error {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return nil // unknown: let the run tell
	}
	need := uint64(conns) + 1024
	if rl.Cur >= need {
		return nil
	}
	if rl.Max >= need {
		rl.Cur = need
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl) == nil {
			return nil
		}
	}
	return fmt.Errorf("%d connections need %d open files, and ulimit -n allows %d", conns, need, rl.Cur)
}

// pingRedis fails early, and clearly, when the replicas' Redis is unreachable.
func pingRedis(ctx context.Context, url string) error {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return fmt.Errorf("-redis %q: %w", url, err)
	}
	opts.MaxRetries, opts.DialerRetries = -1, 1 // one attempt: fail fast
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis at %s: %w", opts.Addr, err)
	}
	return nil
}
