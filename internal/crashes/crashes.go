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
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
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
	res, cleanup, err := s.ingest(ctx, tx.Client(), v, in.Attachments, now)
	if err != nil {
		done = true
		// Rolled back first: blob deletes can be slow, and the transaction
		// holds the group's row lock (on SQLite, the one write lock).
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

	s.publish(ctx, v.projectID, res)
	return res, nil
}

// ingest does the work of Ingest inside its transaction. c is the
// transaction's client. The returned cleanup, when not nil, deletes stored
// blobs and must run unless the transaction commits.
func (s *Service) ingest(ctx context.Context, c *ent.Client, v values, files []attachments.Upload, now time.Time) (Result, func(), error) {
	g, isNew, err := upsertGroup(ctx, c, v, now)
	if err != nil {
		return Result{}, nil, err
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
		return Result{}, nil, fmt.Errorf("ingest crash: insert crash report: %w", err)
	}
	res.ID = crash.ID

	if !isNew {
		if res.Regressed, err = countInto(ctx, c, g, v, now); err != nil {
			return Result{}, nil, err
		}
	} else if v.userID != nil {
		// The group is this transaction's own and invisible to others, so
		// its first user cannot be there already; upsertGroup counted it.
		err := c.CrashGroupUser.Create().
			SetProjectID(v.projectID).
			SetGroupID(g.ID).
			SetUserID(*v.userID).
			SetCreatedAt(now).
			Exec(ctx)
		if err != nil {
			return Result{}, nil, fmt.Errorf("ingest crash: record affected user: %w", err)
		}
	}

	// Last, so that the blobs are written only once everything else has
	// succeeded, and the commit is the only failure left after them.
	if len(files) > 0 {
		_, cleanup, err := s.files.Save(ctx, c, attachments.Owner{CrashReportID: crash.ID}, files)
		if err != nil {
			return Result{}, cleanup, fmt.Errorf("ingest crash: save attachments: %w", err)
		}
		return res, cleanup, nil
	}
	return res, nil, nil
}

// upsertGroup creates the crash's group or counts the crash into the
// existing one, in one statement that is race-free on both databases, and
// returns the group as it now is.
//
// Whether this statement created the group is told by the id it returns:
// the insert carries a fresh id, while on conflict the existing row's id
// comes back. That holds under any concurrency, unlike testing
// occurrence_count == 1, which a group whose count was ever zeroed would
// fool. Concurrent first crashes wait on the unique index (PostgreSQL) or
// the write lock (SQLite), then take the update branch.
func upsertGroup(ctx context.Context, c *ent.Client, v values, now time.Time) (*ent.CrashGroup, bool, error) {
	newID := pulid.New("grp")
	affected := 0
	if v.userID != nil {
		affected = 1
	}
	id, err := c.CrashGroup.Create().
		SetID(newID).
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
		Update(func(u *ent.CrashGroupUpsert) {
			// On PostgreSQL this update also locks the row until commit,
			// which is what makes countInto's read-modify-write safe.
			u.AddOccurrenceCount(1)
			u.SetUpdatedAt(now)
		}).
		ID(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("ingest crash: upsert group: %w", err)
	}
	if id == newID {
		// Everything about a new group is known; no need to read it back.
		return &ent.CrashGroup{
			ID: id, ProjectID: v.projectID, Fingerprint: v.fingerprint,
			ErrorType: v.errorType, ErrorMessage: v.message,
			OccurrenceCount: 1, AffectedUsers: affected,
			FirstSeenAt: now, LastSeenAt: now,
			AffectedVersions: []string{v.appVersion}, AffectedPlatforms: []string{v.platform},
			Status: enums.CrashGroupStatusNew, CreatedAt: now, UpdatedAt: now,
		}, true, nil
	}
	g, err := c.CrashGroup.Get(ctx, id)
	if err != nil {
		return nil, false, fmt.Errorf("ingest crash: read group back: %w", err)
	}
	return g, false, nil
}

// countInto brings an existing group's other counters and lists up to date
// with the crash, and reopens it if the crash is a regression. g was read
// after upsertGroup's update, under its row lock on PostgreSQL and inside
// the one write transaction on SQLite, so no concurrent crash can interleave
// between that read and this write.
func countInto(ctx context.Context, c *ent.Client, g *ent.CrashGroup, v values, now time.Time) (regressed bool, err error) {
	u := c.CrashGroup.UpdateOneID(g.ID)
	changed := false
	if now.After(g.LastSeenAt) {
		// Compared rather than set: a crash stamped earlier may commit later.
		u.SetLastSeenAt(now)
		changed = true
	}
	if versions, ok := withVersion(g.AffectedVersions, v.appVersion); ok {
		u.SetAffectedVersions(versions)
		changed = true
	}
	if platforms, ok := withPlatform(g.AffectedPlatforms, v.platform); ok {
		u.SetAffectedPlatforms(platforms)
		changed = true
	}
	if v.userID != nil {
		newUser, err := addUser(ctx, c, g, *v.userID, now)
		if err != nil {
			return false, err
		}
		if newUser {
			u.AddAffectedUsers(1)
			changed = true
		}
	}
	if regresses(g, v.appVersion) {
		u.SetStatus(enums.CrashGroupStatusRegressed).ClearResolvedAt()
		regressed, changed = true, true
	}
	if !changed {
		return false, nil
	}
	if err := u.SetUpdatedAt(now).Exec(ctx); err != nil {
		return false, fmt.Errorf("ingest crash: update group: %w", err)
	}
	return regressed, nil
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
	case errors.Is(err, sql.ErrNoRows):
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
