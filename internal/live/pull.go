package live

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// A Pull hands a subscription's items over on demand, and shares what the
// caller makes of each item between the subscribers that would make the
// same thing.
//
// gqlgen executes a subscription's selection and marshals the response for
// every subscriber and every event. With a thousand dashboards watching,
// that is a thousand identical executions per event: the cost that made
// live delivery CPU-bound. Through a Pull, the first subscriber of a shape
// (the same query, variables and rights) to take an event executes it, and
// the others reuse the response.
type Pull struct {
	src source // set when a subscription is made in the Pull's context
}

// source is a subscriber in pull mode, whatever its item type.
type source interface {
	// next waits for the subscriber's next event; false once it ended.
	next(ctx context.Context) (*made, func(), bool)
	// waiting reports whether events wait to be taken.
	waiting() bool
}

type pullKey struct{}

// WithPull returns a context in which the subscription that a Service makes
// is pulled through the returned Pull rather than pushed to its channel.
func WithPull(ctx context.Context) (context.Context, *Pull) {
	p := &Pull{}
	return context.WithValue(ctx, pullKey{}, p), p
}

// Active reports whether a subscription was made in the Pull's context.
func (p *Pull) Active() bool { return p.src != nil }

// Next waits for the subscription's next item, and returns what produce
// makes of it for key. The first caller with a key produces: Next puts the
// item in the subscription's channel, from which produce is to read it.
// Later callers with the same key get the same value, which they must not
// modify. A produce that returns nil (its caller's context ended) is not
// shared: the next caller produces again. Next returns false once the
// subscription has ended and its queue is drained, or ctx ends.
func (p *Pull) Next(ctx context.Context, key string, produce func() any) (any, bool) {
	if p.src == nil {
		return nil, false
	}
	m, feed, ok := p.src.next(ctx)
	if !ok {
		return nil, false
	}
	return m.get(key, func() any {
		feed()
		return produce()
	}), true
}

// Waiting reports whether more events wait for the subscriber: a transport
// may then hold back what it writes of this one, and send both together.
func (p *Pull) Waiting() bool { return p.src != nil && p.src.waiting() }

// event is one item on its way to a topic's subscribers, with what their
// transports made of it.
type event[T any] struct {
	item T
	made made
}

// made is what was produced from one event, by key. Every subscriber of a
// key but the first finds the value without taking a lock.
type made struct {
	vals sync.Map // key → *shared
}

type shared struct {
	done atomic.Bool // val is set
	mu   sync.Mutex
	val  any
}

func (m *made) get(key string, produce func() any) any {
	v, ok := m.vals.Load(key)
	if !ok {
		v, _ = m.vals.LoadOrStore(key, &shared{})
	}
	sh := v.(*shared)
	if sh.done.Load() {
		return sh.val
	}
	// Held while producing: the other subscribers of the key wait for the
	// value rather than produce it too.
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.done.Load() {
		return sh.val
	}
	val := produce()
	if val != nil {
		sh.val = val
		sh.done.Store(true)
	}
	return val
}

// subscriber is one subscription to a hub. In push mode (no Pull), the hub
// sends items straight to out, which holds up to Buffer of them. In pull
// mode, events wait in queue, and out holds only the one item being
// produced from.
type subscriber[T any] struct {
	ctx     context.Context
	project *string
	out     chan T
	pull    bool

	mu     sync.Mutex
	queue  []*event[T]
	ended  bool
	notify chan struct{} // a send wakes a waiting next

	// Under the hub's lock.
	woken   time.Time // the last wake
	wakeDue bool      // the hub is to wake the subscriber
}

func newSubscriber[T any](ctx context.Context, projectID *string, pulled bool) *subscriber[T] {
	s := &subscriber[T]{ctx: ctx, project: projectID}
	if pulled {
		// Idle, a pulled subscriber holds no buffer: its queue is
		// allocated while events wait.
		s.pull, s.out, s.notify = true, make(chan T, 1), make(chan struct{}, 1)
	} else {
		s.out = make(chan T, Buffer)
	}
	return s
}

// wakeInterval is the least time between two wakes of a pulled
// subscriber. Events that come sooner after a wake wait for the next one,
// at most wakeInterval later, and are taken together: the subscriber's
// connection gets them in one write. A dashboard that receives a hundred
// events a second is woken, and written to, a few dozen times instead of a
// hundred, each write costing the server a system call and the client a
// read; one that receives less than an event per interval gets each at
// once.
const wakeInterval = 20 * time.Millisecond

// offered is what became of an event offered to a subscriber.
type offered int

const (
	queued   offered = iota // queued, and the subscriber woken or to be
	deferred                // queued; the hub is to wake the subscriber
	dropped                 // not queued: Buffer events wait already
)

// offer queues ev, and wakes the subscriber unless it was woken less than
// every (wakeInterval) before now. The hub's lock is held.
func (s *subscriber[T]) offer(ev *event[T], now time.Time, every time.Duration) offered {
	if !s.pull {
		select {
		case s.out <- ev.item:
			return queued
		default:
			return dropped
		}
	}
	s.mu.Lock()
	if len(s.queue) >= Buffer {
		s.mu.Unlock()
		return dropped
	}
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	switch {
	case s.wakeDue:
		return queued
	case now.Sub(s.woken) < every:
		s.wakeDue = true
		return deferred
	}
	s.wake(now)
	return queued
}

// wake lets a waiting next take what is queued. The hub's lock is held.
func (s *subscriber[T]) wake(now time.Time) {
	s.woken, s.wakeDue = now, false
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// end ends the stream once what is queued has been taken. The hub's lock
// is held, and end is called once.
func (s *subscriber[T]) end() {
	if !s.pull {
		close(s.out)
		return
	}
	// out stays open: the puller may be putting an item in it. next
	// reports the end instead.
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

func (s *subscriber[T]) next(ctx context.Context) (*made, func(), bool) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			ev := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			if len(s.queue) == 0 {
				s.queue = nil // give the burst's buffer back
			}
			s.mu.Unlock()
			return &ev.made, func() { s.put(ev.item) }, true
		}
		ended := s.ended
		s.mu.Unlock()
		if ended {
			return nil, nil, false
		}
		select {
		case <-s.notify:
		case <-ctx.Done():
			return nil, nil, false
		}
	}
}

func (s *subscriber[T]) waiting() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) > 0
}

// put leaves item in out for the puller's producer, replacing one a
// producer that gave up did not take. Only the puller sends to out.
func (s *subscriber[T]) put(item T) {
	select {
	case <-s.out:
	default:
	}
	s.out <- item
}
