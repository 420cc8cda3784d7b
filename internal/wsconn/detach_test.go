package wsconn_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/yoanbernabeu/oopsie/internal/wsconn"
)

// detached serves WebSockets through Detach. returned receives once the
// HTTP server's handler has returned; ended when the detached one has, with
// its context then.
func detached(t *testing.T, accept func(*http.Request) bool) (srv *httptest.Server, returned <-chan struct{}, conns <-chan accepted, ended <-chan context.Context) {
	t.Helper()
	ret, acc, end := make(chan struct{}, 8), make(chan accepted, 8), make(chan context.Context, 8)
	impl := wsconn.New(accept, 0)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { end <- r.Context() }()
		if r.Header.Get("Upgrade") == "" {
			_, _ = w.Write([]byte("plain"))
			return
		}
		c, err := impl.Accept(w, r, transport.WebsocketAcceptOptions{ResponseHeader: http.Header{}, Subprotocols: []string{protocol}})
		if err != nil {
			return
		}
		acc <- accepted{r.Context(), c.(*wsconn.Conn)}
		// As gqlgen's transport does, read until the connection ends.
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	})
	h := wsconn.Detach(inner, accept, nil)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(wsconn.WithCloser(r.Context())))
		ret <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return srv, ret, acc, end
}

func TestDetachServesTheWebSocketAfterTheHandlerReturned(t *testing.T) {
	t.Parallel()
	srv, returned, conns, ended := detached(t, func(*http.Request) bool { return true })
	c := mustDial(t, srv)
	a := next(t, conns)
	select {
	case <-returned:
	case <-time.After(wait):
		t.Fatal("the HTTP server's handler did not return while the WebSocket lives")
	}
	if err := a.conn.WriteJSON(map[string]string{"type": "connection_ack"}); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	if _, data, err := c.ReadMessage(); err != nil || string(data) != `{"type":"connection_ack"}` {
		t.Fatalf("after the handler returned: %s, %v", data, err)
	}
	if a.ctx.Err() != nil {
		t.Fatal("the detached request's context ended with the HTTP handler")
	}
	// wsconn.Close still reaches the connection through the context.
	if err := wsconn.Close(a.ctx, wsconn.CodeForbidden, "bye"); err != nil {
		t.Fatal(err)
	}
	if ce, _ := closeFrame(t, c); ce.Code != wsconn.CodeForbidden {
		t.Errorf("closed with %d", ce.Code)
	}
	select {
	case ctx := <-ended:
		if ctx.Err() == nil {
			t.Error("the detached request's context outlived its handler")
		}
	case <-time.After(wait):
		t.Fatal("the detached handler did not end with its connection")
	}
}

// Plain requests and refused upgrades are served in place, as without
// Detach; an upgrade that fails after it was detached is answered with a
// plain HTTP response.
func TestDetachAnswersWhatIsNotAWebSocket(t *testing.T) {
	t.Parallel()
	srv, _, _, _ := detached(t, func(r *http.Request) bool { return r.Header.Get("Origin") != "http://evil.example" })
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("plain GET: %d", resp.StatusCode)
	}

	raw := func(headers string) *http.Response {
		t.Helper()
		nc, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		_ = nc.SetDeadline(time.Now().Add(wait))
		if _, err := nc.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + headers + "\r\n")); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	// Refused by accept: served in place, and gorilla refuses the origin.
	if resp := raw("Origin: http://evil.example\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("refused origin: %d", resp.StatusCode)
	}
	// Detached, then refused by gorilla: no key.
	resp = raw("Sec-WebSocket-Version: 13\r\n")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !resp.Close || !strings.Contains(string(body), "Bad Request") {
		t.Errorf("detached upgrade without a key: %d, close %v, body %q", resp.StatusCode, resp.Close, body)
	}
}
