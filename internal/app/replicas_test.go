package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"github.com/yoanbernabeu/oopsie/internal/apptest"
	"github.com/yoanbernabeu/oopsie/internal/config"
)

// liveWait bounds every wait of these tests: a deadline for a hung test,
// never an expected duration.
const liveWait = 30 * time.Second

// probeRound is how long a probe waits to come back before another is
// sent: nothing tells a client when its subscription, or a replica's Redis
// subscription, has become live.
const probeRound = 500 * time.Millisecond

// testRedisURL returns OOPSIE_TEST_REDIS_URL once the server answers. Without
// it the test is skipped, except under CI where it fails: CI must not pass by
// skipping. (Same rule as the Redis tests of internal/pubsub and
// internal/ratelimit.)
func testRedisURL(t *testing.T) string {
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
	return url
}

func redisUnavailable(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("Redis is required under CI: %v", err)
	}
	t.Skipf("Redis unavailable, skipping: %v", err)
}

// replicas starts two servers sharing one PostgreSQL database, one Redis and
// one JWT secret, as two replicas behind a load balancer would.
func replicas(t *testing.T) (a, b *apptest.Server) {
	t.Helper()
	redisURL := testRedisURL(t)
	shared := func(c *config.Config) {
		c.RedisURL = redisURL
		// Rate limits live in the shared Redis, per client address: they
		// must not count these tests' many ingests from 127.0.0.1.
		c.RateLimits = config.RateLimits{PerKey: 1_000_000, PerIP: 1_000_000}
	}
	a = apptest.Start(t, dialect.Postgres, shared)
	b = apptest.Start(t, dialect.Postgres, shared, func(c *config.Config) {
		c.Database = a.Config.Database
		c.JWTSecret = a.Config.JWTSecret
	})
	if a.Config.Database.URL == "" || b.Config.Database != a.Config.Database {
		t.Fatalf("replica B is on database %+v, want A's %+v", b.Config.Database, a.Config.Database)
	}
	return a, b
}

type replicaProject struct {
	ID, Key string
}

func createProject(t *testing.T, s *apptest.Server, token, name string) replicaProject {
	t.Helper()
	var out struct {
		CreateProject struct {
			ID         string
			PublicKeys []struct{ Key string }
		}
	}
	s.MustGraphQL(t, token, `mutation($n: String!) { createProject(input: {name: $n}) { id publicKeys { key } } }`,
		map[string]any{"n": name}, &out)
	if len(out.CreateProject.PublicKeys) != 1 {
		t.Fatalf("project %q created with %d public keys, want 1", name, len(out.CreateProject.PublicKeys))
	}
	return replicaProject{ID: out.CreateProject.ID, Key: out.CreateProject.PublicKeys[0].Key}
}

// ingestReport posts a report with message through the REST ingest door of s
// and returns its id.
func ingestReport(t *testing.T, s *apptest.Server, key, message string) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"message": message, "category": "ui", "severity": "high", "consent": true,
		"pageUrl":    "https://app.example.com/cart",
		"deviceInfo": map[string]any{"userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/api/v1/reports", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Oopsie-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /api/v1/reports: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Success bool
		Data    struct{ ID string }
	}
	if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != http.StatusCreated || !out.Success || out.Data.ID == "" {
		t.Fatalf("POST /api/v1/reports = %d %s", resp.StatusCode, raw)
	}
	return out.Data.ID
}

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// subscriber is one reportCreated subscription over graphql-transport-ws. A
// reader goroutine queues what arrives (answering pings), so that waiting
// with a deadline never breaks the connection.
type subscriber struct {
	t    *testing.T
	conn *websocket.Conn
	wmu  sync.Mutex
	msgs chan wsMessage
	done chan struct{} // the reader stopped; err says why
	err  error
}

// subscribeReports opens a WebSocket on s, authenticates with token and
// subscribes to reportCreated of project. The connection is closed when
// the test ends, before the servers stop.
func subscribeReports(t *testing.T, s *apptest.Server, token, project string) *subscriber {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: liveWait}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/graphql", nil)
	if err != nil {
		t.Fatalf("dial %s: %v", s.URL, err)
	}
	if p := conn.Subprotocol(); p != "graphql-transport-ws" {
		conn.Close()
		t.Fatalf("negotiated subprotocol %q", p)
	}
	c := &subscriber{t: t, conn: conn, msgs: make(chan wsMessage, 1024), done: make(chan struct{})}
	go c.read()
	t.Cleanup(func() {
		c.wmu.Lock()
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.wmu.Unlock()
		conn.Close()
		<-c.done
	})

	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + token}})
	if m := c.next(time.Now().Add(liveWait)); m.Type != "connection_ack" {
		t.Fatalf("connection_init answered with %s %s", m.Type, m.Payload)
	}
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($p: ID) { reportCreated(projectId: $p) { id message } }`,
		"variables": map[string]any{"p": project},
	}})
	return c
}

func (c *subscriber) read() {
	defer close(c.done)
	for {
		var m wsMessage
		if err := c.conn.ReadJSON(&m); err != nil {
			c.err = err
			return
		}
		if m.Type == "ping" {
			// A failed write ends the read loop anyway.
			_ = c.write(map[string]any{"type": "pong"})
			continue
		}
		select {
		case c.msgs <- m:
		default:
			c.err = errors.New("test client: more than 1024 unread messages")
			return
		}
	}
}

func (c *subscriber) send(m any) {
	c.t.Helper()
	if err := c.write(m); err != nil {
		c.t.Fatalf("websocket write: %v", err)
	}
}

func (c *subscriber) write(m any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(liveWait))
	return c.conn.WriteJSON(m)
}

// next returns the next message, failing the test at deadline or when the
// connection ends.
func (c *subscriber) next(deadline time.Time) wsMessage {
	c.t.Helper()
	m, ok := c.poll(deadline)
	if !ok {
		c.t.Fatalf("no message before the deadline")
	}
	return m
}

// poll returns the next message, or false at deadline.
func (c *subscriber) poll(deadline time.Time) (wsMessage, bool) {
	c.t.Helper()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case m := <-c.msgs:
		return m, true
	case <-c.done:
		// Messages read before the connection ended come first.
		select {
		case m := <-c.msgs:
			return m, true
		default:
		}
		c.t.Fatalf("websocket closed: %v", c.err)
	case <-timer.C:
	}
	return wsMessage{}, false
}

type liveReport struct{ ID, Message string }

// report returns the next report delivered, or false at deadline; anything
// but a report fails the test.
func (c *subscriber) report(deadline time.Time) (liveReport, bool) {
	c.t.Helper()
	m, ok := c.poll(deadline)
	if !ok {
		return liveReport{}, false
	}
	if m.Type != "next" || m.ID != "1" {
		c.t.Fatalf("got %s (id %q) %s, want a next of subscription 1", m.Type, m.ID, m.Payload)
	}
	var p struct {
		Data struct {
			ReportCreated liveReport `json:"reportCreated"`
		}
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 || p.Data.ReportCreated.ID == "" {
		c.t.Fatalf("next payload %s (%v): want a report", m.Payload, err)
	}
	return p.Data.ReportCreated, true
}

// mustReport is report that fails the test at deadline.
func (c *subscriber) mustReport(deadline time.Time) liveReport {
	c.t.Helper()
	r, ok := c.report(deadline)
	if !ok {
		c.t.Fatal("no report delivered within the deadline")
	}
	return r
}

var probes atomic.Int64

const probePrefix = "probe "

// sync ingests probe reports through s with key until c receives one, so
// that the subscription, and every Redis subscription on its way, is live
// and everything ingested through s from now on reaches c. Earlier probes
// may be lost or delivered before the last one, never after it: one server
// publishes in ingest order and Redis delivers in that order. Any report
// but a probe fails the test: nothing else is expected now.
func (c *subscriber) sync(s *apptest.Server, key string) {
	c.t.Helper()
	deadline := time.Now().Add(liveWait)
	for time.Now().Before(deadline) {
		msg := fmt.Sprintf("%s%d", probePrefix, probes.Add(1))
		id := ingestReport(c.t, s, key, msg)
		round := time.Now().Add(probeRound)
		if round.After(deadline) {
			round = deadline
		}
		for {
			r, ok := c.report(round)
			if !ok {
				break
			}
			if r.ID == id && r.Message == msg {
				return
			}
			if !strings.HasPrefix(r.Message, probePrefix) {
				c.t.Fatalf("unexpected report %s %q while waiting for probe %q", r.ID, r.Message, msg)
			}
		}
	}
	c.t.Fatalf("no probe came back within %s: live events do not cross replicas", liveWait)
}

// Two replicas on one database and one Redis: a subscriber on one gets what
// is ingested through the other, for its project only, in ingest order; and
// the other way round.
func TestReplicasShareLiveEvents(t *testing.T) {
	t.Parallel()
	a, b := replicas(t)
	admin := a.Setup(t)
	one := createProject(t, a, admin, "One")
	two := createProject(t, a, admin, "Two")

	// B shares A's database and secret: A's token is valid on B and B sees
	// A's projects.
	var seen struct{ Projects struct{ TotalCount int } }
	b.MustGraphQL(t, admin, `{ projects { totalCount } }`, nil, &seen)
	if seen.Projects.TotalCount != 2 {
		t.Fatalf("replica B sees %d projects, want A's 2", seen.Projects.TotalCount)
	}

	t.Run("ingest on B, subscribe on A", func(t *testing.T) {
		onA := subscribeReports(t, a, admin, one.ID)
		onA.sync(b, one.Key)

		const n = 20
		var want []liveReport
		for i := range n {
			p := one
			if i%2 == 1 {
				p = two
			}
			msg := fmt.Sprintf("report %02d via B for %s", i, p.ID)
			id := ingestReport(t, b, p.Key, msg)
			if p == one {
				want = append(want, liveReport{ID: id, Message: msg})
			}
		}
		deadline := time.Now().Add(liveWait)
		for i, w := range want {
			if got := onA.mustReport(deadline); got != w {
				t.Fatalf("report %d on A = %+v, want %+v (project one's, in ingest order)", i, got, w)
			}
		}
		// Nothing else came in between: the next report is a new probe,
		// not one of project two's.
		onA.sync(b, one.Key)
	})

	t.Run("ingest on A, subscribe on B", func(t *testing.T) {
		onB := subscribeReports(t, b, admin, two.ID)
		onB.sync(a, two.Key)

		msg := "report via A for " + two.ID
		id := ingestReport(t, a, two.Key, msg)
		if got, want := onB.mustReport(time.Now().Add(liveWait)), (liveReport{ID: id, Message: msg}); got != want {
			t.Fatalf("report on B = %+v, want %+v", got, want)
		}
		onB.sync(a, two.Key)
	})
}
