package crashes

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/bulkupdate"
	"github.com/yoanbernabeu/oopsie/internal/groupbatch"
	"github.com/yoanbernabeu/oopsie/internal/stats"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
)

// pending is a validated crash waiting to be written.
type pending struct {
	v     values
	files []attachments.Upload
}

// write stores a batch of crashes in one transaction, all or nothing.
// Blobs the attachment store wrote are deleted again when it does not
// commit.
func (s *Service) write(ctx context.Context, batch []pending) ([]Result, error) {
	var res []Result
	err := groupbatch.Write(ctx, s.client, func(ctx context.Context, c *ent.Client, cleanups *[]func()) error {
		var err error
		res, err = s.writeTx(ctx, c, batch, s.now(), cleanups)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ingest crash: %w", err)
	}
	return res, nil
}

// writeTx makes the batch's statements, a fixed number whatever its size:
//
//  1. Insert its new groups, counting the batch, sorted so that concurrent
//     batches insert them in one order. Existing groups are left alone:
//     not locked yet.
//  2. Read the groups back, for their ids.
//  3. Insert the crashes and their attachments.
//  4. Lock the existing groups and read them again (groupbatch.Relock).
//  5. Find which of the batch's users each group has met already, insert
//     the others.
//  6. Count the batch into the existing groups, in one UPDATE: occurrences,
//     users, last seen, versions, platforms, and reopening on regression.
//  7. Add it to the project's hourly statistics (stats.Record), and record
//     the webhook deliveries of new and regressed groups.
//
// Under the lock, read-then-write is exact: every writer of a group's
// users and counters holds its row first, and a regression is decided on
// the group's current status. Taken last, the lock makes batches of the
// same groups wait on each other only for steps 4 to 7 and the commit.
func (s *Service) writeTx(ctx context.Context, c *ent.Client, batch []pending, now time.Time, cleanups *[]func()) ([]Result, error) {
	members, keys := groupbatch.Split(len(batch), func(i int) groupbatch.Key {
		return groupbatch.Key{Project: batch[i].v.projectID, Fingerprint: batch[i].v.fingerprint}
	})

	candidates := make(map[groupbatch.Key]string, len(keys))
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
			SetProjectID(k.Project).
			SetFingerprint(k.Fingerprint).
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
		OnConflict(sql.ConflictColumns(crashgroup.FieldProjectID, crashgroup.FieldFingerprint)).
		DoNothing().
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert groups: %w", err)
	}

	groups, err := readGroups(ctx, c, keys)
	if err != nil {
		return nil, err
	}
	created := func(k groupbatch.Key) bool { return groups[k].ID == candidates[k] }

	crashes := make([]*ent.CrashReportCreate, len(batch))
	results := make([]Result, len(batch))
	for k, idx := range members {
		g := groups[k]
		for n, i := range idx {
			results[i] = Result{GroupID: g.ID, IsNewGroup: n == 0 && created(k)}
			crashes[i] = crashCreate(c, batch[i].v, g.ID, now)
		}
	}
	rows, err := c.CrashReport.CreateBulk(crashes...).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert crash reports: %w", err)
	}
	for i, cr := range rows {
		results[i].ID = cr.ID
	}
	// Before the lock, so that no upload holds the groups; a failure after
	// them undoes them through cleanups.
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

	err = groupbatch.Relock(keys, groups, created, func(g *ent.CrashGroup) string { return g.ID },
		func(ids []string) ([]*ent.CrashGroup, error) {
			return c.CrashGroup.Query().Where(crashgroup.IDIn(ids...)).Unique(false).
				Modify(groupbatch.Locked(crashgroup.FieldID)).All(ctx)
		})
	if err != nil {
		return nil, err
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
func countInto(ctx context.Context, c *ent.Client, batch []pending, keys []groupbatch.Key, members map[groupbatch.Key][]int,
	groups map[groupbatch.Key]*ent.CrashGroup, candidates map[groupbatch.Key]string, newUsers map[string]int, results []Result, now time.Time,
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
		lastSeen = append(lastSeen, groupbatch.Latest(g.LastSeenAt, now))
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

// readGroups reads the batch's groups, by key: only what names them.
// Relock reads the existing ones whole, once they are locked.
func readGroups(ctx context.Context, c *ent.Client, keys []groupbatch.Key) (map[groupbatch.Key]*ent.CrashGroup, error) {
	rows, err := c.CrashGroup.Query().
		Where(crashgroup.ProjectIDIn(groupbatch.Projects(keys)...), crashgroup.FingerprintIn(groupbatch.Fingerprints(keys)...)).
		Select(crashgroup.FieldID, crashgroup.FieldProjectID, crashgroup.FieldFingerprint).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read groups: %w", err)
	}
	return groupbatch.ByKey(keys, rows, func(g *ent.CrashGroup) groupbatch.Key {
		return groupbatch.Key{Project: g.ProjectID, Fingerprint: g.Fingerprint}
	})
}

// addUsers records the users the batch's groups meet for the first time,
// and returns how many each existing group gained. A new group's users are
// all new; it was inserted counting them.
func addUsers(ctx context.Context, c *ent.Client, batch []pending, keys []groupbatch.Key, members map[groupbatch.Key][]int,
	groups map[groupbatch.Key]*ent.CrashGroup, candidates map[groupbatch.Key]string, now time.Time,
) (map[string]int, error) {
	ids := make(map[groupbatch.Key]string, len(groups))
	for k, g := range groups {
		ids[k] = g.ID
	}
	fresh, gained, err := groupbatch.NewUsers(keys, ids,
		func(k groupbatch.Key) bool { return ids[k] == candidates[k] },
		func(k groupbatch.Key) []string { return distinctUsers(batch, members[k]) },
		func(groupIDs, users []string) ([]groupbatch.Pair, error) {
			rows, err := c.CrashGroupUser.Query().
				Where(crashgroupuser.GroupIDIn(groupIDs...), crashgroupuser.UserIDIn(users...)).
				All(ctx)
			pairs := make([]groupbatch.Pair, len(rows))
			for i, r := range rows {
				pairs[i] = groupbatch.Pair{Group: r.GroupID, User: r.UserID}
			}
			return pairs, err
		})
	if err != nil || len(fresh) == 0 {
		return gained, err
	}
	creates := make([]*ent.CrashGroupUserCreate, len(fresh))
	for i, p := range fresh {
		creates[i] = c.CrashGroupUser.Create().SetProjectID(p.Project).SetGroupID(p.Group).SetUserID(p.User).SetCreatedAt(now)
	}
	if err := c.CrashGroupUser.CreateBulk(creates...).Exec(ctx); err != nil {
		return nil, fmt.Errorf("record affected users: %w", err)
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
