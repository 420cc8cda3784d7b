package wsconn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/gorilla/websocket"
)

// Detach serves the WebSocket upgrade requests that accept lets through on
// a goroutine of their own, and returns to the HTTP server at once: the
// server then lets go of the connection's goroutine, whose stack grew
// through every middleware, of its buffers and of the request's
// bookkeeping. Served in place, a WebSocket kept all of that for as long as
// it lived, a third of an idle subscriber's memory. Other requests, and
// upgrades accept refuses, are served in place, and answered as usual.
//
// The detached request's context is not the server's: it ends when next
// returns.
func Detach(next http.Handler, accept func(*http.Request) bool, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !websocket.IsWebSocketUpgrade(r) || !accept(r) {
			next.ServeHTTP(w, r)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			next.ServeHTTP(w, r) // HTTP/2, or a test's recorder
			return
		}
		ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
		r = r.WithContext(ctx)
		dw := &detachedWriter{conn: conn, brw: brw, header: http.Header{}}
		go func() {
			defer cancel()
			defer func() {
				if v := recover(); v != nil {
					if v != http.ErrAbortHandler {
						logger.Error("websocket handler panicked", "panic", fmt.Sprint(v))
					}
					_ = conn.Close()
				}
			}()
			next.ServeHTTP(dw, r)
			dw.finish()
		}()
	})
}

// detachedWriter answers a detached request on its hijacked connection:
// what upgrades it hijacks it again, and what refuses it gets a plain
// HTTP/1.1 response, after which the connection is closed.
type detachedWriter struct {
	conn     net.Conn
	brw      *bufio.ReadWriter
	header   http.Header
	status   int // sent; 0 until then
	hijacked bool
}

var errDetached = errors.New("wsconn: the response was written or the connection taken already")

func (w *detachedWriter) Header() http.Header { return w.header }

func (w *detachedWriter) WriteHeader(code int) {
	if w.status != 0 || w.hijacked {
		return
	}
	w.status = code
	// The body's length is not known: it ends with the connection.
	w.header.Del("Content-Length")
	w.header.Set("Connection", "close")
	_, _ = fmt.Fprintf(w.brw, "HTTP/1.1 %03d %s\r\n", code, http.StatusText(code))
	_ = w.header.Write(w.brw)
	_, _ = w.brw.WriteString("\r\n")
}

func (w *detachedWriter) Write(p []byte) (int, error) {
	if w.hijacked {
		return 0, errDetached
	}
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.brw.Write(p)
}

// Hijack hands the connection over, once, and only before a response.
func (w *detachedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.hijacked || w.status != 0 {
		return nil, nil, errDetached
	}
	w.hijacked = true
	conn, brw := w.conn, w.brw
	// The WebSocket holds them from now on; the writer must not keep the
	// server's buffers alive for the connection's life.
	w.conn, w.brw = nil, nil
	return conn, brw, nil
}

// finish completes a response that did not become a WebSocket.
func (w *detachedWriter) finish() {
	if w.hijacked {
		return
	}
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	_ = w.brw.Flush()
	_ = w.conn.Close()
}
