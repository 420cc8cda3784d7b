package httpserver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

type result struct {
	status int
	body   string
	err    error
}

func get(client *http.Client, url string) <-chan result {
	ch := make(chan result, 1)
	go func() {
		resp, err := client.Get(url)
		if err != nil {
			ch <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		ch <- result{status: resp.StatusCode, body: string(body), err: err}
	}()
	return ch
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitBound):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// waitRefused polls until nothing accepts on addr any more.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for time.Now().Before(deadline) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s still accepting connections after shutdown began", addr)
}

func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	ln := listen(t)
	addr := ln.Addr().String()
	started := make(chan struct{})
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = w.Write([]byte("done"))
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, h, discardLogger(), waitBound) }()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	inFlight := get(client, "http://"+addr+"/slow")
	recv(t, started, "the slow request to start")

	cancel()
	waitRefused(t, addr)
	select {
	case err := <-served:
		close(release)
		t.Fatalf("Serve returned %v with a request still in flight", err)
	default:
	}

	close(release)
	res := recv(t, inFlight, "the in-flight request")
	if res.err != nil || res.status != http.StatusOK || res.body != "done" {
		t.Fatalf("in-flight request = %d %q %v, want 200 \"done\"", res.status, res.body, res.err)
	}
	if err := recv(t, served, "Serve to return"); err != nil {
		t.Fatalf("Serve = %v, want nil", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("new connection accepted after Serve returned")
	}
}

func TestServeForcesCloseAfterTimeout(t *testing.T) {
	t.Parallel()
	ln := listen(t)
	started := make(chan struct{})
	unblock := make(chan struct{})
	t.Cleanup(func() { close(unblock) })
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
		case <-unblock:
		}
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, h, discardLogger(), 50*time.Millisecond) }()

	inFlight := get(&http.Client{}, "http://"+ln.Addr().String()+"/stuck")
	recv(t, started, "the stuck request to start")
	cancel()

	err := recv(t, served, "Serve to return")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Serve = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if res := recv(t, inFlight, "the stuck request to be cut off"); res.err == nil {
		t.Fatalf("stuck request completed with %d %q; want it cut off", res.status, res.body)
	}
}

func TestServeReturnsListenerError(t *testing.T) {
	t.Parallel()
	ln := listen(t)
	ln.Close()

	served := make(chan error, 1)
	go func() {
		served <- Serve(context.Background(), ln, http.NotFoundHandler(), discardLogger(), time.Second)
	}()
	if err := recv(t, served, "Serve to fail"); err == nil {
		t.Fatal("Serve on a closed listener returned nil")
	}
}
