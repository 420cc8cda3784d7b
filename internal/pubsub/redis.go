package pubsub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// timing holds the durations a Redis broker works with; tests shrink them.
type timing struct {
	// publish bounds Publish whatever the caller's context and the client's
	// options say: ingest must never stall on Redis.
	publish time.Duration
	// minBackoff and maxBackoff bound the wait between attempts to
	// resubscribe after the Redis subscription is lost.
	minBackoff, maxBackoff time.Duration
	// health is how long the subscription may stay silent before it is
	// pinged; a second silent interval means the connection is dead (e.g.
	// half-open after a network partition) and it is replaced.
	health time.Duration
}

var defaultTiming = timing{
	publish:    2 * time.Second,
	minBackoff: 100 * time.Millisecond,
	maxBackoff: 5 * time.Second,
	health:     15 * time.Second,
}

// Redis is the Broker shared by replicas. Each process holds one Redis
// subscription to its channel and fans what it receives out to its local
// subscribers through a Memory broker. Publish only sends to Redis: the
// publishing process gets its own events back through its subscription, so
// every replica delivers events in the one order Redis gives them.
//
// When Redis is unreachable Publish fails fast, local subscribers stay
// subscribed (they see nothing until Redis is back), and the subscription is
// retried in the background with exponential backoff. Events published during
// an outage are lost: live views catch up on their next load.
type Redis struct {
	client  *redis.Client
	channel string
	logger  *slog.Logger
	timing  timing
	local   *Memory

	closed atomic.Bool
	cancel context.CancelFunc
	// done is closed when the subscription loop has returned.
	done chan struct{}

	mu sync.Mutex
	// up is closed while the Redis subscription is live, and replaced by an
	// open channel when it is lost.
	up chan struct{}
}

var _ Broker = (*Redis)(nil)

// envelope is an Event as it travels on the Redis channel.
type envelope struct {
	Topic     string          `json:"topic"`
	ProjectID string          `json:"projectId,omitempty"`
	Payload   json.RawMessage `json:"payload,omitempty"`
}

// NewRedis returns a broker publishing on and subscribed to channel (e.g.
// "oopsie:events") through client, logging to logger. It does not wait for
// Redis: the subscription is made in the background, and retried for as long
// as it takes; Ready reports when it is live. Close stops it but leaves client
// open, as client belongs to the caller.
func NewRedis(client *redis.Client, channel string, logger *slog.Logger) *Redis {
	return newRedis(client, channel, logger, defaultTiming)
}

func newRedis(client *redis.Client, channel string, logger *slog.Logger, tm timing) *Redis {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Redis{
		client:  client,
		channel: channel,
		logger:  logger,
		timing:  tm,
		local:   NewMemory(),
		cancel:  cancel,
		done:    make(chan struct{}),
		up:      make(chan struct{}),
	}
	go r.run(ctx)
	return r
}

// Publish sends e to every replica's subscribers of e.Topic, this one's
// included, through Redis. It returns an error when Redis does not take the
// event within ctx or a couple of seconds, whichever ends first; the event is
// then lost, and may still reach subscribers if Redis was merely slow.
func (r *Redis) Publish(ctx context.Context, e Event) error {
	if e.Topic == "" {
		return errors.New("publish: empty topic")
	}
	if len(e.Payload) > 0 && !json.Valid(e.Payload) {
		return fmt.Errorf("publish %s: payload is not valid JSON", e.Topic)
	}
	if r.closed.Load() {
		return fmt.Errorf("publish %s: %w", e.Topic, ErrClosed)
	}
	msg, err := encodeEvent(e)
	if err != nil {
		return fmt.Errorf("publish %s: %w", e.Topic, err)
	}

	ctx, cancel := context.WithTimeout(ctx, r.timing.publish)
	defer cancel()
	// go-redis bounds socket reads and writes by the client's own timeouts
	// unless the client was built with ContextTimeoutEnabled, so waiting on
	// ctx here is what makes the bound hold. The cancel above then cuts the
	// command's retries and pool wait short; a read in progress ends at the
	// client's read timeout at the latest.
	res := make(chan error, 1)
	go func() { res <- r.client.Publish(ctx, r.channel, msg).Err() }()
	select {
	case err = <-res:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("publish %s: redis: %w", e.Topic, err)
	}
	return nil
}

// Subscribe registers a local subscriber; see Broker. It does not touch
// Redis and works while Redis is down.
func (r *Redis) Subscribe(ctx context.Context, topic string, buffer int) (*Subscription, error) {
	return r.local.Subscribe(ctx, topic, buffer)
}

// Ready waits until the Redis subscription is live, so that events published
// from now on (on any replica) reach this one's subscribers. It returns
// ctx's error if that does not happen in time, and ErrClosed once r is closed.
func (r *Redis) Ready(ctx context.Context) error {
	if r.closed.Load() {
		return ErrClosed
	}
	r.mu.Lock()
	up := r.up
	r.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-r.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close ends every local subscription, stops the Redis subscription and
// waits for its goroutine to return (at worst the client's dial or read
// timeout, if it is then connecting to a Redis that does not answer). It does
// not close the Redis client. Calling it again is a no-op.
func (r *Redis) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	r.cancel()
	<-r.done
	return r.local.Close()
}

// run keeps the Redis subscription alive until ctx is cancelled, logging
// once when it is lost and once when it is back.
func (r *Redis) run(ctx context.Context) {
	defer close(r.done)
	// Assume healthy at start, so that Redis being down at startup is
	// reported like any later outage.
	healthy := true
	backoff := r.timing.minBackoff
	for {
		err := r.session(ctx, func() {
			backoff = r.timing.minBackoff
			r.setUp(true)
			if !healthy {
				healthy = true
				r.logger.LogAttrs(ctx, slog.LevelInfo, "live events: redis subscription restored",
					slog.String("channel", r.channel))
			}
		})
		r.setUp(false)
		if ctx.Err() != nil {
			return
		}
		wait := backoff/2 + rand.N(backoff/2)
		if healthy {
			healthy = false
			r.logger.LogAttrs(ctx, slog.LevelWarn, "live events: redis subscription lost",
				slog.String("channel", r.channel), slog.Any("error", err))
		} else {
			r.logger.LogAttrs(ctx, slog.LevelDebug, "live events: redis subscription retry failed",
				slog.String("channel", r.channel), slog.Any("error", err), slog.Duration("retry_in", wait))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, r.timing.maxBackoff)
	}
}

// session subscribes once and relays messages until the connection fails or
// ctx is cancelled, calling subscribed when Redis confirms the subscription.
// It always returns an error; which one matters only for the log.
func (r *Redis) session(ctx context.Context, subscribed func()) error {
	// Without channels this does no I/O; Subscribe below connects.
	ps := r.client.Subscribe(ctx)
	// A blocked read does not watch ctx: closing the PubSub ends it.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer func() {
		stop()
		_ = ps.Close()
	}()

	if err := ps.Subscribe(ctx, r.channel); err != nil {
		return err
	}
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, r.timing.health)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() || pinged {
				return err
			}
			// Silent for a while: any reply to a ping proves the
			// connection alive, no reply by the next timeout proves it dead.
			if err := ps.Ping(ctx); err != nil {
				return err
			}
			pinged = true
			continue
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && m.Channel == r.channel {
				subscribed()
			}
		case *redis.Message:
			r.deliver(ctx, m.Payload)
		}
	}
}

// deliver hands one message from Redis to the local subscribers.
func (r *Redis) deliver(ctx context.Context, msg string) {
	e, err := decodeEvent(msg)
	if err != nil {
		r.logger.LogAttrs(ctx, slog.LevelWarn, "live events: malformed redis message skipped",
			slog.String("channel", r.channel), slog.Int("bytes", len(msg)), slog.Any("error", err))
		return
	}
	// Only ErrClosed can come back, when Close races with this delivery.
	_ = r.local.Publish(ctx, e)
}

func (r *Redis) setUp(up bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.up:
		if !up {
			r.up = make(chan struct{})
		}
	default:
		if up {
			close(r.up)
		}
	}
}

// encodeEvent returns e's envelope. The payload is compacted, but not
// HTML-escaped: subscribers get the same JSON value, if not the same bytes.
func encodeEvent(e Event) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(envelope{Topic: e.Topic, ProjectID: e.ProjectID, Payload: e.Payload}); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

func decodeEvent(msg string) (Event, error) {
	var env envelope
	if err := json.Unmarshal([]byte(msg), &env); err != nil {
		return Event{}, err
	}
	if env.Topic == "" {
		return Event{}, errors.New("no topic")
	}
	return Event{Topic: env.Topic, ProjectID: env.ProjectID, Payload: env.Payload}, nil
}
