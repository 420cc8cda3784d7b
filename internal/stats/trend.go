package stats

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashday"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashhour"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

// GroupTrend returns a crash group's occurrences over the period ending
// now, in the buckets of Crashes (UTC hours for DAY, UTC days otherwise),
// read from the rollups over the same span as Crashes reads them. So a busy
// group's trend costs a few hundred rows, not its crashes.
func (s *Service) GroupTrend(ctx context.Context, groupID string, p Period) ([]*Bucket, error) {
	length, step, ok := p.window()
	if !ok {
		return nil, apperr.InvalidField("period", fmt.Sprintf("%q is not a period", string(p)))
	}
	c := s.db(ctx)
	g, err := findGroup(ctx, c, groupID)
	if err != nil {
		return nil, fmt.Errorf("group trend: %w", err)
	}
	now := s.now().UTC()
	from := now.Add(-length)
	sp := newSpan(from, now, step == day)

	perBucket := map[int64]int{}
	add := func(t time.Time, n int) { perBucket[t.Truncate(step).Unix()] += n }
	if sp.hasWholeDays() {
		days, err := c.CrashDay.Query().
			Where(crashday.ProjectID(g.ProjectID), crashday.DimensionEQ(crashday.DimensionGroup), crashday.Key(groupID), sp.wholeDays()).
			Select(crashday.FieldDay, crashday.FieldOccurrences).
			All(ctx)
		if err != nil {
			return nil, fmt.Errorf("group trend: days: %w", err)
		}
		for _, d := range days {
			add(d.Day, d.Occurrences)
		}
	}
	hours, err := c.CrashHour.Query().
		Where(crashhour.ProjectID(g.ProjectID), crashhour.DimensionEQ(crashhour.DimensionGroup), crashhour.Key(groupID), sp.hoursAroundDays()).
		Select(crashhour.FieldHour, crashhour.FieldOccurrences).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("group trend: hours: %w", err)
	}
	for _, h := range hours {
		add(h.Hour, h.Occurrences)
	}
	var partial []struct {
		Hour int64 `json:"hour"`
		N    int   `json:"n"`
	}
	err = c.CrashReport.Query().
		Where(crashreport.GroupID(groupID), sp.partialHours()).
		Modify(func(s *sql.Selector) {
			s.Select(sql.As(bucketStart(s, time.Hour), "hour"), sql.As(sql.Count("*"), "n")).GroupBy("hour")
		}).
		Scan(ctx, &partial)
	if err != nil {
		return nil, fmt.Errorf("group trend: partial hours: %w", err)
	}
	for _, r := range partial {
		add(time.Unix(r.Hour, 0), r.N)
	}
	all := buckets(perBucket, from, now, step)
	out := make([]*Bucket, len(all))
	for i := range all {
		out[i] = &all[i]
	}
	return out, nil
}

// findGroup reads a crash group's project, telling an unknown group
// (NotFound) from a failure. The lookup also refuses a viewer who may not
// read the group.
func findGroup(ctx context.Context, c *ent.Client, id string) (*ent.CrashGroup, error) {
	g, err := c.CrashGroup.Query().Where(crashgroup.ID(id)).Select(crashgroup.FieldProjectID).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "crash group %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find group: %w", err)
	}
	return g, nil
}

// GroupBreakdown returns how a crash group's crashes over the period
// ending now, [now-period, now], split by app version and by platform: the
// maxBreakdown largest of each. They are counted from the crashes
// themselves, every one of the period: the rollups count versions and
// platforms per project, not per group. The (group_id, created_at) index
// keeps the scan to the group's crashes of the period.
func (s *Service) GroupBreakdown(ctx context.Context, groupID string, p Period) (*GroupBreakdown, error) {
	length, _, ok := p.window()
	if !ok {
		return nil, apperr.InvalidField("period", fmt.Sprintf("%q is not a period", string(p)))
	}
	c := s.db(ctx)
	if _, err := findGroup(ctx, c, groupID); err != nil {
		return nil, fmt.Errorf("group breakdown: %w", err)
	}
	now := s.now().UTC()
	from := now.Add(-length)
	countBy := func(column string) (map[string]int, error) {
		var rows []struct {
			Key string `json:"key"`
			N   int    `json:"n"`
		}
		err := c.CrashReport.Query().
			Where(crashreport.GroupID(groupID), crashreport.CreatedAtGTE(from), crashreport.CreatedAtLTE(now)).
			Modify(func(s *sql.Selector) {
				s.Select(sql.As(s.C(column), "key"), sql.As(sql.Count("*"), "n")).GroupBy(s.C(column))
			}).
			Scan(ctx, &rows)
		if err != nil {
			return nil, fmt.Errorf("group breakdown: by %s: %w", column, err)
		}
		out := make(map[string]int, len(rows))
		for _, r := range rows {
			out[r.Key] = r.N
		}
		return out, nil
	}
	versions, err := countBy(crashreport.FieldAppVersion)
	if err != nil {
		return nil, err
	}
	out := &GroupBreakdown{ByVersion: top(versions, maxBreakdown), ByPlatform: []Count{}}
	for _, n := range versions {
		out.Total += n // every crash has a version
	}
	if out.Total == 0 {
		return out, nil
	}
	platforms, err := countBy(crashreport.FieldPlatform)
	if err != nil {
		return nil, err
	}
	out.ByPlatform = top(platforms, maxBreakdown)
	return out, nil
}
