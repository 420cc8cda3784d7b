package pubsub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

func event(topic string, n int) Event {
	return Event{Topic: topic, ProjectID: "p1", Payload: json.RawMessage(fmt.Sprintf(`{"id":"%d"}`, n))}
}

func subscribe(t *testing.T, b Broker, ctx context.Context, topic string, buffer int) *Subscription {
	t.Helper()
	s, err := b.Subscribe(ctx, topic, buffer)
	if err != nil {
		t.Fatalf("subscribe %s: %v", topic, err)
	}
	return s
}

func publish(t *testing.T, b Broker, e Event) {
	t.Helper()
	if err := b.Publish(context.Background(), e); err != nil {
		t.Fatalf("publish: %v", err)
	}
}

// recv fails the test instead of hanging when an expected event never comes.
func recv(t *testing.T, s *Subscription) (Event, bool) {
	t.Helper()
	select {
	case e, ok := <-s.C:
		return e, ok
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting on subscription")
		return Event{}, false
	}
}

func assertClosed(t *testing.T, s *Subscription) {
	t.Helper()
	for {
		_, ok := recv(t, s)
		if !ok {
			return
		}
	}
}

func assertEmpty(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case e, ok := <-s.C:
		t.Fatalf("unexpected receive: %+v (open=%v)", e, ok)
	default:
	}
}

func TestDeliveryToAllSubscribersOfTopicOnly(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()

	a1 := subscribe(t, b, ctx, "report.created", 4)
	a2 := subscribe(t, b, ctx, "report.created", 4)
	other := subscribe(t, b, ctx, "feedback.created", 4)

	want := event("report.created", 1)
	publish(t, b, want)

	for _, s := range []*Subscription{a1, a2} {
		got, ok := recv(t, s)
		if !ok {
			t.Fatal("channel closed")
		}
		if got.Topic != want.Topic || got.ProjectID != want.ProjectID || string(got.Payload) != string(want.Payload) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	}
	assertEmpty(t, other)
}

func TestPublishWithoutSubscribers(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	publish(t, b, event("nobody.listens", 1))
}

func TestOrderingPreservedPerSubscriber(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	const n = 500
	subs := []*Subscription{
		subscribe(t, b, context.Background(), "t", n),
		subscribe(t, b, context.Background(), "t", n),
	}
	for i := range n {
		publish(t, b, event("t", i))
	}
	for _, s := range subs {
		for i := range n {
			e, ok := recv(t, s)
			if !ok {
				t.Fatalf("closed after %d events", i)
			}
			if want := fmt.Sprintf(`{"id":"%d"}`, i); string(e.Payload) != want {
				t.Fatalf("event %d: got %s, want %s", i, e.Payload, want)
			}
		}
	}
}

func TestSlowSubscriberDroppedFastOneUnaffected(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	const n = 200

	slow := subscribe(t, b, context.Background(), "t", 1)
	fast := subscribe(t, b, context.Background(), "t", 1)

	got := make(chan []string, 1)
	go func() {
		var ids []string
		for e := range fast.C {
			ids = append(ids, string(e.Payload))
		}
		got <- ids
	}()

	for i := range n {
		publish(t, b, event("t", i))
		// Wait until the fast reader has drained its single slot, so only
		// the slow one can ever be full. Polling keeps this deterministic.
		waitFor(t, func() bool { return len(fast.C) == 0 })
	}

	if b.subscribers("t") != 1 {
		t.Fatalf("subscribers = %d, want 1 (slow one dropped)", b.subscribers("t"))
	}
	if !errors.Is(slow.Err(), ErrSlowSubscriber) {
		t.Fatalf("slow.Err() = %v, want ErrSlowSubscriber", slow.Err())
	}
	// The slow subscriber keeps what was buffered before the drop, then sees
	// the close.
	if e, ok := recv(t, slow); !ok || string(e.Payload) != `{"id":"0"}` {
		t.Fatalf("slow first event = %s, %v", e.Payload, ok)
	}
	assertClosed(t, slow)

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	ids := <-got
	if len(ids) != n {
		t.Fatalf("fast got %d events, want %d", len(ids), n)
	}
	for i, id := range ids {
		if want := fmt.Sprintf(`{"id":"%d"}`, i); id != want {
			t.Fatalf("fast event %d = %s, want %s", i, id, want)
		}
	}
	if fast.Err() != nil {
		t.Fatalf("fast.Err() = %v, want nil", fast.Err())
	}
}

func TestContextCancelClosesAndRemoves(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	s := subscribe(t, b, ctx, "t", 4)
	keep := subscribe(t, b, context.Background(), "t", 4)

	cancel()
	assertClosed(t, s)
	if s.Err() != nil {
		t.Fatalf("Err() = %v, want nil after cancel", s.Err())
	}
	if n := b.subscribers("t"); n != 1 {
		t.Fatalf("subscribers = %d, want 1", n)
	}

	publish(t, b, event("t", 1))
	if _, ok := recv(t, keep); !ok {
		t.Fatal("remaining subscriber closed")
	}
}

func TestSubscribeWithDoneContext(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Subscribe(ctx, "t", 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := b.subscribers("t"); n != 0 {
		t.Fatalf("subscribers = %d, want 0", n)
	}
}

func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	if _, err := b.Subscribe(ctx, "", 1); err == nil {
		t.Error("empty topic accepted by Subscribe")
	}
	if _, err := b.Subscribe(ctx, "t", 0); err == nil {
		t.Error("zero buffer accepted")
	}
	if err := b.Publish(ctx, Event{Payload: json.RawMessage(`{}`)}); err == nil {
		t.Error("empty topic accepted by Publish")
	}
	if err := b.Publish(ctx, Event{Topic: "t", Payload: json.RawMessage(`{nope`)}); err == nil {
		t.Error("invalid JSON payload accepted")
	}
}

func TestPayloadCopiedOnPublish(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	s := subscribe(t, b, context.Background(), "t", 1)
	buf := []byte(`{"id":"1"}`)
	publish(t, b, Event{Topic: "t", Payload: buf})
	copy(buf, `{"id":"2"}`)
	if e, _ := recv(t, s); string(e.Payload) != `{"id":"1"}` {
		t.Fatalf("payload = %s, publisher's later write leaked", e.Payload)
	}
}

func TestCloseEndsAllSubscriptions(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	ctx := context.Background()
	subs := []*Subscription{
		subscribe(t, b, ctx, "a", 1),
		subscribe(t, b, ctx, "a", 1),
		subscribe(t, b, ctx, "b", 1),
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		assertClosed(t, s)
		if s.Err() != nil {
			t.Fatalf("Err() = %v, want nil after Close", s.Err())
		}
	}
	if err := b.Publish(ctx, event("a", 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish after Close = %v, want ErrClosed", err)
	}
	if _, err := b.Subscribe(ctx, "a", 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close = %v, want ErrClosed", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}

// Cancelling after Close, or after a drop, must neither panic on a double
// close nor turn ErrSlowSubscriber into nil.
func TestEndIsIdempotent(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	ctx, cancel := context.WithCancel(context.Background())
	slow := subscribe(t, b, ctx, "t", 1)
	publish(t, b, event("t", 1))
	publish(t, b, event("t", 2)) // drops slow
	closed := subscribe(t, b, ctx, "u", 1)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	cancel()
	assertClosed(t, slow)
	assertClosed(t, closed)
	if !errors.Is(slow.Err(), ErrSlowSubscriber) {
		t.Fatalf("slow.Err() = %v after cancel, want ErrSlowSubscriber", slow.Err())
	}
}

// A concurrent mix of publishers, subscribers and cancellations, for -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				_ = b.Publish(context.Background(), event("t", i))
			}
		}()
		go func() {
			defer func() { done <- struct{}{} }()
			for range 200 {
				ctx, cancel := context.WithCancel(context.Background())
				s, err := b.Subscribe(ctx, "t", 2)
				if err != nil {
					cancel()
					t.Error(err)
					return
				}
				select {
				case <-s.C:
				default:
				}
				_ = s.Err()
				cancel()
			}
		}()
	}
	for range 8 {
		<-done
	}
	waitFor(t, func() bool { return b.subscribers("t") == 0 })
}

func TestNoGoroutineLeak(t *testing.T) {
	// Not parallel: other tests' goroutines would move the count.
	b := NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	base := runtime.NumGoroutine()

	for range 1000 {
		ctx, cancel := context.WithCancel(context.Background())
		s := subscribe(t, b, ctx, "t", 1)
		cancel()
		assertClosed(t, s)
	}

	waitFor(t, func() bool { return runtime.NumGoroutine() <= base })
	if n := b.subscribers("t"); n != 0 {
		t.Fatalf("subscribers = %d, want 0", n)
	}
}

// waitFor polls cond for a bounded time, so tests wait on facts instead of
// sleeping for a guessed duration.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}
