// Package live serves the GraphQL subscriptions: it turns the events the
// services publish after commit into items, and hands them to the
// subscribers of the item's project.
//
// Each topic has one hub per process: one broker subscription, one reload
// of each item, and a bounded queue per subscriber. A subscriber costs a
// small struct, not a goroutine nor a database query per event, so
// thousands of idle dashboards stay cheap and a burst of events is loaded
// once. Through a Pull, what the transport makes of an item (a marshalled
// GraphQL response) is made once for all the subscribers that ask for the
// same thing, not once each.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/feedback"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
	"github.com/yoanbernabeu/oopsie/internal/wsconn"
)

// Buffer is how many items a subscriber may fall behind before it is
// dropped: its connection is closed with wsconn.CodePolicy, so that a slow
// client never holds up the others.
const Buffer = 256

// hubBuffer is the hub's own queue of events awaiting their reload.
const hubBuffer = 4096

// loadTimeout bounds one item's reload.
const loadTimeout = 10 * time.Second

// CrashEvent is what crashReceived delivers.
type CrashEvent struct {
	Report     *ent.CrashReport
	Group      *ent.CrashGroup
	IsNewGroup bool
	Regressed  bool
}

// Service subscribes viewers to live items.
type Service struct {
	reports  *hub[*ent.Report]
	feedback *hub[*ent.Feedback]
	crashes  *hub[*CrashEvent]
	groups   *hub[*ent.CrashGroup]
	client   *ent.Client
}

// New returns a service reading items through client and events from
// broker. Its hubs start with their first subscriber and end when the
// broker is closed.
func New(client *ent.Client, broker pubsub.Broker, logger *slog.Logger) *Service {
	return &Service{
		client: client,
		reports: newHub(broker, logger, reports.TopicCreated, func(ctx context.Context, e byID) (*ent.Report, error) {
			return client.Report.Get(ctx, e.ID)
		}),
		feedback: newHub(broker, logger, feedback.TopicFeedbackCreated, func(ctx context.Context, e byID) (*ent.Feedback, error) {
			return client.Feedback.Get(ctx, e.ID)
		}),
		crashes: newHub(broker, logger, crashes.TopicCrashReceived, func(ctx context.Context, e byID) (*CrashEvent, error) {
			r, err := client.CrashReport.Get(ctx, e.ID)
			if err != nil {
				return nil, err
			}
			g, err := client.CrashGroup.Get(ctx, e.GroupID)
			if err != nil {
				return nil, err
			}
			return &CrashEvent{Report: r, Group: g, IsNewGroup: e.IsNewGroup, Regressed: e.Regressed}, nil
		}),
		groups: newHub(broker, logger, crashes.TopicCrashGroupUpdated, func(ctx context.Context, e byID) (*ent.CrashGroup, error) {
			return client.CrashGroup.Get(ctx, e.ID)
		}),
	}
}

// ReportCreated streams committed reports of projectID, or of every
// project when it is nil.
func (s *Service) ReportCreated(ctx context.Context, projectID *string) (<-chan *ent.Report, error) {
	return subscribe(ctx, s, s.reports, projectID)
}

// FeedbackCreated streams committed feedback.
func (s *Service) FeedbackCreated(ctx context.Context, projectID *string) (<-chan *ent.Feedback, error) {
	return subscribe(ctx, s, s.feedback, projectID)
}

// CrashReceived streams committed crashes with their groups.
func (s *Service) CrashReceived(ctx context.Context, projectID *string) (<-chan *CrashEvent, error) {
	return subscribe(ctx, s, s.crashes, projectID)
}

// CrashGroupUpdated streams crash groups as their counters or status change.
func (s *Service) CrashGroupUpdated(ctx context.Context, projectID *string) (<-chan *ent.CrashGroup, error) {
	return subscribe(ctx, s, s.groups, projectID)
}

// subscribe checks the viewer and the project, then registers a
// subscriber with h until ctx ends.
//
// Items are loaded once for every subscriber, as the system: every viewer
// who may subscribe (a signed-in user, an API token) may read every item,
// as the queries' privacy rules say. A viewer with narrower rights is
// refused here rather than served another's view.
func subscribe[T any](ctx context.Context, s *Service, h *hub[T], projectID *string) (<-chan T, error) {
	v := viewer.FromContext(ctx)
	switch {
	case !v.Authenticated():
		return nil, viewer.ErrUnauthenticated
	case !v.Admin():
		return nil, viewer.ErrForbidden
	}
	if projectID != nil {
		// Aside: the subscription's goroutine lives as long as the
		// subscription, and should not keep the stack a query needs.
		type found struct {
			ok  bool
			err error
		}
		f := wsconn.Aside(func() found {
			ok, err := s.client.Project.Query().Where(project.ID(*projectID)).Exist(ctx)
			return found{ok, err}
		})
		ok, err := f.ok, f.err
		if err != nil {
			return nil, fmt.Errorf("subscribe: find project: %w", err)
		}
		if !ok {
			return nil, apperr.New(apperr.NotFound, "project not found")
		}
	}
	return h.add(ctx, projectID)
}

// byID is the payload the services publish: the item's id, and for crashes
// what became of their group.
type byID struct {
	ID         string `json:"id"`
	GroupID    string `json:"groupId"`
	IsNewGroup bool   `json:"isNewGroup"`
	Regressed  bool   `json:"regressed"`
}

// hub fans one topic's items out to its subscribers.
type hub[T any] struct {
	broker pubsub.Broker
	logger *slog.Logger
	topic  string
	load   func(context.Context, byID) (T, error)

	mu        sync.Mutex
	started   bool
	closed    bool
	subs      map[*subscriber[T]]struct{}
	wakeEvery time.Duration    // wakeInterval, but in tests
	due       []*subscriber[T] // subscribers whose wake was deferred
	waker     *time.Timer      // wakes them
	wakerSet  bool             // waker is to fire
}

func newHub[T any](broker pubsub.Broker, logger *slog.Logger, topic string, load func(context.Context, byID) (T, error)) *hub[T] {
	return &hub[T]{broker: broker, logger: logger, topic: topic, load: load, subs: map[*subscriber[T]]struct{}{}, wakeEvery: wakeInterval}
}

// add registers a subscriber; its stream ends when ctx ends, when it falls
// Buffer items behind, or when the broker closes. When ctx carries a Pull
// (WithPull), the subscriber is pulled through it.
func (h *hub[T]) add(ctx context.Context, projectID *string) (<-chan T, error) {
	pull, _ := ctx.Value(pullKey{}).(*Pull)
	s := newSubscriber[T](ctx, projectID, pull != nil)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, fmt.Errorf("subscribe to %s: %w", h.topic, pubsub.ErrClosed)
	}
	if !h.started {
		sub, err := h.broker.Subscribe(context.Background(), h.topic, hubBuffer)
		if err != nil {
			return nil, fmt.Errorf("subscribe to %s: %w", h.topic, err)
		}
		h.started = true
		go h.run(sub)
	}
	h.subs[s] = struct{}{}
	if pull != nil {
		pull.src = s
	}
	context.AfterFunc(ctx, func() { h.remove(s) })
	return s.out, nil
}

// remove unregisters s and ends its stream, once.
func (h *hub[T]) remove(s *subscriber[T]) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		s.end()
	}
}

// run loads each event's item once and queues it for the subscribers of
// its project, until the broker closes. A hub that falls behind the broker
// is dropped by it; it subscribes again, and the events in between are
// lost for live views (they reload on their next query).
func (h *hub[T]) run(sub *pubsub.Subscription) {
	for {
		for e := range sub.C {
			h.deliver(e)
		}
		if !errors.Is(sub.Err(), pubsub.ErrSlowSubscriber) {
			break
		}
		h.logger.Warn("live events: fan-out fell behind, events were skipped", "topic", h.topic)
		var err error
		if sub, err = h.broker.Subscribe(context.Background(), h.topic, hubBuffer); err != nil {
			break
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		s.end()
	}
}

// armWakerLocked makes sure the deferred wakes happen within
// h.wakeEvery.
func (h *hub[T]) armWakerLocked() {
	if h.wakerSet {
		return
	}
	h.wakerSet = true
	if h.waker == nil {
		h.waker = time.AfterFunc(h.wakeEvery, h.wakeDeferred)
		return
	}
	h.waker.Reset(h.wakeEvery)
}

// wakeDeferred wakes the subscribers whose wake was deferred.
func (h *hub[T]) wakeDeferred() {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	for _, s := range h.due {
		s.wake(now)
	}
	clear(h.due)
	h.due = h.due[:0]
	h.wakerSet = false
}

func (h *hub[T]) deliver(e pubsub.Event) {
	h.mu.Lock()
	wanted := false
	for s := range h.subs {
		if s.project == nil || *s.project == e.ProjectID {
			wanted = true
			break
		}
	}
	h.mu.Unlock()
	if !wanted {
		return
	}
	var ref byID
	if err := json.Unmarshal(e.Payload, &ref); err != nil {
		h.logger.Warn("live event skipped: bad payload", "topic", h.topic, "error", err)
		return
	}
	ctx, cancel := context.WithTimeout(viewer.SystemContext(context.Background(), "live"), loadTimeout)
	item, err := h.load(ctx, ref)
	cancel()
	switch {
	case ent.IsNotFound(err):
		return // deleted since
	case err != nil:
		h.logger.Warn("live event skipped: reload failed", "topic", h.topic, "id", ref.ID, "error", err)
		return
	}

	ev := &event[T]{item: item}
	var slow []*subscriber[T]
	now := time.Now()
	h.mu.Lock()
	for s := range h.subs {
		if s.project != nil && *s.project != e.ProjectID {
			continue
		}
		switch s.offer(ev, now, h.wakeEvery) {
		case deferred:
			h.due = append(h.due, s)
		case dropped:
			delete(h.subs, s)
			s.end()
			slow = append(slow, s)
		}
	}
	if len(h.due) > 0 {
		h.armWakerLocked()
	}
	h.mu.Unlock()
	for _, s := range slow {
		h.logger.Warn("live subscriber too slow, disconnected", "topic", h.topic)
		_ = wsconn.Close(s.ctx, wsconn.CodePolicy, "subscriber too slow: events were dropped")
	}
}
