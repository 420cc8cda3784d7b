package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// ackFrame is what the hub sends a connection once it is registered.
const ackFrame = `{"type":"connection_ack"}`

// hubFlag runs this binary as the baseline hub instead of the benchmark. It
// is not among the flags: the benchmark starts its own hub.
const hubFlag = "-hub"

// The baseline: a bare gorilla/websocket hub in a process of its own, so that
// its RSS is its own. GET /ws subscribes a connection, and acknowledges it; POST /publish
// broadcasts the request's body to every connection, as one message
// serialised once (a PreparedMessage) and written to each, spread over a
// writer per CPU. Its connections are as lean as Oopsie's: the HTTP server's
// read buffer reused, write buffers pooled, one goroutine per connection (its
// reader, which answers pings and notices closes).
type hub struct {
	upgrader websocket.Upgrader
	mu       sync.Mutex
	conns    map[*websocket.Conn]struct{}
	queue    chan []byte
}

func newHub() *hub {
	return &hub{
		upgrader: websocket.Upgrader{
			HandshakeTimeout: 10 * time.Second,
			ReadBufferSize:   0,
			WriteBufferSize:  4096,
			WriteBufferPool:  &sync.Pool{},
		},
		conns: map[*websocket.Conn]struct{}{},
		queue: make(chan []byte, 4096),
	}
}

func (h *hub) subscribe(w http.ResponseWriter, r *http.Request) {
	c, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered
	}
	// The ack tells the client it is registered: a broadcast sent from now
	// on reaches it. Written under the lock, so no broadcast writes to the
	// connection meanwhile.
	h.mu.Lock()
	_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	err = c.WriteMessage(websocket.TextMessage, []byte(ackFrame))
	if err == nil {
		h.conns[c] = struct{}{}
	}
	h.mu.Unlock()
	if err != nil {
		c.Close()
		return
	}
	go func() {
		defer func() {
			h.mu.Lock()
			delete(h.conns, c)
			h.mu.Unlock()
			c.Close()
		}()
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	}()
}

func (h *hub) publish(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	select {
	case h.queue <- body:
		w.WriteHeader(http.StatusAccepted)
	default:
		http.Error(w, "broadcast queue full", http.StatusServiceUnavailable)
	}
}

// broadcast writes the queued messages, one after the other, to every
// connection.
func (h *hub) broadcast() {
	writers := runtime.GOMAXPROCS(0)
	for body := range h.queue {
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, body)
		if err != nil {
			continue
		}
		h.mu.Lock()
		conns := make([]*websocket.Conn, 0, len(h.conns))
		for c := range h.conns {
			conns = append(conns, c)
		}
		h.mu.Unlock()
		var wg sync.WaitGroup
		for k := range writers {
			wg.Go(func() {
				for i := k; i < len(conns); i += writers {
					c := conns[i]
					_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
					if err := c.WritePreparedMessage(pm); err != nil {
						c.Close() // its reader unregisters it
					}
				}
			})
		}
		wg.Wait()
	}
}

// runHub serves the hub on a free port of 127.0.0.1, tells its URL on
// stdout, and stops on SIGTERM or SIGINT.
func runHub(stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	h := newHub()
	go h.broadcast()
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", h.subscribe)
	mux.HandleFunc("/publish", h.publish)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "hub serving on http://%s\n", ln.Addr())
	select {
	case <-ctx.Done():
		return srv.Close()
	case err := <-served:
		return err
	}
}

// hubProcess is the running baseline hub.
type hubProcess struct {
	URL      string
	cmd      *exec.Cmd
	drained  chan struct{}
	stopOnce sync.Once
}

// startHub runs this binary as the hub and waits for its URL.
func startHub(ctx context.Context) (*hubProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start the hub: %w", err)
	}
	cmd := exec.Command(self, hubFlag)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the hub: %w", err)
	}
	h := &hubProcess{cmd: cmd, drained: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		defer close(h.drained)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "hub serving on "); ok {
				urls <- u
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case h.URL = <-urls:
		return h, nil
	case <-h.drained:
		err = errors.New("the hub exited before serving")
	case <-time.After(10 * time.Second):
		err = errors.New("the hub did not tell its URL within 10s")
	case <-ctx.Done():
		err = ctx.Err()
	}
	h.Stop()
	return nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
}

// PID is the hub process's id.
func (h *hubProcess) PID() int { return h.cmd.Process.Pid }

// Stop ends the hub and waits for it. It may be called more than once.
func (h *hubProcess) Stop() {
	h.stopOnce.Do(func() {
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-h.drained:
		case <-time.After(10 * time.Second):
			_ = h.cmd.Process.Kill()
			<-h.drained
		}
		_ = h.cmd.Wait()
	})
}
