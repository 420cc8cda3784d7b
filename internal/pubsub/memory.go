package pubsub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Memory is the in-process Broker. Its zero value is not usable; call NewMemory.
type Memory struct {
	// mu serialises every send and every channel close, which is what makes
	// "never send on a closed channel" and per-subscriber ordering hold
	// without a goroutine per subscriber.
	mu     sync.Mutex
	closed bool
	topics map[string]map[*Subscription]struct{}
}

var _ Broker = (*Memory)(nil)

// NewMemory returns an empty, open in-process broker.
func NewMemory() *Memory {
	return &Memory{topics: make(map[string]map[*Subscription]struct{})}
}

// Publish delivers e to the current subscribers of e.Topic without waiting on
// any of them: a subscriber whose buffer is full is dropped instead.
//
// ctx is not consulted: in-process delivery cannot hang, and events are
// published after a commit, where losing one to a cancelled request context
// would be the wrong trade.
func (b *Memory) Publish(_ context.Context, e Event) error {
	if e.Topic == "" {
		return errors.New("publish: empty topic")
	}
	// Rejecting what a networked broker could not encode keeps tests run
	// against Memory honest about production behaviour.
	if len(e.Payload) > 0 && !json.Valid(e.Payload) {
		return fmt.Errorf("publish %s: payload is not valid JSON", e.Topic)
	}
	// The publisher may reuse its buffer once we return; subscribers read
	// Payload later, from other goroutines.
	if e.Payload != nil {
		e.Payload = append(json.RawMessage(nil), e.Payload...)
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("publish %s: %w", e.Topic, ErrClosed)
	}
	subs := b.topics[e.Topic]
	for s := range subs {
		select {
		case s.ch <- e:
		default:
			b.removeLocked(s)
			s.end(ErrSlowSubscriber)
		}
	}
	return nil
}

// Subscribe registers a subscriber to topic until ctx is done. No goroutine
// is held per subscription: the context is watched with context.AfterFunc.
func (b *Memory) Subscribe(ctx context.Context, topic string, buffer int) (*Subscription, error) {
	if topic == "" {
		return nil, errors.New("subscribe: empty topic")
	}
	// With no buffer every non-blocking send would fail unless the reader
	// happened to be parked on the channel, dropping almost every subscriber.
	if buffer < 1 {
		return nil, fmt.Errorf("subscribe %s: buffer must be at least 1, got %d", topic, buffer)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", topic, err)
	}

	s := newSubscription(topic, buffer)

	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, fmt.Errorf("subscribe %s: %w", topic, ErrClosed)
	}
	subs := b.topics[topic]
	if subs == nil {
		subs = make(map[*Subscription]struct{})
		b.topics[topic] = subs
	}
	subs[s] = struct{}{}
	// Set under mu so that end, which can only run after a later lock of mu,
	// always sees it.
	s.stop = context.AfterFunc(ctx, func() { b.unsubscribe(s) })
	b.mu.Unlock()

	return s, nil
}

// Close ends every subscription with a nil Err. Calling it again is a no-op.
func (b *Memory) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	for topic, subs := range b.topics {
		for s := range subs {
			s.end(nil)
		}
		delete(b.topics, topic)
	}
	return nil
}

func (b *Memory) unsubscribe(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Absent means a drop or Close already ended it; ending again would
	// overwrite ErrSlowSubscriber with nil.
	if _, ok := b.topics[s.topic][s]; !ok {
		return
	}
	b.removeLocked(s)
	s.end(nil)
}

// removeLocked forgets s; b.mu must be held. Empty topic maps are deleted so
// that churn over many distinct topics (e.g. per project) does not leak.
func (b *Memory) removeLocked(s *Subscription) {
	subs := b.topics[s.topic]
	delete(subs, s)
	if len(subs) == 0 {
		delete(b.topics, s.topic)
	}
}

// subscribers reports how many live subscriptions topic has, for tests.
func (b *Memory) subscribers(topic string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.topics[topic])
}
