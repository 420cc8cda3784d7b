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
	g, err := c.CrashGroup.Query().Where(crashgroup.ID(groupID)).Select(crashgroup.FieldProjectID).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "crash group %q not found", groupID)
	}
	if err != nil {
		return nil, fmt.Errorf("group trend: find group: %w", err)
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
