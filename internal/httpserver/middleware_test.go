package httpserver

import (
	"bufio"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/logging"
)

func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

func TestRequestIDGenerated(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New(Deps{Logger: discardLogger()}))
	defer srv.Close()

	a := do(t, srv.Client(), http.MethodGet, srv.URL+"/healthz", nil)
	b := do(t, srv.Client(), http.MethodGet, srv.URL+"/healthz", nil)
	if !isHexID(a.requestID) || !isHexID(b.requestID) {
		t.Fatalf("generated ids %q, %q are not 32 hex chars", a.requestID, b.requestID)
	}
	if a.requestID == b.requestID {
		t.Fatalf("two requests got the same id %q", a.requestID)
	}
}

func TestRequestIDAcceptedWhenValid(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New(Deps{Logger: discardLogger()}))
	defer srv.Close()

	for _, id := range []string{"a", "req-123_abc.DEF", strings.Repeat("x", 64)} {
		r := do(t, srv.Client(), http.MethodGet, srv.URL+"/healthz", http.Header{headerRequestID: {id}})
		if r.requestID != id {
			t.Errorf("sent %q, got %q back", id, r.requestID)
		}
	}
}

func TestRequestIDReplacedWhenInvalid(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New(Deps{Logger: discardLogger()}))
	defer srv.Close()

	for _, id := range []string{
		strings.Repeat("a", 200),
		strings.Repeat("a", 65),
		"has space",
		"semi;colon",
		"caf\u00e9",
		"../../etc",
	} {
		r := do(t, srv.Client(), http.MethodGet, srv.URL+"/healthz", http.Header{headerRequestID: {id}})
		if !isHexID(r.requestID) {
			t.Errorf("sent %q, got %q; want a generated id", id, r.requestID)
		}
	}
}

// Control characters cannot be sent by net/http's client, but a raw client
// or proxy can deliver them, so the chain is exercised directly.
func TestRequestIDReplacedWhenControlChars(t *testing.T) {
	t.Parallel()
	h := New(Deps{Logger: discardLogger()})
	for _, id := range []string{"bad\nid", "bad\rid", "tab\tid", "nul\x00"} {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set(headerRequestID, id)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get(headerRequestID); !isHexID(got) {
			t.Errorf("sent %q, got %q; want a generated id", id, got)
		}
	}
}

func TestValidRequestIDBounds(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"":                      false,
		"a":                     true,
		strings.Repeat("a", 64): true,
		strings.Repeat("a", 65): false,
		"A-z_0.9":               true,
		"a/b":                   false,
		"a+b":                   false,
	} {
		if got := validRequestID(id); got != want {
			t.Errorf("validRequestID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestRequestLoggerInContext(t *testing.T) {
	t.Parallel()
	logger, logs := newTestLogger(slog.LevelInfo)
	srv := httptest.NewServer(withMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logging.FromContext(r.Context(), nil).Info("deep in a handler")
	}), logger, nil))

	r := do(t, srv.Client(), http.MethodGet, srv.URL+"/", nil)
	srv.Close()

	recs := logs.withMsg(t, "deep in a handler")
	if len(recs) != 1 || recs[0]["request_id"] != r.requestID {
		t.Fatalf("want one record with request_id %q, got %v", r.requestID, recs)
	}
}

func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	const panicText = "secret-token-xyz leaked"
	logger, logs := newTestLogger(slog.LevelInfo)
	mux := http.NewServeMux()
	mux.HandleFunc("/boom", func(w http.ResponseWriter, _ *http.Request) {
		// Headers meant for the abandoned response must not survive.
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", "12345")
		panic(panicText)
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("still here"))
	})
	srv := httptest.NewServer(withMiddleware(mux, logger, nil))

	r := do(t, srv.Client(), http.MethodGet, srv.URL+"/boom", nil)
	after := do(t, srv.Client(), http.MethodGet, srv.URL+"/ok", nil)
	srv.Close()

	if r.status != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", r.status)
	}
	assertJSON(t, r.body, `{"success":false,"error":{"code":"INTERNAL","message":"internal error"}}`)
	if strings.Contains(r.body, "secret") {
		t.Fatalf("panic text leaked: %q", r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q", ct)
	}
	if !isHexID(r.requestID) {
		t.Fatalf("500 lost its request id: %q", r.requestID)
	}
	if after.status != http.StatusOK || after.body != "still here" {
		t.Fatalf("server not serving after panic: %d %q", after.status, after.body)
	}

	panics := logs.withMsg(t, "panic serving request")
	if len(panics) != 1 {
		t.Fatalf("want 1 panic record, got %d: %s", len(panics), logs.String())
	}
	p := panics[0]
	if p["level"] != "ERROR" || p["request_id"] != r.requestID ||
		!strings.Contains(p["stack"].(string), "goroutine") || p["panic"] != panicText {
		t.Fatalf("unexpected panic record: %v", p)
	}

	var boomAccess map[string]any
	for _, rec := range logs.withMsg(t, "http request") {
		if rec["path"] == "/boom" {
			boomAccess = rec
		}
	}
	if boomAccess == nil || boomAccess["status"] != float64(500) {
		t.Fatalf("panicking request not access-logged as 500: %v", boomAccess)
	}
}

func TestPanicAbortHandlerNotSwallowed(t *testing.T) {
	t.Parallel()
	logger, logs := newTestLogger(slog.LevelInfo)
	srv := httptest.NewServer(withMiddleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}), logger, nil))

	resp, err := srv.Client().Get(srv.URL + "/")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a %d response, want the connection aborted", resp.StatusCode)
	}
	srv.Close()
	if n := len(logs.withMsg(t, "panic serving request")); n != 0 {
		t.Fatalf("ErrAbortHandler logged as a panic %d times", n)
	}
}

func TestPanicAfterHeadersAbortsConnection(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(withMiddleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("partial"))
		http.NewResponseController(w).Flush()
		panic("late")
	}), discardLogger(), nil))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Fatalf("response completed normally (%q); want it truncated", body)
	}
	if strings.Contains(string(body), "internal error") {
		t.Fatalf("error envelope appended to a started response: %q", body)
	}
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	logger, logs := newTestLogger(slog.LevelInfo)
	srv := httptest.NewServer(New(Deps{Logger: logger}))

	r := do(t, srv.Client(), http.MethodGet, srv.URL+"/api/things?token=s3cr3t&x=1",
		http.Header{headerRequestID: {"req-42"}})
	srv.Close()

	if strings.Contains(logs.String(), "s3cr3t") || strings.Contains(logs.String(), "token=") {
		t.Fatalf("query string logged: %s", logs.String())
	}
	recs := logs.withMsg(t, "http request")
	if len(recs) != 1 {
		t.Fatalf("want 1 access record, got %d: %s", len(recs), logs.String())
	}
	rec := recs[0]
	want := map[string]any{
		"level":      "INFO",
		"method":     "GET",
		"path":       "/api/things",
		"status":     float64(http.StatusNotFound),
		"bytes":      float64(len(r.body)),
		"remote_ip":  "127.0.0.1",
		"request_id": "req-42",
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v (%T), want %v", k, rec[k], rec[k], v)
		}
	}
	if _, ok := rec["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms missing or not a number: %v", rec["duration_ms"])
	}
}

func TestAccessLogProbesAtDebug(t *testing.T) {
	t.Parallel()
	infoLogger, infoLogs := newTestLogger(slog.LevelInfo)
	debugLogger, debugLogs := newTestLogger(slog.LevelDebug)
	for _, logger := range []*slog.Logger{infoLogger, debugLogger} {
		srv := httptest.NewServer(New(Deps{Logger: logger}))
		do(t, srv.Client(), http.MethodGet, srv.URL+"/healthz", nil)
		do(t, srv.Client(), http.MethodGet, srv.URL+"/readyz", nil)
		do(t, srv.Client(), http.MethodGet, srv.URL+"/api/x", nil)
		srv.Close()
	}

	info := infoLogs.withMsg(t, "http request")
	if len(info) != 1 || info[0]["path"] != "/api/x" {
		t.Fatalf("at info level want only the /api/x line, got %v", info)
	}
	levels := map[any]any{}
	for _, rec := range debugLogs.withMsg(t, "http request") {
		levels[rec["path"]] = rec["level"]
	}
	if levels["/healthz"] != "DEBUG" || levels["/readyz"] != "DEBUG" || levels["/api/x"] != "INFO" {
		t.Fatalf("unexpected access log levels: %v", levels)
	}
}

func TestStatusWriterKeepsFlusher(t *testing.T) {
	t.Parallel()
	proceed := make(chan struct{})
	srv := httptest.NewServer(withMiddleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f, ok := w.(http.Flusher)
		if !ok {
			http.Error(w, "no flusher", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("first\n"))
		f.Flush()
		<-proceed
		_, _ = w.Write([]byte("second\n"))
		if err := http.NewResponseController(w).Flush(); err != nil {
			_, _ = w.Write([]byte("controller flush failed\n"))
		}
	}), discardLogger(), nil))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		close(proceed)
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	// Reading "first" while the handler is still blocked proves the flush
	// reached the client.
	line, err := br.ReadString('\n')
	close(proceed)
	if err != nil || line != "first\n" {
		t.Fatalf("first line = %q, %v", line, err)
	}
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "second\n" {
		t.Fatalf("rest = %q, %v", rest, err)
	}
}

func TestStatusWriterKeepsHijacker(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(withMiddleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			http.Error(w, "no hijacker", http.StatusInternalServerError)
			return
		}
		conn, rw, err := hj.Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		_ = rw.Flush()
	}), discardLogger(), nil))
	defer srv.Close()

	r := do(t, srv.Client(), http.MethodGet, srv.URL+"/", nil)
	if r.status != http.StatusOK || r.body != "hijacked" {
		t.Fatalf("got %d %q, want the hijacked response", r.status, r.body)
	}
}
