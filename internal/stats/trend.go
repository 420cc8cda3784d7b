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
// read from the rollups as Crashes reads them: whole days from CrashDay,
// whole hours from CrashHour, and the partial hours at either end from the
// crashes themselves. So a busy group's trend costs a few hundred rows, not
// its crashes.
func (s *Service) GroupTrend(ctx context.Context, groupID string, p Period) ([]*Bucket, error) {
	const day = 24 * time.Hour
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
	// [h1, h2) are the whole hours; [d1, d2) the whole days within them,
	// when buckets are days (a day's total cannot be split into hours).
	h1, h2 := ceil(from, time.Hour), now.Truncate(time.Hour)
	d1, d2 := h1, h1
	if step == day {
		d1, d2 = ceil(from, day), now.Truncate(day)
		if d2.Before(d1) {
			d2 = d1
		}
	}

	perBucket := map[int64]int{}
	add := func(t time.Time, n int) { perBucket[t.Truncate(step).Unix()] += n }
	if d2.After(d1) {
		var days []*ent.CrashDay
		days, err = c.CrashDay.Query().
			Where(crashday.ProjectID(g.ProjectID), crashday.DimensionEQ(crashday.DimensionGroup), crashday.Key(groupID),
				crashday.DayGTE(d1), crashday.DayLT(d2)).
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
		Where(crashhour.ProjectID(g.ProjectID), crashhour.DimensionEQ(crashhour.DimensionGroup), crashhour.Key(groupID),
			crashhour.Or(
				crashhour.And(crashhour.HourGTE(h1), crashhour.HourLT(d1)),
				crashhour.And(crashhour.HourGTE(d2), crashhour.HourLT(h2)),
			)).
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
		Where(crashreport.GroupID(groupID), partialHours(from, now)).
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
