package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The hub and the subscribers' client agree: every subscriber receives a
// broadcast once, matched to its send.
func TestHubDeliversToEverySubscriber(t *testing.T) {
	h := newHub()
	go h.broadcast()
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", h.subscribe)
	mux.HandleFunc("/publish", h.publish)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(h.queue)

	ctx := context.Background()
	p := newPool()
	tg := target{
		name: "hub",
		eps:  []endpoint{{name: "hub", wsURL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"}},
		pubs: []publisher{{name: "hub", send: broadcaster(srv.Client(), srv.URL, []byte(syntheticFrame))}},
	}
	subs, err := p.openAll(ctx, tg.eps, 20)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(subs)
	missed, err := check(ctx, tg, subs, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if missed[0][0] != 0 {
		t.Fatalf("%d of %d subscribers missed the broadcast", missed[0][0], len(subs))
	}
	if n, first := p.failures(); n != 0 {
		t.Fatalf("%d subscribers failed: %s", n, first)
	}
}
