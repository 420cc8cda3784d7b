package httpserver

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	// Readiness failing must not affect liveness.
	srv := httptest.NewServer(New(Deps{
		Logger: discardLogger(),
		Ready:  func(context.Context) error { return errors.New("db down") },
	}))
	defer srv.Close()

	r := do(t, srv.Client(), http.MethodGet, srv.URL+"/healthz", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200", r.status)
	}
	assertJSON(t, r.body, `{"status":"ok"}`)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q", ct)
	}
}

func TestReadyzReady(t *testing.T) {
	t.Parallel()
	var sawDeadline atomic.Bool
	srv := httptest.NewServer(New(Deps{
		Logger: discardLogger(),
		Ready: func(ctx context.Context) error {
			dl, ok := ctx.Deadline()
			sawDeadline.Store(ok && time.Until(dl) <= readyTimeout)
			return nil
		},
	}))
	defer srv.Close()

	r := do(t, srv.Client(), http.MethodGet, srv.URL+"/readyz", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200", r.status)
	}
	assertJSON(t, r.body, `{"status":"ready"}`)
	if !sawDeadline.Load() {
		t.Fatal("readiness check ran without a bounded deadline")
	}
}

func TestReadyzNilReadyIsReady(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New(Deps{}))
	defer srv.Close()

	r := do(t, srv.Client(), http.MethodGet, srv.URL+"/readyz", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200", r.status)
	}
}

func TestReadyzUnavailableDoesNotLeakError(t *testing.T) {
	t.Parallel()
	const secret = "postgres://oopsie:hunter2@db.internal:5432"
	logger, logs := newTestLogger(slog.LevelDebug)
	srv := httptest.NewServer(New(Deps{
		Logger: logger,
		Ready:  func(context.Context) error { return errors.New("dial " + secret + ": refused") },
	}))

	r := do(t, srv.Client(), http.MethodGet, srv.URL+"/readyz", nil)
	srv.Close()

	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", r.status)
	}
	assertJSON(t, r.body, `{"status":"unavailable"}`)
	if strings.Contains(r.body, "hunter2") || strings.Contains(r.body, "db.internal") {
		t.Fatalf("error text leaked into response: %q", r.body)
	}

	recs := logs.withMsg(t, "readiness check failed")
	if len(recs) != 1 {
		t.Fatalf("want 1 readiness log record, got %d: %s", len(recs), logs.String())
	}
	rec := recs[0]
	if rec["level"] != "WARN" || !strings.Contains(rec["error"].(string), secret) {
		t.Fatalf("unexpected readiness log record: %v", rec)
	}
	// Logged through the request-scoped logger from the context.
	if rec["request_id"] != r.requestID || r.requestID == "" {
		t.Fatalf("request_id = %v, response header %q", rec["request_id"], r.requestID)
	}
}

func TestAPINotFound(t *testing.T) {
	t.Parallel()
	ui := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>spa</html>"))
	})
	for _, withUI := range []bool{false, true} {
		d := Deps{Logger: discardLogger()}
		if withUI {
			d.UI = ui
		}
		srv := httptest.NewServer(New(d))
		for _, tc := range []struct{ method, path string }{
			{http.MethodGet, "/api/nope"},
			{http.MethodPost, "/api/v1/deeper/still"},
			{http.MethodGet, "/api"},
		} {
			r := do(t, srv.Client(), tc.method, srv.URL+tc.path, nil)
			if r.status != http.StatusNotFound {
				t.Errorf("ui=%v %s %s: status = %d, want 404", withUI, tc.method, tc.path, r.status)
				continue
			}
			assertJSON(t, r.body, `{"success":false,"error":{"code":"NOT_FOUND","message":"no such API endpoint"}}`)
		}
		srv.Close()
	}
}

func TestUIServedAtRoot(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New(Deps{
		Logger: discardLogger(),
		UI: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("spa"))
		}),
	}))
	defer srv.Close()

	for _, path := range []string{"/", "/projects/42"} {
		r := do(t, srv.Client(), http.MethodGet, srv.URL+path, nil)
		if r.status != http.StatusOK || r.body != "spa" {
			t.Errorf("GET %s = %d %q, want 200 from UI", path, r.status, r.body)
		}
	}
	// Probes still win over the catch-all.
	r := do(t, srv.Client(), http.MethodGet, srv.URL+"/healthz", nil)
	assertJSON(t, r.body, `{"status":"ok"}`)
}

func TestSDKScriptRoute(t *testing.T) {
	t.Parallel()
	script := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("sdk"))
	})
	srv := httptest.NewServer(New(Deps{
		Logger:    discardLogger(),
		SDKScript: script,
		UI: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("spa"))
		}),
	}))
	defer srv.Close()

	if r := do(t, srv.Client(), http.MethodGet, srv.URL+"/sdk/oopsie.js", nil); r.status != http.StatusOK || r.body != "sdk" {
		t.Errorf("GET /sdk/oopsie.js = %d %q, want 200 from the SDK handler", r.status, r.body)
	}
	// Only reading is routed to the script; anything else is not the SDK's.
	if r := do(t, srv.Client(), http.MethodPost, srv.URL+"/sdk/oopsie.js", nil); r.body == "sdk" {
		t.Errorf("POST /sdk/oopsie.js reached the SDK handler")
	}
}
