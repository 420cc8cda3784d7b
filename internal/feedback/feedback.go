// Package feedback ingests in-app feedback (the RFC): a bug, an idea or a
// remark from a user, with the app's context and optional attachments.
//
// The service is source-neutral: any door (REST today, a Sentry envelope's
// user feedback tomorrow) feeds it plain Go values.
package feedback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
)

// TopicFeedbackCreated carries {"id"}, published after commit.
const TopicFeedbackCreated = "feedback.created"

// Limits, in bytes as ent's MaxLen counts them, so what passes here also
// passes the schema's validators.
const (
	maxMessageLen = 10_000
	maxEmailLen   = 320 // the schema's MaxLen, and RFC 3696's longest address
	maxVersionLen = 100 // app version, platform and OS version: the schema's MaxLen
)

// Input is one piece of feedback as a door received it.
type Input struct {
	ProjectID, PublicKeyID string
	Category               enums.FeedbackCategory
	Message                string
	// Email is the user's, when they chose to leave it; "" otherwise.
	Email, AppVersion, Platform, OSVersion string
	// DeviceInfo is an opaque JSON object; nil when absent.
	DeviceInfo  json.RawMessage
	Attachments []attachments.Upload
}

// Service ingests feedback.
type Service struct {
	client   *ent.Client
	files    attachments.Saver
	broker   pubsub.Broker
	webhooks *webhooks.Notifier
}

// Option tunes a Service.
type Option func(*Service)

// Webhooks notifies projects' webhooks of new feedback, in the writing
// transaction.
func Webhooks(n *webhooks.Notifier) Option { return func(s *Service) { s.webhooks = n } }

// New returns a service on the root client. files may be nil when no
// feedback carries attachments, broker when nothing listens.
func New(client *ent.Client, files attachments.Saver, broker pubsub.Broker, opts ...Option) *Service {
	s := &Service{client: client, files: files, broker: broker}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Ingest stores a piece of feedback and its attachments in one transaction,
// and publishes TopicFeedbackCreated once it is committed.
//
// ctx carries the viewer the privacy policies check, normally the SDK's
// public key; the writes are made as that viewer.
func (s *Service) Ingest(ctx context.Context, in Input) (id string, err error) {
	v, err := validate(in)
	if err != nil {
		return "", err
	}
	if len(in.Attachments) > 0 && s.files == nil {
		return "", errors.New("ingest feedback: attachments sent but no attachment store configured")
	}

	err = dbtx.RunNewUndoing(ctx, s.client, func(ctx context.Context, c *ent.Client, undo *[]func()) error {
		var (
			cleanup func()
			err     error
		)
		id, cleanup, err = insert(ctx, c, s.files, v, in.Attachments)
		if cleanup != nil {
			*undo = append(*undo, cleanup)
		}
		if err != nil {
			return err
		}
		return s.webhooks.Notify(ctx, c, []webhooks.Event{{Name: webhooks.EventFeedbackCreated, ProjectID: v.projectID, ItemID: id}})
	})
	if err != nil {
		return "", fmt.Errorf("ingest feedback: %w", err)
	}

	s.publish(ctx, v.projectID, id)
	return id, nil
}

func insert(ctx context.Context, c *ent.Client, files attachments.Saver, v values, uploads []attachments.Upload) (string, func(), error) {
	create := c.Feedback.Create().
		SetProjectID(v.projectID).
		SetNillablePublicKeyID(v.publicKeyID).
		SetCategory(v.category).
		SetMessage(v.message).
		SetNillableEmail(v.email).
		SetAppVersion(v.appVersion).
		SetPlatform(v.platform).
		SetNillableOsVersion(v.osVersion)
	// Set only when present: ent would store a nil document as JSON null,
	// not SQL NULL.
	if v.deviceInfo != nil {
		create.SetDeviceInfo(v.deviceInfo)
	}
	f, err := create.Save(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("ingest feedback: insert: %w", err)
	}
	if len(uploads) == 0 {
		return f.ID, nil, nil
	}
	_, cleanup, err := files.Save(ctx, c, attachments.Owner{FeedbackID: f.ID}, uploads)
	if err != nil {
		return "", cleanup, fmt.Errorf("ingest feedback: save attachments: %w", err)
	}
	return f.ID, cleanup, nil
}

// publish announces committed feedback. A failure is logged and not
// returned: the feedback is stored, and an error would make the SDK send it
// again, storing it twice. Live views catch up on their next load.
func (s *Service) publish(ctx context.Context, projectID, id string) {
	if s.broker == nil {
		return
	}
	// The request may be cancelled the moment it is answered; the event is
	// owed to subscribers regardless.
	pctx := context.WithoutCancel(ctx)
	payload, _ := json.Marshal(struct {
		ID string `json:"id"`
	}{id})
	err := s.broker.Publish(pctx, pubsub.Event{Topic: TopicFeedbackCreated, ProjectID: projectID, Payload: payload})
	if err != nil {
		logging.FromContext(ctx, nil).LogAttrs(pctx, slog.LevelWarn, "publish event failed",
			slog.String("topic", TopicFeedbackCreated), slog.String("id", id), slog.Any("error", err))
	}
}

// values is an Input checked and put in the shape it is stored in.
type values struct {
	projectID            string
	publicKeyID          *string
	category             enums.FeedbackCategory
	message              string
	email                *string
	appVersion, platform string
	osVersion            *string
	deviceInfo           json.RawMessage
}

func validate(in Input) (values, error) {
	v := values{projectID: in.ProjectID}
	if in.PublicKeyID != "" {
		v.publicKeyID = &in.PublicKeyID
	}
	switch {
	case in.Category == "":
		return v, apperr.InvalidField("category", "is required")
	case !in.Category.Valid():
		return v, apperr.InvalidField("category", "must be one of "+strings.Join(enums.FeedbackCategory("").Values(), ", "))
	}
	v.category = in.Category

	// Surrounding blank lines are an artefact of the text box, not content.
	v.message = strings.TrimSpace(in.Message)
	switch {
	case v.message == "":
		return v, apperr.InvalidField("message", "is required")
	case len(v.message) > maxMessageLen:
		return v, apperr.InvalidField("message", fmt.Sprintf("must be at most %d characters", maxMessageLen))
	case !utf8.ValidString(v.message):
		return v, apperr.InvalidField("message", "must be valid UTF-8 text")
	case strings.IndexByte(v.message, 0) >= 0:
		// PostgreSQL cannot store NUL in text.
		return v, apperr.InvalidField("message", "must not contain NUL characters")
	}

	var err error
	if v.email, err = validateEmail(in.Email); err != nil {
		return v, err
	}
	if v.appVersion, err = line("appVersion", in.AppVersion, true, maxVersionLen); err != nil {
		return v, err
	}
	if v.platform, err = line("platform", in.Platform, true, maxVersionLen); err != nil {
		return v, err
	}
	osVersion, err := line("osVersion", in.OSVersion, false, maxVersionLen)
	if err != nil {
		return v, err
	}
	if osVersion != "" {
		v.osVersion = &osVersion
	}
	if v.deviceInfo, err = jsonObject("deviceInfo", in.DeviceInfo); err != nil {
		return v, err
	}
	return v, nil
}

// validateEmail accepts a bare address (user@example.com), not a display
// name or comment around it: it is stored to write back to, as given.
func validateEmail(s string) (*string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	const field = "email"
	if len(s) > maxEmailLen {
		return nil, apperr.InvalidField(field, fmt.Sprintf("must be at most %d characters", maxEmailLen))
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return nil, apperr.InvalidField(field, "must be an email address such as user@example.com")
	}
	return &s, nil
}

// line checks a one-line value such as a version, and returns it trimmed.
func line(field, s string, required bool, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		return "", apperr.InvalidField(field, "is required")
	case len(s) > max:
		return "", apperr.InvalidField(field, fmt.Sprintf("must be at most %d characters", max))
	case !utf8.ValidString(s):
		return "", apperr.InvalidField(field, "must be valid UTF-8 text")
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", apperr.InvalidField(field, "must not contain control characters")
	}
	return s, nil
}

// jsonObject checks an opaque object. Ingest has checked it already, but
// other doors may not have, and the database would refuse what PostgreSQL's
// jsonb cannot hold with an internal error rather than a field error.
func jsonObject(field string, raw json.RawMessage) (json.RawMessage, error) {
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return nil, nil
	}
	if trimmed[0] != '{' || !json.Valid(raw) || !utf8.Valid(raw) {
		return nil, apperr.InvalidField(field, "must be a JSON object")
	}
	if problem := unstorableEscape(raw); problem != "" {
		return nil, apperr.InvalidField(field, problem)
	}
	return raw, nil
}

// unstorableEscape names escapes that PostgreSQL's jsonb rejects although
// JSON allows them: \u0000 and unpaired UTF-16 surrogates. raw must be
// valid JSON, where a backslash only ever starts an escape inside a string.
func unstorableEscape(raw []byte) string {
	hex4 := func(b []byte) rune {
		var r rune
		for _, c := range b {
			r <<= 4
			switch {
			case c >= '0' && c <= '9':
				r |= rune(c - '0')
			case c >= 'a' && c <= 'f':
				r |= rune(c-'a') + 10
			case c >= 'A' && c <= 'F':
				r |= rune(c-'A') + 10
			}
		}
		return r
	}
	high := func(r rune) bool { return r >= 0xD800 && r <= 0xDBFF }
	low := func(r rune) bool { return r >= 0xDC00 && r <= 0xDFFF }
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1 : i+5])
		i += 4
		switch {
		case r == 0:
			return "must not contain NUL characters"
		case low(r):
			return "must not contain unpaired UTF-16 surrogates"
		case high(r):
			if i+6 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' || !low(hex4(raw[i+3:i+7])) {
				return "must not contain unpaired UTF-16 surrogates"
			}
			i += 6
		}
	}
	return ""
}

// UpdateInput is a triage change of a piece of feedback.
type UpdateInput struct {
	Status        *enums.FeedbackStatus
	InternalNotes *string
}
