package graph_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"

	"github.com/yoanbernabeu/oopsie/internal/apptest"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
)

// The two WebSocket subprotocols the server speaks.
const (
	transportWS = "graphql-transport-ws"
	legacyWS    = "graphql-ws"
)

// liveWait bounds the wait for anything that must happen: a message, a
// close. It is a deadline for a hung test, never an expected duration.
const liveWait = 30 * time.Second

// syncRound is how long a sync round waits for its sentinel before sending
// another one: a subscription becomes live some time after its subscribe
// message, and nothing tells the client when.
const syncRound = 500 * time.Millisecond

// liveServer starts a server whose ingest rate limits do not get in the way
// of tests that send many items.
func liveServer(t testing.TB, dialectName string, tweak ...func(*config.Config)) *apptest.Server {
	t.Helper()
	return apptest.Start(t, dialectName, append([]func(*config.Config){func(c *config.Config) {
		c.RateLimits = config.RateLimits{PerKey: 1_000_000, PerIP: 1_000_000}
	}}, tweak...)...)
}

// eachLiveServer runs fn against a fresh liveServer on each database.
func eachLiveServer(t *testing.T, fn func(t *testing.T, s *apptest.Server), tweak ...func(*config.Config)) {
	t.Helper()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, liveServer(t, d, tweak...))
		})
	}
}

// wsMessage is one message of either subprotocol.
type wsMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// liveClient is a GraphQL-over-WebSocket client. A reader goroutine queues
// every message (answering graphql-transport-ws pings on its own), so a
// wait for a message can time out without breaking the connection, which a
// gorilla read deadline would.
type liveClient struct {
	conn  *websocket.Conn
	proto string
	wmu   sync.Mutex // one writer at a time

	mu     sync.Mutex
	queue  []wsMessage
	notify chan struct{} // a message was queued
	done   chan struct{} // the reader stopped; readErr says why
	// readErr is written before done is closed, read after.
	readErr error

	// pending holds messages of other operations read while waiting for
	// one; only the test goroutine touches it.
	pending   map[string][]wsMessage
	closeOnce sync.Once
}

func wsURL(s *apptest.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/graphql" }

// openLive dials the server's /graphql with the subprotocol.
func openLive(s *apptest.Server, proto string, header http.Header) (*liveClient, *http.Response, error) {
	d := websocket.Dialer{Subprotocols: []string{proto}, HandshakeTimeout: liveWait}
	conn, resp, err := d.Dial(wsURL(s), header)
	if err != nil {
		return nil, resp, err
	}
	if got := conn.Subprotocol(); got != proto {
		conn.Close()
		return nil, resp, fmt.Errorf("negotiated subprotocol %q, want %q", got, proto)
	}
	c := &liveClient{
		conn: conn, proto: proto,
		notify: make(chan struct{}, 1), done: make(chan struct{}),
		pending: map[string][]wsMessage{},
	}
	go c.read()
	return c, resp, nil
}

// dialLive is openLive that fails the test on error and closes the client
// when the test ends (before the server stops: cleanups run last first).
func dialLive(t testing.TB, s *apptest.Server, proto string, header http.Header) *liveClient {
	t.Helper()
	c, _, err := openLive(s, proto, header)
	if err != nil {
		t.Fatalf("dial %s: %v", wsURL(s), err)
	}
	t.Cleanup(c.Close)
	return c
}

func (c *liveClient) read() {
	defer close(c.done)
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			c.readErr = err
			return
		}
		var m wsMessage
		if err := json.Unmarshal(data, &m); err != nil {
			c.readErr = fmt.Errorf("message is not JSON: %q", data)
			return
		}
		if c.proto == transportWS && m.Type == "ping" {
			_ = c.send(wsMessage{Type: "pong"})
			continue
		}
		c.mu.Lock()
		c.queue = append(c.queue, m)
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
	}
}

func (c *liveClient) send(m any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.conn.SetWriteDeadline(time.Now().Add(liveWait)); err != nil {
		return err
	}
	return c.conn.WriteJSON(m)
}

func (c *liveClient) mustSend(t testing.TB, m any) {
	t.Helper()
	if err := c.send(m); err != nil {
		t.Fatalf("send %+v: %v", m, err)
	}
}

// next returns the next message in arrival order, or false once the
// connection has ended and everything it delivered has been taken, or at
// until.
func (c *liveClient) next(until time.Time) (wsMessage, bool) {
	timer := time.NewTimer(time.Until(until))
	defer timer.Stop()
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			m := c.queue[0]
			c.queue = c.queue[1:]
			c.mu.Unlock()
			return m, true
		}
		c.mu.Unlock()
		select {
		case <-c.done:
			// The reader queues before it stops: one more look is final.
			c.mu.Lock()
			n := len(c.queue)
			c.mu.Unlock()
			if n == 0 {
				return wsMessage{}, false
			}
		case <-c.notify:
		case <-timer.C:
			return wsMessage{}, false
		}
	}
}

// nextOf returns the next message of operation id, keeping other
// operations' messages for later. Keep-alives are skipped.
func (c *liveClient) nextOf(t testing.TB, id string, until time.Time) (wsMessage, bool) {
	t.Helper()
	if q := c.pending[id]; len(q) > 0 {
		c.pending[id] = q[1:]
		return q[0], true
	}
	for {
		m, ok := c.next(until)
		switch {
		case !ok:
			return m, false
		case m.ID == id:
			return m, true
		case m.ID != "":
			c.pending[m.ID] = append(c.pending[m.ID], m)
		case m.Type == "ka":
		default:
			t.Fatalf("unexpected connection message while waiting for operation %s: %s %s", id, m.Type, m.Payload)
		}
	}
}

// ended reports whether the connection has ended.
func (c *liveClient) ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// dataType is the type of a result message in the client's subprotocol.
func (c *liveClient) dataType() string {
	if c.proto == legacyWS {
		return "data"
	}
	return "next"
}

// handshake sends connection_init with the token (none when empty) and
// returns the server's first answer: connection_ack when accepted.
func (c *liveClient) handshake(token string) (wsMessage, error) {
	init := wsMessage{Type: "connection_init"}
	if token != "" {
		init.Payload = json.RawMessage(fmt.Sprintf(`{"authorization": %q}`, "Bearer "+token))
	}
	if err := c.send(init); err != nil {
		return wsMessage{}, err
	}
	m, ok := c.next(time.Now().Add(liveWait))
	if !ok {
		return m, fmt.Errorf("no answer to connection_init: %w", c.endErr())
	}
	if m.Type != "connection_ack" {
		return m, fmt.Errorf("connection_init answered with %s %s", m.Type, m.Payload)
	}
	return m, nil
}

// init authenticates the connection with token and expects it accepted.
func (c *liveClient) init(t testing.TB, token string) {
	t.Helper()
	if _, err := c.handshake(token); err != nil {
		t.Fatal(err)
	}
}

func (c *liveClient) subscribeMsg(id, query string, vars map[string]any) wsMessage {
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	typ := "subscribe"
	if c.proto == legacyWS {
		typ = "start"
	}
	return wsMessage{Type: typ, ID: id, Payload: payload}
}

// subscribe starts operation id.
func (c *liveClient) subscribe(t testing.TB, id, query string, vars map[string]any) {
	t.Helper()
	c.mustSend(t, c.subscribeMsg(id, query, vars))
}

// stop ends operation id from the client's side.
func (c *liveClient) stop(t testing.TB, id string) {
	t.Helper()
	typ := "complete"
	if c.proto == legacyWS {
		typ = "stop"
	}
	c.mustSend(t, wsMessage{Type: typ, ID: id})
}

// gqlPayload is a result message's payload.
type gqlPayload struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []apptest.GQLError         `json:"errors"`
}

// data waits for operation id's next result and returns its field, failing
// the test on anything else.
func (c *liveClient) data(t testing.TB, id, field string) json.RawMessage {
	t.Helper()
	m, ok := c.nextOf(t, id, time.Now().Add(liveWait))
	if !ok {
		t.Fatalf("operation %s: no result within %s: %v", id, liveWait, c.endErr())
	}
	return c.fieldOf(t, m, field)
}

func (c *liveClient) fieldOf(t testing.TB, m wsMessage, field string) json.RawMessage {
	t.Helper()
	if m.Type != c.dataType() {
		t.Fatalf("operation %s: got %s %s, want %s", m.ID, m.Type, m.Payload, c.dataType())
	}
	var p gqlPayload
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatalf("operation %s: payload %s: %v", m.ID, m.Payload, err)
	}
	if len(p.Errors) > 0 {
		t.Fatalf("operation %s: errors %+v", m.ID, p.Errors)
	}
	v, ok := p.Data[field]
	if !ok {
		t.Fatalf("operation %s: no %s in %s", m.ID, field, m.Payload)
	}
	return v
}

// liveOp is an operation of a client, and how to tell its items apart.
type liveOp struct {
	id, field string
	key       func(t testing.TB, item json.RawMessage) string
}

// byItemID keys an item by its id.
func byItemID(t testing.TB, item json.RawMessage) string {
	t.Helper()
	var v struct{ ID string }
	if err := json.Unmarshal(item, &v); err != nil || v.ID == "" {
		t.Fatalf("item without id: %s", item)
	}
	return v.ID
}

// sync waits until every operation of ops is live: it sends a sentinel
// item (ingest returns the keys the operations will see it under) until
// each operation has delivered the latest one. Each operation then has
// nothing in flight: its earlier sentinels came before the latest one.
// Any non-sentinel item fails the test.
func (c *liveClient) sync(t testing.TB, ingest func() []string, ops ...liveOp) {
	t.Helper()
	sent := map[string]bool{}
	deadline := time.Now().Add(2 * liveWait)
	for round := 1; ; round++ {
		if time.Now().After(deadline) {
			t.Fatalf("operations never became live after %d sentinels: %v", round-1, c.endErr())
		}
		latest := map[string]bool{}
		for _, k := range ingest() {
			sent[k], latest[k] = true, true
		}
		roundEnd := time.Now().Add(syncRound)
		all := true
		for _, op := range ops {
			if !c.await(t, op, latest, sent, roundEnd) {
				all = false
			}
		}
		if all {
			return
		}
	}
}

// await reads op's items until one of latest, or until.
func (c *liveClient) await(t testing.TB, op liveOp, latest, sent map[string]bool, until time.Time) bool {
	t.Helper()
	for {
		m, ok := c.nextOf(t, op.id, until)
		if !ok {
			if c.ended() {
				t.Fatalf("connection ended while syncing %s: %v", op.id, c.endErr())
			}
			return false
		}
		k := op.key(t, c.fieldOf(t, m, op.field))
		if latest[k] {
			return true
		}
		if !sent[k] {
			t.Fatalf("operation %s delivered %s while syncing", op.id, k)
		}
	}
}

// endErr is why the connection ended, nil while it is open.
func (c *liveClient) endErr() error {
	if !c.ended() {
		return nil
	}
	return c.readErr
}

// closed waits for the connection to end and returns the close frame the
// server sent, with the messages that came before it.
func (c *liveClient) closed(t testing.TB) (*websocket.CloseError, []wsMessage) {
	t.Helper()
	var before []wsMessage
	until := time.Now().Add(liveWait)
	for {
		m, ok := c.next(until)
		if ok {
			before = append(before, m)
			continue
		}
		if !c.ended() {
			t.Fatalf("connection still open after %s; got %d messages, last %+v", liveWait, len(before), last(before))
		}
		var ce *websocket.CloseError
		if !errors.As(c.readErr, &ce) {
			t.Fatalf("connection ended without a close frame: %v (after %d messages)", c.readErr, len(before))
		}
		return ce, before
	}
}

// expectClosed expects the server to close the connection with code and
// reason, after no message but keep-alives.
func (c *liveClient) expectClosed(t testing.TB, code int, reason string) {
	t.Helper()
	ce, before := c.closed(t)
	for _, m := range before {
		if m.Type != "ka" {
			t.Errorf("got %s %s before the close", m.Type, m.Payload)
		}
	}
	if ce.Code != code || ce.Text != reason {
		t.Fatalf("closed with %d %q, want %d %q", ce.Code, ce.Text, code, reason)
	}
}

func last(ms []wsMessage) wsMessage {
	if len(ms) == 0 {
		return wsMessage{}
	}
	return ms[len(ms)-1]
}

// Close closes the connection as a client does: a close frame, the
// server's answer, then the socket.
func (c *liveClient) Close() {
	c.closeOnce.Do(func() {
		_ = c.conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(5*time.Second))
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
		}
		c.conn.Close()
		<-c.done
	})
}

// liveProject is a project and its ingest key.
type liveProject struct {
	ID, Slug, Key string
}

func newLiveProject(t testing.TB, s *apptest.Server, admin, name string) liveProject {
	t.Helper()
	var out struct{ CreateProject project }
	s.MustGraphQL(t, admin, `mutation($n: String!) { createProject(input: {name: $n}) { `+projectFields+` } }`, map[string]any{"n": name}, &out)
	p := out.CreateProject
	return liveProject{ID: p.ID, Slug: p.Slug, Key: p.PublicKeys[0].Key}
}

// ingest sends an item through the SDK routes and returns its id, and the
// group id for a crash.
func (p liveProject) ingest(t testing.TB, s *apptest.Server, path string, body map[string]any) (id, groupID string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Oopsie-Key", p.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var out struct{ Data struct{ ID, GroupID string } }
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Data.ID == "" {
		t.Fatalf("POST %s: answer without id: %v", path, err)
	}
	return out.Data.ID, out.Data.GroupID
}

func (p liveProject) report(t testing.TB, s *apptest.Server, message string) string {
	t.Helper()
	id, _ := p.ingest(t, s, "/api/v1/reports", map[string]any{
		"message": message, "category": "ui", "severity": "low", "consent": true, "pageUrl": "https://shop.example/cart",
	})
	return id
}

func (p liveProject) feedback(t testing.TB, s *apptest.Server, message string) string {
	t.Helper()
	id, _ := p.ingest(t, s, "/sdk/"+p.Slug+"/feedback", map[string]any{
		"category": "feature", "message": message, "appVersion": "1.0.0", "platform": "web",
	})
	return id
}

// crash sends a crash whose fingerprint is its top frame's function.
func (p liveProject) crash(t testing.TB, s *apptest.Server, function, version string) (id, groupID string) {
	t.Helper()
	return p.ingest(t, s, "/sdk/"+p.Slug+"/crashes", map[string]any{
		"errorType": "TypeError", "errorMessage": "boom in " + function, "appVersion": version, "platform": "web", "userId": "u1",
		"stackTrace": []any{map[string]any{"file": "app.ts", "line": 1, "function": function}},
	})
}

// reportSentinel ingests a report into p, for sync.
func reportSentinel(t testing.TB, s *apptest.Server, p liveProject) func() []string {
	n := 0
	return func() []string {
		n++
		return []string{p.report(t, s, fmt.Sprintf("sentinel %d", n))}
	}
}

const reportSubscription = `subscription($p: ID) { reportCreated(projectId: $p) { id message project { id } } }`

type liveReport struct {
	ID, Message string
	Project     struct{ ID string }
}

// reportsUntil reads operation id's reports up to and including the one
// with id end, and returns them without it.
func (c *liveClient) reportsUntil(t testing.TB, id, end string) []liveReport {
	t.Helper()
	var out []liveReport
	for {
		var r liveReport
		raw := c.data(t, id, "reportCreated")
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("report %s: %v", raw, err)
		}
		if r.ID == end {
			return out
		}
		out = append(out, r)
	}
}

func TestLiveReportCreated(t *testing.T) {
	t.Parallel()
	eachLiveServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		alpha := newLiveProject(t, s, admin, "Alpha")
		beta := newLiveProject(t, s, admin, "Beta")

		c := dialLive(t, s, transportWS, nil)
		c.init(t, admin)
		c.subscribe(t, "alpha", reportSubscription, map[string]any{"p": alpha.ID})
		c.subscribe(t, "all", reportSubscription, nil)
		c.sync(t, reportSentinel(t, s, alpha),
			liveOp{"alpha", "reportCreated", byItemID}, liveOp{"all", "reportCreated", byItemID})

		type sent struct {
			p   liveProject
			msg string
		}
		var all, inAlpha []liveReport
		for i, it := range []sent{
			{alpha, "a1"}, {beta, "b1"}, {beta, "b2"}, {alpha, "a2"}, {beta, "b3"}, {alpha, "a3"}, {alpha, "a4"}, {beta, "b4"},
		} {
			msg := fmt.Sprintf("%s: the checkout button does nothing (%d)", it.msg, i)
			r := liveReport{ID: it.p.report(t, s, msg), Message: msg}
			r.Project.ID = it.p.ID
			all = append(all, r)
			if it.p == alpha {
				inAlpha = append(inAlpha, r)
			}
		}
		// Items arrive in order: once the end marker is in, nothing of the
		// above can still be on its way.
		end := alpha.report(t, s, "end")

		if got := c.reportsUntil(t, "alpha", end); !slices.Equal(got, inAlpha) {
			t.Errorf("reportCreated(projectId: alpha) delivered\n%+v\nwant\n%+v", got, inAlpha)
		}
		if got := c.reportsUntil(t, "all", end); !slices.Equal(got, all) {
			t.Errorf("reportCreated delivered\n%+v\nwant\n%+v", got, all)
		}
	})
}

func TestLiveFeedbackCreated(t *testing.T) {
	t.Parallel()
	eachLiveServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		alpha := newLiveProject(t, s, admin, "Alpha")
		beta := newLiveProject(t, s, admin, "Beta")

		c := dialLive(t, s, transportWS, nil)
		c.init(t, admin)
		c.subscribe(t, "fb", `subscription($p: ID) { feedbackCreated(projectId: $p) { id message category project { id } } }`,
			map[string]any{"p": alpha.ID})
		n := 0
		c.sync(t, func() []string { n++; return []string{alpha.feedback(t, s, fmt.Sprintf("sentinel %d", n))} },
			liveOp{"fb", "feedbackCreated", byItemID})

		type fb struct {
			ID, Message, Category string
			Project               struct{ ID string }
		}
		var want []fb
		for i, p := range []liveProject{beta, alpha, beta, alpha, alpha, beta} {
			msg := fmt.Sprintf("Please add a dark theme (%d)", i)
			id := p.feedback(t, s, msg)
			if p == alpha {
				f := fb{ID: id, Message: msg, Category: "FEATURE"}
				f.Project.ID = alpha.ID
				want = append(want, f)
			}
		}
		end := alpha.feedback(t, s, "end")
		var got []fb
		for {
			var f fb
			if err := json.Unmarshal(c.data(t, "fb", "feedbackCreated"), &f); err != nil {
				t.Fatal(err)
			}
			if f.ID == end {
				break
			}
			got = append(got, f)
		}
		if !slices.Equal(got, want) {
			t.Errorf("feedbackCreated(projectId: alpha) delivered\n%+v\nwant\n%+v", got, want)
		}
	})
}

func TestLiveCrashSubscriptions(t *testing.T) {
	t.Parallel()
	eachLiveServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		alpha := newLiveProject(t, s, admin, "Alpha")
		beta := newLiveProject(t, s, admin, "Beta")

		c := dialLive(t, s, transportWS, nil)
		c.init(t, admin)
		c.subscribe(t, "crash", `subscription($p: ID) { crashReceived(projectId: $p) {
			report { id } group { id occurrenceCount status } isNewGroup regressed } }`, map[string]any{"p": alpha.ID})
		c.subscribe(t, "group", `subscription($p: ID) { crashGroupUpdated(projectId: $p) { id occurrenceCount status } }`,
			map[string]any{"p": alpha.ID})
		// Each sentinel crash has its own fingerprint, so its own group.
		n := 0
		c.sync(t, func() []string {
			n++
			id, group := alpha.crash(t, s, fmt.Sprintf("sentinel%d", n), "1.0.0")
			return []string{id, group}
		},
			liveOp{"crash", "crashReceived", func(t testing.TB, item json.RawMessage) string {
				var e struct{ Report struct{ ID string } }
				_ = json.Unmarshal(item, &e)
				return e.Report.ID
			}},
			liveOp{"group", "crashGroupUpdated", byItemID})

		type group struct {
			ID              string
			OccurrenceCount int
			Status          string
		}
		type crashEvent struct {
			Report                struct{ ID string }
			Group                 group
			IsNewGroup, Regressed bool
		}
		nextCrash := func() crashEvent {
			t.Helper()
			var e crashEvent
			if err := json.Unmarshal(c.data(t, "crash", "crashReceived"), &e); err != nil {
				t.Fatal(err)
			}
			return e
		}
		nextGroup := func() group {
			t.Helper()
			var g group
			if err := json.Unmarshal(c.data(t, "group", "crashGroupUpdated"), &g); err != nil {
				t.Fatal(err)
			}
			return g
		}
		// Each step waits for its events, so the counters they are
		// reloaded with are the step's.
		check := func(step string, wantCrash crashEvent, wantGroup group) {
			t.Helper()
			if got := nextCrash(); got != wantCrash {
				t.Errorf("%s: crashReceived %+v, want %+v", step, got, wantCrash)
			}
			if got := nextGroup(); got != wantGroup {
				t.Errorf("%s: crashGroupUpdated %+v, want %+v", step, got, wantGroup)
			}
		}
		event := func(id string, g group, isNew, regressed bool) crashEvent {
			e := crashEvent{Group: g, IsNewGroup: isNew, Regressed: regressed}
			e.Report.ID = id
			return e
		}

		first, g := alpha.crash(t, s, "pay", "1.0.0")
		check("first crash", event(first, group{g, 1, "NEW"}, true, false), group{g, 1, "NEW"})

		// The same fingerprint in another project is another group, and
		// not this subscription's.
		beta.crash(t, s, "pay", "1.0.0")
		second, g2 := alpha.crash(t, s, "pay", "1.0.0")
		if g2 != g {
			t.Fatalf("the second crash went to group %s, not %s", g2, g)
		}
		check("second crash", event(second, group{g, 2, "NEW"}, false, false), group{g, 2, "NEW"})

		s.MustGraphQL(t, admin, `mutation($id: ID!) { updateCrashGroup(id: $id, input: {status: RESOLVED, resolvedInVersion: "1.0.0"}) { id } }`,
			map[string]any{"id": g}, nil)
		if got := nextGroup(); got != (group{g, 2, "RESOLVED"}) {
			t.Errorf("resolve: crashGroupUpdated %+v", got)
		}

		third, _ := alpha.crash(t, s, "pay", "1.1.0")
		check("regression", event(third, group{g, 3, "REGRESSED"}, false, true), group{g, 3, "REGRESSED"})

		for _, op := range []string{"crash", "group"} {
			if q := c.pending[op]; len(q) > 0 {
				t.Errorf("operation %s has %d more messages, first %s", op, len(q), q[0].Payload)
			}
		}
		c.mu.Lock()
		extra := len(c.queue)
		c.mu.Unlock()
		if extra > 0 {
			t.Errorf("%d more messages queued", extra)
		}
	})
}

// adminUserID is the id of the admin Setup made.
func adminUserID(t testing.TB, s *apptest.Server, admin string) string {
	t.Helper()
	var me struct{ Viewer struct{ ID string } }
	s.MustGraphQL(t, admin, `{ viewer { id } }`, nil, &me)
	return me.Viewer.ID
}

// mintAccessToken signs an access token for userID expiring at exp, as the
// server's auth service does.
func mintAccessToken(t testing.TB, s *apptest.Server, userID string, exp time.Time) string {
	t.Helper()
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "oopsie", "sub": userID, "typ": "access",
		"iat": now.Unix(), "exp": exp.Unix(), "jti": fmt.Sprintf("test-%d", now.UnixNano()),
	}).SignedString(s.Config.JWTSecret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestLiveSubscriptionAuth(t *testing.T) {
	t.Parallel()
	eachLiveServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		p := newLiveProject(t, s, admin, "Shop")

		refused := func(t *testing.T, init wsMessage) {
			t.Helper()
			c := dialLive(t, s, transportWS, nil)
			c.mustSend(t, init)
			// Pipelined: had the server let the connection through, this
			// would run. The server may have closed already.
			_ = c.send(c.subscribeMsg("r", reportSubscription, nil))
			c.expectClosed(t, 4403, "Forbidden")
		}
		t.Run("no authorization", func(t *testing.T) {
			refused(t, wsMessage{Type: "connection_init"})
			refused(t, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{}`)})
		})
		t.Run("garbage token", func(t *testing.T) {
			refused(t, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"authorization": "Bearer not-a-token"}`)})
			refused(t, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"authorization": "Bearer uk_live_nope"}`)})
			// A token the right secret did not sign.
			forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
				"iss": "oopsie", "sub": adminUserID(t, s, admin), "typ": "access", "exp": time.Now().Add(time.Hour).Unix(),
			}).SignedString([]byte("some other secret, long enough to be a secret"))
			refused(t, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"authorization": "Bearer ` + forged + `"}`)})
			// The right credential, not as a Bearer.
			refused(t, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"authorization": "` + admin + `"}`)})
		})
		t.Run("subscribe before connection_init", func(t *testing.T) {
			c := dialLive(t, s, transportWS, nil)
			c.subscribe(t, "r", reportSubscription, nil)
			ce, before := c.closed(t)
			if len(before) > 0 {
				t.Errorf("got %+v before the close", before)
			}
			// gqlgen closes with 1002 (protocol error); the protocol's own
			// code for this is 4401. Either refuses.
			if ce.Code != websocket.CloseProtocolError && ce.Code != 4401 {
				t.Errorf("closed with %d %q", ce.Code, ce.Text)
			}
		})
		t.Run("api token", func(t *testing.T) {
			var created struct {
				CreateAPIToken struct {
					Token    string
					APIToken struct{ ID string } `json:"apiToken"`
				}
			}
			s.MustGraphQL(t, admin, `mutation { createAPIToken(name: "live") { token apiToken { id } } }`, nil, &created)
			tok := created.CreateAPIToken.Token
			c := dialLive(t, s, transportWS, nil)
			c.init(t, tok)
			c.subscribe(t, "r", reportSubscription, map[string]any{"p": p.ID})
			c.sync(t, reportSentinel(t, s, p), liveOp{"r", "reportCreated", byItemID})
			id := p.report(t, s, "seen through an API token")
			var r liveReport
			if err := json.Unmarshal(c.data(t, "r", "reportCreated"), &r); err != nil || r.ID != id || r.Message != "seen through an API token" || r.Project.ID != p.ID {
				t.Errorf("got %+v (%v), want report %s", r, err, id)
			}

			s.MustGraphQL(t, admin, `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`, map[string]any{"id": created.CreateAPIToken.APIToken.ID}, nil)
			refused(t, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"authorization": "Bearer ` + tok + `"}`)})
		})
		t.Run("expired access token", func(t *testing.T) {
			tok := mintAccessToken(t, s, adminUserID(t, s, admin), time.Now().Add(-time.Second))
			refused(t, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"authorization": "Bearer ` + tok + `"}`)})
		})
		t.Run("access token expiring while connected", func(t *testing.T) {
			// JWT times are whole seconds: this one holds for 3 to 4 more.
			exp := time.Now().Add(4 * time.Second).Truncate(time.Second)
			tok := mintAccessToken(t, s, adminUserID(t, s, admin), exp)
			c := dialLive(t, s, transportWS, nil)
			c.init(t, tok)
			c.subscribe(t, "r", reportSubscription, nil)
			ce, before := c.closed(t)
			if ce.Code != 4403 || ce.Text != "token expired" {
				t.Errorf("closed with %d %q, want 4403 %q", ce.Code, ce.Text, "token expired")
			}
			for _, m := range before {
				t.Errorf("got %s %s before the close", m.Type, m.Payload)
			}
			if time.Now().Before(exp) {
				t.Errorf("closed before the token expired at %s", exp)
			}
		})
		t.Run("unknown project", func(t *testing.T) {
			c := dialLive(t, s, transportWS, nil)
			c.init(t, admin)
			c.subscribe(t, "nope", reportSubscription, map[string]any{"p": "prj_doesnotexist"})
			m, ok := c.nextOf(t, "nope", time.Now().Add(liveWait))
			if !ok {
				t.Fatalf("no answer: %v", c.endErr())
			}
			checkNotFound(t, c, m)
			// The connection stays usable.
			c.subscribe(t, "r", reportSubscription, map[string]any{"p": p.ID})
			c.sync(t, reportSentinel(t, s, p), liveOp{"r", "reportCreated", byItemID})
		})
	})
}

// checkNotFound expects m to be the operation's only result: a NOT_FOUND
// error without data. The operation is over then: complete follows.
func checkNotFound(t testing.TB, c *liveClient, m wsMessage) {
	t.Helper()
	var p struct {
		Data   *json.RawMessage
		Errors []apptest.GQLError
	}
	if m.Type != "next" {
		t.Fatalf("got %s %s, want next with an error", m.Type, m.Payload)
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatalf("payload %s: %v", m.Payload, err)
	}
	if p.Data != nil && string(*p.Data) != "null" || len(p.Errors) != 1 ||
		p.Errors[0].Code() != "NOT_FOUND" || p.Errors[0].Message != "project not found" {
		t.Fatalf("got %s, want one NOT_FOUND error and no data", m.Payload)
	}
	if m, ok := c.nextOf(t, m.ID, time.Now().Add(liveWait)); !ok || m.Type != "complete" {
		t.Fatalf("after the error: %+v, %v; want complete", m, ok)
	}
}

func TestLiveWebsocketOrigin(t *testing.T) {
	t.Parallel()
	const public = "https://oopsie.example"
	eachLiveServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		for _, origin := range []string{"https://evil.example", "http://oopsie.example", "https://oopsie.example.evil.example", "null"} {
			_, resp, err := openLive(s, transportWS, http.Header{"Origin": {origin}})
			if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil || resp.StatusCode != http.StatusForbidden {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				t.Errorf("Origin %s: %v, status %d; want the upgrade refused with 403", origin, err, status)
			}
		}
		for _, h := range []http.Header{
			{"Origin": {s.URL}},  // the dashboard, served by this server
			{"Origin": {public}}, // the dashboard, behind OOPSIE_PUBLIC_URL
			nil,                  // not a browser
		} {
			c, _, err := openLive(s, transportWS, h)
			if err != nil {
				t.Errorf("Origin %q: %v", h.Get("Origin"), err)
				continue
			}
			if _, err := c.handshake(admin); err != nil {
				t.Errorf("Origin %q: %v", h.Get("Origin"), err)
			}
			c.Close()
		}
	}, func(c *config.Config) { c.PublicURL = public })
}

func TestLiveWebsocketReadLimit(t *testing.T) {
	t.Parallel()
	eachLiveServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		p := newLiveProject(t, s, admin, "Shop")
		c := dialLive(t, s, transportWS, nil)
		c.init(t, admin)

		// A subscribe message just under 64 KB is read: its query carries
		// a comment as padding.
		padded := c.subscribeMsg("r", "# "+strings.Repeat("x", 60<<10)+"\n"+reportSubscription, map[string]any{"p": p.ID})
		if b, _ := json.Marshal(padded); len(b) >= 64<<10 || len(b) < 60<<10 {
			t.Fatalf("padded message is %d bytes", len(b))
		}
		c.mustSend(t, padded)
		c.sync(t, reportSentinel(t, s, p), liveOp{"r", "reportCreated", byItemID})

		// One byte over the limit closes the connection.
		c.wmu.Lock()
		err := c.conn.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte(" "), 64<<10+1))
		c.wmu.Unlock()
		if err != nil {
			t.Logf("writing the large message: %v", err) // the server may close first
		}
		ce, _ := c.closed(t)
		if ce.Code != websocket.CloseMessageTooBig {
			t.Fatalf("closed with %d %q, want %d", ce.Code, ce.Text, websocket.CloseMessageTooBig)
		}
	})
}

func TestLiveLegacyGraphqlWSProtocol(t *testing.T) {
	t.Parallel()
	eachLiveServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		p := newLiveProject(t, s, admin, "Shop")

		t.Run("refused", func(t *testing.T) {
			c := dialLive(t, s, legacyWS, nil)
			c.mustSend(t, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"authorization": "Bearer nope"}`)})
			ce, before := c.closed(t)
			if len(before) != 1 || before[0].Type != "connection_error" {
				t.Errorf("got %+v before the close, want one connection_error", before)
			}
			if ce.Code != 4403 || ce.Text != "Forbidden" {
				t.Errorf("closed with %d %q, want 4403 Forbidden", ce.Code, ce.Text)
			}
		})

		c := dialLive(t, s, legacyWS, nil)
		c.init(t, admin)
		if m, ok := c.next(time.Now().Add(liveWait)); !ok || m.Type != "ka" {
			t.Fatalf("after connection_ack: %+v, %v; want ka", m, ok)
		}
		c.subscribe(t, "1", reportSubscription, map[string]any{"p": p.ID})
		c.sync(t, reportSentinel(t, s, p), liveOp{"1", "reportCreated", byItemID})
		id := p.report(t, s, "over the legacy protocol")
		var r liveReport
		if err := json.Unmarshal(c.data(t, "1", "reportCreated"), &r); err != nil || r.ID != id || r.Message != "over the legacy protocol" || r.Project.ID != p.ID {
			t.Fatalf("data: %+v (%v), want report %s", r, err, id)
		}

		c.stop(t, "1")
		if m, ok := c.nextOf(t, "1", time.Now().Add(liveWait)); !ok || m.Type != "complete" {
			t.Fatalf("after stop: %+v, %v; want complete", m, ok)
		}
		// Operation 1 is over: what comes next is operation 2's only.
		c.subscribe(t, "2", reportSubscription, map[string]any{"p": p.ID})
		c.sync(t, reportSentinel(t, s, p), liveOp{"2", "reportCreated", byItemID})
		id = p.report(t, s, "after stop")
		if got := byItemID(t, c.data(t, "2", "reportCreated")); got != id {
			t.Errorf("operation 2 got %s, want %s", got, id)
		}
		if q := c.pending["1"]; len(q) > 0 {
			t.Errorf("operation 1 got %d messages after complete, first %s %s", len(q), q[0].Type, q[0].Payload)
		}
	})
}

// TestLiveSubscriptionsDoNotLeakGoroutines opens 1,000 subscriptions,
// closes them from the client side, and expects every goroutine they
// started to end.
//
// It is not parallel: runtime.NumGoroutine counts the whole process, and
// the other tests' servers would drown the count. Go runs it while the
// parallel tests wait. SQLite only: this is about the transport.
func TestLiveSubscriptionsDoNotLeakGoroutines(t *testing.T) {
	const (
		subscribers = 1000
		batch       = 50
		margin      = 20
	)
	s := liveServer(t, dialect.SQLite)
	admin := s.Setup(t)
	p := newLiveProject(t, s, admin, "Shop")
	const sub = `subscription($p: ID) { reportCreated(projectId: $p) { id } }`

	// Warm up: one connection through its whole life, so that what starts
	// lazily (database connections, the ingest client's keep-alive) is
	// counted in the baseline.
	warm := dialLive(t, s, transportWS, nil)
	warm.init(t, admin)
	warm.subscribe(t, "r", sub, map[string]any{"p": p.ID})
	warm.sync(t, reportSentinel(t, s, p), liveOp{"r", "reportCreated", byItemID})
	warm.Close()
	baseline := settledGoroutines(0)

	clients := make([]*liveClient, subscribers)
	var failures atomic.Int32
	for start := 0; start < subscribers; start += batch {
		var wg sync.WaitGroup
		for i := start; i < start+batch; i++ {
			wg.Go(func() {
				c, _, err := openLive(s, transportWS, nil)
				if err == nil {
					clients[i] = c
					if _, err = c.handshake(admin); err == nil {
						err = c.send(c.subscribeMsg("r", sub, map[string]any{"p": p.ID}))
					}
				}
				if err != nil && failures.Add(1) <= 5 {
					t.Errorf("subscriber %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			break
		}
	}
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}()
	if t.Failed() {
		t.FailNow()
	}

	// Every subscription is live once it has delivered a report: send
	// reports until each has had one.
	var (
		wg       sync.WaitGroup
		received atomic.Int32
		until    = time.Now().Add(2 * liveWait)
	)
	for _, c := range clients {
		wg.Go(func() {
			m, ok := c.next(until)
			if ok && m.Type == "next" && m.ID == "r" {
				received.Add(1)
			} else if failures.Add(1) <= 5 {
				t.Errorf("subscriber got %+v, %v (%v)", m, ok, c.endErr())
			}
		})
	}
	allIn := make(chan struct{})
	go func() { wg.Wait(); close(allIn) }()
	for sent := 1; ; sent++ {
		p.report(t, s, fmt.Sprintf("to everyone %d", sent))
		select {
		case <-allIn:
		case <-time.After(2 * time.Second):
			continue
		}
		break
	}
	if t.Failed() {
		t.FailNow()
	}
	peak := runtime.NumGoroutine()

	for start := 0; start < subscribers; start += batch {
		var wg sync.WaitGroup
		for _, c := range clients[start : start+batch] {
			wg.Go(c.Close)
		}
		wg.Wait()
	}

	got := settledGoroutines(baseline + margin)
	t.Logf("goroutines: %d before, %d with %d subscribers, %d after they closed", baseline, peak, received.Load(), got)
	if got > baseline+margin {
		var stacks bytes.Buffer
		_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		t.Fatalf("%d goroutines after the subscribers closed, %d before (peak %d)\n%s", got, baseline, peak, stacks.String())
	}
}

// settledGoroutines polls the goroutine count until it is at most target,
// or stops changing when target is 0, for up to 20 seconds, and returns it.
func settledGoroutines(target int) int {
	deadline := time.Now().Add(20 * time.Second)
	prev := runtime.NumGoroutine()
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		n := runtime.NumGoroutine()
		if (target > 0 && n <= target) || (target == 0 && n == prev) {
			return n
		}
		prev = n
	}
	return runtime.NumGoroutine()
}
