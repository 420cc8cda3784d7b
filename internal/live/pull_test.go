package live

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pulled subscribes through a Pull, as the GraphQL server does.
func (f *fixture) pulled(t *testing.T, ctx context.Context) (*Pull, <-chan string) {
	t.Helper()
	ctx, p := WithPull(ctx)
	ch, err := f.hub.add(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Active() {
		t.Fatal("the subscription did not take the Pull")
	}
	return p, ch
}

// Subscribers that pull with one key share what the first of them makes of
// each item; another key makes its own. The producer reads the item from
// its subscription's channel.
func TestPullSharesWhatIsMadeOfAnItem(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	const perKey, items = 10, 3
	var made atomic.Int32
	var wg sync.WaitGroup
	got := make([][]string, 2*perKey)
	for i := range 2 * perKey {
		p, ch := f.pulled(t, ctx)
		key := []string{"a", "b"}[i%2]
		wg.Go(func() {
			for range items {
				v, ok := p.Next(ctx, key, func() any {
					made.Add(1)
					return key + ":" + <-ch
				})
				if !ok {
					t.Error("the subscription ended")
					return
				}
				got[i] = append(got[i], v.(string))
			}
		})
	}
	f.publish(t, "p", items)
	wg.Wait()
	for i, g := range got {
		key := []string{"a", "b"}[i%2]
		if want := fmt.Sprintf("[%[1]s:item 0 %[1]s:item 1 %[1]s:item 2]", key); fmt.Sprint(g) != want {
			t.Errorf("subscriber %d got %q, want %s", i, g, want)
		}
	}
	if n := made.Load(); n != 2*items {
		t.Errorf("made %d times for %d items and 2 keys, want %d", n, items, 2*items)
	}
}

// A producer that gives up (its connection ended) returns nil: that is not
// shared, and the next subscriber of the key makes the item itself.
func TestPullDoesNotShareAFailedProduce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	p1, ch1 := f.pulled(t, ctx)
	p2, ch2 := f.pulled(t, ctx)
	f.publish(t, "p", 1)
	if v, ok := p1.Next(ctx, "k", func() any { <-ch1; return nil }); !ok || v != nil {
		t.Fatalf("first pull: %v, %v", v, ok)
	}
	v, ok := p2.Next(ctx, "k", func() any { return "made again: " + <-ch2 })
	if !ok || v != "made again: item 0" {
		t.Fatalf("second pull: %v, %v", v, ok)
	}
}

// A pulled subscriber that does not pull is dropped once Buffer events wait
// for it; it can still take them, then its stream ends. The others miss
// nothing.
func TestPullDropsSlowSubscriber(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	slow, slowCh := f.pulled(t, ctx)
	fast, fastCh := f.pulled(t, ctx)
	const step, steps = 50, Buffer/50 + 2
	for i := range steps {
		f.publish(t, "p", step)
		for j := range step {
			v, ok := fast.Next(ctx, "fast", func() any { return <-fastCh })
			if want := fmt.Sprintf("item %d", j); !ok || v != want {
				t.Fatalf("step %d: fast subscriber got %v, %v, want %s", i, v, ok, want)
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for !bytes.Contains(f.logs.Bytes(), []byte("live subscriber too slow")) {
		if time.Now().After(deadline) {
			t.Fatal("the slow subscriber was not dropped")
		}
		time.Sleep(10 * time.Millisecond)
	}
	drained := 0
	for {
		_, ok := slow.Next(ctx, "slow", func() any { return <-slowCh })
		if !ok {
			break
		}
		drained++
	}
	if drained != Buffer {
		t.Errorf("slow subscriber had %d items queued before its drop, want %d", drained, Buffer)
	}
}

// A pull ends with its subscriber's context, and with the broker.
func TestPullEnds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	leavingCtx, leave := context.WithCancel(t.Context())
	leaving, _ := f.pulled(t, leavingCtx)
	staying, _ := f.pulled(t, t.Context())
	ended := make(chan bool)
	go func() {
		_, ok := leaving.Next(t.Context(), "k", func() any { return "never" })
		ended <- ok
	}()
	leave()
	if ok := <-ended; ok {
		t.Error("a pull went on after its context ended")
	}
	go func() {
		_, ok := staying.Next(t.Context(), "k", func() any { return "never" })
		ended <- ok
	}()
	f.broker.Close()
	select {
	case ok := <-ended:
		if ok {
			t.Error("a pull went on after the broker closed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a pull did not end with the broker")
	}
}

// Waiting tells a transport whether the event it is writing has others
// behind it, so that it can send them together.
func TestPullWaiting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	p, ch := f.pulled(t, ctx)
	if p.Waiting() {
		t.Fatal("Waiting before any event")
	}
	f.publish(t, "p", 3)
	take := func() {
		t.Helper()
		if _, ok := p.Next(ctx, "k", func() any { return <-ch }); !ok {
			t.Fatal("the pull ended")
		}
	}
	take()
	deadline := time.Now().Add(10 * time.Second)
	for !p.Waiting() {
		if time.Now().After(deadline) {
			t.Fatal("two events were published after the first, and Waiting never said so")
		}
		time.Sleep(time.Millisecond)
	}
	take()
	if !p.Waiting() {
		t.Error("Waiting false with the third event queued")
	}
	take()
	if p.Waiting() {
		t.Error("Waiting true after the last event was taken")
	}
	if (&Pull{}).Waiting() {
		t.Error("an inactive Pull reports Waiting")
	}
}

// A subscriber woken less than wakeEvery ago is not woken by a new event:
// the hub wakes it when the interval ends, and it takes what came
// meanwhile together.
func TestPullWakesAtMostOncePerInterval(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.hub.wakeEvery = time.Hour // the deferred wake happens when the test calls it
	ctx := t.Context()
	p, ch := f.pulled(t, ctx)
	s := p.src.(*subscriber[string])
	take := func() (string, bool) {
		t.Helper()
		v, ok := p.Next(ctx, "k", func() any { return <-ch })
		if !ok {
			t.Fatal("the pull ended")
		}
		return v.(string), p.Waiting()
	}
	f.publish(t, "p", 1)
	if item, waiting := take(); item != "item 0" || waiting {
		t.Fatalf("first event: %s, waiting %v", item, waiting)
	}
	select {
	case <-s.notify: // the first wake, unread if the event was queued before Next looked
	default:
	}

	f.publish(t, "p", 2)
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		n := len(s.queue)
		s.mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 2 events queued", n)
		}
		time.Sleep(time.Millisecond)
	}
	f.hub.mu.Lock()
	due, notified := s.wakeDue, len(s.notify)
	f.hub.mu.Unlock()
	if !due || notified != 0 {
		t.Fatalf("events within the interval: wake due %v, wakes sent %d; want a deferred wake and none sent", due, notified)
	}
	f.hub.wakeDeferred()
	if len(s.notify) != 1 {
		t.Fatal("the deferred wake was not sent")
	}
	if item, waiting := take(); item != "item 0" || !waiting {
		t.Errorf("the first of two events within the interval: %s, waiting %v; want the second waiting behind it", item, waiting)
	}
	if item, waiting := take(); item != "item 1" || waiting {
		t.Errorf("the second of two events within the interval: %s, waiting %v", item, waiting)
	}
}
