package wsconn_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"

	"github.com/yoanbernabeu/oopsie/internal/wsconn"
)

const (
	protocol = "graphql-transport-ws"
	// wait bounds waits for what must happen; never an expected duration.
	wait = 30 * time.Second
)

// accepted is the server side of one connection.
type accepted struct {
	ctx  context.Context
	conn *wsconn.Conn
}

// server accepts WebSocket connections with wsconn, as gqlgen's transport
// would, through a request context from WithCloser. before runs on that
// context ahead of Accept. Accepted connections come out of the channel.
func server(t *testing.T, checkOrigin func(*http.Request) bool, before func(ctx context.Context)) (*httptest.Server, <-chan accepted) {
	t.Helper()
	return serverWith(t, wsconn.New(checkOrigin, 0), before)
}

func serverWith(t *testing.T, impl *wsconn.Implementation, before func(ctx context.Context)) (*httptest.Server, <-chan accepted) {
	t.Helper()
	conns := make(chan accepted, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := wsconn.WithCloser(r.Context())
		if before != nil {
			before(ctx)
		}
		c, err := impl.Accept(w, r.WithContext(ctx), transport.WebsocketAcceptOptions{
			ResponseHeader: http.Header{}, Subprotocols: []string{protocol, "graphql-ws"},
		})
		if err != nil {
			return
		}
		conns <- accepted{ctx, c.(*wsconn.Conn)}
	}))
	t.Cleanup(srv.Close)
	return srv, conns
}

func dial(t *testing.T, srv *httptest.Server, d *websocket.Dialer) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	if d == nil {
		d = &websocket.Dialer{}
	}
	d.Subprotocols = []string{protocol}
	d.HandshakeTimeout = wait
	c, resp, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, resp, err
}

func mustDial(t *testing.T, srv *httptest.Server) *websocket.Conn {
	t.Helper()
	c, _, err := dial(t, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subprotocol() != protocol {
		t.Fatalf("subprotocol %q", c.Subprotocol())
	}
	return c
}

func next(t *testing.T, conns <-chan accepted) accepted {
	t.Helper()
	select {
	case a := <-conns:
		return a
	case <-time.After(wait):
		t.Fatal("no connection accepted")
		return accepted{}
	}
}

// closeFrame reads c until the server's close frame and returns it, with
// the text messages before it.
func closeFrame(t *testing.T, c *websocket.Conn) (*websocket.CloseError, []string) {
	t.Helper()
	var msgs []string
	_ = c.SetReadDeadline(time.Now().Add(wait))
	for {
		_, data, err := c.ReadMessage()
		if err == nil {
			msgs = append(msgs, string(data))
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("connection ended without a close frame: %v (after %d messages)", err, len(msgs))
		}
		return ce, msgs
	}
}

func TestWebsocketCloseReachesTheConnection(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, nil, nil)
	c := mustDial(t, srv)
	a := next(t, conns)
	if a.conn.Subprotocol() != protocol {
		t.Errorf("server side subprotocol %q", a.conn.Subprotocol())
	}
	if err := a.conn.WriteJSON(map[string]string{"type": "connection_ack"}); err != nil {
		t.Fatal(err)
	}
	if err := wsconn.Close(a.ctx, wsconn.CodeForbidden, "token expired"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ce, msgs := closeFrame(t, c)
	if ce.Code != wsconn.CodeForbidden || ce.Text != "token expired" {
		t.Errorf("closed with %d %q", ce.Code, ce.Text)
	}
	if len(msgs) != 1 || msgs[0] != `{"type":"connection_ack"}` {
		t.Errorf("messages before the close: %q", msgs)
	}
	if err := a.conn.WriteJSON(map[string]string{"type": "next"}); err == nil {
		t.Error("WriteJSON after Close succeeded")
	}
	// A second close, from gqlgen or another timer, is harmless.
	if err := wsconn.Close(a.ctx, wsconn.CodePolicy, "again"); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := a.conn.WriteClose(websocket.CloseNormalClosure, "terminated"); err != nil {
		t.Errorf("WriteClose after Close: %v", err)
	}
}

func TestWebsocketCloseBeforeAcceptIsPending(t *testing.T) {
	t.Parallel()
	closeErr := make(chan error, 1)
	srv, conns := server(t, nil, func(ctx context.Context) {
		closeErr <- wsconn.Close(ctx, wsconn.CodePolicy, "closed early")
	})
	c := mustDial(t, srv)
	if err := <-closeErr; err != nil {
		t.Fatalf("Close before the connection exists: %v", err)
	}
	a := next(t, conns)
	ce, msgs := closeFrame(t, c)
	if ce.Code != wsconn.CodePolicy || ce.Text != "closed early" || len(msgs) > 0 {
		t.Errorf("closed with %d %q after %q", ce.Code, ce.Text, msgs)
	}
	if err := a.conn.WriteJSON(map[string]string{"type": "connection_ack"}); err == nil {
		t.Error("WriteJSON on a connection closed at Accept succeeded")
	}
}

func TestWebsocketCloseWithoutCloser(t *testing.T) {
	t.Parallel()
	if err := wsconn.Close(context.Background(), wsconn.CodeForbidden, "x"); !errors.Is(err, wsconn.ErrNoConnection) {
		t.Errorf("Close without WithCloser: %v", err)
	}
}

func TestWebsocketCloseReasonIsTruncated(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, nil, nil)
	c := mustDial(t, srv)
	a := next(t, conns)
	// A control frame carries at most 125 bytes: the code and 123 of text.
	_ = wsconn.Close(a.ctx, wsconn.CodeForbidden, strings.Repeat("r", 200))
	ce, _ := closeFrame(t, c)
	if ce.Code != wsconn.CodeForbidden || ce.Text != strings.Repeat("r", 123) {
		t.Errorf("closed with %d and %d bytes of reason", ce.Code, len(ce.Text))
	}
}

// TestWebsocketWritesRaceClose writes from many goroutines while another
// closes: gorilla allows one writer at a time, so every message must
// arrive whole, then the close frame; the race detector watches.
func TestWebsocketWritesRaceClose(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, nil, nil)
	c := mustDial(t, srv)
	a := next(t, conns)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range 8 {
		wg.Go(func() {
			<-start
			for i := range 50 {
				_ = a.conn.WriteJSON(map[string]any{"type": "next", "id": fmt.Sprint(w), "payload": i})
			}
		})
	}
	wg.Go(func() {
		<-start
		_ = wsconn.Close(a.ctx, wsconn.CodePolicy, "too slow")
	})
	close(start)
	ce, msgs := closeFrame(t, c)
	wg.Wait()
	if ce.Code != wsconn.CodePolicy || ce.Text != "too slow" {
		t.Errorf("closed with %d %q", ce.Code, ce.Text)
	}
	for _, m := range msgs {
		var v struct{ Type string }
		if err := json.Unmarshal([]byte(m), &v); err != nil || v.Type != "next" {
			t.Fatalf("mangled message %q", m)
		}
	}
}

func TestWebsocketOriginRefused(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, func(r *http.Request) bool { return r.Header.Get("Origin") == "" }, nil)
	d := &websocket.Dialer{}
	c, resp, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), http.Header{"Origin": {"https://evil.example"}})
	if err == nil {
		c.Close()
	}
	if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("dial from another origin: %v, %+v", err, resp)
	}
	select {
	case <-conns:
		t.Fatal("a refused request became a connection")
	default:
	}
	mustDial(t, srv) // no Origin: allowed by this check
	next(t, conns)
}

func TestWebsocketPeerCloseEndsReads(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code       int
		wantClosed bool // transport.ErrWebsocketClosed: a normal end
	}{
		{websocket.CloseNormalClosure, true},
		{websocket.CloseGoingAway, true},
		{4000, false},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			t.Parallel()
			srv, conns := server(t, nil, nil)
			c := mustDial(t, srv)
			a := next(t, conns)
			if err := c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
				t.Fatal(err)
			}
			_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(tc.code, "bye"), time.Now().Add(wait))
			_ = a.conn.SetReadDeadline(time.Now().Add(wait))
			if _, r, err := a.conn.NextReader(); err != nil || r == nil {
				t.Fatalf("first message: %v", err)
			}
			_, _, err := a.conn.NextReader()
			if got := errors.Is(err, transport.ErrWebsocketClosed); got != tc.wantClosed || err == nil {
				t.Errorf("after the peer's close %d: %v", tc.code, err)
			}
		})
	}
}

func TestWebsocketReadLimit(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, nil, nil)
	c := mustDial(t, srv)
	a := next(t, conns)
	a.conn.SetReadLimit(16)
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)) // 15 bytes
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"} `))
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type": "ping"} `))
	_ = a.conn.SetReadDeadline(time.Now().Add(wait))
	for i := range 2 {
		if _, r, err := a.conn.NextReader(); err != nil || r == nil {
			t.Fatalf("message %d within the limit: %v", i+1, err)
		}
	}
	if _, _, err := a.conn.NextReader(); !errors.Is(err, websocket.ErrReadLimit) {
		t.Errorf("a message over the limit: %v", err)
	}
	ce, _ := closeFrame(t, c)
	if ce.Code != websocket.CloseMessageTooBig {
		t.Errorf("closed with %d %q", ce.Code, ce.Text)
	}
}

// A peer that answers pings stays connected; one that does not is dropped
// after two intervals of silence. The server side reads, as gqlgen's
// reader always does.
func TestKeepAlive(t *testing.T) {
	t.Parallel()
	const interval = time.Second
	for _, answers := range []bool{true, false} {
		t.Run(fmt.Sprintf("answers=%v", answers), func(t *testing.T) {
			t.Parallel()
			srv, conns := serverWith(t, wsconn.New(nil, interval), nil)
			c := mustDial(t, srv)
			var pings atomic.Int32
			c.SetPingHandler(func(data string) error {
				pings.Add(1)
				if !answers {
					return nil
				}
				return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
			})
			go func() { // the client reads, so that its ping handler runs
				for {
					if _, _, err := c.NextReader(); err != nil {
						return
					}
				}
			}()
			a := <-conns
			ended := make(chan error, 1)
			go func() {
				for {
					if _, _, err := a.conn.NextReader(); err != nil {
						ended <- err
						return
					}
				}
			}()
			if answers {
				// Well past two intervals, by pings received, not by time.
				deadline := time.After(wait)
				for pings.Load() < 4 {
					select {
					case err := <-ended:
						t.Fatalf("connection dropped after %d pings answered: %v", pings.Load(), err)
					case <-deadline:
						t.Fatalf("only %d pings in %s", pings.Load(), wait)
					case <-time.After(interval):
					}
				}
				return
			}
			select {
			case err := <-ended:
				if pings.Load() == 0 {
					t.Errorf("dropped (%v) without being pinged", err)
				}
			case <-time.After(wait):
				t.Fatal("a peer that never answers pings was not dropped")
			}
		})
	}
}

// Messages held back leave with the next one written without a hold, in
// order; a close sends what was held before it.
func TestWebsocketHold(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, nil, nil)
	c := mustDial(t, srv)
	a := next(t, conns)
	msg := func(i int) map[string]string { return map[string]string{"type": "next", "id": fmt.Sprint(i)} }
	received := make(chan string, 8)
	go func() {
		defer close(received)
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			received <- string(data)
		}
	}()
	a.conn.Hold()
	a.conn.Hold()
	for i := range 2 {
		if err := a.conn.WriteJSON(msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	if wsconn.HeldBytes(a.conn) == 0 {
		t.Fatal("two held messages reached the network")
	}
	select {
	case m := <-received:
		t.Fatalf("a held message arrived before the unheld one: %s", m)
	default:
	}
	if err := a.conn.WriteJSON(msg(2)); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		select {
		case m := <-received:
			if want := fmt.Sprintf(`{"id":"%d","type":"next"}`, i); m != want {
				t.Errorf("message %d: %s, want %s", i, m, want)
			}
		case <-time.After(wait):
			t.Fatalf("message %d never arrived", i)
		}
	}
	a.conn.Hold()
	if err := a.conn.WriteJSON(msg(3)); err != nil {
		t.Fatal(err)
	}
	a.conn.CloseWith(wsconn.CodePolicy, "too slow")
	if m, ok := <-received; !ok || m != `{"id":"3","type":"next"}` {
		t.Errorf("the held message before the close: %q, %v", m, ok)
	}
}

// frame has the shape of gqlgen's protocol messages.
type frame struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
}

// A staged response goes out in place of the reference gqlgen marshaled,
// once; a payload that is not a staged reference goes out as it is.
func TestWebsocketStage(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, nil, nil)
	c := mustDial(t, srv)
	a := next(t, conns)
	real := `{"data":{"reportCreated":{"id":"rep_1","message":"a \u003cb\u003e"}}}`
	ref, ok := a.conn.Stage([]byte(real))
	if !ok {
		t.Fatal("Stage refused: gqlgen's responses no longer marshal as {\"data\":<ref>}")
	}
	stand, err := json.Marshal(&graphql.Response{Data: ref})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := a.conn.Stage([]byte(`{"data":{"other":true}}`))
	for _, p := range []string{string(stand), `{"data":{"n":1}}`, string(stand)} {
		if err := a.conn.WriteJSON(&frame{Payload: json.RawMessage(p), ID: "1", Type: "next"}); err != nil {
			t.Fatal(err)
		}
	}
	otherStand, _ := json.Marshal(&graphql.Response{Data: other})
	if err := a.conn.WriteJSON(&frame{Payload: otherStand, ID: "2", Type: "next"}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"payload":` + real + `,"id":"1","type":"next"}`,
		`{"payload":{"data":{"n":1}},"id":"1","type":"next"}`,
		`{"payload":` + string(stand) + `,"id":"1","type":"next"}`, // taken already
		`{"payload":{"data":{"other":true}},"id":"2","type":"next"}`,
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	for i, w := range want {
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if string(data) != w {
			t.Errorf("message %d: %s, want %s", i, data, w)
		}
	}
}
