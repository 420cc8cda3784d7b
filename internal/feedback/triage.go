package feedback

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"entgo.io/contrib/entgql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	entfeedback "github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
)

// maxNotesLen bounds internal notes, in bytes: the dashboard's notes field
// is for triage remarks, not documents.
const maxNotesLen = 10_000

// Page sizes of List. The GraphQL layer has the same bounds; they are
// repeated here because a resolver passes its arguments straight through,
// and without a limit entgql would return every row.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// db is the caller's client when it runs a transaction (GraphQL mutations
// do), so writes commit or roll back with the rest of the request.
func (s *Service) db(ctx context.Context) *ent.Client { return dbtx.Client(ctx, s.client) }

// List returns a page of feedback, newest first unless order says
// otherwise. projectID and search are optional; search is full-text over
// the message. Pagination keeps entgql's field collection, so the edges a
// GraphQL query selects are loaded with the page rather than per node.
func (s *Service) List(ctx context.Context, projectID, search *string, where *ent.FeedbackWhereInput,
	order *ent.FeedbackOrder, after *ent.Cursor, first *int, before *ent.Cursor, last *int,
) (*ent.FeedbackConnection, error) {
	first, last, err := pageSize(first, last)
	if err != nil {
		return nil, err
	}
	q := s.db(ctx).Feedback.Query()
	if projectID != nil {
		q.Where(entfeedback.ProjectID(*projectID))
	}
	if q, err = where.Filter(q); err != nil {
		return nil, &apperr.Error{Kind: apperr.Invalid, Message: "where: invalid filter",
			Fields: map[string]string{"where": "is invalid"}, Err: err}
	}
	if search != nil {
		p, err := searchPredicate(*search)
		if err != nil {
			return nil, err
		}
		if p != nil {
			q.Where(p)
		}
	}
	if order == nil {
		order = &ent.FeedbackOrder{Field: ent.FeedbackOrderFieldCreatedAt, Direction: entgql.OrderDirectionDesc}
	}
	conn, err := q.Paginate(ctx, after, first, before, last, ent.WithFeedbackOrder(order))
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return conn, nil
}

// pageSize checks first and last and fills in the default page size.
func pageSize(first, last *int) (*int, *int, error) {
	for name, v := range map[string]*int{"first": first, "last": last} {
		if v != nil && (*v < 0 || *v > maxPageSize) {
			return nil, nil, apperr.InvalidField(name, fmt.Sprintf("must be between 0 and %d", maxPageSize))
		}
	}
	if first != nil && last != nil {
		return nil, nil, apperr.InvalidField("last", "cannot be combined with first")
	}
	if first == nil && last == nil {
		n := defaultPageSize
		first = &n
	}
	return first, last, nil
}

// Update applies a triage change: the status, the internal notes, or both.
// An empty change returns the feedback as it is.
func (s *Service) Update(ctx context.Context, id string, in UpdateInput) (*ent.Feedback, error) {
	c := s.db(ctx)
	u := c.Feedback.UpdateOneID(id)
	changed := false
	if in.Status != nil {
		if !in.Status.Valid() {
			return nil, apperr.InvalidField("status", "must be one of "+strings.Join(enums.FeedbackStatus("").Values(), ", "))
		}
		u.SetStatus(*in.Status)
		changed = true
	}
	if in.InternalNotes != nil {
		if err := checkNotes(*in.InternalNotes); err != nil {
			return nil, err
		}
		u.SetInternalNotes(*in.InternalNotes)
		changed = true
	}
	var (
		f   *ent.Feedback
		err error
	)
	if changed {
		f, err = u.Save(ctx)
	} else {
		f, err = c.Feedback.Get(ctx, id)
	}
	switch {
	case ent.IsNotFound(err):
		return nil, apperr.New(apperr.NotFound, "feedback %s not found", id)
	case err != nil:
		return nil, fmt.Errorf("update feedback: %w", err)
	}
	return f, nil
}

// checkNotes accepts any text the database can store, blank included: an
// empty string clears the notes.
func checkNotes(s string) error {
	const field = "internalNotes"
	switch {
	case len(s) > maxNotesLen:
		return apperr.InvalidField(field, fmt.Sprintf("must be at most %d bytes", maxNotesLen))
	case !utf8.ValidString(s):
		return apperr.InvalidField(field, "must be valid UTF-8 text")
	case strings.IndexByte(s, 0) >= 0:
		// PostgreSQL cannot store NUL in text.
		return apperr.InvalidField(field, "must not contain NUL characters")
	}
	return nil
}

// Delete deletes a piece of feedback with its comments and attachments (the
// foreign keys cascade), then the attachments' files. The files go only
// once the deletion is committed: deleted first, a rollback would leave
// rows pointing at nothing.
func (s *Service) Delete(ctx context.Context, id string) error {
	_, err := dbtx.Run(ctx, s.client, func(ctx context.Context, c *ent.Client) error {
		keys, err := s.delete(ctx, c, id)
		if err == nil && len(keys) > 0 {
			dbtx.AfterCommit(ctx, func(ctx context.Context) { s.files.DeleteBlobs(ctx, keys) })
		}
		return err
	})
	return err
}

// delete removes the row inside a transaction and returns the storage keys
// of its attachments, read in the same transaction so none is missed.
func (s *Service) delete(ctx context.Context, c *ent.Client, id string) ([]string, error) {
	keys, err := c.Attachment.Query().
		Where(attachment.FeedbackID(id)).
		Select(attachment.FieldStorageKey).
		Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("delete feedback: list attachments: %w", err)
	}
	if len(keys) > 0 && s.files == nil {
		// Deleting would orphan the files for good.
		return nil, errors.New("delete feedback: it has attachments but no attachment store is configured")
	}
	err = c.Feedback.DeleteOneID(id).Exec(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, apperr.New(apperr.NotFound, "feedback %s not found", id)
	case err != nil:
		return nil, fmt.Errorf("delete feedback: %w", err)
	}
	return keys, nil
}
