package pubsub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testRedisOptions returns the options of the test Redis at
// OOPSIE_TEST_REDIS_URL. Without a server the test is skipped, except under
// CI, where it fails: CI must not pass by skipping. (Same rule as the Redis
// tests of internal/ratelimit.)
func testRedisOptions(t *testing.T) *redis.Options {
	t.Helper()
	url := os.Getenv("OOPSIE_TEST_REDIS_URL")
	if url == "" {
		redisUnavailable(t, errors.New("OOPSIE_TEST_REDIS_URL is not set"))
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("OOPSIE_TEST_REDIS_URL: %v", err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		redisUnavailable(t, err)
	}
	return opts
}

func redisUnavailable(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("Redis is required under CI: %v", err)
	}
	t.Skipf("Redis unavailable, skipping: %v", err)
}

// newClient returns a client with its own connections, like another
// replica's, closed when the test ends.
func newClient(t *testing.T, opts *redis.Options) *redis.Client {
	t.Helper()
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	return client
}

// testChannel is a channel of the test's own, so parallel tests (and test
// binaries) sharing the server never see each other's events.
func testChannel(t *testing.T) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "oopsie-test:events:" + hex.EncodeToString(b)
}

// newTestRedis returns a broker closed when the test ends. With ready it
// waits for its Redis subscription to be live.
func newTestRedis(t *testing.T, client *redis.Client, channel string, logs *logRecorder, ready bool) *Redis {
	t.Helper()
	return newTestRedisTiming(t, client, channel, logs, ready, defaultTiming)
}

func newTestRedisTiming(t *testing.T, client *redis.Client, channel string, logs *logRecorder, ready bool, tm timing) *Redis {
	t.Helper()
	if logs == nil {
		logs = &logRecorder{}
	}
	r := newRedis(client, channel, slog.New(logs), tm)
	t.Cleanup(func() { _ = r.Close() })
	if ready {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if err := r.Ready(ctx); err != nil {
			t.Fatalf("redis subscription not live: %v\nlogs:\n%s", err, logs)
		}
	}
	return r
}

// logRecorder is a slog.Handler keeping every record, for assertions.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

// count reports how many records of level have message msg.
func (h *logRecorder) count(level slog.Level, msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.records {
		if r.Level == level && r.Message == msg {
			n++
		}
	}
	return n
}

func (h *logRecorder) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, r := range h.records {
		fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
		r.Attrs(func(a slog.Attr) bool {
			fmt.Fprintf(&b, " %s", a)
			return true
		})
		b.WriteByte('\n')
	}
	return b.String()
}

const (
	msgLost      = "live events: redis subscription lost"
	msgRestored  = "live events: redis subscription restored"
	msgMalformed = "live events: malformed redis message skipped"
)

// waitLog waits, for a bounded time, until msg has been logged at level.
func waitLog(t *testing.T, logs *logRecorder, level slog.Level, msg string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for logs.count(level, msg) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s %q not logged within 20s; logs:\n%s", level, msg, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func assertEvent(t *testing.T, s *Subscription, want Event) {
	t.Helper()
	got, ok := recv(t, s)
	if !ok {
		t.Fatalf("subscription closed (Err %v), want %s", s.Err(), want.Payload)
	}
	if got.Topic != want.Topic || got.ProjectID != want.ProjectID || string(got.Payload) != string(want.Payload) {
		t.Fatalf("got %s %s %s, want %s %s %s", got.Topic, got.ProjectID, got.Payload, want.Topic, want.ProjectID, want.Payload)
	}
}

func numSub(t *testing.T, client *redis.Client, channel string) int64 {
	t.Helper()
	n, err := client.PubSubNumSub(t.Context(), channel).Result()
	if err != nil {
		t.Fatalf("PUBSUB NUMSUB: %v", err)
	}
	return n[channel]
}

// Two brokers on their own clients are two replicas: each delivers what
// either publishes, in the order Redis took it, to subscribers of the topic
// only, through one Redis subscription per broker.
func TestRedisReplicasShareEvents(t *testing.T) {
	t.Parallel()
	opts := testRedisOptions(t)
	channel := testChannel(t)
	clientA, clientB := newClient(t, opts), newClient(t, opts)
	a := newTestRedis(t, clientA, channel, nil, true)
	b := newTestRedis(t, clientB, channel, nil, true)
	ctx := t.Context()

	const n = 200
	onA := subscribe(t, a, ctx, "report.created", 2*n)
	onA2 := subscribe(t, a, ctx, "report.created", 2*n)
	otherOnA := subscribe(t, a, ctx, "feedback.created", 2*n)
	onB := subscribe(t, b, ctx, "report.created", 2*n)

	if got := numSub(t, clientA, channel); got != 2 {
		t.Fatalf("PUBSUB NUMSUB = %d, want 2: one Redis subscription per broker, whatever its local subscribers", got)
	}

	for i := range n {
		publish(t, b, event("report.created", i))
	}
	for i := n; i < 2*n; i++ {
		publish(t, a, event("report.created", i))
	}
	for _, s := range []*Subscription{onA, onA2, onB} {
		for i := range 2 * n {
			assertEvent(t, s, event("report.created", i))
		}
	}

	// Had any report.created event leaked to the other topic, it would come
	// before this one.
	marker := Event{Topic: "feedback.created", ProjectID: "p2", Payload: json.RawMessage(`{"id":"marker"}`)}
	publish(t, b, marker)
	assertEvent(t, otherOnA, marker)
	for _, s := range []*Subscription{onA, onA2, onB} {
		assertEmpty(t, s)
	}
}

// A subscriber that does not read is dropped; another one of the same
// broker and topic, which keeps up, gets every event, in order.
func TestRedisSlowSubscriberDroppedFastOneUnaffected(t *testing.T) {
	t.Parallel()
	opts := testRedisOptions(t)
	r := newTestRedis(t, newClient(t, opts), testChannel(t), nil, true)
	const n = 200
	end := Event{Topic: "t", Payload: json.RawMessage(`"end"`)}

	slow := subscribe(t, r, t.Context(), "t", 1)
	// Delivery from Redis is asynchronous: a fast subscriber is one whose
	// buffer absorbs the gap between delivery and its reader.
	fast := subscribe(t, r, t.Context(), "t", n+1)
	gotEnd := make(chan struct{})
	got := make(chan []string, 1)
	go func() {
		var ids []string
		for e := range fast.C {
			ids = append(ids, string(e.Payload))
			if string(e.Payload) == string(end.Payload) {
				close(gotEnd)
			}
		}
		got <- ids
	}()

	for i := range n {
		publish(t, r, event("t", i))
	}
	publish(t, r, end)
	select {
	case <-gotEnd:
	case <-time.After(10 * time.Second):
		t.Fatalf("fast subscriber never got the last event (Err %v)", fast.Err())
	}

	// Every event reached both subscribers before the last one reached the
	// fast one, so the slow one overflowed at the second.
	if !errors.Is(slow.Err(), ErrSlowSubscriber) {
		t.Fatalf("slow.Err() = %v, want ErrSlowSubscriber", slow.Err())
	}
	if e, ok := recv(t, slow); !ok || string(e.Payload) != `{"id":"0"}` {
		t.Fatalf("slow first event = %s, %v", e.Payload, ok)
	}
	assertClosed(t, slow)
	if got := r.local.subscribers("t"); got != 1 {
		t.Fatalf("subscribers = %d, want 1 (slow one dropped)", got)
	}

	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	ids := <-got
	if len(ids) != n+1 {
		t.Fatalf("fast got %d events, want %d", len(ids), n+1)
	}
	for i, id := range ids[:n] {
		if want := fmt.Sprintf(`{"id":"%d"}`, i); id != want {
			t.Fatalf("fast event %d = %s, want %s", i, id, want)
		}
	}
	if fast.Err() != nil {
		t.Fatalf("fast.Err() = %v, want nil", fast.Err())
	}
}

// proxy is a TCP proxy to Redis that a test can take down: Down closes every
// proxied connection and makes new ones fail (they are accepted and closed at
// once, so the address stays the proxy's), Up lets them through again.
// Freeze, undone by Up too, keeps connections open but drops what they carry,
// like a network partition that nobody notices.
type proxy struct {
	target string
	ln     net.Listener
	wg     sync.WaitGroup
	frozen atomic.Bool

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]struct{}
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: target, ln: ln, conns: make(map[net.Conn]struct{})}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.Down()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) Addr() string { return p.ln.Addr().String() }

// Down drops every connection and refuses new ones until Up.
func (p *proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
}

func (p *proxy) Freeze() { p.frozen.Store(true) }

func (p *proxy) Up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
	p.frozen.Store(false)
}

// track registers c, or closes it and reports false while down.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
	c.Close()
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			continue
		}
		p.wg.Add(1)
		go p.pipe(c)
	}
}

func (p *proxy) pipe(client net.Conn) {
	defer p.wg.Done()
	defer p.untrack(client)
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil || !p.track(server) {
		return
	}
	defer p.untrack(server)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.copy(server, client)
	}()
	p.copy(client, server)
	<-done
}

// copy forwards src to dst, dropping what it reads while frozen, until
// either side fails; then it closes both.
func (p *proxy) copy(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.frozen.Load() {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// While Redis is unreachable Publish fails instead of hanging, the outage is
// logged once, and a subscriber from before it gets events again after it.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	opts := testRedisOptions(t)
	p := newProxy(t, opts.Addr)
	proxied := *opts
	proxied.Addr = p.Addr()
	logs := &logRecorder{}
	r := newTestRedis(t, newClient(t, &proxied), testChannel(t), logs, true)

	s := subscribe(t, r, t.Context(), "t", 64)
	publish(t, r, event("t", 0))
	assertEvent(t, s, event("t", 0))

	p.Down()
	waitLog(t, logs, slog.LevelWarn, msgLost)
	res := make(chan error, 1)
	go func() { res <- r.Publish(t.Context(), event("t", 1)) }()
	select {
	case err := <-res:
		if err == nil {
			t.Fatal("Publish succeeded with Redis down")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Publish hung with Redis down")
	}
	if s.Err() != nil {
		t.Fatalf("subscriber ended by the outage: %v", s.Err())
	}
	assertEmpty(t, s)

	p.Up()
	waitLog(t, logs, slog.LevelInfo, msgRestored)
	publishUntilReceived(t, r, s, logs)
	if got := logs.count(slog.LevelWarn, msgLost); got != 1 {
		t.Errorf("%q logged %d times, want once; logs:\n%s", msgLost, got, logs)
	}
	if got := logs.count(slog.LevelInfo, msgRestored); got != 1 {
		t.Errorf("%q logged %d times, want once; logs:\n%s", msgRestored, got, logs)
	}
}

// A connection that stays open but carries nothing any more is found out by
// the health check and replaced.
func TestRedisSilentConnectionReplaced(t *testing.T) {
	t.Parallel()
	opts := testRedisOptions(t)
	p := newProxy(t, opts.Addr)
	proxied := *opts
	proxied.Addr = p.Addr()
	// Short, so connection attempts through the frozen proxy give up soon.
	proxied.ReadTimeout = time.Second
	logs := &logRecorder{}
	tm := defaultTiming
	tm.health = 100 * time.Millisecond
	r := newTestRedisTiming(t, newClient(t, &proxied), testChannel(t), logs, true, tm)
	s := subscribe(t, r, t.Context(), "t", 64)

	p.Freeze()
	waitLog(t, logs, slog.LevelWarn, msgLost)
	p.Up()
	waitLog(t, logs, slog.LevelInfo, msgRestored)
	publishUntilReceived(t, r, s, logs)
}

// A Redis that takes connections but never answers cannot hold Publish
// longer than its bound, even with a client that would wait a minute.
func TestRedisPublishBoundedWhenRedisHangs(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	client := newClient(t, &redis.Options{Addr: ln.Addr().String(), ReadTimeout: time.Minute, WriteTimeout: time.Minute})
	r := newTestRedis(t, client, testChannel(t), nil, false)
	// Runs before the broker's Close, which would otherwise wait for the
	// subscription's handshake to time out.
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})

	res := make(chan error, 1)
	go func() { res <- r.Publish(t.Context(), event("t", 1)) }()
	select {
	case err := <-res:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Publish = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Publish hung on an unresponsive Redis")
	}
}

// publishUntilReceived publishes on r until s receives what was published:
// resubscribing after an outage is asynchronous.
func publishUntilReceived(t *testing.T, r *Redis, s *Subscription, logs *logRecorder) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for i := 1000; ; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("no event delivered after the outage; logs:\n%s", logs)
		}
		if err := r.Publish(t.Context(), event("t", i)); err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		select {
		case e, ok := <-s.C:
			if !ok {
				t.Fatalf("subscription closed, Err %v", s.Err())
			}
			// Events are not redelivered: what comes is what was just published.
			if want := event("t", i); string(e.Payload) != string(want.Payload) {
				t.Fatalf("got %s, want %s", e.Payload, want.Payload)
			}
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// NewRedis does not wait for Redis, and a broker whose Redis was never
// there fails fast and closes cleanly.
func TestRedisDownFromTheStart(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1.
	client := newClient(t, &redis.Options{Addr: "127.0.0.1:1", DialTimeout: time.Second})
	logs := &logRecorder{}
	r := newTestRedis(t, client, testChannel(t), logs, false)

	s := subscribe(t, r, t.Context(), "t", 1)
	if err := r.Publish(t.Context(), event("t", 1)); err == nil {
		t.Fatal("Publish succeeded without Redis")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := r.Ready(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ready = %v, want context.DeadlineExceeded", err)
	}
	waitLog(t, logs, slog.LevelWarn, msgLost)

	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	assertClosed(t, s)
	if err := r.Ready(t.Context()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Ready after Close = %v, want ErrClosed", err)
	}
}

// Close ends local subscriptions and the Redis one, stops the loop, and
// leaves the client, which the caller owns, working.
func TestRedisClose(t *testing.T) {
	t.Parallel()
	opts := testRedisOptions(t)
	client := newClient(t, opts)
	channel := testChannel(t)
	r := newTestRedis(t, client, channel, nil, true)
	ctx := t.Context()
	subs := []*Subscription{
		subscribe(t, r, ctx, "a", 1),
		subscribe(t, r, ctx, "a", 1),
		subscribe(t, r, ctx, "b", 1),
	}

	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("subscription loop still running after Close")
	}
	for _, s := range subs {
		assertClosed(t, s)
		if s.Err() != nil {
			t.Fatalf("Err() = %v, want nil after Close", s.Err())
		}
	}
	if err := r.Publish(ctx, event("a", 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish after Close = %v, want ErrClosed", err)
	}
	if _, err := r.Subscribe(ctx, "a", 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close = %v, want ErrClosed", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("client unusable after Close: %v", err)
	}
	// The server drops the subscription when it sees the connection close.
	waitFor(t, func() bool { return numSub(t, client, channel) == 0 })
}

// Messages on the channel that are not events are logged and skipped.
func TestRedisMalformedMessageSkipped(t *testing.T) {
	t.Parallel()
	opts := testRedisOptions(t)
	client := newClient(t, opts)
	channel := testChannel(t)
	logs := &logRecorder{}
	r := newTestRedis(t, client, channel, logs, true)
	s := subscribe(t, r, t.Context(), "t", 8)

	garbage := []string{
		"garbage",
		`{"topic":"t","payload":`,
		`{"projectId":"p1","payload":{}}`, // no topic
		`["t"]`,
		`{"topic":"t","payload":{"id":}}`,
	}
	for _, m := range garbage {
		if err := client.Publish(t.Context(), channel, m).Err(); err != nil {
			t.Fatal(err)
		}
	}
	publish(t, r, event("t", 1))
	// Messages are handled in order, so the garbage was skipped and logged
	// by the time the event arrives.
	assertEvent(t, s, event("t", 1))
	if got := logs.count(slog.LevelWarn, msgMalformed); got != len(garbage) {
		t.Fatalf("%q logged %d times, want %d; logs:\n%s", msgMalformed, got, len(garbage), logs)
	}
	publish(t, r, event("t", 2))
	assertEvent(t, s, event("t", 2))
}

func TestRedisInvalidArguments(t *testing.T) {
	t.Parallel()
	client := newClient(t, &redis.Options{Addr: "127.0.0.1:1", DialTimeout: time.Second})
	r := newTestRedis(t, client, testChannel(t), nil, false)
	ctx := t.Context()
	if _, err := r.Subscribe(ctx, "", 1); err == nil {
		t.Error("empty topic accepted by Subscribe")
	}
	if _, err := r.Subscribe(ctx, "t", 0); err == nil {
		t.Error("zero buffer accepted")
	}
	if err := r.Publish(ctx, Event{Payload: json.RawMessage(`{}`)}); err == nil || strings.Contains(err.Error(), "redis") {
		t.Errorf("empty topic: Publish = %v, want a refusal before Redis", err)
	}
	if err := r.Publish(ctx, Event{Topic: "t", Payload: json.RawMessage(`{nope`)}); err == nil || strings.Contains(err.Error(), "redis") {
		t.Errorf("invalid JSON: Publish = %v, want a refusal before Redis", err)
	}
}

// The envelope carries every field; payloads keep their JSON value.
func TestEnvelopeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, e := range []Event{
		{Topic: "report.created", ProjectID: "p1", Payload: json.RawMessage(`{"id":"1"}`)},
		{Topic: "t"},
		{Topic: "t", Payload: json.RawMessage(`null`)},
		{Topic: "t", ProjectID: "p", Payload: json.RawMessage(`{"html":"<a href=\"x\">&</a>","n":[1,2.5,"é"]}`)},
	} {
		msg, err := encodeEvent(e)
		if err != nil {
			t.Fatalf("encode %+v: %v", e, err)
		}
		got, err := decodeEvent(msg)
		if err != nil {
			t.Fatalf("decode %s: %v", msg, err)
		}
		if got.Topic != e.Topic || got.ProjectID != e.ProjectID || string(got.Payload) != string(e.Payload) {
			t.Fatalf("round trip of %+v through %s gave %+v", e, msg, got)
		}
	}
	// Whitespace is not kept: the value is.
	msg, _ := encodeEvent(Event{Topic: "t", Payload: json.RawMessage(`{ "id" : 1 }`)})
	if got, _ := decodeEvent(msg); string(got.Payload) != `{"id":1}` {
		t.Fatalf("payload = %s", got.Payload)
	}
}
