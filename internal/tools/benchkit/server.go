// Package benchkit is what the benchmarks under internal/tools share: the
// server they build and start on a throwaway database, its GraphQL API and
// admin account, CPU sampling, percentiles and the formatting of figures.
package benchkit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// StartTimeout bounds the server's start, migrations of a fresh database included.
const StartTimeout = 90 * time.Second

// BuildServer compiles ./cmd/oopsie into dir and returns the binary's path.
func BuildServer(ctx context.Context, dir string) (string, error) {
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

// Server is the running oopsie process.
type Server struct {
	// URL is where it serves, e.g. http://127.0.0.1:41234.
	URL      string
	cmd      *exec.Cmd
	drained  chan struct{} // closed when the server's stdout reached EOF
	stderr   *tail
	errLogs  atomic.Int64 // lines logged at ERROR after start-up
	mu       sync.Mutex
	firstErr string
	stopOnce sync.Once
	stopErr  error
}

// StartServer runs bin serve on databaseURL, listening on a free port of
// 127.0.0.1, and waits for the line in which it tells its URL. extraEnv
// ("NAME=value") is added to its otherwise clean environment, e.g. the
// REDIS_URL that replicas share.
func StartServer(ctx context.Context, bin, dataDir, databaseURL string, getenv func(string) string, extraEnv ...string) (*Server, error) {
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
	cmd.Env = append(cmd.Env, extraEnv...)
	s := &Server{cmd: cmd, drained: make(chan struct{}), stderr: &tail{max: 8 << 10}}
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

	timer := time.NewTimer(StartTimeout)
	defer timer.Stop()
	select {
	case s.URL = <-urls:
		return s, nil
	case <-s.drained:
		err = errors.New("the server exited before serving")
	case <-timer.C:
		err = fmt.Errorf("the server did not tell its URL within %s", StartTimeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	_ = s.Stop()
	return nil, fmt.Errorf("%w\nstdout:\n%s\nstderr:\n%s", err, early, s.stderr)
}

// PID is the server process's id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// drain reads the server's log: the URL line first, then counts errors and
// discards the rest, to the end, so the pipe never blocks the server.
func (s *Server) drain(stdout io.Reader, urls chan<- string, early *tail) {
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

// ErrorLogs is how many errors the server logged since it started serving,
// and the first of them.
func (s *Server) ErrorLogs() (int64, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errLogs.Load(), s.firstErr
}

// Stop asks the server to shut down (SIGTERM), kills it if it takes too
// long, and waits for it. It may be called more than once.
func (s *Server) Stop() error {
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
