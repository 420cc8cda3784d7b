package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
)

type plannedFeedback struct {
	at      int64
	project int32
}

func (s *seeder) planFeedback() []plannedFeedback {
	if s.o.Feedback == 0 {
		return nil
	}
	projects := newPicker(len(s.projects), func(i int) float64 { return s.projects[i].weight })
	rows := make([]plannedFeedback, s.o.Feedback)
	for i := range rows {
		rows[i] = plannedFeedback{
			project: int32(projects.pick(s.rng)),
			at:      timeIn(s.rng, s.start.UnixMilli(), s.now.UnixMilli()),
		}
	}
	byTime(rows, func(r *plannedFeedback) int64 { return r.at })
	return rows
}

func (s *seeder) insertFeedback(ctx context.Context, rows []plannedFeedback) error {
	return s.parallel(ctx, streamFeedback, kindFeedback, len(rows), s.batchRows(len(feedback.Columns), maxRowsPerStatement),
		func(ctx context.Context, r *rand.Rand, lo, hi int) error {
			creates := make([]*ent.FeedbackCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				creates = append(creates, s.feedback(r, &rows[i]))
			}
			if err := s.client.Feedback.CreateBulk(creates...).Exec(ctx); err != nil {
				return fmt.Errorf("seed: insert feedback: %w", err)
			}
			return nil
		})
}

var feedbackCategories = []weighted[enums.FeedbackCategory]{
	{enums.FeedbackCategoryBug, 40}, {enums.FeedbackCategoryFeature, 35}, {enums.FeedbackCategoryGeneral, 25},
}

func (s *seeder) feedback(r *rand.Rand, row *plannedFeedback) *ent.FeedbackCreate {
	p := s.projects[row.project]
	at := ms(row.at)
	category := pickWeighted(r, feedbackCategories)
	message := pick(r, feedbackMessages[string(category)])
	if r.Float64() < 0.35 {
		message += " " + pick(r, []string{"Thanks!", "Keep up the good work.", "This is blocking my team.",
			"I use the app every day.", "Happy to test a beta.", "Otherwise everything is fine."})
	}
	platform := p.prof.platforms[p.platforms.pick(r)].v
	details := platformDetails[platform]
	create := s.client.Feedback.Create().
		SetID(newID("fbk", at, r)).
		SetProjectID(p.id).
		SetPublicKeyID(p.keyID).
		SetCategory(category).
		SetMessage(message).
		SetAppVersion(p.releases[p.versionAt(row.at, r)].version).
		SetPlatform(platform).
		SetOsVersion(pick(r, details.versions)).
		SetDeviceInfo(mustJSON(map[string]any{"locale": pick(r, locales), "model": pick(r, details.model)})).
		SetCreatedAt(at)
	if r.Float64() < 0.45 {
		create.SetEmail(strings.ToLower(userEmail(userIndex(r, p.users))))
	}

	const day = 24 * 3_600_000
	age := s.now.UnixMilli() - row.at
	var weights [3]float64 // open, in progress, closed
	switch {
	case age < 7*day:
		weights = [3]float64{85, 15, 0}
	case age < 30*day:
		weights = [3]float64{45, 25, 30}
	default:
		weights = [3]float64{25, 10, 65}
	}
	status := []enums.FeedbackStatus{enums.FeedbackStatusOpen, enums.FeedbackStatusInProgress, enums.FeedbackStatusClosed}[newPicker(3, func(i int) float64 { return weights[i] }).pick(r)]
	create.SetStatus(status)
	if status == enums.FeedbackStatusOpen {
		create.SetUpdatedAt(at)
	} else {
		create.SetUpdatedAt(ms(row.at + r.Int64N(min(age, 10*day)+1)))
		if r.Float64() < 0.6 {
			create.SetInternalNotes(pick(r, feedbackNotes))
		}
	}
	return create
}
