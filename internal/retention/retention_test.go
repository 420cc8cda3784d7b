package retention_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/ent/comment"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/reportchange"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/webhookdelivery"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/retention"
	"github.com/yoanbernabeu/oopsie/internal/settings"
	"github.com/yoanbernabeu/oopsie/internal/storage"
	"github.com/yoanbernabeu/oopsie/internal/storage/storagetest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var sys = viewer.SystemContext(context.Background(), "test")

// now is every test's clock: mid-hour, so cutoffs fall inside an hour and
// a day, not on their boundaries.
var now = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

func fixedNow() time.Time { return now }

func daysAgo(d int) time.Time { return now.Add(-time.Duration(d) * 24 * time.Hour) }

// defaults differ per type, so a test can tell which one was applied.
var defaults = config.Retention{Reports: 90, Feedback: 365, Crashes: 60, Attachments: 30}

// spyBlobs is a real store that records the keys deleted through it and can
// be made to fail its deletes.
type spyBlobs struct {
	storage.Blobs
	fail atomic.Bool

	mu      sync.Mutex
	deleted map[string]int
}

var errStorageDown = errors.New("storage is down")

func (s *spyBlobs) Delete(ctx context.Context, key string) error {
	if s.fail.Load() {
		return errStorageDown
	}
	s.mu.Lock()
	if s.deleted == nil {
		s.deleted = map[string]int{}
	}
	s.deleted[key]++
	s.mu.Unlock()
	return s.Blobs.Delete(ctx, key)
}

func (s *spyBlobs) deletes() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.deleted)
}

// env is one test's database and blob store, and helpers to fill them as
// ingest would have, at chosen times.
type env struct {
	t     *testing.T
	db    *database.DB
	c     *ent.Client
	blobs *spyBlobs
}

func setup(t *testing.T, db *database.DB, blobs storage.Blobs) *env {
	t.Helper()
	return &env{t: t, db: db, c: db.Client, blobs: &spyBlobs{Blobs: blobs}}
}

// eachDBAndStore runs fn on SQLite and PostgreSQL, each with the local and
// the S3 blob store.
func eachDBAndStore(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			for _, s := range storagetest.All {
				t.Run(s.Name, func(t *testing.T) {
					t.Parallel()
					fn(t, setup(t, dbtest.Open(t, d), s.New(t)))
				})
			}
		})
	}
}

// fill runs fn with an env writing in one transaction, committed when fn
// returns: one commit (and on SQLite one fsync) instead of one per row.
func (e *env) fill(fn func(e *env)) {
	e.t.Helper()
	tx, err := e.c.Tx(sys)
	e.must(err)
	in := *e
	in.c = tx.Client()
	fn(&in)
	e.must(tx.Commit())
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) purger() *retention.Purger {
	return retention.New(e.c, e.blobs, defaults, fixedNow)
}

func (e *env) project(slug string, retentionDays *int) string {
	e.t.Helper()
	p, err := e.c.Project.Create().SetName(slug).SetSlug(slug).SetNillableRetentionDays(retentionDays).Save(sys)
	e.must(err)
	return p.ID
}

func (e *env) settings(defaultDays *int) {
	e.t.Helper()
	e.must(e.c.Settings.Create().SetID(settings.InstanceID).SetNillableDefaultRetentionDays(defaultDays).Exec(sys))
}

func (e *env) reportGroup(project, fingerprint string, lastSeen time.Time) string {
	e.t.Helper()
	g, err := e.c.ReportGroup.Create().SetProjectID(project).SetFingerprint(fingerprint).
		SetReportCount(2).SetFirstSeenAt(lastSeen.Add(-48 * time.Hour)).SetLastSeenAt(lastSeen).Save(sys)
	e.must(err)
	return g.ID
}

func (e *env) report(project string, at time.Time, groupID string) string {
	e.t.Helper()
	b := e.c.Report.Create().SetProjectID(project).SetMessage("broken").
		SetCategory(enums.ReportCategoryUI).SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true).
		SetCreatedAt(at).SetUpdatedAt(at)
	if groupID != "" {
		b.SetGroupID(groupID)
	}
	r, err := b.Save(sys)
	e.must(err)
	return r.ID
}

func (e *env) feedback(project string, at time.Time) string {
	e.t.Helper()
	f, err := e.c.Feedback.Create().SetProjectID(project).SetCategory(enums.FeedbackCategoryBug).
		SetMessage("it broke").SetAppVersion("1.0").SetPlatform("web").
		SetCreatedAt(at).SetUpdatedAt(at).Save(sys)
	e.must(err)
	return f.ID
}

func (e *env) crashGroup(project string, occurrences int) string {
	e.t.Helper()
	g, err := e.c.CrashGroup.Create().SetProjectID(project).SetFingerprint("fp").SetErrorType("TypeError").
		SetErrorMessage("x is undefined").SetOccurrenceCount(occurrences).SetAffectedUsers(2).
		SetFirstSeenAt(daysAgo(200)).SetLastSeenAt(daysAgo(1)).Save(sys)
	e.must(err)
	return g.ID
}

func (e *env) crash(project string, at time.Time, groupID string) string {
	e.t.Helper()
	b := e.c.CrashReport.Create().SetProjectID(project).SetErrorType("TypeError").SetErrorMessage("x is undefined").
		SetAppVersion("1.0").SetPlatform("web").SetFingerprint("fp").SetCreatedAt(at)
	if groupID != "" {
		b.SetGroupID(groupID)
	}
	c, err := b.Save(sys)
	e.must(err)
	return c.ID
}

// owner is what an attachment belongs to: exactly one field is set.
type owner struct{ report, feedback, crash string }

func blobData(key string) []byte { return []byte("the bytes of " + key) }

// attach stores an attachment's bytes and row, created at, and returns its
// storage key.
func (e *env) attach(o owner, at time.Time) string {
	e.t.Helper()
	key := storage.NewKey()
	data := blobData(key)
	e.must(e.blobs.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), "text/plain"))
	b := e.c.Attachment.Create().SetFilename("notes.txt").SetMimeType("text/plain").
		SetSize(int64(len(data))).SetSha256(strings.Repeat("0", 64)).SetStorageKey(key).SetCreatedAt(at)
	switch {
	case o.report != "":
		b.SetReportID(o.report)
	case o.feedback != "":
		b.SetFeedbackID(o.feedback)
	case o.crash != "":
		b.SetCrashReportID(o.crash)
	}
	e.must(b.Exec(sys))
	return key
}

func (e *env) comment(o owner, crashGroupID string) string {
	e.t.Helper()
	b := e.c.Comment.Create().SetBody("looking into it")
	switch {
	case o.report != "":
		b.SetReportID(o.report)
	case o.feedback != "":
		b.SetFeedbackID(o.feedback)
	case crashGroupID != "":
		b.SetCrashGroupID(crashGroupID)
	}
	c, err := b.Save(sys)
	e.must(err)
	return c.ID
}

func (e *env) delivery(project string, at time.Time) string {
	e.t.Helper()
	d, err := e.c.WebhookDelivery.Create().SetProjectID(project).SetEvent("report.created").
		SetCreatedAt(at).SetUpdatedAt(at).Save(sys)
	e.must(err)
	return d.ID
}

// blobGone asserts that the bytes under key are no longer stored.
func (e *env) blobGone(key string) {
	e.t.Helper()
	rc, err := e.blobs.Get(context.Background(), key)
	if err == nil {
		rc.Close()
		e.t.Errorf("blob %s is still stored", key)
	} else if !errors.Is(err, storage.ErrNotFound) {
		e.t.Errorf("Get(%s) = %v, want ErrNotFound", key, err)
	}
}

// blobKept asserts that the bytes under key are still stored, intact.
func (e *env) blobKept(key string) {
	e.t.Helper()
	rc, err := e.blobs.Get(context.Background(), key)
	if err != nil {
		e.t.Errorf("blob %s: %v, want it kept", key, err)
		return
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, blobData(key)) {
		e.t.Errorf("blob %s reads %q, %v; want its bytes intact", key, got, err)
	}
}

func (e *env) attachmentRows(keys ...string) int {
	e.t.Helper()
	n, err := e.c.Attachment.Query().Where(attachment.StorageKeyIn(keys...)).Count(sys)
	e.must(err)
	return n
}

// present reports, for each id, whether its row exists; exist reads one
// table by id.
func present(t *testing.T, exist func(id string) (bool, error), ids ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, id := range ids {
		ok, err := exist(id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = ok
	}
	return out
}

func (e *env) reportExists(id string) (bool, error) {
	return e.c.Report.Query().Where(report.ID(id)).Exist(sys)
}

// scenario is one project's data around every cutoff of the defaults, as
// ingest and triage leave it.
type scenario struct {
	project string

	oldReport, oldReportInOldGroup, newReport, agedReport string
	oldGroup, keptGroup                                   string
	oldReportComment, newReportComment, oldReportChange   string

	oldFeedback, agedFeedback, newFeedback string
	oldFeedbackComment                     string

	crashGroup                    string
	crashGroupComment             string
	oldCrash, agedCrash, newCrash string

	// Blob keys of the attachments of purged items, of kept items but
	// older than the attachment retention, and kept.
	purgedWithItem, purgedForAge, kept []string

	oldDelivery, newDelivery string
}

// want is what Run deletes from the scenario. Every attachment of a
// purged item there is older than the attachment retention too, so it is
// counted with the attachments.
var want = retention.Counts{
	Reports: 2, Feedback: 1, CrashReports: 1, Attachments: 6,
	ReportGroups: 1, StatsRows: 5, Deliveries: 1,
}

// crashCutoff is now less defaults.Crashes: 2026-01-14 10:30 UTC.
var crashCutoff = daysAgo(60)

func (e *env) scenario() (s scenario) {
	e.t.Helper()
	e.fill(func(e *env) { s = e.fillScenario() })
	return s
}

func (e *env) fillScenario() scenario {
	e.t.Helper()
	var s scenario
	s.project = e.project("app", nil)

	// Reports (90 days).
	s.oldGroup = e.reportGroup(s.project, "old", daysAgo(100))
	s.keptGroup = e.reportGroup(s.project, "kept", daysAgo(20))
	s.oldReport = e.report(s.project, daysAgo(100), s.keptGroup)
	s.oldReportInOldGroup = e.report(s.project, daysAgo(100), s.oldGroup)
	s.newReport = e.report(s.project, daysAgo(20), s.keptGroup)
	s.agedReport = e.report(s.project, daysAgo(60), "")
	s.purgedWithItem = append(s.purgedWithItem, e.attach(owner{report: s.oldReport}, daysAgo(100)))
	s.kept = append(s.kept, e.attach(owner{report: s.newReport}, daysAgo(20)))
	s.purgedForAge = append(s.purgedForAge, e.attach(owner{report: s.agedReport}, daysAgo(60)))
	s.oldReportComment = e.comment(owner{report: s.oldReport}, "")
	s.newReportComment = e.comment(owner{report: s.newReport}, "")
	ch, err := e.c.ReportChange.Create().SetReportID(s.oldReport).SetField("status").
		SetFromValue("new").SetToValue("in_progress").Save(sys)
	e.must(err)
	s.oldReportChange = ch.ID

	// Feedback (365 days).
	s.oldFeedback = e.feedback(s.project, daysAgo(400))
	s.agedFeedback = e.feedback(s.project, daysAgo(300))
	s.newFeedback = e.feedback(s.project, daysAgo(5))
	s.purgedWithItem = append(s.purgedWithItem, e.attach(owner{feedback: s.oldFeedback}, daysAgo(400)))
	s.purgedForAge = append(s.purgedForAge, e.attach(owner{feedback: s.agedFeedback}, daysAgo(300)))
	s.kept = append(s.kept, e.attach(owner{feedback: s.newFeedback}, daysAgo(5)))
	s.oldFeedbackComment = e.comment(owner{feedback: s.oldFeedback}, "")

	// Crashes (60 days), all in one group.
	s.crashGroup = e.crashGroup(s.project, 3)
	s.crashGroupComment = e.comment(owner{}, s.crashGroup)
	s.oldCrash = e.crash(s.project, daysAgo(61), s.crashGroup)
	s.agedCrash = e.crash(s.project, daysAgo(40), s.crashGroup)
	s.newCrash = e.crash(s.project, daysAgo(1), s.crashGroup)
	s.purgedWithItem = append(s.purgedWithItem, e.attach(owner{crash: s.oldCrash}, daysAgo(61)))
	s.purgedForAge = append(s.purgedForAge, e.attach(owner{crash: s.agedCrash}, daysAgo(40)))
	s.kept = append(s.kept, e.attach(owner{crash: s.newCrash}, daysAgo(1)))

	// Crash statistics around the crashes' cutoff: whole hours and days
	// that ended before it go, the hour and day that contain it stay.
	cutHour := crashCutoff.Truncate(time.Hour) // 10:00
	cutDay := crashCutoff.Truncate(24 * time.Hour)
	for _, h := range []struct {
		at  time.Time
		dim string
	}{
		{cutHour.Add(-2 * time.Hour), "total"}, // purged
		{cutHour.Add(-time.Hour), "total"},     // purged
		{cutHour.Add(-time.Hour), "group"},     // purged
		{cutHour, "total"},                     // kept: holds the cutoff
		{now.Truncate(time.Hour), "total"},     // kept
	} {
		b := e.c.CrashHour.Create().SetProjectID(s.project).SetHour(h.at).SetOccurrences(1)
		if h.dim == "group" {
			b.SetDimension("group").SetKey(s.crashGroup)
		} else {
			b.SetDimension("total")
		}
		e.must(b.Exec(sys))
	}
	for _, d := range []time.Time{cutDay.Add(-24 * time.Hour), cutDay, now.Truncate(24 * time.Hour)} {
		e.must(e.c.CrashDay.Create().SetProjectID(s.project).SetDay(d).SetDimension("version").
			SetKey("1.0").SetOccurrences(1).Exec(sys))
	}
	for user, at := range map[string]time.Time{
		"gone":    crashCutoff.Add(-time.Second), // purged
		"at-edge": crashCutoff,                   // kept
		"recent":  daysAgo(1),                    // kept
	} {
		e.must(e.c.CrashUser.Create().SetProjectID(s.project).SetUserID(user).SetLastSeenAt(at).Exec(sys))
	}

	// Webhook delivery log (30 days).
	s.oldDelivery = e.delivery(s.project, daysAgo(31))
	s.newDelivery = e.delivery(s.project, daysAgo(29))
	return s
}

// rollups lists the crash statistics rows left, as text.
func (e *env) rollups() []string {
	e.t.Helper()
	var out []string
	hs, err := e.c.CrashHour.Query().All(sys)
	e.must(err)
	for _, h := range hs {
		out = append(out, fmt.Sprintf("hour %s %s", h.Dimension, h.Hour.UTC().Format(time.DateTime)))
	}
	ds, err := e.c.CrashDay.Query().All(sys)
	e.must(err)
	for _, d := range ds {
		out = append(out, fmt.Sprintf("day %s %s", d.Dimension, d.Day.UTC().Format(time.DateOnly)))
	}
	us, err := e.c.CrashUser.Query().All(sys)
	e.must(err)
	for _, u := range us {
		out = append(out, "user "+u.UserID)
	}
	slices.Sort(out)
	return out
}

// Old reports, feedback and crash reports go with their attachments' rows
// and bytes, their comments and triage history; so do emptied report
// groups, crash statistics that ended before the crashes' cutoff and old
// webhook deliveries. Crash groups stay, with their counts; recent items
// and their bytes stay; old attachments of kept items go.
func TestRunPurgesWhatIsOlderThanItsRetention(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, e *env) {
		s := e.scenario()
		var calls int
		got, err := e.purger().Run(context.Background(), func(retention.Counts) { calls++ })
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Run = %+v, want %+v", got, want)
		}
		if calls == 0 {
			t.Error("progress was never called")
		}

		c := e.c
		check := func(what string, exist func(string) (bool, error), gone, kept []string) {
			t.Helper()
			for id, ok := range present(t, exist, gone...) {
				if ok {
					t.Errorf("%s %s is still there", what, id)
				}
			}
			for id, ok := range present(t, exist, kept...) {
				if !ok {
					t.Errorf("%s %s was deleted", what, id)
				}
			}
		}
		var (
			feedbackExists = func(id string) (bool, error) { return c.Feedback.Query().Where(feedback.ID(id)).Exist(sys) }
			crashExists    = func(id string) (bool, error) { return c.CrashReport.Query().Where(crashreport.ID(id)).Exist(sys) }
			commentExists  = func(id string) (bool, error) { return c.Comment.Query().Where(comment.ID(id)).Exist(sys) }
			changeExists   = func(id string) (bool, error) { return c.ReportChange.Query().Where(reportchange.ID(id)).Exist(sys) }
			groupExists    = func(id string) (bool, error) { return c.ReportGroup.Query().Where(reportgroup.ID(id)).Exist(sys) }
			deliveryExists = func(id string) (bool, error) {
				return c.WebhookDelivery.Query().Where(webhookdelivery.ID(id)).Exist(sys)
			}
		)
		check("report", e.reportExists, []string{s.oldReport, s.oldReportInOldGroup}, []string{s.newReport, s.agedReport})
		check("feedback", feedbackExists, []string{s.oldFeedback}, []string{s.agedFeedback, s.newFeedback})
		check("crash report", crashExists, []string{s.oldCrash}, []string{s.agedCrash, s.newCrash})
		check("comment", commentExists,
			[]string{s.oldReportComment, s.oldFeedbackComment}, []string{s.newReportComment, s.crashGroupComment})
		check("report change", changeExists, []string{s.oldReportChange}, nil)
		check("report group", groupExists, []string{s.oldGroup}, []string{s.keptGroup})
		check("webhook delivery", deliveryExists, []string{s.oldDelivery}, []string{s.newDelivery})

		// Crash groups are the long memory: kept, counts untouched, and
		// their crash reports that are left still point at them.
		g, err := c.CrashGroup.Get(sys, s.crashGroup)
		if err != nil {
			t.Fatalf("crash group: %v", err)
		}
		if g.OccurrenceCount != 3 || g.AffectedUsers != 2 {
			t.Errorf("crash group counts %d occurrences, %d users; want 3, 2", g.OccurrenceCount, g.AffectedUsers)
		}
		if n := c.CrashReport.Query().Where(crashreport.GroupID(s.crashGroup)).CountX(sys); n != 2 {
			t.Errorf("%d crash reports left in the group, want 2", n)
		}
		if kg, err := c.ReportGroup.Get(sys, s.keptGroup); err != nil || kg.ReportCount != 2 {
			t.Errorf("kept report group = %+v, %v; want its count of 2 untouched", kg, err)
		}

		wantRollups := []string{
			"day version 2026-01-14", "day version 2026-03-15",
			"hour total 2026-01-14 10:00:00", "hour total 2026-03-15 10:00:00",
			"user at-edge", "user recent",
		}
		if got := e.rollups(); !slices.Equal(got, wantRollups) {
			t.Errorf("crash statistics left:\n%q\nwant\n%q", got, wantRollups)
		}

		// Attachments: rows and bytes.
		for _, key := range slices.Concat(s.purgedWithItem, s.purgedForAge) {
			e.blobGone(key)
		}
		for _, key := range s.kept {
			e.blobKept(key)
		}
		if n := e.attachmentRows(slices.Concat(s.purgedWithItem, s.purgedForAge)...); n != 0 {
			t.Errorf("%d purged attachments still have rows", n)
		}
		if n := e.attachmentRows(s.kept...); n != len(s.kept) {
			t.Errorf("%d of the %d kept attachments have rows", n, len(s.kept))
		}
		for key, n := range e.blobs.deletes() {
			if n != 1 {
				t.Errorf("blob %s deleted %d times, want once", key, n)
			}
			if slices.Contains(s.kept, key) {
				t.Errorf("kept blob %s was deleted", key)
			}
		}

		// Once purged, nothing is left to purge.
		again, err := e.purger().Run(context.Background(), nil)
		if err != nil || again != (retention.Counts{}) {
			t.Errorf("a second Run = %+v, %v; want nothing deleted", again, err)
		}
	})
}

// Attachments go at the attachment retention whatever their item's own
// retention, even a project's that keeps everything far longer; the item
// stays. Attachments younger than that go with their item when it is
// purged (a project keeping items 10 days), and are not counted.
func TestAttachmentsGoByAge(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := setup(t, db, storagetest.Local(t))
		var old, edge, young, withItem []string
		e.fill(func(e *env) {
			tenYears, tenDays := 3650, 10
			p := e.project("keeper", &tenYears)
			items := []owner{
				{report: e.report(p, daysAgo(400), "")},
				{feedback: e.feedback(p, daysAgo(400))},
				{crash: e.crash(p, daysAgo(400), "")},
			}
			for _, o := range items {
				old = append(old, e.attach(o, daysAgo(30).Add(-time.Second)))
				edge = append(edge, e.attach(o, daysAgo(30))) // exactly at the cutoff: kept
				young = append(young, e.attach(o, daysAgo(29)))
			}
			brief := e.project("brief", &tenDays)
			for _, o := range []owner{
				{report: e.report(brief, daysAgo(11), "")},
				{feedback: e.feedback(brief, daysAgo(11))},
				{crash: e.crash(brief, daysAgo(11), "")},
			} {
				withItem = append(withItem, e.attach(o, daysAgo(11)))
			}
		})
		wantCounts := retention.Counts{Reports: 1, Feedback: 1, CrashReports: 1, Attachments: 3}
		if pending, err := e.purger().Pending(context.Background()); err != nil || pending != wantCounts {
			t.Errorf("Pending = %+v, %v; want %+v", pending, err, wantCounts)
		}
		got, err := e.purger().Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got != wantCounts {
			t.Errorf("Run = %+v, want %+v", got, wantCounts)
		}
		for _, key := range slices.Concat(old, withItem) {
			e.blobGone(key)
		}
		if n := e.attachmentRows(slices.Concat(old, withItem)...); n != 0 {
			t.Errorf("%d attachment rows of purged attachments left", n)
		}
		for _, key := range slices.Concat(edge, young) {
			e.blobKept(key)
		}
		if n := e.attachmentRows(slices.Concat(edge, young)...); n != 6 {
			t.Errorf("%d of the 6 younger attachment rows left", n)
		}
		if n := e.c.Report.Query().CountX(sys) + e.c.Feedback.Query().CountX(sys) + e.c.CrashReport.Query().CountX(sys); n != 3 {
			t.Errorf("%d items left, want the 3 owners", n)
		}
	})
}

// The rules: a project's own retention covers all its items, shorter or
// longer than the defaults; otherwise the instance default (Settings)
// covers its reports only, and the environment's per-type defaults the
// rest.
func TestRetentionRules(t *testing.T) {
	t.Parallel()
	ten, thirty, fourHundred := 10, 30, 400
	type project struct {
		retention                  *int
		reports, feedback, crashes int // the days that should apply
	}
	cases := []struct {
		name     string
		settings bool // whether the Settings row exists
		instance *int // its DefaultRetentionDays
		projects map[string]project
	}{
		{"no settings row", false, nil, map[string]project{
			"plain": {nil, 90, 365, 60},
			"short": {&ten, 10, 10, 10},
			"long":  {&fourHundred, 400, 400, 400},
		}},
		{"settings row without a default", true, nil, map[string]project{
			"plain": {nil, 90, 365, 60},
		}},
		{"instance default", true, &thirty, map[string]project{
			"plain": {nil, 30, 365, 60},
			"short": {&ten, 10, 10, 10},
			"long":  {&fourHundred, 400, 400, 400},
		}},
	}
	// The cases run in turn on one database per dialect, each from no
	// project and no settings row: a database costs more than the case.
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e := setup(t, db, storagetest.Local(t))
				if _, err := e.c.Project.Delete().Exec(sys); err != nil { // cascades to their items
					t.Fatal(err)
				}
				if _, err := e.c.Settings.Delete().Exec(sys); err != nil {
					t.Fatal(err)
				}
				if tc.settings {
					e.settings(tc.instance)
				}
				// Per project and type, an item a second older than the
				// cutoff (purged) and one exactly at it (kept).
				var purged, kept []string
				e.fill(func(e *env) {
					for slug, p := range tc.projects {
						id := e.project(slug, p.retention)
						for _, k := range []struct {
							days int
							make func(time.Time) string
						}{
							{p.reports, func(at time.Time) string { return e.report(id, at, "") }},
							{p.feedback, func(at time.Time) string { return e.feedback(id, at) }},
							{p.crashes, func(at time.Time) string { return e.crash(id, at, "") }},
						} {
							purged = append(purged, k.make(daysAgo(k.days).Add(-time.Second)))
							kept = append(kept, k.make(daysAgo(k.days)))
						}
					}
				})
				n := len(tc.projects)
				wantPending := retention.Counts{Reports: n, Feedback: n, CrashReports: n}
				pending, err := e.purger().Pending(context.Background())
				if err != nil || pending != wantPending {
					t.Errorf("Pending = %+v, %v; want %+v", pending, err, wantPending)
				}
				got, err := e.purger().Run(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				if got != wantPending {
					t.Errorf("Run = %+v, want %+v", got, wantPending)
				}
				left := map[string]bool{}
				for _, ids := range [][]string{
					e.c.Report.Query().IDsX(sys), e.c.Feedback.Query().IDsX(sys), e.c.CrashReport.Query().IDsX(sys),
				} {
					for _, id := range ids {
						left[id] = true
					}
				}
				for _, id := range purged {
					if left[id] {
						t.Errorf("%s, older than its retention, was kept", id)
					}
				}
				for _, id := range kept {
					if !left[id] {
						t.Errorf("%s, exactly as old as its retention, was purged", id)
					}
				}
			})
		}
	})
}

// A backlog larger than a batch goes in one Run, batch by batch: progress
// is reported after each, never jumping by more than a batch, and ends at
// what Run returns. Pending announced it all.
func TestRunPurgesABacklogInBatches(t *testing.T) {
	t.Parallel()
	const batch = 500 // retention's batchSize
	const oldCrashes, oldAttachments = 2*batch + 201, batch + 1
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := setup(t, db, storagetest.Local(t))
		p := e.project("busy", nil)
		keptCrash := e.crash(p, daysAgo(1), "")
		keptReport := e.report(p, daysAgo(1), "")
		var crashes []*ent.CrashReportCreate
		for i := range oldCrashes {
			crashes = append(crashes, e.c.CrashReport.Create().SetProjectID(p).SetErrorType("E").
				SetErrorMessage("boom").SetAppVersion("1.0").SetPlatform("web").SetFingerprint("fp").
				SetCreatedAt(daysAgo(61).Add(-time.Duration(i)*time.Minute)))
		}
		// Rows only: the bytes are not what is measured here, and deleting
		// a missing blob succeeds.
		var atts []*ent.AttachmentCreate
		var keys []string
		for range oldAttachments {
			key := storage.NewKey()
			keys = append(keys, key)
			atts = append(atts, e.c.Attachment.Create().SetReportID(keptReport).SetFilename("a.txt").
				SetMimeType("text/plain").SetSize(1).SetSha256("00").SetStorageKey(key).SetCreatedAt(daysAgo(31)))
		}
		for chunk := range slices.Chunk(crashes, 200) {
			e.must(e.c.CrashReport.CreateBulk(chunk...).Exec(sys))
		}
		for chunk := range slices.Chunk(atts, 200) {
			e.must(e.c.Attachment.CreateBulk(chunk...).Exec(sys))
		}

		wantCounts := retention.Counts{CrashReports: oldCrashes, Attachments: oldAttachments}
		pending, err := e.purger().Pending(context.Background())
		if err != nil || pending != wantCounts {
			t.Errorf("Pending = %+v, %v; want %+v", pending, err, wantCounts)
		}
		var progress []retention.Counts
		got, err := e.purger().Run(context.Background(), func(c retention.Counts) { progress = append(progress, c) })
		if err != nil {
			t.Fatal(err)
		}
		if got != wantCounts {
			t.Errorf("Run = %+v, want %+v", got, wantCounts)
		}
		if len(progress) < 2 {
			t.Fatalf("progress called %d times, want once per batch", len(progress))
		}
		if last := progress[len(progress)-1]; last != got {
			t.Errorf("the last progress is %+v, Run returned %+v", last, got)
		}
		crashSteps, attachmentSteps := 0, 0
		prev := retention.Counts{}
		for i, c := range progress {
			if c.CrashReports < prev.CrashReports || c.Attachments < prev.Attachments || c.Items() < prev.Items() {
				t.Errorf("progress went back: %+v after %+v", c, prev)
			}
			if step := c.Items() - prev.Items(); step > batch {
				t.Errorf("progress %d jumped by %d items, more than a batch", i, step)
			}
			if c.CrashReports > prev.CrashReports {
				crashSteps++
			}
			if c.Attachments > prev.Attachments {
				attachmentSteps++
			}
			prev = c
		}
		if crashSteps < 3 || attachmentSteps < 2 {
			t.Errorf("crash reports grew in %d steps, attachments in %d; want at least 3 and 2 batches:\n%+v",
				crashSteps, attachmentSteps, progress)
		}

		if ids := e.c.CrashReport.Query().IDsX(sys); !slices.Equal(ids, []string{keptCrash}) {
			t.Errorf("crash reports left: %d, want only the recent one", len(ids))
		}
		if n := e.c.Attachment.Query().CountX(sys); n != 0 {
			t.Errorf("%d attachment rows left", n)
		}
		deleted := e.blobs.deletes()
		for _, key := range keys {
			if deleted[key] != 1 {
				t.Fatalf("blob %s deleted %d times, want once", key, deleted[key])
			}
		}
	})
}

// Pending, which sizes the progress bar, counts exactly the items Run then
// deletes, on data as ingest leaves it: attachments made with their items.
func TestPendingCountsWhatRunDeletes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := setup(t, db, storagetest.Local(t))
		e.scenario()
		pending, err := e.purger().Pending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		done, err := e.purger().Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if pending.Items() != done.Items() {
			t.Errorf("Pending announced %d items (%+v), Run deleted %d (%+v)", pending.Items(), pending, done.Items(), done)
		}
		for name, n := range map[string][2]int{
			"reports":       {pending.Reports, done.Reports},
			"feedback":      {pending.Feedback, done.Feedback},
			"crash reports": {pending.CrashReports, done.CrashReports},
			"attachments":   {pending.Attachments, done.Attachments},
		} {
			if n[0] != n[1] {
				t.Errorf("Pending counted %d %s, Run deleted %d", n[0], name, n[1])
			}
		}
		if after, err := e.purger().Pending(context.Background()); err != nil || after != (retention.Counts{}) {
			t.Errorf("Pending after a purge = %+v, %v; want nothing", after, err)
		}
	})
}

// logLine returns the fields of the one log line with the message.
func logLine(t *testing.T, logs *bytes.Buffer, msg string) map[string]any {
	t.Helper()
	var found map[string]any
	for line := range strings.Lines(logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if m["msg"] == msg {
			if found != nil {
				t.Fatalf("%q logged twice:\n%s", msg, logs.String())
			}
			found = m
		}
	}
	if found == nil {
		t.Fatalf("no %q line in the log:\n%s", msg, logs.String())
	}
	return found
}

func checkLogged(t *testing.T, line map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if n, ok := v.(int); ok {
			v = float64(n) // as JSON decodes numbers
		}
		if line[k] != v {
			t.Errorf("logged %s = %v (%T), want %v", k, line[k], line[k], v)
		}
	}
}

// The periodic job purges and logs what it deleted. When blob storage
// fails, the purge stops before deleting the rows whose bytes it could not
// delete; the job fails, so River retries it, and logs the purge as
// incomplete. The next run finishes the job.
func TestWorkerPurgesAndLogsTheCounts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := setup(t, db, storagetest.Local(t))
		s := e.scenario()
		var logs bytes.Buffer
		w := retention.NewWorker(e.purger(), slog.New(slog.NewJSONHandler(&logs, nil)))

		e.blobs.fail.Store(true)
		if err := w.Work(context.Background(), &river.Job[retention.PurgeArgs]{}); !errors.Is(err, errStorageDown) {
			t.Fatalf("Work with storage down = %v, want the storage error", err)
		}
		checkLogged(t, logLine(t, &logs, "retention purge"), map[string]any{
			"level": "INFO", "reports": 0, "feedback": 0, "crash_reports": 0, "attachments": 0, "complete": false,
		})
		if ok, _ := e.reportExists(s.oldReport); !ok {
			t.Error("the old report went although its attachment's bytes could not be deleted")
		}
		all := slices.Concat(s.purgedWithItem, s.purgedForAge, s.kept)
		if n := e.attachmentRows(all...); n != len(all) {
			t.Errorf("%d of %d attachment rows left, want all", n, len(all))
		}
		for _, key := range all {
			e.blobKept(key)
		}

		e.blobs.fail.Store(false)
		logs.Reset()
		if err := w.Work(context.Background(), &river.Job[retention.PurgeArgs]{}); err != nil {
			t.Fatal(err)
		}
		checkLogged(t, logLine(t, &logs, "retention purge"), map[string]any{
			"level": "INFO", "reports": want.Reports, "feedback": want.Feedback, "crash_reports": want.CrashReports,
			"attachments": want.Attachments, "report_groups": want.ReportGroups, "stats_rows": want.StatsRows,
			"webhook_deliveries": want.Deliveries, "complete": true,
		})
		if ok, _ := e.reportExists(s.oldReport); ok {
			t.Error("the job did not purge the old report")
		}
		for _, key := range slices.Concat(s.purgedWithItem, s.purgedForAge) {
			e.blobGone(key)
		}
	})
}

func TestPeriodicJob(t *testing.T) {
	t.Parallel()
	if k := (retention.PurgeArgs{}).Kind(); k != "retention_purge" {
		t.Errorf("Kind = %q", k)
	}
	if retention.Every != time.Hour {
		t.Errorf("Every = %s, want hourly", retention.Every)
	}
	if retention.Periodic() == nil {
		t.Error("no periodic job")
	}
	w := retention.NewWorker(retention.New(nil, nil, defaults, nil), slog.New(slog.DiscardHandler))
	if d := w.Timeout(nil); d < 10*time.Minute {
		t.Errorf("Timeout = %s, too short for a backlog", d)
	}
}
