// Package wsconn runs gqlgen's WebSocket transport on gorilla/websocket,
// with small idle connections (a shared write-buffer pool), an origin
// check, bounded writes, and a way for the server to close a connection
// from anywhere in its context with a clear close code.
package wsconn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// Close codes the server uses besides the protocol's own.
const (
	// CodeForbidden is graphql-transport-ws's code for a refused or
	// expired credential.
	CodeForbidden = 4403
	// CodePolicy (RFC 6455's policy violation) closes a subscriber too
	// slow to keep up with its events.
	CodePolicy = websocket.ClosePolicyViolation
)

// readBufferSize is the connection's read buffer: clients send little
// beyond their subscribe messages, which may span several reads.
const readBufferSize = 512

// writeTimeout bounds one message's write: a peer that stops reading is
// dropped instead of holding its connection's writer forever.
const writeTimeout = 10 * time.Second

// Implementation accepts GraphQL WebSocket connections with gorilla.
type Implementation struct {
	upgrader websocket.Upgrader
	ping     time.Duration
	trimmer  *stackTrimmer
}

var _ transport.WebsocketImplementation = (*Implementation)(nil)

// writeBuffers is shared by every connection: a buffer is held only while
// a message is being written, so an idle connection holds none.
var writeBuffers = &sync.Pool{}

// New returns an Implementation that accepts requests whose origin passes
// checkOrigin. Every ping interval (none when 0) it sends a WebSocket ping,
// which every client answers by itself, and drops a connection that sent
// nothing, pongs included, for two intervals: a dead peer is noticed without
// a goroutine per connection waiting for it.
func New(checkOrigin func(*http.Request) bool, ping time.Duration) *Implementation {
	return &Implementation{ping: ping, trimmer: newStackTrimmer(), upgrader: websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// Subscriptions' messages from the client are small, and a
		// buffer of its own lets the HTTP server's 4 KB one go (Detach).
		ReadBufferSize:  readBufferSize,
		WriteBufferSize: 4096,
		WriteBufferPool: writeBuffers,
		CheckOrigin:     checkOrigin,
	}}
}

// Accept upgrades the request. Its context must come from WithCloser for
// Close to reach the connection.
func (i *Implementation) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	u := i.upgrader
	for _, p := range o.Subprotocols {
		if !slices.Contains(u.Subprotocols, p) {
			u.Subprotocols = append(u.Subprotocols, p)
		}
	}
	cw := &corkingWriter{ResponseWriter: w}
	c, err := u.Upgrade(cw, r, o.ResponseHeader)
	if err != nil {
		// Upgrade has answered the request already.
		return nil, err
	}
	conn := &Conn{ws: c, nc: cw.conn}
	i.trimmer.connected()
	if i.ping > 0 {
		conn.keepAlive(i.ping)
	}
	if h, ok := r.Context().Value(holderKey{}).(*holder); ok {
		h.set(conn)
	}
	return conn, nil
}

// keepAlive pings the peer every interval from a timer, and bounds the wait
// for its next frame to two intervals; any frame, a pong included, resets
// the bound.
func (c *Conn) keepAlive(interval time.Duration) {
	extend := func() { _ = c.ws.SetReadDeadline(time.Now().Add(2 * interval)) }
	extend()
	c.ws.SetPongHandler(func(string) error { extend(); return nil })
	c.mu.Lock()
	c.pinger = time.AfterFunc(interval, func() { c.ping(interval) })
	c.mu.Unlock()
}

func (c *Conn) ping(interval time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	// WriteControl may run beside a message write; it has its own lock.
	// A ping flushes frames held back: it is sent at once.
	c.nc.setCorked(false)
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
		return
	}
	c.pinger.Reset(interval)
}

// Conn adapts a gorilla connection to gqlgen's transport. gorilla allows one
// writer at a time; gqlgen's writes and the server's closes are serialised
// here.
type Conn struct {
	ws *websocket.Conn
	nc *corkedConn // under ws

	mu     sync.Mutex
	closed bool
	pinger *time.Timer
	holds  int      // writes to hold back, promised by Hold
	staged []staged // a few at most: those written next
	seq    uint64
}

type staged struct {
	ref     uint64
	payload []byte
}

var (
	_ transport.WebsocketConn          = (*Conn)(nil)
	_ transport.WebsocketReadLimiter   = (*Conn)(nil)
	_ transport.WebsocketReadDeadliner = (*Conn)(nil)
)

// NextReader returns the next message; a normal close by the peer is
// transport.ErrWebsocketClosed.
func (c *Conn) NextReader() (int, io.Reader, error) {
	t, r, err := c.ws.NextReader()
	if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
		return t, nil, transport.ErrWebsocketClosed
	}
	return t, r, err
}

// WriteJSON writes one message, or fails once writeTimeout passes.
func (c *Conn) WriteJSON(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return websocket.ErrCloseSent
	}
	var swap func([]byte) []byte
	if len(c.staged) > 0 {
		swap = c.unstageLocked
	}
	data, ok := encodeMessage(v, swap)
	if !ok {
		var err error
		if data, err = json.Marshal(v); err != nil {
			return err
		}
	}
	hold := c.holds > 0
	if hold {
		c.holds--
	}
	c.nc.setCorked(hold)
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		c.failLocked()
		return err
	}
	return nil
}

// failLocked drops the connection after a failed write. gorilla fails every
// later write too, and gqlgen only reports write errors: dropping it now
// ends its reader and releases its subscriptions, rather than when a
// keep-alive finally notices.
func (c *Conn) failLocked() {
	c.closed = true
	_ = c.ws.Close()
}

// Hold holds back the connection's next message, to leave with the one
// after it in one write. The caller promises that second message: it knows
// that another event waits for the same subscriber. Any message written
// without a hold, a ping or a close sends what was held.
func (c *Conn) Hold() {
	c.mu.Lock()
	if !c.closed {
		c.holds++
	}
	c.mu.Unlock()
}

// Stage keeps payload, a graphql.Response marshaled already, for the
// message whose payload is {"data":ref}, and returns ref: a response with
// ref as its data is cheap to marshal, and WriteJSON sends payload in its
// place. gqlgen marshals every response it writes, which compacts its data
// again, for every subscriber of a live event; a response shared by many
// subscribers is marshaled once instead. false when gqlgen's responses do
// not marshal as Stage expects.
func (c *Conn) Stage(payload []byte) (json.RawMessage, bool) {
	if !stagingWorks {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.staged = append(c.staged, staged{c.seq, payload})
	return strconv.AppendUint(nil, c.seq, 10), true
}

// stagingWorks checks, once, that a response marshals as Stage expects.
var stagingWorks = func() bool {
	b, err := json.Marshal(&graphql.Response{Data: json.RawMessage("1")})
	return err == nil && string(b) == stagedPrefix+"1"+stagedSuffix
}()

// stagedPrefix and stagedSuffix surround a staged response's reference in
// the payload gqlgen marshals.
const stagedPrefix, stagedSuffix = `{"data":`, `}`

// unstageLocked returns the staged payload that payload stands for, or
// payload itself.
func (c *Conn) unstageLocked(payload []byte) []byte {
	ref, ok := bytes.CutPrefix(payload, []byte(stagedPrefix))
	if !ok {
		return payload
	}
	if ref, ok = bytes.CutSuffix(ref, []byte(stagedSuffix)); !ok || len(ref) == 0 || len(ref) > 20 {
		return payload
	}
	var n uint64
	for _, d := range ref {
		if d < '0' || d > '9' {
			return payload
		}
		n = n*10 + uint64(d-'0')
	}
	for i, s := range c.staged {
		if s.ref == n {
			c.staged = slices.Delete(c.staged, i, i+1)
			return s.payload
		}
	}
	return payload
}

// WriteClose sends a close frame; the connection is closed by Close.
func (c *Conn) WriteClose(code int, reason string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writeCloseLocked(code, reason)
}

func (c *Conn) writeCloseLocked(code int, reason string) error {
	if c.closed {
		return nil
	}
	c.closed = true
	// A close reason is at most 123 bytes in a control frame.
	if len(reason) > 123 {
		reason = reason[:123]
	}
	c.nc.setCorked(false) // what was held goes before the close
	msg := websocket.FormatCloseMessage(code, reason)
	return c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
}

// CloseWith sends a close frame with code and reason, then closes the
// connection: gqlgen's reader then fails and releases everything the
// connection holds.
func (c *Conn) CloseWith(code int, reason string) {
	c.mu.Lock()
	_ = c.writeCloseLocked(code, reason)
	c.mu.Unlock()
	_ = c.ws.Close()
}

// Close closes the network connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.pinger != nil {
		c.pinger.Stop()
	}
	c.mu.Unlock()
	return c.ws.Close()
}

// Subprotocol is the negotiated subprotocol.
func (c *Conn) Subprotocol() string { return c.ws.Subprotocol() }

// SetReadLimit bounds one incoming message.
func (c *Conn) SetReadLimit(limit int64) { c.ws.SetReadLimit(limit) }

// SetReadDeadline bounds the wait for the next message (keepalive pongs).
func (c *Conn) SetReadDeadline(t time.Time) error { return c.ws.SetReadDeadline(t) }

type holderKey struct{}

// holder is where Accept leaves the connection for Close to find.
type holder struct {
	mu      sync.Mutex
	conn    *Conn
	pending *closeRequest // a Close before the connection existed
}

type closeRequest struct {
	code   int
	reason string
}

func (h *holder) set(c *Conn) {
	h.mu.Lock()
	h.conn = c
	p := h.pending
	h.mu.Unlock()
	if p != nil {
		c.CloseWith(p.code, p.reason)
	}
}

// WithCloser returns a request context through which Close can reach the
// WebSocket connection the request becomes.
func WithCloser(ctx context.Context) context.Context {
	return context.WithValue(ctx, holderKey{}, &holder{})
}

// FromContext returns the WebSocket connection ctx belongs to, or nil
// before it is accepted and in a context not from WithCloser.
func FromContext(ctx context.Context) *Conn {
	h, ok := ctx.Value(holderKey{}).(*holder)
	if !ok {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conn
}

// ErrNoConnection is Close's error when ctx did not come from WithCloser.
var ErrNoConnection = errors.New("wsconn: no connection in this context")

// Close closes the WebSocket connection ctx belongs to with a close code
// and a reason the client can read, from anywhere in its request: a
// subscription resolver, a timer.
func Close(ctx context.Context, code int, reason string) error {
	h, ok := ctx.Value(holderKey{}).(*holder)
	if !ok {
		return ErrNoConnection
	}
	h.mu.Lock()
	c := h.conn
	if c == nil {
		h.pending = &closeRequest{code, reason}
	}
	h.mu.Unlock()
	if c != nil {
		c.CloseWith(code, reason)
	}
	return nil
}
