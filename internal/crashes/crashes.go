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
	stdsql "database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
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
	Data          map[string]any
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
	Attachments []attachments.Upload
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
	client *ent.Client
	files  attachments.Saver
	broker pubsub.Broker
	now    func() time.Time
}

// New returns a service on the root client. now is the clock (time.Now when
// nil); files may be nil when no crash carries attachments, broker when
// nothing listens.
func New(client *ent.Client, files attachments.Saver, broker pubsub.Broker, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{client: client, files: files, broker: broker, now: now}
}

// Ingest stores a crash in its group, all in one transaction, and publishes
// TopicCrashReceived and TopicCrashGroupUpdated once it is committed.
//
// ctx carries the viewer the privacy policies check, normally the SDK's
// public key; the writes are made as that viewer.
func (s *Service) Ingest(ctx context.Context, in Input) (Result, error) {
	v, err := validate(in)
	if err != nil {
		return Result{}, err
	}
	if len(in.Attachments) > 0 && s.files == nil {
		return Result{}, errors.New("ingest crash: attachments sent but no attachment store configured")
	}
	now := s.now()

	res, err := s.inTx(ctx, v, in.Attachments, now)
	if errors.Is(err, errGroupGone) {
		// The group found was deleted before the crash could join it: once
		// more, which creates the group anew.
		res, err = s.inTx(ctx, v, in.Attachments, now)
	}
	if err != nil {
		return Result{}, err
	}
	s.publish(ctx, v.projectID, res)
	return res, nil
}

// inTx runs ingest in a transaction of its own, which it commits, or rolls
// back deleting the blobs it stored.
func (s *Service) inTx(ctx context.Context, v values, files []attachments.Upload, now time.Time) (Result, error) {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("ingest crash: begin transaction: %w", err)
	}
	var (
		cleanup func()
		done    bool
	)
	defer func() {
		if done {
			return
		}
		// Reached on a panic: the transaction (on SQLite, the one write
		// lock) must not outlive the request, nor the blobs it never keeps.
		_ = tx.Rollback()
		if cleanup != nil {
			cleanup()
		}
	}()
	res, cleanup, err := s.ingest(ctx, tx.Client(), v, files, now)
	if err != nil {
		done = true
		// Rolled back first: blob deletes can be slow, and the transaction
		// may hold the group's row lock (on SQLite, the one write lock).
		rerr := tx.Rollback()
		if cleanup != nil {
			cleanup()
		}
		if rerr != nil {
			return Result{}, errors.Join(err, fmt.Errorf("ingest crash: roll back: %w", rerr))
		}
		return Result{}, err
	}
	done = true
	if err := tx.Commit(); err != nil {
		// Rarely, a commit fails after the server applied it (a dropped
		// connection); the blobs are then missing behind committed rows.
		// Keeping blobs no row may reference would be the worse default.
		if cleanup != nil {
			cleanup()
		}
		return Result{}, fmt.Errorf("ingest crash: commit: %w", err)
	}
	return res, nil
}

// errGroupGone is returned by ingest when the group it found was deleted
// before the crash joined it; Ingest then tries once more.
var errGroupGone = errors.New("ingest crash: the crash group was deleted meanwhile")

// ingest does the work of Ingest inside its transaction. c is the
// transaction's client. The returned cleanup, when not nil, deletes stored
// blobs and must run unless the transaction commits.
//
// The group's row is what concurrent crashes of a group contend for, so it
// is locked as briefly as possible: the group is looked up without a lock,
// the crash, its user and its attachments are written, and only then, as the
// last statement before the commit, is the group's row updated (and so
// locked), with counters computed by the database (see countInto). No crash
// holds the row while it waits for anything else, so none can deadlock with
// another over a group user's unique key.
//
// A group the lookup does not find is inserted, ON CONFLICT DO NOTHING:
// the unique index lets exactly one of concurrent first crashes create it
// (and be IsNewGroup); the others wait for that one to commit, find its
// group, and count into it like any later crash.
func (s *Service) ingest(ctx context.Context, c *ent.Client, v values, files []attachments.Upload, now time.Time) (Result, func(), error) {
	g, err := findGroup(ctx, c, v)
	if err != nil {
		return Result{}, nil, err
	}
	isNew := false
	if g == nil {
		if g, isNew, err = createGroup(ctx, c, v, now); err != nil {
			return Result{}, nil, err
		}
	}
	res := Result{GroupID: g.ID, IsNewGroup: isNew}

	create := c.CrashReport.Create().
		SetProjectID(v.projectID).
		SetNillablePublicKeyID(nonEmpty(v.publicKeyID)).
		SetGroupID(g.ID).
		SetErrorType(v.errorType).
		SetErrorMessage(v.message).
		SetStackTrace(v.stackTrace).
		SetAppVersion(v.appVersion).
		SetPlatform(v.platform).
		SetNillableOsVersion(v.osVersion).
		SetBreadcrumbs(v.breadcrumbs).
		SetFingerprint(v.fingerprint).
		SetSeverity(v.severity).
		SetNillableUserID(v.userID).
		SetCreatedAt(now)
	// Set only when present: ent would store a nil document as JSON null,
	// not SQL NULL.
	if v.deviceInfo != nil {
		create.SetDeviceInfo(v.deviceInfo)
	}
	if v.appState != nil {
		create.SetAppState(v.appState)
	}
	crash, err := create.Save(ctx)
	if err != nil {
		if !isNew && ent.IsConstraintError(err) {
			// Most likely the group's foreign key: deleted since the
			// lookup. (On PostgreSQL the insert also holds the group from
			// here on: the key check takes a KEY SHARE lock, which the
			// counters' update does not wait for.)
			return Result{}, nil, fmt.Errorf("%w: insert crash report: %w", errGroupGone, err)
		}
		return Result{}, nil, fmt.Errorf("ingest crash: insert crash report: %w", err)
	}
	res.ID = crash.ID

	newUser := false
	switch {
	case v.userID == nil:
	case isNew:
		// The group is this transaction's own and invisible to others, so
		// its first user cannot be there already; createGroup counted it.
		err := c.CrashGroupUser.Create().
			SetProjectID(v.projectID).
			SetGroupID(g.ID).
			SetUserID(*v.userID).
			SetCreatedAt(now).
			Exec(ctx)
		if err != nil {
			return Result{}, nil, fmt.Errorf("ingest crash: record affected user: %w", err)
		}
	default:
		if newUser, err = addUser(ctx, c, g, *v.userID, now); err != nil {
			return Result{}, nil, err
		}
	}

	var cleanup func()
	if len(files) > 0 {
		// Before the group's update, so that slow blob writes are not made
		// holding its lock.
		if _, cleanup, err = s.files.Save(ctx, c, attachments.Owner{CrashReportID: crash.ID}, files); err != nil {
			return Result{}, cleanup, fmt.Errorf("ingest crash: save attachments: %w", err)
		}
	}

	// Last, so that the group's row lock is held only from here to the
	// commit, the only failure left after this.
	if !isNew {
		if res.Regressed, err = countInto(ctx, c, g, v, newUser, now); err != nil {
			return Result{}, cleanup, err
		}
	}
	return res, cleanup, nil
}

// findGroup returns the crash's group as it was last committed, or nil when
// there is none. It takes no lock: see countInto for why what it read may
// be relied on.
func findGroup(ctx context.Context, c *ent.Client, v values) (*ent.CrashGroup, error) {
	g, err := c.CrashGroup.Query().
		Where(crashgroup.ProjectID(v.projectID), crashgroup.Fingerprint(v.fingerprint)).
		Select(crashgroup.FieldProjectID, crashgroup.FieldLastSeenAt, crashgroup.FieldAffectedVersions,
			crashgroup.FieldAffectedPlatforms, crashgroup.FieldStatus, crashgroup.FieldResolvedInVersion).
		Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("ingest crash: look up group: %w", err)
	}
	return g, nil
}

// createGroup creates the crash's group, counting the crash, unless a
// concurrent crash created it first: then it returns that group, as
// findGroup does, for the crash to count into.
//
// ON CONFLICT DO NOTHING waits for a concurrent insert of the same
// fingerprint to commit or roll back (on PostgreSQL; SQLite has one writer),
// so exactly one crash creates the group, and IsNewGroup is exact under any
// concurrency, including a first creator that rolls back. Taking no lock on
// the existing row, it keeps every crash's order of locks the same.
func createGroup(ctx context.Context, c *ent.Client, v values, now time.Time) (*ent.CrashGroup, bool, error) {
	affected := 0
	if v.userID != nil {
		affected = 1
	}
	id, err := c.CrashGroup.Create().
		SetProjectID(v.projectID).
		SetFingerprint(v.fingerprint).
		SetErrorType(v.errorType).
		SetErrorMessage(v.message).
		SetOccurrenceCount(1).
		SetAffectedUsers(affected).
		SetFirstSeenAt(now).
		SetLastSeenAt(now).
		SetAffectedVersions([]string{v.appVersion}).
		SetAffectedPlatforms([]string{v.platform}).
		SetCreatedAt(now).
		SetUpdatedAt(now).
		OnConflictColumns(crashgroup.FieldProjectID, crashgroup.FieldFingerprint).
		DoNothing().
		ID(ctx)
	switch {
	case err == nil:
		// Everything about a new group is known; no need to read it back.
		return &ent.CrashGroup{
			ID: id, ProjectID: v.projectID, Fingerprint: v.fingerprint,
			ErrorType: v.errorType, ErrorMessage: v.message,
			OccurrenceCount: 1, AffectedUsers: affected,
			FirstSeenAt: now, LastSeenAt: now,
			AffectedVersions: []string{v.appVersion}, AffectedPlatforms: []string{v.platform},
			Status: enums.CrashGroupStatusNew, CreatedAt: now, UpdatedAt: now,
		}, true, nil
	case errors.Is(err, stdsql.ErrNoRows):
		// DO NOTHING returned no row: the group exists, committed.
	default:
		return nil, false, fmt.Errorf("ingest crash: create group: %w", err)
	}
	g, err := findGroup(ctx, c, v)
	switch {
	case err != nil:
		return nil, false, err
	case g == nil:
		return nil, false, errGroupGone
	}
	return g, false, nil
}

// countInto counts the crash into g, an existing group found without a
// lock, and reopens the group if the crash is a regression. newUser tells
// whether the crash's user met the group for the first time.
//
// The usual crash, whose version and platform the group lists already, in
// a group that is not resolved, takes one UPDATE whose counters the
// database computes, so that concurrent crashes add up without reading the
// row: its lock is held from that statement to the commit only. Lists only
// ever take more versions and platforms (see withVersion, withPlatform), so
// what the unlocked read says of them stays true; the status can change
// under a triage, so the update requires it still not resolved. Any other
// crash locks the row, reads it again and decides from that.
func countInto(ctx context.Context, c *ent.Client, g *ent.CrashGroup, v values, newUser bool, now time.Time) (regressed bool, err error) {
	_, addVersion := withVersion(g.AffectedVersions, v.appVersion)
	_, addPlatform := withPlatform(g.AffectedPlatforms, v.platform)
	if !addVersion && !addPlatform && g.Status != enums.CrashGroupStatusResolved {
		u := c.CrashGroup.Update().
			Where(crashgroup.ID(g.ID), crashgroup.StatusNEQ(enums.CrashGroupStatusResolved)).
			AddOccurrenceCount(1).
			SetUpdatedAt(now).
			Modify(laterLastSeen(now, g.LastSeenAt))
		if newUser {
			u.AddAffectedUsers(1)
		}
		n, err := u.Save(ctx)
		if err != nil {
			return false, fmt.Errorf("ingest crash: update group: %w", err)
		}
		if n == 1 {
			return false, nil
		}
		// Resolved (or deleted) since findGroup read it.
	}

	// Read under the row lock on PostgreSQL, and inside the one write
	// transaction on SQLite: no concurrent crash can interleave between
	// this read and the write decided from it.
	g, err = c.CrashGroup.Query().
		Where(crashgroup.ID(g.ID), lockForUpdate()).
		Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return false, errGroupGone
	case err != nil:
		return false, fmt.Errorf("ingest crash: lock group: %w", err)
	}
	u := c.CrashGroup.Update().
		Where(crashgroup.ID(g.ID)).
		AddOccurrenceCount(1).
		SetUpdatedAt(now)
	if newUser {
		u.AddAffectedUsers(1)
	}
	if now.After(g.LastSeenAt) {
		// Compared rather than set: a crash stamped earlier may commit later.
		u.SetLastSeenAt(now)
	}
	if versions, ok := withVersion(g.AffectedVersions, v.appVersion); ok {
		u.SetAffectedVersions(versions)
	}
	if platforms, ok := withPlatform(g.AffectedPlatforms, v.platform); ok {
		u.SetAffectedPlatforms(platforms)
	}
	if regresses(g, v.appVersion) {
		u.SetStatus(enums.CrashGroupStatusRegressed).ClearResolvedAt()
		regressed = true
	}
	if _, err := u.Save(ctx); err != nil {
		return false, fmt.Errorf("ingest crash: update group: %w", err)
	}
	return regressed, nil
}

// laterLastSeen sets last_seen_at to now unless the group was seen later: a
// crash stamped earlier may commit later. On PostgreSQL the database
// compares, against the row as it is when the update locks it; SQLite's
// single writer makes seen, read in this transaction, current.
func laterLastSeen(now, seen time.Time) func(*sql.UpdateBuilder) {
	return func(u *sql.UpdateBuilder) {
		switch {
		case u.Dialect() == dialect.Postgres:
			u.Set(crashgroup.FieldLastSeenAt, sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString("GREATEST(").Ident(crashgroup.FieldLastSeenAt).Comma().Arg(now).WriteString(")")
			}))
		case now.After(seen):
			u.Set(crashgroup.FieldLastSeenAt, now)
		}
	}
}

// lockForUpdate locks the selected rows on PostgreSQL, in the mode an UPDATE
// of non-key columns takes: it does not wait for the KEY SHARE locks that
// concurrent crashes' inserts take on their group, as FOR UPDATE would,
// deadlocking two crashes that both hold one. SQLite transactions take the
// one write lock when they begin.
func lockForUpdate() func(*sql.Selector) {
	return func(s *sql.Selector) {
		if s.Dialect() == dialect.Postgres {
			s.For(sql.LockNoKeyUpdate)
		}
	}
}

// addUser records that userID met the group and reports whether it is the
// first time. DO NOTHING on the (group, user) unique index makes the answer
// exact under concurrency: only the crash that inserts the row counts it.
func addUser(ctx context.Context, c *ent.Client, g *ent.CrashGroup, userID string, now time.Time) (bool, error) {
	err := c.CrashGroupUser.Create().
		SetProjectID(g.ProjectID).
		SetGroupID(g.ID).
		SetUserID(userID).
		SetCreatedAt(now).
		OnConflictColumns(crashgroupuser.FieldGroupID, crashgroupuser.FieldUserID).
		DoNothing().
		Exec(ctx)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, stdsql.ErrNoRows):
		// ent reads the new id with RETURNING, which yields no row when
		// DO NOTHING skipped the insert.
		return false, nil
	default:
		return false, fmt.Errorf("ingest crash: record affected user: %w", err)
	}
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
