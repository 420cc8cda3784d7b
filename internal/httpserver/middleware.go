package httpserver

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/rest"
)

const headerRequestID = "X-Request-Id"

// withMiddleware wraps h in the middleware chain, outermost first: recover,
// request id, the client's address behind trusted proxies, access log.
// Recover is outermost so that a panic anywhere, including in the other
// middleware, still yields a JSON 500.
func withMiddleware(h http.Handler, logger *slog.Logger, proxies []netip.Prefix) http.Handler {
	return recoverPanics(requestID(rest.TrustProxies(accessLog(h, logger), proxies), logger), logger)
}

// recoverPanics turns a handler panic into a JSON 500 and an error log with
// the stack, so one bad request neither kills the connection silently nor
// leaks internals (the panic value may contain user data or secrets).
func recoverPanics(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			// net/http uses ErrAbortHandler to abort a response on purpose
			// (e.g. httputil.ReverseProxy); it must reach the server, which
			// closes the connection without logging a stack.
			if p == http.ErrAbortHandler {
				panic(p)
			}
			// This middleware runs outside requestID, so the context has no
			// request logger yet; the id is read back from the response
			// header that requestID set on the shared header map.
			id := w.Header().Get(headerRequestID)
			logger.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
				slog.Any("panic", p),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("request_id", id),
				slog.String("stack", string(debug.Stack())),
			)
			if sw.status != 0 {
				// Part of a response is already on the wire; appending a 500
				// would corrupt it. Abort the connection so the client sees a
				// truncated response instead of a plausible-looking one.
				panic(http.ErrAbortHandler)
			}
			// Headers set for the abandoned response (Content-Length,
			// Content-Encoding, caching) would corrupt the error response.
			h := w.Header()
			clear(h)
			if id != "" {
				h.Set(headerRequestID, id)
			}
			writeError(w, http.StatusInternalServerError, apperr.Internal.Code(), "internal error")
		}()
		next.ServeHTTP(sw, r)
	})
}

// requestID gives every request an id, echoed in X-Request-Id and attached to
// the request-scoped logger, so a user's report can be matched to log lines.
// An incoming id is kept when well-formed so ids propagate from a proxy.
func requestID(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(headerRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(headerRequestID, id)
		ctx := logging.WithContext(r.Context(), logger.With(slog.String("request_id", id)))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// validRequestID accepts only a short, log-safe alphabet: the id is echoed in
// a response header and written to logs, so anything else could be used for
// header or log injection.
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	// crypto/rand.Read never returns an error (it crashes the program
	// instead on an unusable entropy source).
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// accessLog writes one line per request. Health probes log at debug: they
// arrive every few seconds from orchestrators and would drown real traffic.
func accessLog(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		returned := false
		// Deferred so a panicking request is logged too.
		defer func() {
			status := sw.status
			switch {
			case status == 0 && !returned:
				// Panicked before writing: recoverPanics answers 500.
				status = http.StatusInternalServerError
			case status == 0:
				status = http.StatusOK
			}
			level := slog.LevelInfo
			if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
				level = slog.LevelDebug
			}
			logging.FromContext(r.Context(), logger).LogAttrs(r.Context(), level, "http request",
				slog.String("method", r.Method),
				// Path only: query strings can carry tokens and API keys.
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", sw.bytes),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.String("remote_ip", rest.ClientIP(r)),
			)
		}()
		next.ServeHTTP(sw, r)
		returned = true
	})
}

// statusWriter records the status and body size of a response. It forwards
// Flush and Hijack explicitly because much code (SSE, WebSocket upgraders)
// type-asserts http.Flusher / http.Hijacker rather than using
// http.ResponseController, and embedding alone would hide those methods.
type statusWriter struct {
	http.ResponseWriter
	status int // final status sent, 0 until headers are written
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	// 1xx responses other than 101 are informational (e.g. 103 Early Hints)
	// and are followed by the real status.
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	_ = w.FlushError()
}

// FlushError lets http.ResponseController report flush failures that the
// http.Flusher interface cannot.
func (w *statusWriter) FlushError() error {
	if w.status == 0 {
		w.status = http.StatusOK // flushing commits the implicit 200
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && w.status == 0 {
		// The upgrader writes its 101 straight to the connection, bypassing
		// WriteHeader; record it so the access log is not a bogus 200.
		w.status = http.StatusSwitchingProtocols
	}
	return conn, rw, err
}

// Unwrap lets http.ResponseController reach the underlying writer for
// deadlines and other optional features.
func (w *statusWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}
