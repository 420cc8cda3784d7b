// Package reports ingests user-initiated bug reports (the PRD): it validates
// and sanitises them, groups duplicates by page and first console error,
// counts each group's reports and distinct affected users, stores the
// attachments, and announces each new report once it is committed.
//
// The service is source-neutral: it takes plain Go values, so the REST door
// and any later door feed it alike.
package reports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// TopicCreated is the pub/sub topic of committed reports; the payload is a
// CreatedEvent.
const TopicCreated = "report.created"

// CreatedEvent is the payload of a TopicCreated event. Subscribers reload
// the report by id through their own authorization.
type CreatedEvent struct {
	ID         string `json:"id"`
	GroupID    string `json:"groupId"`
	IsNewGroup bool   `json:"isNewGroup"`
}

// Input is one bug report as a door decoded it. The documents are JSON
// objects (UserContext, CustomMetadata, DeviceInfo) or arrays of objects
// (Timeline, ConsoleErrors, NetworkFailures), or nil; the door has checked
// their shape and bounded their size.
type Input struct {
	ProjectID, PublicKeyID string

	Message  string
	Category enums.ReportCategory
	Severity enums.ReportSeverity

	// ReporterEmail is optional.
	ReporterEmail string

	PageURL, AppVersion string

	UserContext, CustomMetadata, DeviceInfo  json.RawMessage
	Timeline, ConsoleErrors, NetworkFailures json.RawMessage

	// Consent must be true: a report is stored only with the user's consent.
	Consent bool

	Attachments []attachments.Upload
}

// Result identifies the stored report and its group.
type Result struct {
	ID, GroupID string
	// IsNewGroup is true for the report that created its group.
	IsNewGroup bool
}

// Service ingests reports. It checks that the viewer in the caller's
// context, normally the SDK's public key, may write into the report's
// project, then writes as the system: the report joins a group commit
// with other requests' reports (see package groupcommit).
type Service struct {
	client   *ent.Client
	files    attachments.Saver
	broker   pubsub.Broker
	now      func() time.Time
	webhooks *webhooks.Notifier
	commits  *groupcommit.Committer[pending, Result]
}

// New returns a service on the root client. files may be nil when no door
// accepts attachments, broker nil when nothing listens live, and now nil
// for time.Now.
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

// maxBatch bounds the reports written in one transaction.
const maxBatch = 64

// Option tunes a Service.
type Option func(*options)

type options struct {
	writers  int
	webhooks *webhooks.Notifier
}

// Writers sets how many transactions may write reports at a time (1 by
// default, right for SQLite's single writer). On PostgreSQL a few let one
// batch be built while another commits.
func Writers(n int) Option { return func(o *options) { o.writers = max(n, 1) } }

// Webhooks notifies projects' webhooks of what ingest writes, in the
// writing transaction.
func Webhooks(n *webhooks.Notifier) Option { return func(o *options) { o.webhooks = n } }

// derived is what the service computes from a sanitised input.
type derived struct {
	fingerprint  string
	groupURL     string
	groupMessage string
	browser, os  string
	userKey      string
}

// maxUserKeyBytes is the schema's bound on ReportGroupUser.user_key.
const maxUserKeyBytes = 320

func derive(in Input) derived {
	firstError := firstErrorMessage(in.ConsoleErrors)
	d := derived{
		fingerprint:  GroupFingerprint(in.PageURL, firstError),
		groupURL:     NormalizeURL(in.PageURL),
		groupMessage: NormalizeMessage(firstError),
		userKey:      userKey(in.UserContext, in.ReporterEmail),
	}
	d.browser, d.os = parseUserAgent(userAgentOf(in.DeviceInfo))
	return d
}

// userKey identifies the reporter for the affected-users count: the app's
// user id (userContext.id, a string or a number), else the reporter's email,
// else nobody. An id too long for the column is replaced by its hash, which
// still counts that user once.
func userKey(userContext json.RawMessage, email string) string {
	key := ""
	if len(userContext) > 0 {
		var uc map[string]json.RawMessage
		if json.Unmarshal(userContext, &uc) == nil {
			if raw := uc["id"]; len(raw) > 0 {
				var s string
				var n json.Number
				switch {
				case json.Unmarshal(raw, &s) == nil:
					key = strings.TrimSpace(s)
				case json.Unmarshal(raw, &n) == nil:
					key = n.String()
				}
			}
		}
	}
	if key == "" {
		key = strings.ToLower(email)
	}
	if len(key) > maxUserKeyBytes {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	return key
}

// Ingest validates, sanitises and stores a report with its attachments in
// one transaction, counting it into its group, and publishes TopicCreated
// once committed. ctx carries the viewer the writes are made as.
func (s *Service) Ingest(ctx context.Context, in Input) (Result, error) {
	if in.ProjectID == "" {
		return Result{}, errors.New("ingest report: no project id")
	}
	// Refused before any work on the input.
	if err := viewer.FromContext(ctx).MayIngest(in.ProjectID); err != nil {
		return Result{}, fmt.Errorf("ingest report: %w", err)
	}
	if err := validate(&in); err != nil {
		return Result{}, err
	}
	if len(in.Attachments) > 0 && s.files == nil {
		return Result{}, errors.New("ingest report: attachments sent but no attachment store configured")
	}
	Sanitize(&in)
	p := pending{in: in, d: derive(in)}
	var res Result
	var err error
	if len(in.Attachments) > 0 {
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
	s.publish(ctx, in.ProjectID, res)
	return res, nil
}

// publish announces a committed report. A failure is logged, never
// returned: the report is stored and the client must not resend it, and
// nothing durable hangs on the event (live views show the report on their
// next load). The request's cancellation does not apply: the client may hang
// up once it has its answer.
func (s *Service) publish(ctx context.Context, projectID string, res Result) {
	if s.broker == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	payload, err := json.Marshal(CreatedEvent(res))
	if err == nil {
		err = s.broker.Publish(ctx, pubsub.Event{Topic: TopicCreated, ProjectID: projectID, Payload: payload})
	}
	if err != nil {
		logging.FromContext(ctx, nil).WarnContext(ctx, "report stored but not announced to live subscribers",
			"report_id", res.ID, "project_id", projectID, "error", err)
	}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
