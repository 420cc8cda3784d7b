// Package comments is the internal discussion on reports, crash groups and
// feedback.
package comments

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// maxBodyLen is the schema's MaxLen, in bytes as ent counts them, so what
// passes here also passes the schema's validator.
const maxBodyLen = 10_000

// AddInput is a new comment on exactly one subject.
type AddInput struct {
	Body                               string
	ReportID, CrashGroupID, FeedbackID *string
}

// Service writes comments. Reading them is ent's and entgql's job (the
// subjects' comments edges).
type Service struct {
	client *ent.Client
}

// New returns a service on the root client.
func New(client *ent.Client) *Service {
	return &Service{client: client}
}

// db is the caller's client when it runs a transaction (GraphQL mutations
// do), so the comment commits or rolls back with the rest of the request.
func (s *Service) db(ctx context.Context) *ent.Client { return dbtx.Client(ctx, s.client) }

// subject is the one thing a comment is about.
type subject struct {
	field, noun, id string
	exists          func(context.Context, *ent.Client, string) (bool, error)
	set             func(*ent.CommentCreate, string) *ent.CommentCreate
}

var subjects = []subject{
	{field: "reportId", noun: "report",
		exists: func(ctx context.Context, c *ent.Client, id string) (bool, error) {
			return c.Report.Query().Where(report.ID(id)).Exist(ctx)
		},
		set: (*ent.CommentCreate).SetReportID},
	{field: "crashGroupId", noun: "crash group",
		exists: func(ctx context.Context, c *ent.Client, id string) (bool, error) {
			return c.CrashGroup.Query().Where(crashgroup.ID(id)).Exist(ctx)
		},
		set: (*ent.CommentCreate).SetCrashGroupID},
	{field: "feedbackId", noun: "feedback",
		exists: func(ctx context.Context, c *ent.Client, id string) (bool, error) {
			return c.Feedback.Query().Where(feedback.ID(id)).Exist(ctx)
		},
		set: (*ent.CommentCreate).SetFeedbackID},
}

// Add writes a comment by the viewer on one report, crash group or piece of
// feedback. A signed-in user is its author; an integration's API token
// stands for no user, so its comments have none.
func (s *Service) Add(ctx context.Context, in AddInput) (*ent.Comment, error) {
	subj, err := pickSubject(in)
	if err != nil {
		return nil, err
	}
	body, err := checkBody(in.Body)
	if err != nil {
		return nil, err
	}
	c := s.db(ctx)
	// Checked as the viewer, so a subject the viewer may not see does not
	// exist for it either.
	ok, err := subj.exists(ctx, c, subj.id)
	if err != nil {
		return nil, fmt.Errorf("add comment: find the %s: %w", subj.noun, err)
	}
	if !ok {
		return nil, &apperr.Error{Kind: apperr.NotFound, Message: subj.noun + " " + subj.id + " not found",
			Fields: map[string]string{subj.field: "not found"}}
	}
	create := subj.set(c.Comment.Create().SetBody(body), subj.id)
	if v := viewer.FromContext(ctx); v.Kind == viewer.User {
		create.SetAuthorID(v.UserID)
	}
	cm, err := create.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("add comment: %w", err)
	}
	return cm, nil
}

func pickSubject(in AddInput) (subject, error) {
	ids := []*string{in.ReportID, in.CrashGroupID, in.FeedbackID}
	var (
		picked []subject
		fields = map[string]string{}
	)
	for i, id := range ids {
		if id == nil {
			continue
		}
		subj := subjects[i]
		subj.id = *id
		picked = append(picked, subj)
	}
	switch len(picked) {
	case 1:
		return picked[0], nil
	case 0:
		for _, subj := range subjects {
			fields[subj.field] = "one of reportId, crashGroupId and feedbackId is required"
		}
	default:
		for _, subj := range picked {
			fields[subj.field] = "only one of reportId, crashGroupId and feedbackId may be given"
		}
	}
	return subject{}, &apperr.Error{Kind: apperr.Invalid,
		Message: "a comment is about exactly one report, crash group or piece of feedback", Fields: fields}
}

// checkBody returns the body without the blank lines and spaces a text box
// leaves around it.
func checkBody(s string) (string, error) {
	const field = "body"
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", apperr.InvalidField(field, "is required")
	case len(s) > maxBodyLen:
		return "", apperr.InvalidField(field, fmt.Sprintf("must be at most %d bytes", maxBodyLen))
	case !utf8.ValidString(s):
		return "", apperr.InvalidField(field, "must be valid UTF-8 text")
	case strings.IndexByte(s, 0) >= 0:
		// PostgreSQL cannot store NUL in text.
		return "", apperr.InvalidField(field, "must not contain NUL characters")
	}
	return s, nil
}
