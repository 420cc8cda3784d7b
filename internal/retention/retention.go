// Package retention deletes what is older than it may be kept: reports,
// feedback, crash reports and attachments (bytes included), by the
// project's retention or the per-type defaults. Crash groups stay: they are
// the long memory of what went wrong, with their counts.
package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/ent/crashday"
	"github.com/yoanbernabeu/oopsie/ent/crashhour"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/crashuser"
	"github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/predicate"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/webhookdelivery"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/storage"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Counts is what a purge deleted, or would delete.
type Counts struct {
	Reports      int `json:"reports"`
	Feedback     int `json:"feedback"`
	CrashReports int `json:"crashReports"`
	// Attachments counts those deleted for their age; newer ones of
	// deleted items go with them and are not counted.
	Attachments int `json:"attachments"`
	// Bookkeeping that ages with the items: emptied report groups, crash
	// statistics rollups, webhook delivery log entries.
	ReportGroups int `json:"reportGroups"`
	StatsRows    int `json:"statsRows"`
	Deliveries   int `json:"deliveries"`
}

// Items is the number of reports, feedback, crash reports and attachments.
func (c Counts) Items() int { return c.Reports + c.Feedback + c.CrashReports + c.Attachments }

// deliveryRetention is how long the webhook delivery log is kept.
const deliveryRetention = 30 * 24 * time.Hour

// batchSize bounds each delete, so no statement holds its locks (on SQLite,
// the one write lock) for long.
const batchSize = 500

// Purger purges.
type Purger struct {
	client   *ent.Client
	blobs    storage.Blobs
	defaults config.Retention
	now      func() time.Time
}

// New returns a purger deleting through client and blobs, with the
// environment's per-type defaults.
func New(client *ent.Client, blobs storage.Blobs, defaults config.Retention, now func() time.Time) *Purger {
	if now == nil {
		now = time.Now
	}
	return &Purger{client: client, blobs: blobs, defaults: defaults, now: now}
}

// cutoffs are, per type, the creation time before which items go.
type cutoffs struct {
	reports, feedback, crashes time.Time
}

// projectCutoffs applies the rule: a project's own retention covers all its
// items; otherwise reports follow the instance's default retention
// (Settings) or OOPSIE_REPORT_RETENTION_DAYS, feedback and crashes their
// OOPSIE_*_RETENTION_DAYS.
func (p *Purger) projectCutoffs(now time.Time, projectDays, instanceReportDays *int) cutoffs {
	days := func(d int) time.Time { return now.Add(-time.Duration(d) * 24 * time.Hour) }
	if projectDays != nil {
		t := days(*projectDays)
		return cutoffs{t, t, t}
	}
	reports := p.defaults.Reports
	if instanceReportDays != nil {
		reports = *instanceReportDays
	}
	return cutoffs{days(reports), days(p.defaults.Feedback), days(p.defaults.Crashes)}
}

// kind is one type of item: how to find a batch of old ones, their
// attachments, and delete them.
type kind struct {
	name    string
	count   func(c *Counts) *int
	ids     func(ctx context.Context, c *ent.Client, projectID string, before time.Time, limit int) ([]string, error)
	owns    func(ids ...string) predicate.Attachment
	delete  func(ctx context.Context, c *ent.Client, ids []string) (int, error)
	cutoff  func(cutoffs) time.Time
	counter func(ctx context.Context, c *ent.Client, projectID string, before time.Time) (int, error)
}

var kinds = []kind{
	{
		name:  "reports",
		count: func(c *Counts) *int { return &c.Reports },
		ids: func(ctx context.Context, c *ent.Client, projectID string, before time.Time, limit int) ([]string, error) {
			return c.Report.Query().Where(report.ProjectID(projectID), report.CreatedAtLT(before)).Limit(limit).IDs(ctx)
		},
		owns: func(ids ...string) predicate.Attachment { return attachment.ReportIDIn(ids...) },
		delete: func(ctx context.Context, c *ent.Client, ids []string) (int, error) {
			return c.Report.Delete().Where(report.IDIn(ids...)).Exec(ctx)
		},
		cutoff: func(c cutoffs) time.Time { return c.reports },
		counter: func(ctx context.Context, c *ent.Client, projectID string, before time.Time) (int, error) {
			return c.Report.Query().Where(report.ProjectID(projectID), report.CreatedAtLT(before)).Count(ctx)
		},
	},
	{
		name:  "feedback",
		count: func(c *Counts) *int { return &c.Feedback },
		ids: func(ctx context.Context, c *ent.Client, projectID string, before time.Time, limit int) ([]string, error) {
			return c.Feedback.Query().Where(feedback.ProjectID(projectID), feedback.CreatedAtLT(before)).Limit(limit).IDs(ctx)
		},
		owns: func(ids ...string) predicate.Attachment { return attachment.FeedbackIDIn(ids...) },
		delete: func(ctx context.Context, c *ent.Client, ids []string) (int, error) {
			return c.Feedback.Delete().Where(feedback.IDIn(ids...)).Exec(ctx)
		},
		cutoff: func(c cutoffs) time.Time { return c.feedback },
		counter: func(ctx context.Context, c *ent.Client, projectID string, before time.Time) (int, error) {
			return c.Feedback.Query().Where(feedback.ProjectID(projectID), feedback.CreatedAtLT(before)).Count(ctx)
		},
	},
	{
		name:  "crash reports",
		count: func(c *Counts) *int { return &c.CrashReports },
		ids: func(ctx context.Context, c *ent.Client, projectID string, before time.Time, limit int) ([]string, error) {
			return c.CrashReport.Query().Where(crashreport.ProjectID(projectID), crashreport.CreatedAtLT(before)).Limit(limit).IDs(ctx)
		},
		owns: func(ids ...string) predicate.Attachment { return attachment.CrashReportIDIn(ids...) },
		delete: func(ctx context.Context, c *ent.Client, ids []string) (int, error) {
			return c.CrashReport.Delete().Where(crashreport.IDIn(ids...)).Exec(ctx)
		},
		cutoff: func(c cutoffs) time.Time { return c.crashes },
		counter: func(ctx context.Context, c *ent.Client, projectID string, before time.Time) (int, error) {
			return c.CrashReport.Query().Where(crashreport.ProjectID(projectID), crashreport.CreatedAtLT(before)).Count(ctx)
		},
	},
}

// projectRetention is what the purge needs of a project.
type projectRetention struct {
	id      string
	cutoffs cutoffs
}

func (p *Purger) projects(ctx context.Context, now time.Time) ([]projectRetention, error) {
	var instanceDays *int
	if s, err := p.client.Settings.Query().Only(ctx); err == nil {
		instanceDays = s.DefaultRetentionDays
	} else if !ent.IsNotFound(err) {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	ps, err := p.client.Project.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	out := make([]projectRetention, len(ps))
	for i, pr := range ps {
		out[i] = projectRetention{id: pr.ID, cutoffs: p.projectCutoffs(now, pr.RetentionDays, instanceDays)}
	}
	return out, nil
}

// Pending counts the items a purge would delete now, for a progress bar.
func (p *Purger) Pending(ctx context.Context) (Counts, error) {
	ctx = viewer.SystemContext(ctx, "retention")
	now := p.now().UTC() // SQLite compares times as UTC text
	var total Counts
	ps, err := p.projects(ctx, now)
	if err != nil {
		return total, fmt.Errorf("count what to purge: %w", err)
	}
	for _, pr := range ps {
		for _, k := range kinds {
			n, err := k.counter(ctx, p.client, pr.id, k.cutoff(pr.cutoffs))
			if err != nil {
				return total, fmt.Errorf("count %s to purge: %w", k.name, err)
			}
			*k.count(&total) += n
		}
	}
	n, err := p.client.Attachment.Query().Where(attachment.CreatedAtLT(now.Add(-p.attachmentAge()))).Count(ctx)
	if err != nil {
		return total, fmt.Errorf("count attachments to purge: %w", err)
	}
	total.Attachments = n
	return total, nil
}

func (p *Purger) attachmentAge() time.Duration {
	return time.Duration(p.defaults.Attachments) * 24 * time.Hour
}

// Run purges once. progress, when not nil, is called after each batch with
// the counts so far. A failure stops the run; what was deleted stays
// deleted, and the next run goes on from there.
func (p *Purger) Run(ctx context.Context, progress func(Counts)) (Counts, error) {
	ctx = viewer.SystemContext(ctx, "retention")
	if progress == nil {
		progress = func(Counts) {}
	}
	now := p.now().UTC() // SQLite compares times as UTC text
	var done Counts
	ps, err := p.projects(ctx, now)
	if err != nil {
		return done, fmt.Errorf("purge: %w", err)
	}
	// Attachments first: then those deleted for their age are exactly
	// those Pending counted, and an item's newer ones go with it.
	if err := p.purgeAttachments(ctx, now.Add(-p.attachmentAge()), &done, progress); err != nil {
		return done, err
	}
	for _, pr := range ps {
		for _, k := range kinds {
			if err := p.purgeKind(ctx, k, pr, &done, progress); err != nil {
				return done, err
			}
		}
		if err := p.purgeBookkeeping(ctx, pr, &done); err != nil {
			return done, err
		}
	}
	n, err := inBatches(ctx, func(ctx context.Context) (int, error) {
		ids, err := p.client.WebhookDelivery.Query().
			Where(webhookdelivery.CreatedAtLT(now.Add(-deliveryRetention))).Limit(batchSize).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return p.client.WebhookDelivery.Delete().Where(webhookdelivery.IDIn(ids...)).Exec(ctx)
	})
	done.Deliveries += n
	if err != nil {
		return done, fmt.Errorf("purge webhook deliveries: %w", err)
	}
	progress(done)
	return done, nil
}

// inBatches runs del until it deletes nothing, and returns the total.
func inBatches(ctx context.Context, del func(context.Context) (int, error)) (int, error) {
	total := 0
	for {
		n, err := del(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

func (p *Purger) purgeKind(ctx context.Context, k kind, pr projectRetention, done *Counts, progress func(Counts)) error {
	before := k.cutoff(pr.cutoffs)
	for {
		ids, err := k.ids(ctx, p.client, pr.id, before, batchSize)
		if err != nil {
			return fmt.Errorf("purge %s: %w", k.name, err)
		}
		if len(ids) == 0 {
			return nil
		}
		if err := p.deleteBlobs(ctx, k.owns(ids...)); err != nil {
			return fmt.Errorf("purge %s: %w", k.name, err)
		}
		// The attachments' rows, comments and changes go with the items
		// (the foreign keys cascade).
		n, err := k.delete(ctx, p.client, ids)
		if err != nil {
			return fmt.Errorf("purge %s: %w", k.name, err)
		}
		*k.count(done) += n
		progress(*done)
	}
}

// deleteBlobs deletes the bytes of the attachments matching where, before
// their rows: should a row delete then fail, the next run deletes it again,
// and a blob is never left behind with no row to find it by.
func (p *Purger) deleteBlobs(ctx context.Context, where predicate.Attachment) error {
	keys, err := p.client.Attachment.Query().Where(where).Select(attachment.FieldStorageKey).Strings(ctx)
	if err != nil {
		return fmt.Errorf("list attachments: %w", err)
	}
	for _, key := range keys {
		if err := p.blobs.Delete(ctx, key); err != nil {
			return fmt.Errorf("delete attachment bytes: %w", err)
		}
	}
	return nil
}

func (p *Purger) purgeAttachments(ctx context.Context, before time.Time, done *Counts, progress func(Counts)) error {
	for {
		ids, err := p.client.Attachment.Query().Where(attachment.CreatedAtLT(before)).Limit(batchSize).IDs(ctx)
		if err != nil {
			return fmt.Errorf("purge attachments: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if err := p.deleteBlobs(ctx, attachment.IDIn(ids...)); err != nil {
			return fmt.Errorf("purge attachments: %w", err)
		}
		n, err := p.client.Attachment.Delete().Where(attachment.IDIn(ids...)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("purge attachments: %w", err)
		}
		done.Attachments += n
		progress(*done)
	}
}

// purgeBookkeeping deletes what described the purged items: report groups
// last seen before the reports' cutoff (all their reports are gone), and
// crash statistics older than the crashes'. Crash groups are kept.
func (p *Purger) purgeBookkeeping(ctx context.Context, pr projectRetention, done *Counts) error {
	n, err := inBatches(ctx, func(ctx context.Context) (int, error) {
		ids, err := p.client.ReportGroup.Query().
			Where(reportgroup.ProjectID(pr.id), reportgroup.LastSeenAtLT(pr.cutoffs.reports)).
			Limit(batchSize).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return p.client.ReportGroup.Delete().Where(reportgroup.IDIn(ids...)).Exec(ctx)
	})
	done.ReportGroups += n
	if err != nil {
		return fmt.Errorf("purge report groups: %w", err)
	}
	// Rollups are whole hours and days: one is purged once it ends before
	// the cutoff, so what is left still sums to the crashes that are left.
	// Hourly purges keep each of these deletes to an hour's or a day's rows.
	before := pr.cutoffs.crashes
	hours, err := p.client.CrashHour.Delete().
		Where(crashhour.ProjectID(pr.id), crashhour.HourLT(before.Add(-time.Hour))).Exec(ctx)
	if err != nil {
		return fmt.Errorf("purge crash statistics: %w", err)
	}
	days, err := p.client.CrashDay.Delete().
		Where(crashday.ProjectID(pr.id), crashday.DayLT(before.Add(-24*time.Hour))).Exec(ctx)
	if err != nil {
		return fmt.Errorf("purge crash statistics: %w", err)
	}
	users, err := p.client.CrashUser.Delete().
		Where(crashuser.ProjectID(pr.id), crashuser.LastSeenAtLT(before)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("purge crash statistics: %w", err)
	}
	done.StatsRows += hours + days + users
	return nil
}
