package pubsub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

// Messages Async logs, as operators see them.
const (
	msgQueueFull    = "live events: queue full, dropping events until the broker catches up"
	msgDropped      = "live events: dropped events"
	msgPublishFail  = "live events: publishing failed; events are lost until the broker is back"
	msgPublishAgain = "live events: publishing again"
)

// fakeBroker is the broker behind Async in these tests: it records what it
// is given, and can hold Publish until released or make it fail.
type fakeBroker struct {
	mu        sync.Mutex
	published []Event // successful publishes, in order
	attempts  int     // every Publish call, failed ones included
	fail      error   // when set, Publish returns it
	gate      chan struct{}
	closes    int
	atClose   int // len(published) when Close was first called

	// entered receives each event as Publish starts on it, when set.
	entered chan Event
	// delay makes each Publish take that long, as a slow broker would.
	delay time.Duration
}

var _ Broker = (*fakeBroker)(nil)

// block makes Publish wait until the returned function is called.
func (f *fakeBroker) block() (release func()) {
	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	f.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(gate) }) }
}

func (f *fakeBroker) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

func (f *fakeBroker) Publish(_ context.Context, e Event) error {
	if f.entered != nil {
		f.entered <- e
	}
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts++
	if f.fail != nil {
		return f.fail
	}
	f.published = append(f.published, e)
	return nil
}

func (f *fakeBroker) Subscribe(context.Context, string, int) (*Subscription, error) {
	return nil, errors.New("fakeBroker: no subscribers")
}

func (f *fakeBroker) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closes == 0 {
		f.atClose = len(f.published)
	}
	f.closes++
	return nil
}

func (f *fakeBroker) snapshot() (published []Event, attempts, closes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.published), f.attempts, f.closes
}

// newTestAsync wraps inner, logging to a recorder, and closes it when the
// test ends (a second Close is harmless; see TestAsyncClose).
func newTestAsync(t *testing.T, inner Broker, size int) (*Async, *logRecorder) {
	t.Helper()
	logs := &logRecorder{}
	a := NewAsync(inner, size, slog.New(logs))
	t.Cleanup(func() { _ = a.Close() })
	return a, logs
}

// attr returns the value of key on the only record of level and msg.
func (h *logRecorder) attr(t *testing.T, level slog.Level, msg, key string) slog.Value {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var (
		found slog.Value
		n     int
	)
	for _, r := range h.records {
		if r.Level != level || r.Message != msg {
			continue
		}
		n++
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == key {
				found = a.Value
			}
			return true
		})
	}
	if n != 1 {
		t.Fatalf("%d records %s %q, want 1", n, level, msg)
	}
	return found
}

// assertPayloads checks that got are the events numbered want, in order.
func assertPayloads(t *testing.T, got []Event, want []int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("inner broker got %d events, want %d", len(got), len(want))
	}
	for i, n := range want {
		if w := event("t", n); string(got[i].Payload) != string(w.Payload) || got[i].Topic != w.Topic || got[i].ProjectID != w.ProjectID {
			t.Fatalf("event %d = %s %s %s, want %s %s %s", i, got[i].Topic, got[i].ProjectID, got[i].Payload, w.Topic, w.ProjectID, w.Payload)
		}
	}
}

// seq returns 0, 1, …, n-1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// publishBounded publishes events first..last-1 through a, failing the test
// if that takes more than a generous bound: Publish must never wait on the
// inner broker. It returns Publish's errors.
func publishBounded(t *testing.T, a *Async, first, last int) []error {
	t.Helper()
	errs := make(chan []error, 1)
	go func() {
		var out []error
		for i := first; i < last; i++ {
			out = append(out, a.Publish(context.Background(), event("t", i)))
		}
		errs <- out
	}()
	select {
	case out := <-errs:
		return out
	case <-time.After(10 * time.Second):
		t.Fatalf("Publish of events %d..%d did not return within 10s: it blocks on the inner broker", first, last-1)
		return nil
	}
}

// Through Async, a Memory subscriber gets every event, in the order
// published.
func TestAsyncDeliversInOrder(t *testing.T) {
	t.Parallel()
	const n = 1000
	mem := NewMemory()
	// A queue as large as the burst: nothing may be dropped.
	a, logs := newTestAsync(t, mem, n)
	s := subscribe(t, a, t.Context(), "t", n)

	for i := range n {
		publish(t, a, event("t", i))
	}
	for i := range n {
		assertEvent(t, s, event("t", i))
	}
	if logs.count(slog.LevelWarn, msgQueueFull) != 0 || logs.count(slog.LevelWarn, msgDropped) != 0 {
		t.Fatalf("events dropped with a queue as large as the burst; logs:\n%s", logs)
	}

	// Close delivers nothing more and ends the subscription through the
	// inner broker.
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	assertClosed(t, s)
}

// Each of several concurrent publishers' events reach a subscriber in that
// publisher's order.
func TestAsyncKeepsEachPublishersOrder(t *testing.T) {
	t.Parallel()
	const publishers, per = 4, 250
	mem := NewMemory()
	a, logs := newTestAsync(t, mem, publishers*per)
	s := subscribe(t, a, t.Context(), "t", publishers*per)

	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := range per {
				if err := a.Publish(context.Background(), event("t", p*per+i)); err != nil {
					t.Errorf("publish: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()

	next := make([]int, publishers) // next expected index per publisher
	for range publishers * per {
		e, ok := recv(t, s)
		if !ok {
			t.Fatalf("subscription closed early (Err %v)", s.Err())
		}
		var n int
		if _, err := fmt.Sscanf(string(e.Payload), `{"id":"%d"}`, &n); err != nil {
			t.Fatalf("payload %s: %v", e.Payload, err)
		}
		p, i := n/per, n%per
		if i != next[p] {
			t.Fatalf("publisher %d: got its event %d, want %d", p, i, next[p])
		}
		next[p]++
	}
	if logs.count(slog.LevelWarn, msgQueueFull) != 0 {
		t.Fatalf("events dropped; logs:\n%s", logs)
	}
}

// With the inner broker stuck, Publish still returns at once: events fill
// the queue, then are dropped, never waited for. Once the broker is back the
// queued events go out in order, the dropped ones never, and the drop is
// logged: once when the queue fills, once with the count.
func TestAsyncNeverBlocksAndDropsWhenFull(t *testing.T) {
	t.Parallel()
	const size, extra = 8, 50
	inner := &fakeBroker{entered: make(chan Event, 1+size+extra)}
	release := inner.block()
	a, logs := newTestAsync(t, inner, size)
	t.Cleanup(release) // before a's Close, should the test fail early

	// Event 0 is taken off the queue by the worker, which then waits on the
	// inner broker: from now on nothing leaves the queue.
	if errs := publishBounded(t, a, 0, 1); errs[0] != nil {
		t.Fatalf("Publish: %v", errs[0])
	}
	select {
	case e := <-inner.entered:
		assertPayloads(t, []Event{e}, []int{0})
	case <-time.After(5 * time.Second):
		t.Fatal("the worker never handed event 0 to the inner broker")
	}

	// size more fill the queue, extra more find it full. None waits.
	for i, err := range publishBounded(t, a, 1, 1+size+extra) {
		if err != nil {
			t.Fatalf("Publish of event %d = %v, want nil (dropped, not refused)", 1+i, err)
		}
	}
	if got := logs.count(slog.LevelWarn, msgQueueFull); got != 1 {
		t.Fatalf("%d %q warnings while the queue is full, want 1; logs:\n%s", got, msgQueueFull, logs)
	}
	if got := logs.attr(t, slog.LevelWarn, msgQueueFull, "queue").Int64(); got != size {
		t.Errorf("queue-full warning says queue=%d, want %d", got, size)
	}
	if got, _, _ := inner.snapshot(); len(got) != 0 {
		t.Fatalf("inner broker published %d events while stuck", len(got))
	}

	release()
	// The in-flight event and the queued ones, exactly, in order.
	waitFor(t, func() bool { got, _, _ := inner.snapshot(); return len(got) >= 1+size })
	// Close drains whatever is left, so after it the record is final.
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got, _, _ := inner.snapshot()
	assertPayloads(t, got, seq(1+size))

	if got := logs.attr(t, slog.LevelWarn, msgDropped, "count").Int64(); got != extra {
		t.Errorf("dropped-events warning says count=%d, want %d; logs:\n%s", got, extra, logs)
	}
	if got := logs.count(slog.LevelWarn, msgQueueFull); got != 1 {
		t.Errorf("%d queue-full warnings, want 1; logs:\n%s", got, logs)
	}
}

// A broker failing for a while is reported once when it starts failing and
// once when it works again, not once per lost event; a later outage is
// reported again.
func TestAsyncLogsFailureOnceAndRecovery(t *testing.T) {
	t.Parallel()
	inner := &fakeBroker{}
	a, logs := newTestAsync(t, inner, 64)
	attempted := func(n int) func() bool {
		return func() bool { _, got, _ := inner.snapshot(); return got >= n }
	}
	counts := func() (warn, info int) {
		return logs.count(slog.LevelWarn, msgPublishFail), logs.count(slog.LevelInfo, msgPublishAgain)
	}

	inner.setFail(errors.New("redis: connection refused"))
	for i := range 10 {
		publish(t, a, event("t", i))
	}
	waitFor(t, attempted(10))
	if w, i := counts(); w != 1 || i != 0 {
		t.Fatalf("after 10 failed publishes: %d failure warnings, %d recovery infos; want 1, 0; logs:\n%s", w, i, logs)
	}
	if got := logs.attr(t, slog.LevelWarn, msgPublishFail, "error").String(); got != "redis: connection refused" {
		t.Errorf("failure warning's error = %q", got)
	}

	inner.setFail(nil)
	for i := 10; i < 15; i++ {
		publish(t, a, event("t", i))
	}
	waitFor(t, attempted(15))
	if w, i := counts(); w != 1 || i != 1 {
		t.Fatalf("after recovery: %d failure warnings, %d recovery infos; want 1, 1; logs:\n%s", w, i, logs)
	}

	// A second outage, then recovery, is reported again, once each.
	inner.setFail(errors.New("redis: i/o timeout"))
	for i := 15; i < 20; i++ {
		publish(t, a, event("t", i))
	}
	waitFor(t, attempted(20))
	inner.setFail(nil)
	publish(t, a, event("t", 20))
	waitFor(t, attempted(21))
	// The worker logs the recovery after the publish that recovered returns,
	// and no later publish orders it here: wait for it, then check nothing
	// else was logged.
	waitFor(t, func() bool { _, i := counts(); return i >= 2 })
	if w, i := counts(); w != 2 || i != 2 {
		t.Fatalf("after a second outage: %d failure warnings, %d recovery infos; want 2, 2; logs:\n%s", w, i, logs)
	}

	got, _, _ := inner.snapshot()
	assertPayloads(t, got, []int{10, 11, 12, 13, 14, 20})
	if n := logs.count(slog.LevelWarn, msgDropped) + logs.count(slog.LevelWarn, msgQueueFull); n != 0 {
		t.Errorf("failures were reported as drops; logs:\n%s", logs)
	}
}

// Close delivers what is queued, then closes the inner broker; later
// Publish calls fail with ErrClosed, a second Close is harmless, and the
// worker is gone.
func TestAsyncClose(t *testing.T) {
	t.Parallel()
	inner := &fakeBroker{entered: make(chan Event, 16)}
	release := inner.block()
	a, logs := newTestAsync(t, inner, 16)
	t.Cleanup(release) // before a's Close, should the test fail early

	for i := range 6 {
		publish(t, a, event("t", i))
	}
	<-inner.entered // the worker holds event 0; 1..5 are queued

	closed := make(chan error, 1)
	go func() { closed <- a.Close() }()
	// Wait until Close has marked a closed, so the rest is delivered by
	// Close's drain, not by the worker's normal loop.
	waitFor(t, func() bool { a.mu.Lock(); defer a.mu.Unlock(); return a.closed })

	if err := a.Publish(context.Background(), event("t", 99)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish while closing = %v, want ErrClosed", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the queued events were delivered", err)
	default:
	}
	if _, _, closes := inner.snapshot(); closes != 0 {
		t.Fatal("inner broker closed while events were still queued")
	}

	release()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10s")
	}

	got, _, closes := inner.snapshot()
	assertPayloads(t, got, seq(6))
	if closes != 1 {
		t.Fatalf("inner broker closed %d times, want 1", closes)
	}
	inner.mu.Lock()
	atClose := inner.atClose
	inner.mu.Unlock()
	if atClose != 6 {
		t.Fatalf("inner broker closed after %d events, want after all 6", atClose)
	}
	select {
	case <-a.done:
	default:
		t.Fatal("worker goroutine still running after Close")
	}

	if err := a.Publish(context.Background(), event("t", 100)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish after Close = %v, want ErrClosed", err)
	}
	// A second Close returns at once, without error.
	second := make(chan error, 1)
	go func() { second <- a.Close() }()
	select {
	case err := <-second:
		if err != nil {
			t.Fatalf("second Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second Close blocked")
	}
	if got, _, _ := inner.snapshot(); len(got) != 6 {
		t.Fatalf("events published after Close: %d, want 6", len(got))
	}
	if n := logs.count(slog.LevelWarn, msgQueueFull); n != 0 {
		t.Errorf("Publish after Close counted as a drop; logs:\n%s", logs)
	}
}

// Close with nothing queued returns promptly and closes the inner broker;
// on a Memory broker it ends the subscriptions.
func TestAsyncCloseIdle(t *testing.T) {
	t.Parallel()
	mem := NewMemory()
	a := NewAsync(mem, 4, slog.New(&logRecorder{}))
	s := subscribe(t, a, t.Context(), "t", 1)
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	assertClosed(t, s)
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := a.Subscribe(t.Context(), "t", 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close = %v, want ErrClosed", err)
	}
	if err := a.Publish(context.Background(), event("t", 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish after Close = %v, want ErrClosed", err)
	}
}

// Close's drain is bounded: with a slow broker and a long queue it gives up
// after a while instead of holding shutdown for the whole queue.
func TestAsyncCloseDrainIsBounded(t *testing.T) {
	t.Parallel()
	const n = 400
	// Delivering everything would take n × delay = 40s.
	inner := &fakeBroker{delay: 100 * time.Millisecond}
	a, _ := newTestAsync(t, inner, n)
	for i := range n {
		publish(t, a, event("t", i))
	}

	closed := make(chan error, 1)
	go func() { closed <- a.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close still draining after 20s: the drain is not bounded")
	}
	got, _, closes := inner.snapshot()
	if len(got) == 0 || len(got) >= n {
		t.Fatalf("Close delivered %d of %d events, want some but not all", len(got), n)
	}
	assertPayloads(t, got, seq(len(got)))
	if closes != 1 {
		t.Fatalf("inner broker closed %d times, want 1", closes)
	}
}
