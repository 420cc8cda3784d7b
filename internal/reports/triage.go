package reports

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/ent/predicate"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/reportchange"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/user"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/search"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Triage: what the dashboard and integrations do with stored reports. Every
// call acts as the viewer in ctx; the privacy policies decide what it may do.

var (
	// defaultOrder shows the newest reports first.
	defaultOrder = &ent.ReportOrder{Direction: entgql.OrderDirectionDesc, Field: ent.ReportOrderFieldCreatedAt}
	// defaultGroupOrder shows the busiest groups first.
	defaultGroupOrder = &ent.ReportGroupOrder{Direction: entgql.OrderDirectionDesc, Field: ent.ReportGroupOrderFieldReportCount}
)

// List returns a page of reports, of one project when projectID is set,
// matching the full-text searchText when set (see package search) and
// where, in order (newest first by default). The edges the GraphQL request
// selects are loaded with the page, in one query per edge.
func (s *Service) List(ctx context.Context, projectID, searchText *string, where *ent.ReportWhereInput, order *ent.ReportOrder,
	after *ent.Cursor, first *int, before *ent.Cursor, last *int,
) (*ent.ReportConnection, error) {
	q := s.db(ctx).Report.Query()
	if projectID != nil {
		q.Where(report.ProjectID(*projectID))
	}
	if searchText != nil {
		sq, err := search.Parse(*searchText)
		if err != nil {
			return nil, err
		}
		q.Where(search.Reports(sq))
	}
	if order == nil {
		order = defaultOrder
	}
	conn, err := q.Paginate(ctx, after, first, before, last,
		ent.WithReportOrder(order), ent.WithReportFilter(whereFilter(where)))
	if err != nil {
		// Caller errors (where, search, first/last) stay recognisable
		// through the wrapping.
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return conn, nil
}

// whereFilter applies where, refusing an empty nested input ({not: {}}),
// which entgql reports as a plain error.
func whereFilter(where *ent.ReportWhereInput) func(*ent.ReportQuery) (*ent.ReportQuery, error) {
	return func(q *ent.ReportQuery) (*ent.ReportQuery, error) {
		q, err := where.Filter(q)
		if errors.Is(err, ent.ErrEmptyReportWhereInput) {
			return nil, &apperr.Error{Kind: apperr.Invalid, Message: "where: has an empty condition",
				Fields: map[string]string{"where": "has an empty condition"}, Err: err}
		}
		return q, err
	}
}

// Groups returns a page of report groups, of one project when projectID is
// set, in order (the most reports first by default).
func (s *Service) Groups(ctx context.Context, projectID *string, order *ent.ReportGroupOrder,
	after *ent.Cursor, first *int, before *ent.Cursor, last *int,
) (*ent.ReportGroupConnection, error) {
	q := s.db(ctx).ReportGroup.Query()
	if projectID != nil {
		q.Where(reportgroup.ProjectID(*projectID))
	}
	if order == nil {
		order = defaultGroupOrder
	}
	conn, err := q.Paginate(ctx, after, first, before, last, ent.WithReportGroupOrder(order))
	if err != nil {
		return nil, fmt.Errorf("list report groups: %w", err)
	}
	return conn, nil
}

// Change is a triage change of a report. Nil fields stay as they are.
type Change struct {
	Status *enums.ReportStatus
	// SetAssignee says whether to change the assignee: to AssigneeID, or to
	// nobody when AssigneeID is nil.
	SetAssignee bool
	AssigneeID  *string
}

// Update applies c to the report in one transaction and records each field
// that actually changes as a ReportChange: from what, to what, by whom.
// Every transition is allowed. Unknown report: NotFound; unknown assignee:
// Invalid on "assigneeId".
func (s *Service) Update(ctx context.Context, id string, c Change) (*ent.Report, error) {
	if c.Status != nil && !c.Status.Valid() {
		return nil, apperr.InvalidField("status", "must be one of "+strings.Join(enums.ReportStatus("").Values(), ", "))
	}
	if c.SetAssignee && c.AssigneeID != nil && *c.AssigneeID == "" {
		return nil, apperr.InvalidField("assigneeId", "must be a user id, or null to unassign")
	}
	var r *ent.Report
	opened, err := s.inTx(ctx, func(ctx context.Context, db *ent.Client) error {
		cur, err := db.Report.Query().Where(report.ID(id), lockRow()).Only(ctx)
		if err != nil {
			return reportLookupError("update report", err)
		}
		now := s.now()
		u := db.Report.UpdateOne(cur).SetUpdatedAt(now)
		var changes []*ent.ReportChangeCreate
		record := func(f reportchange.Field, from, to string) {
			changes = append(changes, db.ReportChange.Create().
				SetReportID(id).
				SetNillableActorID(actorID(ctx)).
				SetField(f).
				SetFromValue(from).
				SetToValue(to).
				SetCreatedAt(now))
		}
		if c.Status != nil && *c.Status != cur.Status {
			u.SetStatus(*c.Status)
			record(reportchange.FieldStatus, string(cur.Status), string(*c.Status))
		}
		if c.SetAssignee {
			from, to := deref(cur.AssigneeID), deref(c.AssigneeID)
			if to != from {
				if to != "" {
					if err := checkUser(ctx, db, to); err != nil {
						return err
					}
				}
				u.SetNillableAssigneeID(c.AssigneeID)
				if to == "" {
					u.ClearAssigneeID()
				}
				record(reportchange.FieldAssignee, from, to)
			}
		}
		if len(changes) == 0 {
			// Nothing changes, so nothing is written: updated_at keeps
			// saying when the report last changed.
			r = cur
			return nil
		}
		if r, err = u.Save(ctx); err != nil {
			if ent.IsConstraintError(err) {
				// The assignee was deleted since checkUser.
				return unknownAssignee()
			}
			return fmt.Errorf("update report: %w", err)
		}
		if err := db.ReportChange.CreateBulk(changes...).Exec(ctx); err != nil {
			return fmt.Errorf("update report: record changes: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if opened {
		// Edges resolved later (assignee, changes) must not go through the
		// committed transaction.
		r = r.Unwrap()
	}
	return r, nil
}

func checkUser(ctx context.Context, db *ent.Client, id string) error {
	ok, err := db.User.Query().Where(user.ID(id)).Exist(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("update report: look up assignee: %w", err)
	case !ok:
		return unknownAssignee()
	}
	return nil
}

func unknownAssignee() *apperr.Error {
	return apperr.InvalidField("assigneeId", "no such user")
}

// actorID is who makes a change: the signed-in user. An API token acts for
// an integration, not a person, and is recorded as nobody.
func actorID(ctx context.Context) *string {
	if v := viewer.FromContext(ctx); v.Kind == viewer.User && v.UserID != "" {
		return &v.UserID
	}
	return nil
}

// Delete deletes a report; its attachments, comments and changes go with it
// (the foreign keys cascade). Its group counts one report fewer, and goes
// when it has none left. The attachments' bytes are deleted once the
// deletion is committed: before, a rollback would leave rows pointing at
// nothing.
func (s *Service) Delete(ctx context.Context, id string) error {
	_, err := s.inTx(ctx, func(ctx context.Context, db *ent.Client) error {
		r, err := db.Report.Query().Where(report.ID(id), lockRow()).Only(ctx)
		if err != nil {
			return reportLookupError("delete report", err)
		}
		keys, err := db.Attachment.Query().
			Where(attachment.ReportID(id)).
			Select(attachment.FieldStorageKey).
			Strings(ctx)
		if err != nil {
			return fmt.Errorf("delete report: list attachments: %w", err)
		}
		if err := db.Report.DeleteOneID(id).Exec(ctx); err != nil {
			return reportLookupError("delete report", err)
		}
		if r.GroupID != nil {
			if err := s.uncount(ctx, db, *r.GroupID); err != nil {
				return err
			}
		}
		if len(keys) > 0 {
			s.deleteBlobsOnCommit(ctx, keys)
		}
		return nil
	})
	return err
}

// uncount takes a deleted report out of its group's count, and deletes the
// group when that was its last report, so groups list only what exists. The
// affected users stay counted: a report does not record which user key it
// added, so the count is "users who met this group".
//
// The decrement locks the group row, so a concurrent ingest either counted
// into it first (and the group stays) or waits and, finding it deleted,
// creates it anew (INSERT … ON CONFLICT retries on a deleted row).
func (s *Service) uncount(ctx context.Context, db *ent.Client, groupID string) error {
	err := db.ReportGroup.Update().
		Where(reportgroup.ID(groupID), reportgroup.ReportCountGT(0)).
		AddReportCount(-1).
		SetUpdatedAt(s.now()).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete report: uncount group: %w", err)
	}
	_, err = db.ReportGroup.Delete().
		Where(reportgroup.ID(groupID), reportgroup.ReportCountLTE(0)).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete report: delete empty group: %w", err)
	}
	return nil
}

// deleteBlobsOnCommit deletes the blobs after the transaction in ctx
// commits. The request may be over by then.
func (s *Service) deleteBlobsOnCommit(ctx context.Context, keys []string) {
	if s.files == nil {
		// Without a store nothing wrote these blobs through this server.
		logging.FromContext(ctx, nil).WarnContext(ctx, "report deleted but no attachment store is configured to delete its files",
			"files", len(keys))
		return
	}
	dbtx.AfterCommit(ctx, func(ctx context.Context) { s.files.DeleteBlobs(ctx, keys) })
}

// lockRow locks the selected report until the transaction ends, so two
// concurrent triage changes record their true "from" values. SQLite has no
// row locks and needs none: its write transactions begin IMMEDIATE (see
// package database) and so run one after the other.
func lockRow() predicate.Report {
	return func(s *sql.Selector) {
		if s.Dialect() == dialect.Postgres {
			s.ForUpdate()
		}
	}
}

func reportNotFound() *apperr.Error { return apperr.New(apperr.NotFound, "report not found") }

func reportLookupError(op string, err error) error {
	if ent.IsNotFound(err) {
		return reportNotFound()
	}
	// Privacy denials keep their viewer error for the transports to map.
	return fmt.Errorf("%s: %w", op, err)
}

// db is the transaction's client when the caller runs one (GraphQL
// mutations do), so the service's writes commit or roll back with it.
func (s *Service) db(ctx context.Context) *ent.Client { return dbtx.Client(ctx, s.client) }

// inTx runs fn in the caller's transaction, or in a new one when there is
// none; either way ctx in fn carries the transaction. opened tells the caller
// whether entities it got from fn must be unwrapped from a transaction that
// is over.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, c *ent.Client) error) (opened bool, err error) {
	return dbtx.Run(ctx, s.client, fn)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
