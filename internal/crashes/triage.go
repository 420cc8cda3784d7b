package crashes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/predicate"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/user"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
)

// maxResolutionNotesLen bounds a group's resolution notes, in bytes.
const maxResolutionNotesLen = 10_000

// defaultGroupOrder puts the groups that crashed most recently first: what
// needs attention now.
var defaultGroupOrder = &ent.CrashGroupOrder{
	Direction: entgql.OrderDirectionDesc,
	Field:     ent.CrashGroupOrderFieldLastSeenAt,
}

// db is the caller's client when it set one (GraphQL mutations run in a
// transaction), so reads and writes go with that transaction.
func (s *Service) db(ctx context.Context) *ent.Client { return dbtx.Client(ctx, s.client) }

// Groups lists crash groups, of one project or of all, most recently seen
// first unless order says otherwise. where may carry SeenInVersion and
// SeenOnPlatform through its AddPredicates.
func (s *Service) Groups(ctx context.Context, projectID *string, where *ent.CrashGroupWhereInput, order *ent.CrashGroupOrder,
	after *ent.Cursor, first *int, before *ent.Cursor, last *int) (*ent.CrashGroupConnection, error) {
	q := s.db(ctx).CrashGroup.Query()
	if projectID != nil {
		q.Where(crashgroup.ProjectID(*projectID))
	}
	if order == nil {
		order = defaultGroupOrder
	}
	opts := []ent.CrashGroupPaginateOption{ent.WithCrashGroupOrder(order)}
	if where != nil {
		opts = append(opts, ent.WithCrashGroupFilter(where.Filter))
	}
	conn, err := q.Paginate(ctx, after, first, before, last, opts...)
	if err != nil {
		return nil, fmt.Errorf("list crash groups: %w", err)
	}
	return conn, nil
}

// SeenInVersion matches the groups that crashed in app version v.
func SeenInVersion(v string) predicate.CrashGroup {
	return jsonArrayContains(crashgroup.FieldAffectedVersions, v)
}

// SeenOnPlatform matches the groups that crashed on platform p.
func SeenOnPlatform(p string) predicate.CrashGroup {
	return jsonArrayContains(crashgroup.FieldAffectedPlatforms, p)
}

// jsonArrayContains matches rows whose JSON array column holds the string
// v: jsonb containment on PostgreSQL, json_each on SQLite. The value is
// stored as ingest trimmed it, so it is trimmed here too.
func jsonArrayContains(column, v string) predicate.CrashGroup {
	v = strings.TrimSpace(v)
	return func(s *sql.Selector) {
		s.Where(sqljson.ValueContains(s.C(column), v))
	}
}

// GroupChange is a triage change to a crash group. Nil fields are left as
// they are.
type GroupChange struct {
	Status *enums.CrashGroupStatus
	// SetAssignee tells whether AssigneeID applies: a nil AssigneeID then
	// unassigns.
	SetAssignee bool
	AssigneeID  *string
	// ResolutionNotes replaces the notes; "" empties them.
	ResolutionNotes *string
	// ResolvedInVersion is the version that fixes the crash, for a group
	// that is or becomes resolved; "" removes it. See UpdateGroup.
	ResolvedInVersion *string
}

// UpdateGroup applies a triage change to a crash group in one transaction
// (the caller's, when ctx carries one) and publishes TopicCrashGroupUpdated
// once it is committed.
//
// Resolving a group records when (resolvedAt) and in which version
// (ResolvedInVersion; without one, any later crash reopens the group).
// Resolving an already resolved group keeps its resolvedAt, and its
// version unless a new one is given. Moving a group away from resolved
// clears resolvedAt but keeps the version, as a regression does: it says
// which fix did not hold.
func (s *Service) UpdateGroup(ctx context.Context, id string, c GroupChange) (*ent.CrashGroup, error) {
	v, err := validateChange(c)
	if err != nil {
		return nil, err
	}
	if tx := ent.TxFromContext(ctx); tx != nil {
		g, err := s.updateGroup(ctx, tx.Client(), id, v)
		if err != nil {
			return nil, err
		}
		s.publishOnCommit(ctx, g)
		return g, nil
	}

	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("update crash group: begin transaction: %w", err)
	}
	// The deferred rollback covers a panic; after a commit it does nothing.
	defer func() { _ = tx.Rollback() }()
	g, err := s.updateGroup(ctx, tx.Client(), id, v)
	if err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return nil, errors.Join(err, fmt.Errorf("update crash group: roll back: %w", rerr))
		}
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("update crash group: commit: %w", err)
	}
	s.publishGroupUpdated(ctx, g.ProjectID, g.ID)
	// Edges resolved later (assignee in the mutation's answer) must not go
	// through the committed transaction.
	return g.Unwrap(), nil
}

// change is a GroupChange checked and trimmed.
type change struct {
	status      *enums.CrashGroupStatus
	setAssignee bool
	assigneeID  *string
	notes       *string
	// version is nil when not given, "" to remove it.
	version *string
}

func validateChange(c GroupChange) (change, error) {
	v := change{status: c.Status, setAssignee: c.SetAssignee, notes: c.ResolutionNotes}
	if c.Status != nil && !c.Status.Valid() {
		return v, apperr.InvalidField("status", "must be one of "+strings.Join(enums.CrashGroupStatus("").Values(), ", "))
	}
	if c.SetAssignee && c.AssigneeID != nil {
		id := strings.TrimSpace(*c.AssigneeID)
		if id == "" {
			return v, apperr.InvalidField("assigneeId", "must name a user, or be null to unassign")
		}
		v.assigneeID = &id
	}
	if c.ResolutionNotes != nil {
		if err := text("resolutionNotes", *c.ResolutionNotes, maxResolutionNotesLen); err != nil {
			return v, err
		}
	}
	if c.ResolvedInVersion != nil {
		version, err := line("resolvedInVersion", *c.ResolvedInVersion, false, maxVersionLen)
		if err != nil {
			return v, err
		}
		v.version = &version
	}
	return v, nil
}

// updateGroup does UpdateGroup's work with c, the transaction's client.
func (s *Service) updateGroup(ctx context.Context, c *ent.Client, id string, v change) (*ent.CrashGroup, error) {
	// Locked on PostgreSQL, so that a crash regressing the group cannot slip
	// between this read and the write decided from it. SQLite transactions
	// take the one write lock when they begin, so nothing can.
	g, err := c.CrashGroup.Query().
		Where(crashgroup.ID(id)).
		Modify(func(s *sql.Selector) {
			if s.Dialect() == dialect.Postgres {
				s.ForUpdate()
			}
		}).
		Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, apperr.New(apperr.NotFound, "crash group %q not found", id)
	case err != nil:
		return nil, fmt.Errorf("update crash group: %w", err)
	}

	status := g.Status
	if v.status != nil {
		status = *v.status
	}
	resolved := status == enums.CrashGroupStatusResolved
	if v.version != nil && *v.version != "" && !resolved {
		return nil, apperr.InvalidField("resolvedInVersion", "only applies to a resolved group")
	}

	now := s.now()
	u := c.CrashGroup.UpdateOneID(g.ID).SetUpdatedAt(now)
	switch wasResolved := g.Status == enums.CrashGroupStatusResolved; {
	case resolved && !wasResolved:
		u.SetResolvedAt(now)
		if v.version == nil {
			// A new resolution: a version left from an earlier one (a fix
			// that did not hold) must not decide what regresses this one.
			u.ClearResolvedInVersion()
		} else {
			setVersion(u, v.version)
		}
	case resolved:
		if g.ResolvedAt == nil {
			u.SetResolvedAt(now)
		}
		setVersion(u, v.version)
	case g.ResolvedAt != nil:
		u.ClearResolvedAt()
	}
	if v.status != nil {
		u.SetStatus(*v.status)
	}
	if v.setAssignee {
		if v.assigneeID == nil {
			u.ClearAssignee()
		} else {
			exists, err := c.User.Query().Where(user.ID(*v.assigneeID)).Exist(ctx)
			if err != nil {
				return nil, fmt.Errorf("update crash group: find assignee: %w", err)
			}
			if !exists {
				return nil, apperr.InvalidField("assigneeId", "no such user")
			}
			u.SetAssigneeID(*v.assigneeID)
		}
	}
	if v.notes != nil {
		u.SetResolutionNotes(*v.notes)
	}
	g, err = u.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("update crash group: %w", err)
	}
	return g, nil
}

func setVersion(u *ent.CrashGroupUpdateOne, version *string) {
	switch {
	case version == nil:
	case *version == "":
		u.ClearResolvedInVersion()
	default:
		u.SetResolvedInVersion(*version)
	}
}

// publishOnCommit publishes the group's update once the caller's
// transaction commits, and never if it rolls back.
func (s *Service) publishOnCommit(ctx context.Context, g *ent.CrashGroup) {
	projectID, id := g.ProjectID, g.ID
	dbtx.AfterCommit(ctx, func(ctx context.Context) { s.publishGroupUpdated(ctx, projectID, id) })
}

// publishGroupUpdated announces a committed change to a group. A failure is
// logged, not returned: the change is made, and live views catch up on
// their next load.
func (s *Service) publishGroupUpdated(ctx context.Context, projectID, groupID string) {
	if s.broker == nil {
		return
	}
	pctx := context.WithoutCancel(ctx)
	payload, _ := json.Marshal(groupEvent{ID: groupID})
	err := s.broker.Publish(pctx, pubsub.Event{Topic: TopicCrashGroupUpdated, ProjectID: projectID, Payload: payload})
	if err != nil {
		logging.FromContext(ctx, nil).LogAttrs(pctx, slog.LevelWarn, "publish event failed",
			slog.String("topic", TopicCrashGroupUpdated), slog.String("id", groupID), slog.Any("error", err))
	}
}
