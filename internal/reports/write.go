package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/reportgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/bulkupdate"
	"github.com/yoanbernabeu/oopsie/internal/groupbatch"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
)

// pending is a validated, sanitised report waiting to be written.
type pending struct {
	in Input
	d  derived
}

// write stores a batch of reports in one transaction, all or nothing.
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
		return nil, fmt.Errorf("ingest report: %w", err)
	}
	return res, nil
}

// writeTx makes the batch's statements, a fixed number whatever its size:
//
//  1. Insert its new groups, counting the batch, sorted so that concurrent
//     batches insert them in one order. Existing groups are left alone:
//     not locked yet.
//  2. Read the groups back, for their ids.
//  3. Insert the reports, and their webhook deliveries and attachments.
//  4. Lock the existing groups and read them again (groupbatch.Relock).
//  5. Find which of the batch's users each group has met already, insert
//     the others.
//  6. Count the batch into the existing groups, in one UPDATE.
//
// Under the lock, read-then-write is exact: every writer of a group's
// users and counters holds its row first. Taken last, the lock makes
// batches of the same groups wait on each other only for steps 4 to 6 and
// the commit.
func (s *Service) writeTx(ctx context.Context, c *ent.Client, batch []pending, now time.Time, cleanups *[]func()) ([]Result, error) {
	members, keys := groupbatch.Split(len(batch), func(i int) groupbatch.Key {
		return groupbatch.Key{Project: batch[i].in.ProjectID, Fingerprint: batch[i].d.fingerprint}
	})

	candidates := make(map[groupbatch.Key]string, len(keys))
	creates := make([]*ent.ReportGroupCreate, len(keys))
	for i, k := range keys {
		idx := members[k]
		first := batch[idx[0]]
		candidates[k] = pulid.New("rgr")
		creates[i] = c.ReportGroup.Create().
			SetID(candidates[k]).
			SetProjectID(k.Project).
			SetFingerprint(k.Fingerprint).
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
		OnConflict(sql.ConflictColumns(reportgroup.FieldProjectID, reportgroup.FieldFingerprint)).
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

	reports := make([]*ent.ReportCreate, len(batch))
	results := make([]Result, len(batch))
	for k, idx := range members {
		g := groups[k]
		for n, i := range idx {
			results[i] = Result{GroupID: g.ID, IsNewGroup: n == 0 && created(k)}
			reports[i] = reportCreate(c, batch[i], g.ID, now)
		}
	}
	rows, err := c.Report.CreateBulk(reports...).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert reports: %w", err)
	}
	for i, r := range rows {
		results[i].ID = r.ID
	}
	events := make([]webhooks.Event, len(batch))
	for i, p := range batch {
		events[i] = webhooks.Event{Name: webhooks.EventReportCreated, ProjectID: p.in.ProjectID, ItemID: results[i].ID}
	}
	if err := s.webhooks.Notify(ctx, c, events); err != nil {
		return nil, err
	}
	// Before the lock, so that no upload holds the groups; a failure after
	// them undoes them through cleanups.
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

	err = groupbatch.Relock(keys, groups, created, func(g *ent.ReportGroup) string { return g.ID },
		func(ids []string) ([]*ent.ReportGroup, error) {
			return c.ReportGroup.Query().Where(reportgroup.IDIn(ids...)).Unique(false).
				Modify(groupbatch.Locked(reportgroup.FieldID)).All(ctx)
		})
	if err != nil {
		return nil, err
	}
	newUsers, err := addUsers(ctx, c, batch, keys, members, groups, candidates, now)
	if err != nil {
		return nil, err
	}

	var ids []string
	var counts, affected []any
	var lastSeen []any
	for _, k := range keys {
		if created(k) {
			continue // inserted with its counters
		}
		g := groups[k]
		ids = append(ids, g.ID)
		counts = append(counts, g.ReportCount+len(members[k]))
		affected = append(affected, g.AffectedUsers+newUsers[g.ID])
		// Compared rather than set: a batch stamped earlier may commit later.
		lastSeen = append(lastSeen, groupbatch.Latest(g.LastSeenAt, now))
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
	return results, nil
}

// readGroups reads the batch's groups, by key: only what names them.
// Relock reads the existing ones whole, once they are locked.
func readGroups(ctx context.Context, c *ent.Client, keys []groupbatch.Key) (map[groupbatch.Key]*ent.ReportGroup, error) {
	rows, err := c.ReportGroup.Query().
		Where(reportgroup.ProjectIDIn(groupbatch.Projects(keys)...), reportgroup.FingerprintIn(groupbatch.Fingerprints(keys)...)).
		Select(reportgroup.FieldID, reportgroup.FieldProjectID, reportgroup.FieldFingerprint).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read groups: %w", err)
	}
	return groupbatch.ByKey(keys, rows, func(g *ent.ReportGroup) groupbatch.Key {
		return groupbatch.Key{Project: g.ProjectID, Fingerprint: g.Fingerprint}
	})
}

// addUsers records the users the batch's existing groups meet for the first
// time, and returns how many each group gained. A new group's users are
// all new; it was inserted counting them.
func addUsers(ctx context.Context, c *ent.Client, batch []pending, keys []groupbatch.Key, members map[groupbatch.Key][]int,
	groups map[groupbatch.Key]*ent.ReportGroup, candidates map[groupbatch.Key]string, now time.Time,
) (map[string]int, error) {
	ids := make(map[groupbatch.Key]string, len(groups))
	for k, g := range groups {
		ids[k] = g.ID
	}
	fresh, gained, err := groupbatch.NewUsers(keys, ids,
		func(k groupbatch.Key) bool { return ids[k] == candidates[k] },
		func(k groupbatch.Key) []string { return distinctUsers(batch, members[k]) },
		func(groupIDs, users []string) ([]groupbatch.Pair, error) {
			rows, err := c.ReportGroupUser.Query().
				Where(reportgroupuser.GroupIDIn(groupIDs...), reportgroupuser.UserKeyIn(users...)).
				All(ctx)
			pairs := make([]groupbatch.Pair, len(rows))
			for i, r := range rows {
				pairs[i] = groupbatch.Pair{Group: r.GroupID, User: r.UserKey}
			}
			return pairs, err
		})
	if err != nil || len(fresh) == 0 {
		return gained, err
	}
	creates := make([]*ent.ReportGroupUserCreate, len(fresh))
	for i, p := range fresh {
		creates[i] = c.ReportGroupUser.Create().SetProjectID(p.Project).SetGroupID(p.Group).SetUserKey(p.User).SetCreatedAt(now)
	}
	if err := c.ReportGroupUser.CreateBulk(creates...).Exec(ctx); err != nil {
		return nil, fmt.Errorf("record affected users: %w", err)
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
