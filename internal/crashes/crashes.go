// Package crashes ingests crash reports (the RFC's crash analytics): it
// fingerprints each crash, groups it with the crashes of its project that
// share the fingerprint, keeps the group's counters, and reopens resolved
// groups that crash again in a newer version.
//
// The service is source-neutral: the REST door feeds it today, a Sentry
// envelope door will tomorrow, so its input is plain Go values.
package crashes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/groupcommit"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
)

// Topics this service publishes on, after commit.
const (
	// TopicCrashReceived carries {"id","groupId","isNewGroup","regressed"}.
	TopicCrashReceived = "crash.received"
	// TopicCrashGroupUpdated carries {"id"}: the group's id.
	TopicCrashGroupUpdated = "crash_group.updated"
)

// Frame is one stack frame, innermost first.
type Frame struct {
	File         string
	Line, Column int
	Function     string
	IsNative     bool
}

// Breadcrumb is something the app did shortly before crashing.
type Breadcrumb struct {
	Type, Message string
	Timestamp     time.Time
	// Data is a JSON object, kept as sent; nil when absent.
	Data json.RawMessage
}

// Input is one crash as a door received it.
type Input struct {
	ProjectID, PublicKeyID  string
	ErrorType, ErrorMessage string
	StackTrace              []Frame
	AppVersion, Platform    string
	OSVersion               string
	// DeviceInfo and AppState are opaque JSON objects; nil when absent.
	DeviceInfo, AppState json.RawMessage
	Breadcrumbs          []Breadcrumb
	// Severity "" means error.
	Severity enums.CrashSeverity
	// UserID is the app's opaque user id, only to count affected users.
	UserID string
	// Fingerprint, when set, replaces the computed one: the SDK knows better.
	Fingerprint string
	// FingerprintIgnore is the project's list of frame files the computed
	// fingerprint leaves out.
	FingerprintIgnore []string
	Attachments       []attachments.Upload
}

// Result is what became of a crash.
type Result struct {
	ID, GroupID string
	// IsNewGroup is true for the one crash that created its group.
	IsNewGroup bool
	// Regressed is true when this crash reopened a resolved group.
	Regressed bool
}

// Service ingests crashes.
type Service struct {
	client   *ent.Client
	files    attachments.Saver
	broker   pubsub.Broker
	now      func() time.Time
	webhooks *webhooks.Notifier
	commits  *groupcommit.Committer[pending, Result]
}

// New returns a service on the root client. now is the clock (time.Now when
// nil); files may be nil when no crash carries attachments, broker when
// nothing listens.
func New(client *ent.Client, files attachments.Saver, broker pubsub.Broker, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	o := options{writers: 1}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Service{client: client, files: files, broker: broker, now: now, webhooks: o.webhooks}
	s.commits = groupcommit.New(s.write, maxBatch, o.writers)
	return s
}

// maxBatch bounds the crashes written in one transaction.
const maxBatch = 64

// Option tunes a Service.
type Option func(*options)

type options struct {
	writers  int
	webhooks *webhooks.Notifier
}

// Writers sets how many transactions may write crashes at a time (1 by
// default, right for SQLite's single writer). On PostgreSQL a few let one
// batch be built while another commits.
func Writers(n int) Option { return func(o *options) { o.writers = max(n, 1) } }

// Webhooks notifies projects' webhooks of what ingest writes, in the
// writing transaction.
func Webhooks(n *webhooks.Notifier) Option { return func(o *options) { o.webhooks = n } }

// Ingest stores a crash in its group and publishes TopicCrashReceived and
// TopicCrashGroupUpdated once it is committed. The crash joins a group
// commit with other requests' crashes (see package groupcommit).
//
// ctx carries the viewer, normally the SDK's public key, which must be
// allowed to write into the crash's project.
func (s *Service) Ingest(ctx context.Context, in Input) (Result, error) {
	// Refused before any work on the input.
	if err := viewer.FromContext(ctx).MayIngest(in.ProjectID); err != nil {
		return Result{}, fmt.Errorf("ingest crash: %w", err)
	}
	v, err := validate(in)
	if err != nil {
		return Result{}, err
	}
	if len(in.Attachments) > 0 && s.files == nil {
		return Result{}, errors.New("ingest crash: attachments sent but no attachment store configured")
	}
	p := pending{v: v, files: in.Attachments}
	var res Result
	if len(p.files) > 0 {
		// Written alone: files are large, and their checks can fail.
		var rs []Result
		if rs, err = s.write(ctx, []pending{p}); err == nil {
			res = rs[0]
		}
	} else {
		res, err = s.commits.Do(ctx, p)
	}
	if err != nil {
		return Result{}, err
	}
	s.publish(ctx, v.projectID, res)
	return res, nil
}

// regresses reports whether a crash in appVersion reopens the group: it was
// resolved, and either nobody said in which version, or this version is
// newer than that one. An older or the same version is a client that has
// not updated yet, not a regression. Ignored groups stay ignored.
func regresses(g *ent.CrashGroup, appVersion string) bool {
	if g.Status != enums.CrashGroupStatusResolved {
		return false
	}
	if g.ResolvedInVersion == nil || *g.ResolvedInVersion == "" {
		return true
	}
	return compareVersions(appVersion, *g.ResolvedInVersion) > 0
}

type crashEvent struct {
	ID         string `json:"id"`
	GroupID    string `json:"groupId"`
	IsNewGroup bool   `json:"isNewGroup"`
	Regressed  bool   `json:"regressed"`
}

type groupEvent struct {
	ID string `json:"id"`
}

// publish announces a committed crash. A failure is logged and not
// returned: the crash is stored, and an error would make the SDK send it
// again, counting it twice. Live views catch up on their next load.
func (s *Service) publish(ctx context.Context, projectID string, res Result) {
	if s.broker == nil {
		return
	}
	// The request may be cancelled the moment it is answered; the events
	// are owed to subscribers regardless.
	pctx := context.WithoutCancel(ctx)
	crash, _ := json.Marshal(crashEvent{ID: res.ID, GroupID: res.GroupID, IsNewGroup: res.IsNewGroup, Regressed: res.Regressed})
	group, _ := json.Marshal(groupEvent{ID: res.GroupID})
	for _, e := range []pubsub.Event{
		{Topic: TopicCrashReceived, ProjectID: projectID, Payload: crash},
		{Topic: TopicCrashGroupUpdated, ProjectID: projectID, Payload: group},
	} {
		if err := s.broker.Publish(pctx, e); err != nil {
			logging.FromContext(ctx, nil).LogAttrs(pctx, slog.LevelWarn, "publish event failed",
				slog.String("topic", e.Topic), slog.String("id", res.ID), slog.Any("error", err))
		}
	}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
