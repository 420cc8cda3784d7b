// Package pubsub fans out "item created" events from the domain services to
// live GraphQL subscriptions. Services publish only after their transaction
// commits, so a subscriber that reloads the item by id always finds it.
//
// The in-process Memory broker serves a single replica; the Redis broker
// shares events between replicas, behind Async so that publishers never
// wait on Redis.
package pubsub

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
)

var (
	// ErrClosed is returned by Publish and Subscribe once the broker is closed.
	ErrClosed = errors.New("pubsub: broker closed")
	// ErrSlowSubscriber is what Subscription.Err reports when the subscription
	// was dropped because its buffer was full.
	ErrSlowSubscriber = errors.New("pubsub: subscriber too slow, dropped")
)

// Event is what travels: a topic such as "report.created", the project it
// belongs to, and an opaque JSON payload (the item's id at least; subscribers
// reload what they need, through their own authorization checks).
//
// Subscribers of one topic share the same Payload bytes and must not modify them.
type Event struct {
	Topic     string
	ProjectID string
	Payload   json.RawMessage
}

// Broker delivers events to subscribers of their topic.
type Broker interface {
	// Publish delivers e to current subscribers of e.Topic. It never blocks on
	// a slow subscriber.
	Publish(ctx context.Context, e Event) error
	// Subscribe returns a channel of events for topic until ctx is done, then
	// the channel is closed and all resources released. buffer bounds the
	// per-subscriber queue; when it is full the subscription is dropped
	// (channel closed) and Err reports ErrSlowSubscriber, so a slow client
	// never blocks others.
	Subscribe(ctx context.Context, topic string, buffer int) (*Subscription, error)
	// Close ends every subscription and makes later Publish and Subscribe
	// calls fail with ErrClosed.
	Close() error
}

// Subscription is one subscriber's stream. C is closed exactly once, when the
// subscription ends for whatever reason; Err then says why.
type Subscription struct {
	C <-chan Event

	topic string
	ch    chan Event
	// stop releases the context watcher when the subscription ends for
	// another reason, so a long-lived ctx does not pin the subscription.
	stop func() bool

	mu    sync.Mutex
	ended bool
	err   error
}

func newSubscription(topic string, buffer int) *Subscription {
	ch := make(chan Event, buffer)
	return &Subscription{C: ch, topic: topic, ch: ch}
}

// Err returns ErrSlowSubscriber when the subscription was dropped for being
// slow, and nil while it is live or when it ended through its context or the
// broker's Close.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// end records why the subscription ended and closes C. The caller must
// guarantee no send on ch happens after end; brokers do that by sending and
// ending under the same lock.
func (s *Subscription) end(err error) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.err = err
	close(s.ch)
	s.mu.Unlock()
	if s.stop != nil {
		s.stop()
	}
}
