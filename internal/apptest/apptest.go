// Package apptest starts the real Oopsie server in-process, on a free port
// and a fresh database, for end-to-end tests over HTTP.
package apptest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/app"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
)

// Server is a running instance.
type Server struct {
	URL    string // base URL, e.g. http://127.0.0.1:41234
	App    *app.App
	Config *config.Config
	logs   *syncBuffer
}

// Logs returns what the server logged so far (JSON lines).
func (s *Server) Logs() string { return s.logs.String() }

// Start runs a server on a fresh, migrated database of the dialect and stops
// it when the test ends. tweak, when given, adjusts the configuration first.
func Start(t testing.TB, dialectName string, tweak ...func(*config.Config)) *Server {
	t.Helper()
	dataDir := t.TempDir()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatalf("default configuration: %v", err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = dataDir
	cfg.Storage.LocalPath = filepath.Join(dataDir, "attachments")
	cfg.Database = dbtest.Config(t, dialectName, true)
	cfg.ShutdownTimeout = 5 * time.Second
	for _, f := range tweak {
		f(cfg)
	}

	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, logger, "test")
	if err != nil {
		cancel()
		t.Fatalf("start server: %v", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		cancel()
		a.Close()
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with: %v", err)
		}
		a.Close()
		if t.Failed() {
			t.Logf("server logs:\n%s", logs.String())
		}
	})
	return &Server{URL: "http://" + ln.Addr().String(), App: a, Config: cfg, logs: logs}
}

// Get performs a GET on the server and returns the status and body.
func (s *Server) Get(t testing.TB, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp.StatusCode, body
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
