package crashes

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/bulkupdate"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/stats"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
)

// pending is a validated crash waiting to be written.
type pending struct {
	v     values
	files []attachments.Upload
}

// groupKey names a crash group: its project and fingerprint.
type groupKey struct{ project, fingerprint string }

func (k groupKey) compare(o groupKey) int {
	if c := strings.Compare(k.project, o.project); c != 0 {
		return c
	}
	return strings.Compare(k.fingerprint, o.fingerprint)
}

// write stores a batch of crashes in one transaction, all or nothing.
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
	// Its own transaction: the batch holds other callers' crashes too.
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
		return nil, fmt.Errorf("ingest crash: %w", err)
	}
	return res, nil
}

// writeTx makes the batch's statements, a fixed number whatever its size:
//
//  1. Upsert its groups, sorted so that concurrent batches lock them in one
//     order. A new group is inserted as it will be; an existing one is only
//     touched, which locks its row until commit (SQLite has one writer).
//  2. Read the groups back, now that nobody else may change them.
//  3. Insert the crashes.
//  4. Find which of the batch's users each group has met already, insert
//     the others.
//  5. Count the batch into the existing groups, in one UPDATE: occurrences,
//     users, last seen, versions, platforms, and reopening on regression.
//  6. Add it to the project's hourly statistics (stats.Record).
//
// Under the lock, read-then-write is exact: every writer of a group's
// users and counters holds its row first.
func (s *Service) writeTx(ctx context.Context, c *ent.Client, batch []pending, now time.Time, cleanups *[]func()) ([]Result, error) {
	members := map[groupKey][]int{}
	for i, p := range batch {
		k := groupKey{p.v.projectID, p.v.fingerprint}
		members[k] = append(members[k], i)
	}
	keys := make([]groupKey, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, groupKey.compare)

	candidates := make(map[groupKey]string, len(keys))
	creates := make([]*ent.CrashGroupCreate, len(keys))
	for i, k := range keys {
		idx := members[k]
		first := batch[idx[0]].v
		var versions, platforms []string
		for _, j := range idx {
			versions, _ = withVersion(versions, batch[j].v.appVersion)
			platforms, _ = withPlatform(platforms, batch[j].v.platform)
		}
		candidates[k] = pulid.New("grp")
		creates[i] = c.CrashGroup.Create().
			SetID(candidates[k]).
			SetProjectID(k.project).
			SetFingerprint(k.fingerprint).
			SetErrorType(first.errorType).
			SetErrorMessage(first.message).
			SetOccurrenceCount(len(idx)).
			SetAffectedUsers(len(distinctUsers(batch, idx))).
			SetFirstSeenAt(now).
			SetLastSeenAt(now).
			SetAffectedVersions(versions).
			SetAffectedPlatforms(platforms).
			SetCreatedAt(now).
			SetUpdatedAt(now)
	}
	err := c.CrashGroup.CreateBulk(creates...).
		OnConflict(
			sql.ConflictColumns(crashgroup.FieldProjectID, crashgroup.FieldFingerprint),
			sql.ResolveWith(func(u *sql.UpdateSet) { u.SetExcluded(crashgroup.FieldUpdatedAt) }),
		).
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("upsert groups: %w", err)
	}

	groups, err := readGroups(ctx, c, keys)
	if err != nil {
		return nil, err
	}

	crashes := make([]*ent.CrashReportCreate, len(batch))
	results := make([]Result, len(batch))
	for k, idx := range members {
		g := groups[k]
		for n, i := range idx {
			results[i] = Result{GroupID: g.ID, IsNewGroup: n == 0 && g.ID == candidates[k]}
			crashes[i] = crashCreate(c, batch[i].v, g.ID, now)
		}
	}
	created, err := c.CrashReport.CreateBulk(crashes...).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert crash reports: %w", err)
	}
	for i, cr := range created {
		results[i].ID = cr.ID
	}

	newUsers, err := addUsers(ctx, c, batch, keys, members, groups, candidates, now)
	if err != nil {
		return nil, err
	}
	if err := countInto(ctx, c, batch, keys, members, groups, candidates, newUsers, results, now); err != nil {
		return nil, err
	}
	occurred := make([]stats.Crash, len(batch))
	for i, p := range batch {
		occurred[i] = stats.Crash{ProjectID: p.v.projectID, GroupID: results[i].GroupID,
			AppVersion: p.v.appVersion, Platform: p.v.platform, UserID: deref(p.v.userID), At: now}
	}
	if err := stats.Record(ctx, c, occurred); err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	if err := s.webhooks.Notify(ctx, c, groupEvents(batch, results)); err != nil {
		return nil, err
	}

	// Last, so that the blobs are written only once everything else has
	// succeeded, and the commit is the only failure left after them.
	for i, p := range batch {
		if len(p.files) == 0 {
			continue
		}
		_, undo, err := s.files.Save(ctx, c, attachments.Owner{CrashReportID: results[i].ID}, p.files)
		if undo != nil {
			*cleanups = append(*cleanups, undo)
		}
		if err != nil {
			return nil, fmt.Errorf("save attachments: %w", err)
		}
	}
	return results, nil
}

// groupEvents are the webhook events of a batch: each group it created, and
// each it reopened.
func groupEvents(batch []pending, results []Result) []webhooks.Event {
	var events []webhooks.Event
	for i, r := range results {
		switch {
		case r.IsNewGroup:
			events = append(events, webhooks.Event{Name: webhooks.EventCrashGroupCreated, ProjectID: batch[i].v.projectID, ItemID: r.GroupID})
		case r.Regressed:
			events = append(events, webhooks.Event{Name: webhooks.EventCrashGroupRegressed, ProjectID: batch[i].v.projectID, ItemID: r.GroupID})
		}
	}
	return events
}

// countInto brings the batch's existing groups up to date, in one UPDATE,
// and marks in results the crashes that reopened a resolved group.
func countInto(ctx context.Context, c *ent.Client, batch []pending, keys []groupKey, members map[groupKey][]int,
	groups map[groupKey]*ent.CrashGroup, candidates map[groupKey]string, newUsers map[string]int, results []Result, now time.Time,
) error {
	var ids []string
	var counts, affected, lastSeen, versions, platforms, statuses, resolvedAt []any
	for _, k := range keys {
		g := groups[k]
		if g.ID == candidates[k] {
			continue // inserted as it is
		}
		for _, i := range members[k] {
			v := batch[i].v
			g.AffectedVersions, _ = withVersion(g.AffectedVersions, v.appVersion)
			g.AffectedPlatforms, _ = withPlatform(g.AffectedPlatforms, v.platform)
			if regresses(g, v.appVersion) {
				g.Status, g.ResolvedAt = enums.CrashGroupStatusRegressed, nil
				results[i].Regressed = true
			}
		}
		vs, err := json.Marshal(g.AffectedVersions)
		if err != nil {
			return fmt.Errorf("encode versions: %w", err)
		}
		ps, err := json.Marshal(g.AffectedPlatforms)
		if err != nil {
			return fmt.Errorf("encode platforms: %w", err)
		}
		var resolved any
		if g.ResolvedAt != nil {
			resolved = *g.ResolvedAt
		}
		ids = append(ids, g.ID)
		counts = append(counts, g.OccurrenceCount+len(members[k]))
		affected = append(affected, g.AffectedUsers+newUsers[g.ID])
		// Compared rather than set: a batch stamped earlier may commit later.
		lastSeen = append(lastSeen, latest(g.LastSeenAt, now))
		versions = append(versions, vs)
		platforms = append(platforms, ps)
		statuses = append(statuses, string(g.Status))
		resolvedAt = append(resolvedAt, resolved)
	}
	if len(ids) == 0 {
		return nil
	}
	err := c.CrashGroup.Update().
		Where(crashgroup.IDIn(ids...)).
		SetUpdatedAt(now).
		Modify(func(u *sql.UpdateBuilder) {
			set := func(column string, kind bulkupdate.Kind, values []any) {
				bulkupdate.Set(u, crashgroup.FieldID, column, kind, ids, values)
			}
			set(crashgroup.FieldOccurrenceCount, bulkupdate.Int, counts)
			set(crashgroup.FieldAffectedUsers, bulkupdate.Int, affected)
			set(crashgroup.FieldLastSeenAt, bulkupdate.Time, lastSeen)
			set(crashgroup.FieldAffectedVersions, bulkupdate.JSON, versions)
			set(crashgroup.FieldAffectedPlatforms, bulkupdate.JSON, platforms)
			set(crashgroup.FieldStatus, bulkupdate.Text, statuses)
			set(crashgroup.FieldResolvedAt, bulkupdate.Time, resolvedAt)
		}).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("count into groups: %w", err)
	}
	return nil
}

// readGroups reads the batch's groups, by key.
func readGroups(ctx context.Context, c *ent.Client, keys []groupKey) (map[groupKey]*ent.CrashGroup, error) {
	var projects, fingerprints []string
	for _, k := range keys {
		projects = append(projects, k.project)
		fingerprints = append(fingerprints, k.fingerprint)
	}
	rows, err := c.CrashGroup.Query().
		Where(crashgroup.ProjectIDIn(uniq(projects)...), crashgroup.FingerprintIn(fingerprints...)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read groups: %w", err)
	}
	groups := make(map[groupKey]*ent.CrashGroup, len(keys))
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

// addUsers records the users the batch's groups meet for the first time,
// and returns how many each existing group gained. A new group's users are
// all new; it was inserted counting them.
func addUsers(ctx context.Context, c *ent.Client, batch []pending, keys []groupKey, members map[groupKey][]int,
	groups map[groupKey]*ent.CrashGroup, candidates map[groupKey]string, now time.Time,
) (map[string]int, error) {
	type pair struct{ group, user string }
	var (
		pairs        []pair
		existingIDs  []string
		existingUIDs []string
	)
	for _, k := range keys {
		g := groups[k]
		users := distinctUsers(batch, members[k])
		for _, u := range users {
			pairs = append(pairs, pair{g.ID, u})
		}
		if g.ID != candidates[k] && len(users) > 0 {
			existingIDs = append(existingIDs, g.ID)
			existingUIDs = append(existingUIDs, users...)
		}
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	known := map[pair]bool{}
	if len(existingIDs) > 0 {
		rows, err := c.CrashGroupUser.Query().
			Where(crashgroupuser.GroupIDIn(existingIDs...), crashgroupuser.UserIDIn(uniq(existingUIDs)...)).
			All(ctx)
		if err != nil {
			return nil, fmt.Errorf("read affected users: %w", err)
		}
		for _, r := range rows {
			known[pair{r.GroupID, r.UserID}] = true
		}
	}
	projectOf := make(map[string]string, len(groups))
	for _, g := range groups {
		projectOf[g.ID] = g.ProjectID
	}
	gained := map[string]int{}
	var creates []*ent.CrashGroupUserCreate
	for _, p := range pairs {
		if known[p] {
			continue
		}
		gained[p.group]++
		creates = append(creates, c.CrashGroupUser.Create().
			SetProjectID(projectOf[p.group]).
			SetGroupID(p.group).
			SetUserID(p.user).
			SetCreatedAt(now))
	}
	if len(creates) > 0 {
		if err := c.CrashGroupUser.CreateBulk(creates...).Exec(ctx); err != nil {
			return nil, fmt.Errorf("record affected users: %w", err)
		}
	}
	return gained, nil
}

// distinctUsers returns the user ids of batch[idx], each once, in order.
func distinctUsers(batch []pending, idx []int) []string {
	var users []string
	for _, i := range idx {
		if u := batch[i].v.userID; u != nil && !slices.Contains(users, *u) {
			users = append(users, *u)
		}
	}
	return users
}

func crashCreate(c *ent.Client, v values, groupID string, now time.Time) *ent.CrashReportCreate {
	create := c.CrashReport.Create().
		SetProjectID(v.projectID).
		SetNillablePublicKeyID(nonEmpty(v.publicKeyID)).
		SetGroupID(groupID).
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
	return create
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func uniq(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
