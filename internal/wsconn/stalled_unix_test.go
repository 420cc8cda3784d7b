//go:build unix

package wsconn_test

import (
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestWebsocketStalledPeerIsDropped: a peer that stops reading makes a
// write time out, and the connection is dropped then, so that the reader
// (gqlgen's loop) ends and the connection's subscriptions are released,
// instead of going on failing every write until a keep-alive notices.
func TestWebsocketStalledPeerIsDropped(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, nil, nil)
	// A small receive buffer (it turns off autotuning) so that one large
	// message fills what the kernel would absorb.
	d := &websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}).DialContext}
	if _, _, err := dial(t, srv, d); err != nil {
		t.Fatal(err)
	}
	a := next(t, conns)

	readEnded := make(chan error, 1)
	go func() {
		_, _, err := a.conn.NextReader()
		readEnded <- err
	}()
	// The peer never reads: this write cannot finish.
	writeErr := make(chan error, 1)
	go func() { writeErr <- a.conn.WriteJSON(strings.Repeat("x", 16<<20)) }()
	select {
	case err := <-writeErr:
		if err == nil {
			t.Fatal("a 16 MB write to a peer that does not read succeeded")
		}
	case <-time.After(2 * wait):
		t.Fatal("the write never timed out")
	}
	select {
	case err := <-readEnded:
		if err == nil {
			t.Fatal("NextReader returned a message")
		}
	case <-time.After(wait):
		t.Fatal("the connection stayed open after its write timed out")
	}
	if err := a.conn.WriteJSON(map[string]string{"type": "next"}); err == nil {
		t.Error("a write after the timeout succeeded")
	}
}
