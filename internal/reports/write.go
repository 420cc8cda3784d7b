package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/reportgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/bulkupdate"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
)

// pending is a validated, sanitised report waiting to be written.
type pending struct {
	in Input
	d  derived
}

// groupKey names a report group: its project and fingerprint.
type groupKey struct{ project, fingerprint string }

func (k groupKey) compare(o groupKey) int {
	if c := strings.Compare(k.project, o.project); c != 0 {
		return c
	}
	return strings.Compare(k.fingerprint, o.fingerprint)
}

// write stores a batch of reports in one transaction, all or nothing.
// Blobs the attachment store wrote are deleted again when it does not
// commit.
func (s *Service) write(ctx context.Context, batch []pending) ([]Result, error) {
	// The callers' viewers were checked by Ingest; one batch mixes them.
	ctx = viewer.SystemContext(ctx, "ingest")
	var cleanups []func()
	cleanup := func() {
		for _, f := range cleanups {
			f()
		}
	}
	defer func() {
		if p := recover(); p != nil {
			cleanup() // blobs the batch never keeps
			panic(p)
		}
	}()
	var res []Result
	// Its own transaction: the batch holds other callers' reports too.
	err := dbtx.RunNew(ctx, s.client, func(ctx context.Context, c *ent.Client) error {
		var err error
		res, err = s.writeTx(ctx, c, batch, s.now(), &cleanups)
		return err
	})
	if err != nil {
		// Also when the commit failed: should it have landed after all (a
		// connection lost while acknowledging it), attachment rows would
		// point at deleted blobs; the alternative, blobs no row points at,
		// would escape retention and keep user files forever.
		cleanup()
		return nil, fmt.Errorf("ingest report: %w", err)
	}
	return res, nil
}

// writeTx makes the batch's statements, a fixed number whatever its size:
//
//  1. Upsert its groups, sorted so that concurrent batches lock them in one
//     order. A new group is inserted as it will be; an existing one is only
//     touched, which locks its row until commit (SQLite has one writer).
//  2. Read the groups back, now that nobody else may change them.
//  3. Insert the reports.
//  4. Find which of the batch's users each group has met already, insert
//     the others.
//  5. Count the batch into the existing groups, in one UPDATE.
//
// Under the lock, read-then-write is exact: every writer of a group's
// users and counters holds its row first.
func (s *Service) writeTx(ctx context.Context, c *ent.Client, batch []pending, now time.Time, cleanups *[]func()) ([]Result, error) {
	members := map[groupKey][]int{}
	for i, p := range batch {
		k := groupKey{p.in.ProjectID, p.d.fingerprint}
		members[k] = append(members[k], i)
	}
	keys := make([]groupKey, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, groupKey.compare)

	candidates := make(map[groupKey]string, len(keys))
	creates := make([]*ent.ReportGroupCreate, len(keys))
	for i, k := range keys {
		idx := members[k]
		first := batch[idx[0]]
		candidates[k] = pulid.New("rgr")
		creates[i] = c.ReportGroup.Create().
			SetID(candidates[k]).
			SetProjectID(k.project).
			SetFingerprint(k.fingerprint).
			SetPageURL(first.d.groupURL).
			SetErrorMessage(first.d.groupMessage).
			SetReportCount(len(idx)).
			SetAffectedUsers(len(distinctUsers(batch, idx))).
			SetFirstSeenAt(now).
			SetLastSeenAt(now).
			SetCreatedAt(now).
			SetUpdatedAt(now)
	}
	err := c.ReportGroup.CreateBulk(creates...).
		OnConflict(
			sql.ConflictColumns(reportgroup.FieldProjectID, reportgroup.FieldFingerprint),
			sql.ResolveWith(func(u *sql.UpdateSet) { u.SetExcluded(reportgroup.FieldUpdatedAt) }),
		).
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("upsert groups: %w", err)
	}

	groups, err := readGroups(ctx, c, keys)
	if err != nil {
		return nil, err
	}

	reports := make([]*ent.ReportCreate, len(batch))
	results := make([]Result, len(batch))
	for k, idx := range members {
		g := groups[k]
		for n, i := range idx {
			results[i] = Result{GroupID: g.ID, IsNewGroup: n == 0 && g.ID == candidates[k]}
			reports[i] = reportCreate(c, batch[i], g.ID, now)
		}
	}
	created, err := c.Report.CreateBulk(reports...).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert reports: %w", err)
	}
	for i, r := range created {
		results[i].ID = r.ID
	}

	newUsers, err := addUsers(ctx, c, batch, keys, members, groups, candidates, now)
	if err != nil {
		return nil, err
	}
	events := make([]webhooks.Event, len(batch))
	for i, p := range batch {
		events[i] = webhooks.Event{Name: webhooks.EventReportCreated, ProjectID: p.in.ProjectID, ItemID: results[i].ID}
	}
	if err := s.webhooks.Notify(ctx, c, events); err != nil {
		return nil, err
	}

	var ids []string
	var counts, affected []any
	var lastSeen []any
	for _, k := range keys {
		g := groups[k]
		if g.ID == candidates[k] {
			continue // inserted with its counters
		}
		ids = append(ids, g.ID)
		counts = append(counts, g.ReportCount+len(members[k]))
		affected = append(affected, g.AffectedUsers+newUsers[g.ID])
		// Compared rather than set: a batch stamped earlier may commit later.
		lastSeen = append(lastSeen, latest(g.LastSeenAt, now))
	}
	if len(ids) > 0 {
		err := c.ReportGroup.Update().
			Where(reportgroup.IDIn(ids...)).
			SetUpdatedAt(now).
			Modify(func(u *sql.UpdateBuilder) {
				bulkupdate.Set(u, reportgroup.FieldID, reportgroup.FieldReportCount, bulkupdate.Int, ids, counts)
				bulkupdate.Set(u, reportgroup.FieldID, reportgroup.FieldAffectedUsers, bulkupdate.Int, ids, affected)
				bulkupdate.Set(u, reportgroup.FieldID, reportgroup.FieldLastSeenAt, bulkupdate.Time, ids, lastSeen)
			}).
			Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("count into groups: %w", err)
		}
	}

	// Last, so that the blobs are written only once everything else has
	// succeeded, and the commit is the only failure left after them.
	for i, p := range batch {
		if len(p.in.Attachments) == 0 {
			continue
		}
		_, undo, err := s.files.Save(ctx, c, attachments.Owner{ReportID: results[i].ID}, p.in.Attachments)
		if undo != nil {
			*cleanups = append(*cleanups, undo)
		}
		if err != nil {
			// Kept as it is: the store's errors say what was wrong with a
			// file (type, size) as an *apperr.Error for the caller.
			return nil, fmt.Errorf("attachments: %w", err)
		}
	}
	return results, nil
}

// readGroups reads the batch's groups, by key.
func readGroups(ctx context.Context, c *ent.Client, keys []groupKey) (map[groupKey]*ent.ReportGroup, error) {
	var projects, fingerprints []string
	for _, k := range keys {
		projects = append(projects, k.project)
		fingerprints = append(fingerprints, k.fingerprint)
	}
	rows, err := c.ReportGroup.Query().
		Where(reportgroup.ProjectIDIn(uniq(projects)...), reportgroup.FingerprintIn(fingerprints...)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read groups: %w", err)
	}
	groups := make(map[groupKey]*ent.ReportGroup, len(keys))
	for _, g := range rows {
		groups[groupKey{g.ProjectID, g.Fingerprint}] = g
	}
	for _, k := range keys {
		if groups[k] == nil {
			// Upserted in this transaction: only a broken invariant gets here.
			return nil, fmt.Errorf("group %q of project %s missing after its upsert", k.fingerprint, k.project)
		}
	}
	return groups, nil
}

// addUsers records the users the batch's existing groups meet for the first
// time, and returns how many each group gained. A new group's users are
// all new; it was inserted counting them.
func addUsers(ctx context.Context, c *ent.Client, batch []pending, keys []groupKey, members map[groupKey][]int,
	groups map[groupKey]*ent.ReportGroup, candidates map[groupKey]string, now time.Time,
) (map[string]int, error) {
	type pair struct{ group, user string }
	var (
		pairs        []pair
		existingIDs  []string
		existingKeys []string
	)
	for _, k := range keys {
		g := groups[k]
		users := distinctUsers(batch, members[k])
		for _, u := range users {
			pairs = append(pairs, pair{g.ID, u})
		}
		if g.ID != candidates[k] && len(users) > 0 {
			existingIDs = append(existingIDs, g.ID)
			existingKeys = append(existingKeys, users...)
		}
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	known := map[pair]bool{}
	if len(existingIDs) > 0 {
		rows, err := c.ReportGroupUser.Query().
			Where(reportgroupuser.GroupIDIn(existingIDs...), reportgroupuser.UserKeyIn(uniq(existingKeys)...)).
			All(ctx)
		if err != nil {
			return nil, fmt.Errorf("read affected users: %w", err)
		}
		for _, r := range rows {
			known[pair{r.GroupID, r.UserKey}] = true
		}
	}
	projectOf := make(map[string]string, len(groups))
	for _, g := range groups {
		projectOf[g.ID] = g.ProjectID
	}
	gained := map[string]int{}
	var creates []*ent.ReportGroupUserCreate
	for _, p := range pairs {
		if known[p] {
			continue
		}
		gained[p.group]++
		creates = append(creates, c.ReportGroupUser.Create().
			SetProjectID(projectOf[p.group]).
			SetGroupID(p.group).
			SetUserKey(p.user).
			SetCreatedAt(now))
	}
	if len(creates) > 0 {
		if err := c.ReportGroupUser.CreateBulk(creates...).Exec(ctx); err != nil {
			return nil, fmt.Errorf("record affected users: %w", err)
		}
	}
	return gained, nil
}

// distinctUsers returns the user keys of batch[idx], each once, in order.
func distinctUsers(batch []pending, idx []int) []string {
	var users []string
	for _, i := range idx {
		if u := batch[i].d.userKey; u != "" && !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	return users
}

func reportCreate(c *ent.Client, p pending, groupID string, now time.Time) *ent.ReportCreate {
	in, d := p.in, p.d
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
	return b
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func uniq(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
