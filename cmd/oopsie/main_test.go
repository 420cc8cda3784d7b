package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	entmigrate "github.com/yoanbernabeu/oopsie/ent/migrate"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
)

// env is a getenv over a map: the process environment never leaks in.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logLines decodes the JSON log lines printed so far.
func (b *lockedBuffer) logLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

type running struct {
	url    string
	out    *lockedBuffer
	cancel context.CancelFunc
	done   chan error
}

// start runs `oopsie serve` in-process and waits for the URL it prints.
func start(t *testing.T, vars map[string]string) *running {
	t.Helper()
	vars["OOPSIE_ADDR"] = "127.0.0.1:0"
	vars["OOPSIE_LOG_FORMAT"] = "json"
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{out: &lockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- run(ctx, []string{"serve"}, env(vars), r.out) }()
	deadline := time.After(30 * time.Second)
	for r.url == "" {
		select {
		case err := <-r.done:
			cancel()
			t.Fatalf("serve stopped before serving: %v\n%s", err, r.out.String())
		case <-deadline:
			cancel()
			t.Fatalf("serve printed no URL:\n%s", r.out.String())
		case <-time.After(10 * time.Millisecond):
		}
		for _, l := range r.out.logLines(t) {
			if l["msg"] == "Oopsie is serving" {
				r.url, _ = l["url"].(string)
			}
		}
	}
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.done == nil {
		return
	}
	r.cancel()
	if err := <-r.done; err != nil {
		t.Errorf("serve returned %v after shutdown", err)
	}
	r.done = nil
}

func (r *running) status(t *testing.T, path string) int {
	t.Helper()
	resp, err := http.Get(r.url + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (r *running) logged(t *testing.T, msg string) bool {
	t.Helper()
	for _, l := range r.out.logLines(t) {
		if l["msg"] == msg {
			return true
		}
	}
	return false
}

func TestServeOnTheEmbeddedDefaultThenRestart(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	vars := map[string]string{"OOPSIE_DATA_DIR": dataDir}

	first := start(t, vars)
	if got := first.status(t, "/readyz"); got != http.StatusOK {
		t.Fatalf("GET /readyz = %d, want 200", got)
	}
	if !first.logged(t, "applied database migrations") {
		t.Errorf("the first start did not migrate:\n%s", first.out.String())
	}
	first.stop(t)

	for _, name := range []string{"oopsie.db", "jwt_secret"} {
		fi, err := os.Stat(filepath.Join(dataDir, name))
		if err != nil {
			t.Fatalf("%s was not created in the data dir: %v", name, err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	secret, _ := os.ReadFile(filepath.Join(dataDir, "jwt_secret"))

	second := start(t, map[string]string{"OOPSIE_DATA_DIR": dataDir})
	if got := second.status(t, "/readyz"); got != http.StatusOK {
		t.Fatalf("GET /readyz after restart = %d, want 200", got)
	}
	if second.logged(t, "applied database migrations") || !second.logged(t, "database schema is up to date") {
		t.Errorf("the second start should apply nothing:\n%s", second.out.String())
	}
	second.stop(t)
	if again, _ := os.ReadFile(filepath.Join(dataDir, "jwt_secret")); !bytes.Equal(again, secret) {
		t.Error("the JWT secret changed across restarts")
	}
}

func TestServeOnPostgresCreatesEveryTable(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t, false)
	r := start(t, map[string]string{"OOPSIE_DATA_DIR": t.TempDir(), "DATABASE_URL": url})
	if got := r.status(t, "/readyz"); got != http.StatusOK {
		t.Fatalf("GET /readyz = %d, want 200", got)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, table := range entmigrate.Tables {
		var exists bool
		err := conn.QueryRow(context.Background(),
			"SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1)",
			table.Name).Scan(&exists)
		if err != nil {
			t.Fatal(err)
		}
		if !exists {
			t.Errorf("table %s was not created", table.Name)
		}
	}
}

func TestBadDatabaseURLStopsStartWithItsName(t *testing.T) {
	t.Parallel()
	for name, url := range map[string]string{
		"unknown scheme":   "mysql://root:hunter2@localhost/oopsie",
		"nobody listening": "postgres://postgres:hunter2@127.0.0.1:1/oopsie?sslmode=disable&connect_timeout=2",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := run(context.Background(), []string{"serve"},
				env(map[string]string{"OOPSIE_DATA_DIR": t.TempDir(), "DATABASE_URL": url, "OOPSIE_ADDR": "127.0.0.1:0"}), &out)
			if err == nil {
				t.Fatal("serve started with a bad DATABASE_URL")
			}
			if !strings.Contains(err.Error(), "DATABASE_URL") {
				t.Errorf("error %q does not name DATABASE_URL", err)
			}
			if strings.Contains(err.Error()+out.String(), "hunter2") {
				t.Errorf("the password leaked: %q", err)
			}
		})
	}
}

func TestMigrateCommands(t *testing.T) {
	t.Parallel()
	vars := env(map[string]string{"OOPSIE_DATA_DIR": t.TempDir()})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "status"}, vars, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "current  none") || strings.Contains(out.String(), "pending  0") {
		t.Errorf("status before migrating:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "up"}, vars, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied ") {
		t.Errorf("migrate up printed:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "up"}, vars, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "nothing to apply") {
		t.Errorf("a second migrate up printed:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "status"}, vars, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pending  0") {
		t.Errorf("status after migrating:\n%s", out.String())
	}
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), &out); err != nil || out.String() != "oopsie dev\n" {
		t.Errorf("version = %q, %v", out.String(), err)
	}
	for _, args := range [][]string{nil, {"frobnicate"}, {"migrate"}, {"migrate", "down"}} {
		if err := run(context.Background(), args, env(nil), io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
}

// The real binary shuts down cleanly on SIGTERM, as a container runtime
// stops it: in-flight work finishes and it exits with status 0.
func TestBinaryExitsCleanlyOnSIGTERM(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "oopsie")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"OOPSIE_DATA_DIR=" + t.TempDir(), "OOPSIE_ADDR=127.0.0.1:0", "OOPSIE_LOG_FORMAT=json"}
	out := &lockedBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "Oopsie is serving") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the binary did not start:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "http server stopped") {
		t.Errorf("no clean shutdown logged:\n%s", out.String())
	}
}
