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
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/reportgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
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

// Service ingests reports. Authorization is left to the ent privacy
// policies, which read the viewer from the caller's context: ingest acts as
// the SDK's public key, which may create reports and groups in its own
// project and count into its groups.
type Service struct {
	client *ent.Client
	files  attachments.Saver
	broker pubsub.Broker
	now    func() time.Time
}

// New returns a service on the root client. files may be nil when no door
// accepts attachments, broker nil when nothing listens live, and now nil
// for time.Now.
func New(client *ent.Client, files attachments.Saver, broker pubsub.Broker, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{client: client, files: files, broker: broker, now: now}
}

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
	if err := validate(&in); err != nil {
		return Result{}, err
	}
	if len(in.Attachments) > 0 && s.files == nil {
		return Result{}, errors.New("ingest report: attachments sent but no attachment store configured")
	}
	Sanitize(&in)
	res, err := s.store(ctx, in, derive(in), s.now())
	if err != nil {
		return Result{}, err
	}
	s.publish(ctx, in.ProjectID, res)
	return res, nil
}

// store writes everything or nothing. Blobs the attachment store wrote are
// deleted again when the transaction does not commit.
func (s *Service) store(ctx context.Context, in Input, d derived, now time.Time) (Result, error) {
	res, err := s.storeTx(ctx, in, d, now)
	if errors.Is(err, errGroupGone) {
		// The group found was deleted (its last report was) before the
		// report could join it: once more, which creates the group anew.
		res, err = s.storeTx(ctx, in, d, now)
	}
	return res, err
}

// storeTx makes one transaction of store.
func (s *Service) storeTx(ctx context.Context, in Input, d derived, now time.Time) (Result, error) {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("ingest report: begin transaction: %w", err)
	}
	res, cleanup, err := s.write(ctx, tx.Client(), in, d, now)
	if err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("roll back: %w", rerr))
		}
		cleanup()
		return Result{}, err
	}
	if err := tx.Commit(); err != nil {
		// Should the commit have landed after all (a connection lost while
		// acknowledging it), the attachment rows would point at deleted
		// blobs; the alternative, blobs no row points at, would escape
		// retention and keep user files forever. This is the safer miss.
		cleanup()
		return Result{}, fmt.Errorf("ingest report: commit: %w", err)
	}
	return res, nil
}

// errGroupGone is returned by write when the group it found was deleted
// before the report joined it; store then tries once more.
var errGroupGone = errors.New("ingest report: the report group was deleted meanwhile")

// write makes the transaction's statements. The returned cleanup is never
// nil.
//
// The group's row is what concurrent reports of a group contend for, so it
// is locked as briefly as possible: the group is looked up without a lock,
// the report, its user and its attachments are written, and only then, as
// the last statement before the commit, are the group's counters updated by
// the database (report_count = report_count + 1, …), which locks the row
// until the commit. No report holds the row while it waits for anything
// else, so none can deadlock with another over a group user's unique key.
// A group the lookup does not find is created by createGroup.
func (s *Service) write(ctx context.Context, c *ent.Client, in Input, d derived, now time.Time) (Result, func(), error) {
	cleanup := func() {}

	groupID, err := findGroup(ctx, c, in.ProjectID, d.fingerprint)
	if err != nil {
		return Result{}, cleanup, err
	}
	isNew := false
	if groupID == "" {
		if groupID, isNew, err = createGroup(ctx, c, in.ProjectID, d, now); err != nil {
			return Result{}, cleanup, err
		}
	}

	b := c.Report.Create().
		SetProjectID(in.ProjectID).
		SetNillablePublicKeyID(nonEmpty(in.PublicKeyID)).
		SetGroupID(groupID).
		SetStatus(enums.ReportStatusNew).
		SetMessage(in.Message).
		SetCategory(in.Category).
		SetSeverity(in.Severity).
		SetNillableReporterEmail(nonEmpty(in.ReporterEmail)).
		SetPageURL(in.PageURL).
		SetNillableAppVersion(nonEmpty(in.AppVersion)).
		SetBrowser(d.browser).
		SetOs(d.os).
		SetConsentGiven(true).
		SetCreatedAt(now).
		SetUpdatedAt(now)
	// An unset document stays NULL; setting a nil RawMessage would store
	// the JSON text "null".
	for _, doc := range []struct {
		raw json.RawMessage
		set func(json.RawMessage) *ent.ReportCreate
	}{
		{in.UserContext, b.SetUserContext},
		{in.CustomMetadata, b.SetCustomMetadata},
		{in.DeviceInfo, b.SetDeviceInfo},
		{in.Timeline, b.SetTimeline},
		{in.ConsoleErrors, b.SetConsoleErrors},
		{in.NetworkFailures, b.SetNetworkFailures},
	} {
		if len(doc.raw) > 0 {
			doc.set(doc.raw)
		}
	}
	rep, err := b.Save(ctx)
	if err != nil {
		if !isNew && ent.IsConstraintError(err) {
			// Most likely the group's foreign key: deleted since the
			// lookup. (On PostgreSQL the insert also holds the group from
			// here on: the key check takes a KEY SHARE lock, which blocks
			// deleting the row but not the counters' update.)
			return Result{}, cleanup, fmt.Errorf("%w: insert report: %w", errGroupGone, err)
		}
		return Result{}, cleanup, fmt.Errorf("ingest report: insert report: %w", err)
	}

	newUser := false
	switch {
	case d.userKey == "":
	case isNew:
		// The group was created counting this user already.
		err := c.ReportGroupUser.Create().
			SetProjectID(in.ProjectID).
			SetGroupID(groupID).
			SetUserKey(d.userKey).
			SetCreatedAt(now).
			Exec(ctx)
		if err != nil {
			return Result{}, cleanup, fmt.Errorf("ingest report: record affected user: %w", err)
		}
	default:
		if newUser, err = addUser(ctx, c, in.ProjectID, groupID, d.userKey, now); err != nil {
			return Result{}, cleanup, err
		}
	}

	// Before the group's update, so that slow blob writes are not made
	// holding its lock.
	if len(in.Attachments) > 0 {
		_, undo, err := s.files.Save(ctx, c, attachments.Owner{ReportID: rep.ID}, in.Attachments)
		if undo != nil {
			cleanup = undo
		}
		if err != nil {
			// Kept as it is: the store's errors say what was wrong with a
			// file (type, size) as an *apperr.Error for the caller.
			return Result{}, cleanup, fmt.Errorf("ingest report: attachments: %w", err)
		}
	}

	// Last, so that the group's row lock is held only from here to the
	// commit.
	if !isNew {
		if err := countInto(ctx, c, groupID, newUser, now); err != nil {
			return Result{}, cleanup, err
		}
	}
	return Result{ID: rep.ID, GroupID: groupID, IsNewGroup: isNew}, cleanup, nil
}

// findGroup returns the id of the report's group as last committed, or ""
// when there is none. It takes no lock.
func findGroup(ctx context.Context, c *ent.Client, projectID, fingerprint string) (string, error) {
	id, err := c.ReportGroup.Query().
		Where(reportgroup.ProjectID(projectID), reportgroup.Fingerprint(fingerprint)).
		OnlyID(ctx)
	switch {
	case ent.IsNotFound(err):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("ingest report: look up group: %w", err)
	}
	return id, nil
}

// countInto counts a report into its existing group; newUser tells whether
// its user met the group for the first time. The database adds to the
// counters, so concurrent reports add up without reading the row.
func countInto(ctx context.Context, c *ent.Client, groupID string, newUser bool, now time.Time) error {
	u := c.ReportGroup.Update().
		Where(reportgroup.ID(groupID)).
		AddReportCount(1).
		SetLastSeenAt(now).
		SetUpdatedAt(now)
	if newUser {
		u.AddAffectedUsers(1)
	}
	n, err := u.Save(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("ingest report: update group: %w", err)
	case n == 0:
		// The report's insert holds the row (a foreign key's lock on
		// PostgreSQL, the one writer on SQLite), so this cannot happen; it
		// would lose the count if it did.
		return errGroupGone
	}
	return nil
}

// createGroup creates the report's group, counting the report, unless a
// concurrent report created it first: then it returns that group's id, as
// findGroup does, for the report to count into. isNew is whether this call
// created it.
//
// ON CONFLICT (project_id, fingerprint) DO NOTHING waits for a concurrent
// insert of the same fingerprint to commit or roll back (on PostgreSQL;
// SQLite has one writer), so exactly one report creates the group, under
// any concurrency, including a first creator that rolls back (the waiting
// insert then proceeds, and is the new group). Taking no lock on an existing
// row, it keeps every report's order of locks the same.
func createGroup(ctx context.Context, c *ent.Client, projectID string, d derived, now time.Time) (id string, isNew bool, err error) {
	affected := 0
	if d.userKey != "" {
		affected = 1
	}
	id, err = c.ReportGroup.Create().
		SetProjectID(projectID).
		SetFingerprint(d.fingerprint).
		SetPageURL(d.groupURL).
		SetErrorMessage(d.groupMessage).
		SetReportCount(1).
		SetAffectedUsers(affected).
		SetFirstSeenAt(now).
		SetLastSeenAt(now).
		SetCreatedAt(now).
		SetUpdatedAt(now).
		OnConflictColumns(reportgroup.FieldProjectID, reportgroup.FieldFingerprint).
		DoNothing().
		ID(ctx)
	switch {
	case err == nil:
		return id, true, nil
	case errors.Is(err, sql.ErrNoRows):
		// DO NOTHING returned no row: the group exists, committed.
	default:
		return "", false, fmt.Errorf("ingest report: create group: %w", err)
	}
	if id, err = findGroup(ctx, c, projectID, d.fingerprint); err != nil {
		return "", false, err
	}
	if id == "" {
		return "", false, errGroupGone
	}
	return id, false, nil
}

// addUser records that the user met an existing group, and reports whether
// that is news, for the group's affected_users. The unique (group_id,
// user_key) index decides under concurrency: of two reports by one new user,
// one inserts the row and counts, the other's insert does nothing.
func addUser(ctx context.Context, c *ent.Client, projectID, groupID, key string, now time.Time) (bool, error) {
	err := c.ReportGroupUser.Create().
		SetProjectID(projectID).
		SetGroupID(groupID).
		SetUserKey(key).
		SetCreatedAt(now).
		OnConflictColumns(reportgroupuser.FieldGroupID, reportgroupuser.FieldUserKey).
		DoNothing().
		Exec(ctx)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		// DO NOTHING returned no row: the user was already counted.
		return false, nil
	default:
		return false, fmt.Errorf("ingest report: record affected user: %w", err)
	}
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
