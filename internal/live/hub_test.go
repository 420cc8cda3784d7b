package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/pubsub"
)

const topic = "item.created"

type fixture struct {
	broker *pubsub.Memory
	hub    *hub[string]
	loads  atomic.Int32
	logs   *syncBuffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{broker: pubsub.NewMemory(), logs: &syncBuffer{}}
	t.Cleanup(func() { f.broker.Close() })
	logger := slog.New(slog.NewTextHandler(f.logs, nil))
	f.hub = newHub(f.broker, logger, topic, func(_ context.Context, e byID) (string, error) {
		f.loads.Add(1)
		return "item " + e.ID, nil
	})
	return f
}

func (f *fixture) publish(t *testing.T, project string, n int) {
	t.Helper()
	for i := range n {
		payload, _ := json.Marshal(byID{ID: fmt.Sprint(i)})
		if err := f.broker.Publish(context.Background(), pubsub.Event{Topic: topic, ProjectID: project, Payload: payload}); err != nil {
			t.Fatal(err)
		}
	}
}

// receive reads n items from ch, failing on a closed channel or a hang.
func receive(t *testing.T, ch <-chan string, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		select {
		case item, ok := <-ch:
			if !ok {
				t.Fatalf("channel closed after %d items, want %d", len(got), n)
			}
			got = append(got, item)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d items, want %d", len(got), n)
		}
	}
	return got
}

func waitClosed(t *testing.T, ch <-chan string) (drained int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return drained
			}
			drained++
		case <-deadline:
			t.Fatal("channel not closed")
		}
	}
}

func ptr(s string) *string { return &s }

// Every subscriber gets every item of its project, in order, and each item
// is loaded once however many subscribers there are.
func TestHubLoadsOnceAndFiltersByProject(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	var all, mine []<-chan string
	for range 20 {
		ch, err := f.hub.add(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ch)
		ch, err = f.hub.add(ctx, ptr("p1"))
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, ch)
	}
	f.publish(t, "p2", 5)
	f.publish(t, "p1", 5)
	for _, ch := range all {
		got := receive(t, ch, 10)
		if got[0] != "item 0" || got[4] != "item 4" || got[5] != "item 0" || got[9] != "item 4" {
			t.Fatalf("all projects got %q", got)
		}
	}
	for _, ch := range mine {
		if got := receive(t, ch, 5); fmt.Sprint(got) != "[item 0 item 1 item 2 item 3 item 4]" {
			t.Fatalf("project p1 got %q", got)
		}
		select {
		case item := <-ch:
			t.Fatalf("project p1 also got %q", item)
		default:
		}
	}
	if n := f.loads.Load(); n != 10 {
		t.Errorf("loaded %d times for 10 events and 40 subscribers, want 10", n)
	}
}

// Events nobody wants are not loaded.
func TestHubSkipsUnwantedEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch, err := f.hub.add(t.Context(), ptr("p1"))
	if err != nil {
		t.Fatal(err)
	}
	f.publish(t, "p2", 50)
	f.publish(t, "p1", 1)
	receive(t, ch, 1)
	if n := f.loads.Load(); n != 1 {
		t.Errorf("loaded %d times, want 1", n)
	}
}

// A subscriber that does not read is dropped once Buffer items wait for
// it; the others miss nothing.
func TestHubDropsSlowSubscriber(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	slow, err := f.hub.add(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := f.hub.add(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Published in steps the fast subscriber keeps up with.
	const step, steps = 50, Buffer/50 + 2
	for i := range steps {
		f.publish(t, "p", step)
		got := receive(t, fast, step)
		if got[step-1] != fmt.Sprintf("item %d", step-1) {
			t.Fatalf("step %d: fast subscriber got %q", i, got)
		}
	}
	if drained := waitClosed(t, slow); drained != Buffer {
		t.Errorf("slow subscriber had %d items queued before its drop, want %d", drained, Buffer)
	}
	if !bytes.Contains(f.logs.Bytes(), []byte("live subscriber too slow")) {
		t.Error("the drop was not logged")
	}
}

// A subscriber leaves with its context; the hub's subscribers all end with
// the broker.
func TestHubEndsSubscriptions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(t.Context())
	leaving, err := f.hub.add(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	staying, err := f.hub.add(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	waitClosed(t, leaving)
	f.publish(t, "p", 1)
	receive(t, staying, 1)
	f.hub.mu.Lock()
	if n := len(f.hub.subs); n != 1 {
		t.Errorf("%d subscribers registered, want 1", n)
	}
	f.hub.mu.Unlock()

	f.broker.Close()
	waitClosed(t, staying)
	if _, err := f.hub.add(t.Context(), nil); err == nil {
		t.Error("subscribed to a hub whose broker is closed")
	}
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

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
