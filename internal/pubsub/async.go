package pubsub

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Async publishes through another broker in the background, in order, so
// that publishers never wait on it: ingest answers at once whether Redis
// is fast, slow or gone. Events that do not fit in the queue are dropped
// and counted. Live delivery is best effort by design (subscribers reload
// what they show), never at the cost of ingest.
type Async struct {
	inner  Broker
	queue  chan Event
	logger *slog.Logger

	mu      sync.Mutex
	closed  bool
	dropped int // since the last report
	stop    chan struct{}
	done    chan struct{}
}

var _ Broker = (*Async)(nil)

// drainTimeout bounds how long Close delivers what is still queued.
const drainTimeout = 2 * time.Second

// NewAsync wraps inner with a queue of size events.
func NewAsync(inner Broker, size int, logger *slog.Logger) *Async {
	a := &Async{
		inner: inner, queue: make(chan Event, max(size, 1)), logger: logger,
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go a.run()
	return a
}

// Publish queues e and returns at once; see Async.
func (a *Async) Publish(_ context.Context, e Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return ErrClosed
	}
	select {
	case a.queue <- e:
	default:
		a.dropped++
		if a.dropped == 1 {
			a.logger.Warn("live events: queue full, dropping events until the broker catches up", "queue", cap(a.queue))
		}
	}
	return nil
}

// Subscribe subscribes through the inner broker.
func (a *Async) Subscribe(ctx context.Context, topic string, buffer int) (*Subscription, error) {
	return a.inner.Subscribe(ctx, topic, buffer)
}

// Close delivers what is queued, for a short while, then closes the inner
// broker.
func (a *Async) Close() error {
	a.mu.Lock()
	first := !a.closed
	if first {
		a.closed = true
		close(a.stop)
	}
	a.mu.Unlock()
	<-a.done
	if !first {
		return nil
	}
	return a.inner.Close()
}

func (a *Async) run() {
	defer close(a.done)
	ctx := context.Background()
	failing := false
	publish := func(e Event) {
		err := a.inner.Publish(ctx, e)
		a.mu.Lock()
		dropped := a.dropped
		a.dropped = 0
		a.mu.Unlock()
		switch {
		case err != nil && !failing:
			failing = true
			a.logger.Warn("live events: publishing failed; events are lost until the broker is back", "error", err)
		case err == nil && failing:
			failing = false
			a.logger.Info("live events: publishing again")
		}
		if dropped > 0 {
			a.logger.Warn("live events: dropped events", "count", dropped)
		}
	}
	for {
		select {
		case e := <-a.queue:
			publish(e)
		case <-a.stop:
			deadline := time.After(drainTimeout)
			for {
				select {
				case e := <-a.queue:
					publish(e)
				case <-deadline:
					return
				default:
					return
				}
			}
		}
	}
}
