package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// The GraphQL over WebSocket protocol Oopsie serves subscriptions with.
const subprotocol = "graphql-transport-ws"

// subscription is what every Oopsie subscriber follows: the fields a live
// list of reports shows.
const subscription = `subscription($p: ID) { reportCreated(projectId: $p) { id message category severity status pageUrl createdAt } }`

// handshakeTimeout bounds a subscriber's connection: TCP, the HTTP upgrade,
// then connection_init until connection_ack.
const handshakeTimeout = 15 * time.Second

// clockStart is the origin of the offsets the subscribers and the senders
// record: monotonic, so that a wall-clock step cannot skew a latency.
var clockStart = time.Now()

func clock() int64 { return int64(time.Since(clockStart)) }

// ---- markers --------------------------------------------------------------

// Each event carries a marker, [bl:<phase>:<seq>], in its report's message:
// the subscriber that receives it knows which send it answers.
func marker(phase, seq int) string {
	return "[bl:" + strconv.Itoa(phase) + ":" + strconv.Itoa(seq) + "]"
}

var markerPattern = regexp.MustCompile(`\[bl:[0-9]+:[0-9]+\]`)

// parseMarker finds the first marker of a frame.
func parseMarker(frame []byte) (phase, seq int, ok bool) {
	i := bytes.Index(frame, []byte("[bl:"))
	if i < 0 {
		return 0, 0, false
	}
	rest := frame[i+len("[bl:"):]
	end := bytes.IndexByte(rest, ']')
	if end < 0 {
		return 0, 0, false
	}
	p, s, found := bytes.Cut(rest[:end], []byte(":"))
	if !found {
		return 0, 0, false
	}
	phase, err1 := strconv.Atoi(string(p))
	seq, err2 := strconv.Atoi(string(s))
	if err1 != nil || err2 != nil || phase < 0 || seq < 0 {
		return 0, 0, false
	}
	return phase, seq, true
}

// remark replaces the marker of a frame with m.
func remark(frame []byte, m string) []byte {
	return markerPattern.ReplaceAllLiteral(frame, []byte(m))
}

// frameType is a server message's type. gqlgen writes the type last, so the
// frequent "next" is told without decoding the frame; anything else is
// decoded.
func frameType(frame []byte) (string, error) {
	if bytes.HasSuffix(frame, []byte(`"type":"next"}`)) {
		return "next", nil
	}
	var m struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(frame, &m); err != nil {
		return "", fmt.Errorf("undecodable message %.200q: %w", frame, err)
	}
	return m.Type, nil
}

// ---- phases ---------------------------------------------------------------

// phase is one round of sends that the subscribers match their frames
// against.
type phase struct {
	id int
	// sentAt is when each send started, as clock offsets.
	sentAt    []atomic.Int64
	delivered atomic.Int64 // (send, subscriber) pairs received
	dupes     atomic.Int64 // frames received twice
	strays    atomic.Int64 // frames of no send of the phase
}

var phaseIDs atomic.Int64

func newPhase(sends int) *phase {
	return &phase{id: int(phaseIDs.Add(1)), sentAt: make([]atomic.Int64, sends)}
}

// ---- subscribers ----------------------------------------------------------

// sub is one subscriber's connection, read by its own goroutine.
type sub struct {
	conn  *websocket.Conn
	group int    // the index of the endpoint it is connected to
	on    string // and its name
	done  chan struct{}

	closing atomic.Bool // we are closing it: a read error is expected
	failed  atomic.Bool // it failed, and was counted

	mu   sync.Mutex
	ph   *phase
	got  []bool          // by seq, for ph
	lats []time.Duration // of ph's frames, in arrival order
}

// arm makes s match its frames against ph, forgetting earlier phases.
func (s *sub) arm(ph *phase) {
	s.mu.Lock()
	s.ph = ph
	s.got = make([]bool, len(ph.sentAt))
	s.lats = make([]time.Duration, 0, len(ph.sentAt))
	s.mu.Unlock()
}

// take returns what s received of its phase, and disarms it.
func (s *sub) take() (got []bool, lats []time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	got, lats = s.got, s.lats
	s.ph, s.got, s.lats = nil, nil, nil
	return got, lats
}

// deliver records a "next" frame received at.
func (s *sub) deliver(frame []byte, at int64) {
	id, seq, ok := parseMarker(frame)
	s.mu.Lock()
	defer s.mu.Unlock()
	ph := s.ph
	switch {
	case ph == nil:
		return
	case !ok || id != ph.id || seq >= len(s.got):
		ph.strays.Add(1)
		return
	case s.got[seq]:
		ph.dupes.Add(1)
		return
	}
	sent := ph.sentAt[seq].Load()
	if sent == 0 {
		ph.strays.Add(1) // cannot be: a send is recorded before it starts
		return
	}
	s.got[seq] = true
	s.lats = append(s.lats, time.Duration(at-sent))
	ph.delivered.Add(1)
}

// endpoint is where subscribers connect.
type endpoint struct {
	name  string // A, B, hub
	wsURL string
	// graphql: the graphql-transport-ws handshake and a subscribe message;
	// otherwise (the hub) an ack, after which broadcasts reach the connection.
	graphql   bool
	token     string // for connection_init
	projectID string // reportCreated's argument
}

// pool is every subscriber of a run, and what went wrong with them.
type pool struct {
	dialer websocket.Dialer

	// template is the first "next" frame received from Oopsie: the baseline
	// broadcasts the same bytes, marker aside.
	template atomic.Pointer[[]byte]

	ended    atomic.Int64 // subscribers whose connection ended or failed unexpectedly
	mu       sync.Mutex
	firstEnd string
}

func newPool() *pool {
	return &pool{dialer: websocket.Dialer{
		Proxy:            nil, // 127.0.0.1 only
		HandshakeTimeout: handshakeTimeout,
		// Small buffers: 10,000 connections live in this process.
		ReadBufferSize:  2048,
		WriteBufferSize: 512,
		WriteBufferPool: &sync.Pool{},
	}}
}

// failures is how many subscribers ended unexpectedly, and why the first did.
func (p *pool) failures() (int64, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ended.Load(), p.firstEnd
}

// fail counts s as failed, once, and keeps the first reason.
func (p *pool) fail(s *sub, why string) {
	if s.failed.Swap(true) {
		return
	}
	p.ended.Add(1)
	p.mu.Lock()
	if p.firstEnd == "" {
		p.firstEnd = fmt.Sprintf("a subscriber on %s: %s", s.on, why)
	}
	p.mu.Unlock()
}

// dial connects one subscriber to ep and starts reading it. It returns once
// connection_ack came and, for Oopsie, the subscribe message is sent.
func (p *pool) dial(ctx context.Context, ep endpoint, group int) (*sub, error) {
	d := p.dialer
	if ep.graphql {
		d.Subprotocols = []string{subprotocol}
	}
	ctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	c, resp, err := d.DialContext(ctx, ep.wsURL, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("connect to %s (%s): HTTP %s: %w", ep.name, ep.wsURL, resp.Status, err)
		}
		return nil, fmt.Errorf("connect to %s (%s): %w", ep.name, ep.wsURL, err)
	}
	if err := handshake(c, ep); err != nil {
		c.Close()
		return nil, fmt.Errorf("subscribe on %s: %w", ep.name, err)
	}
	s := &sub{conn: c, group: group, on: ep.name, done: make(chan struct{})}
	go p.read(s)
	return s, nil
}

// handshake runs graphql-transport-ws up to the subscription: connection_init
// with the token, connection_ack, subscribe. The hub only acknowledges the
// connection.
func handshake(c *websocket.Conn, ep endpoint) error {
	deadline := time.Now().Add(handshakeTimeout)
	_ = c.SetWriteDeadline(deadline)
	_ = c.SetReadDeadline(deadline)
	defer func() {
		_ = c.SetWriteDeadline(time.Time{})
		_ = c.SetReadDeadline(time.Time{})
	}()
	if ep.graphql {
		if got := c.Subprotocol(); got != subprotocol {
			return fmt.Errorf("the server chose subprotocol %q, not %s", got, subprotocol)
		}
		init := map[string]any{"type": "connection_init", "payload": map[string]string{"authorization": "Bearer " + ep.token}}
		if err := c.WriteJSON(init); err != nil {
			return fmt.Errorf("connection_init: %w", err)
		}
	}
	for {
		_, frame, err := c.ReadMessage()
		if err != nil {
			return fmt.Errorf("awaiting connection_ack: %w", err)
		}
		t, err := frameType(frame)
		if err != nil {
			return err
		}
		if t == "connection_ack" {
			break
		}
		if t != "ping" && t != "pong" {
			return fmt.Errorf("awaiting connection_ack, got %.300s", frame)
		}
	}
	if !ep.graphql {
		return nil
	}
	sub := map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": subscription, "variables": map[string]any{"p": ep.projectID},
	}}
	if err := c.WriteJSON(sub); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

// read reads s until it is closed: frames are matched against its phase,
// pings answered, anything else is a failure of the subscription.
func (p *pool) read(s *sub) {
	defer close(s.done)
	for {
		_, frame, err := s.conn.ReadMessage()
		if err != nil {
			if !s.closing.Load() {
				p.fail(s, describeEnd(err))
			}
			return
		}
		at := clock()
		t, err := frameType(frame)
		if err != nil {
			p.fail(s, err.Error())
			continue
		}
		switch t {
		case "next":
			if bytes.Contains(frame, []byte(`"errors":[`)) {
				p.fail(s, fmt.Sprintf("next with errors: %.300s", frame))
				continue
			}
			if p.template.Load() == nil {
				b := bytes.Clone(frame)
				p.template.CompareAndSwap(nil, &b)
			}
			s.deliver(frame, at)
		case "ping":
			// Only this goroutine writes once the subscription is made.
			_ = s.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := s.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"pong"}`)); err != nil && !s.closing.Load() {
				p.fail(s, "answer a ping: "+err.Error())
			}
		case "pong":
		case "error":
			p.fail(s, fmt.Sprintf("the subscription failed: %.300s", frame))
		case "complete":
			p.fail(s, "the server completed the subscription")
		default:
			p.fail(s, fmt.Sprintf("unexpected message %.300s", frame))
		}
	}
}

// describeEnd tells why a connection ended, with the close code the server
// sent if any.
func describeEnd(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return fmt.Sprintf("closed by the server with %d %q", ce.Code, ce.Text)
	}
	return "connection lost: " + err.Error()
}

// openAll connects n more subscribers, the i-th of them to
// eps[i % len(eps)], 64 at a time, and fails on the first that cannot
// connect (closing the others).
func (p *pool) openAll(ctx context.Context, eps []endpoint, n int) ([]*sub, error) {
	subs := make([]*sub, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range min(n, 64) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				g := i % len(eps)
				s, err := p.dial(ctx, eps[g], g)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				subs[i] = s
			}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		closeAll(subs)
		return nil, firstErr
	}
	return subs, nil
}

// closeAll closes subscribers, nil ones skipped, and waits for their readers.
func closeAll(subs []*sub) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(subs), 64) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(subs) {
					return
				}
				s := subs[i]
				if s == nil {
					continue
				}
				s.closing.Store(true)
				msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
				_ = s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
				_ = s.conn.Close()
				<-s.done
			}
		})
	}
	wg.Wait()
}
