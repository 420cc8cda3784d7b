// Package live serves the GraphQL subscriptions: it turns the events the
// services publish after commit into the items each subscriber may see,
// reloaded through the subscriber's own authorization.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

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

// Buffer is how many events a subscriber may fall behind before it is
// dropped: its connection is closed with wsconn.CodePolicy, so that a slow
// client never holds up the others.
const Buffer = 256

// CrashEvent is what crashReceived delivers.
type CrashEvent struct {
	Report     *ent.CrashReport
	Group      *ent.CrashGroup
	IsNewGroup bool
	Regressed  bool
}

// Service subscribes viewers to live items.
type Service struct {
	client *ent.Client
	broker pubsub.Broker
	logger *slog.Logger
}

// New returns a service reading items through client and events from
// broker.
func New(client *ent.Client, broker pubsub.Broker, logger *slog.Logger) *Service {
	return &Service{client: client, broker: broker, logger: logger}
}

// ReportCreated streams committed reports of projectID, or of every
// project when it is nil.
func (s *Service) ReportCreated(ctx context.Context, projectID *string) (<-chan *ent.Report, error) {
	return subscribe(ctx, s, reports.TopicCreated, projectID, func(ctx context.Context, e byID) (*ent.Report, error) {
		return s.client.Report.Get(ctx, e.ID)
	})
}

// FeedbackCreated streams committed feedback.
func (s *Service) FeedbackCreated(ctx context.Context, projectID *string) (<-chan *ent.Feedback, error) {
	return subscribe(ctx, s, feedback.TopicFeedbackCreated, projectID, func(ctx context.Context, e byID) (*ent.Feedback, error) {
		return s.client.Feedback.Get(ctx, e.ID)
	})
}

// CrashReceived streams committed crashes with their groups.
func (s *Service) CrashReceived(ctx context.Context, projectID *string) (<-chan *CrashEvent, error) {
	return subscribe(ctx, s, crashes.TopicCrashReceived, projectID, func(ctx context.Context, e byID) (*CrashEvent, error) {
		r, err := s.client.CrashReport.Get(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		g, err := s.client.CrashGroup.Get(ctx, e.GroupID)
		if err != nil {
			return nil, err
		}
		return &CrashEvent{Report: r, Group: g, IsNewGroup: e.IsNewGroup, Regressed: e.Regressed}, nil
	})
}

// CrashGroupUpdated streams crash groups as their counters or status change.
func (s *Service) CrashGroupUpdated(ctx context.Context, projectID *string) (<-chan *ent.CrashGroup, error) {
	return subscribe(ctx, s, crashes.TopicCrashGroupUpdated, projectID, func(ctx context.Context, e byID) (*ent.CrashGroup, error) {
		return s.client.CrashGroup.Get(ctx, e.ID)
	})
}

// byID is the payload the services publish: the item's id, and for crashes
// what became of their group.
type byID struct {
	ID         string `json:"id"`
	GroupID    string `json:"groupId"`
	IsNewGroup bool   `json:"isNewGroup"`
	Regressed  bool   `json:"regressed"`
}

// subscribe streams topic's events of projectID (nil: all), each loaded by
// load as the subscriber, until ctx ends. Events the subscriber may not
// see, or whose item is gone, are skipped.
func subscribe[T any](ctx context.Context, s *Service, topic string, projectID *string,
	load func(context.Context, byID) (T, error),
) (<-chan T, error) {
	if !viewer.FromContext(ctx).Authenticated() {
		return nil, viewer.ErrUnauthenticated
	}
	if projectID != nil {
		ok, err := s.client.Project.Query().Where(project.ID(*projectID)).Exist(ctx)
		if err != nil {
			return nil, fmt.Errorf("subscribe: find project: %w", err)
		}
		if !ok {
			return nil, apperr.New(apperr.NotFound, "project not found")
		}
	}
	sub, err := s.broker.Subscribe(ctx, topic, Buffer)
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	out := make(chan T)
	go func() {
		defer close(out)
		for e := range sub.C {
			if projectID != nil && e.ProjectID != *projectID {
				continue
			}
			var ref byID
			if err := json.Unmarshal(e.Payload, &ref); err != nil {
				s.logger.WarnContext(ctx, "live event skipped: bad payload", "topic", topic, "error", err)
				continue
			}
			item, err := load(ctx, ref)
			switch {
			case ent.IsNotFound(err), errors.Is(err, viewer.ErrForbidden), errors.Is(err, viewer.ErrUnauthenticated):
				// Deleted since, or not the subscriber's to see.
				continue
			case err != nil:
				if ctx.Err() == nil {
					s.logger.WarnContext(ctx, "live event skipped: reload failed", "topic", topic, "id", ref.ID, "error", err)
				}
				continue
			}
			select {
			case out <- item:
			case <-ctx.Done():
				return
			}
		}
		if errors.Is(sub.Err(), pubsub.ErrSlowSubscriber) {
			s.logger.WarnContext(ctx, "live subscriber too slow, disconnected", "topic", topic)
			_ = wsconn.Close(ctx, wsconn.CodePolicy, "subscriber too slow: events were dropped")
		}
	}()
	return out, nil
}
