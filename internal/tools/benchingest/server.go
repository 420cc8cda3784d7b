package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// startTimeout bounds the server's start, migrations of a fresh database included.
const startTimeout = 90 * time.Second

// buildServer compiles ./cmd/oopsie into dir and returns the binary's path.
func buildServer(ctx context.Context, dir string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("build the server: %w", err)
	}
	bin := filepath.Join(dir, "oopsie")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./cmd/oopsie")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the server (go build ./cmd/oopsie, from the repository root): %w\n%s", err, bytes.TrimSpace(out))
	}
	return bin, nil
}

// server is the running oopsie process.
type server struct {
	url      string
	cmd      *exec.Cmd
	drained  chan struct{} // closed when the server's stdout reached EOF
	stderr   *tail
	errLogs  atomic.Int64 // lines logged at ERROR after start-up
	mu       sync.Mutex
	firstErr string
	stopOnce sync.Once
	stopErr  error
}

// startServer runs bin serve on databaseURL, listening on a free port of
// 127.0.0.1, and waits for the line in which it tells its URL.
func startServer(ctx context.Context, bin, dataDir, databaseURL string, getenv func(string) string) (*server, error) {
	cmd := exec.Command(bin, "serve")
	// A clean environment: the caller's OOPSIE_*, REDIS_URL or S3 settings
	// must not change what is measured.
	cmd.Env = []string{
		"PATH=" + getenv("PATH"),
		"HOME=" + getenv("HOME"),
		"DATABASE_URL=" + databaseURL,
		"OOPSIE_ADDR=127.0.0.1:0",
		"OOPSIE_DATA_DIR=" + dataDir,
		"OOPSIE_LOG_FORMAT=json",
		"OOPSIE_LOG_LEVEL=info",
		"OOPSIE_RATE_LIMIT_PER_IP=1000000",
		"OOPSIE_RATE_LIMIT_PER_KEY=1000000",
	}
	s := &server{cmd: cmd, drained: make(chan struct{}), stderr: &tail{max: 8 << 10}}
	cmd.Stderr = s.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}

	urls := make(chan string, 1)
	early := &tail{max: 8 << 10} // what it logged before telling its URL
	go s.drain(stdout, urls, early)

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case s.url = <-urls:
		return s, nil
	case <-s.drained:
		err = errors.New("the server exited before serving")
	case <-timer.C:
		err = fmt.Errorf("the server did not tell its URL within %s", startTimeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	_ = s.stop()
	return nil, fmt.Errorf("%w\nstdout:\n%s\nstderr:\n%s", err, early, s.stderr)
}

// drain reads the server's log: the URL line first, then counts errors and
// discards the rest, to the end, so the pipe never blocks the server.
func (s *server) drain(stdout io.Reader, urls chan<- string, early *tail) {
	defer close(s.drained)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	found := false
	for sc.Scan() {
		line := sc.Bytes()
		if !found {
			var entry struct{ Msg, URL string }
			if json.Unmarshal(line, &entry) == nil && entry.Msg == "Oopsie is serving" && entry.URL != "" {
				found = true
				urls <- entry.URL
				continue
			}
			_, _ = early.Write(append(line, '\n'))
			continue
		}
		if bytes.Contains(line, []byte(`"level":"ERROR"`)) {
			s.errLogs.Add(1)
			s.mu.Lock()
			if s.firstErr == "" {
				s.firstErr = string(line)
			}
			s.mu.Unlock()
		}
	}
	// A line too long for the scanner ends it; the rest still must be read.
	_, _ = io.Copy(io.Discard, stdout)
}

// errorLogs is how many errors the server logged since it started serving,
// and the first of them.
func (s *server) errorLogs() (int64, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errLogs.Load(), s.firstErr
}

// stop asks the server to shut down (SIGTERM), kills it if it takes too
// long, and waits for it. It may be called more than once.
func (s *server) stop() error {
	s.stopOnce.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.drained:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.drained
		}
		err := s.cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.Exited() {
			s.stopErr = fmt.Errorf("the server exited with status %d: %s", exit.ExitCode(), strings.TrimSpace(s.stderr.String()))
		}
	})
	return s.stopErr
}

// graphQL posts a GraphQL operation and decodes its data into out.
func graphQL(ctx context.Context, client *http.Client, baseURL, token, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST /graphql: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("POST /graphql: %w", err)
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("POST /graphql answered %d with %q", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		msgs := make([]string, len(r.Errors))
		for i, e := range r.Errors {
			msgs[i] = e.Message
		}
		return fmt.Errorf("POST /graphql: %s", strings.Join(msgs, "; "))
	}
	return json.Unmarshal(r.Data, out)
}

// project is the project the load is sent to.
type project struct {
	slug, key string
}

// setUp runs the setup wizard and creates a project without a practical
// rate limit, returning its slug and public key.
func setUp(ctx context.Context, client *http.Client, baseURL string) (project, error) {
	var setup struct {
		Setup struct{ AccessToken string }
	}
	err := graphQL(ctx, client, baseURL, "",
		`mutation($in: SetupInput!) { setup(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{
			"email": "bench@example.com", "password": "benchmark password 1234", "name": "Bench", "instanceName": "Bench",
		}}, &setup)
	if err != nil {
		return project{}, fmt.Errorf("setup: %w", err)
	}
	if setup.Setup.AccessToken == "" {
		return project{}, errors.New("setup returned no access token")
	}
	var created struct {
		CreateProject struct {
			Slug       string
			PublicKeys []struct{ Key string }
		}
	}
	err = graphQL(ctx, client, baseURL, setup.Setup.AccessToken,
		`mutation($in: CreateProjectInput!) { createProject(input: $in) { slug publicKeys { key } } }`,
		map[string]any{"in": map[string]any{"name": "Bench", "rateLimitPerMinute": 1_000_000}}, &created)
	if err != nil {
		return project{}, fmt.Errorf("createProject: %w", err)
	}
	p := created.CreateProject
	if p.Slug == "" || len(p.PublicKeys) == 0 || p.PublicKeys[0].Key == "" {
		return project{}, errors.New("createProject returned no slug or public key")
	}
	return project{slug: p.Slug, key: p.PublicKeys[0].Key}, nil
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
