package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/retention"
	"github.com/yoanbernabeu/oopsie/internal/storage"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// dataDir is an Oopsie data directory on SQLite, migrated and open, to fill
// before `oopsie purge` runs on it; its blobs are where the command looks
// for attachments by default.
type dataDir struct {
	t     *testing.T
	dir   string
	c     *ent.Client
	blobs *storage.Local
	ctx   context.Context
	p     string // a project's id
}

func newDataDir(t *testing.T) *dataDir {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db, err := database.Open(ctx, config.Database{Dialect: config.DialectSQLite, SQLitePath: filepath.Join(dir, "oopsie.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := storage.NewLocal(filepath.Join(dir, "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	d := &dataDir{t: t, dir: dir, c: db.Client, blobs: blobs, ctx: viewer.SystemContext(ctx, "test")}
	p, err := d.c.Project.Create().SetName("App").SetSlug("app").Save(d.ctx)
	d.must(err)
	d.p = p.ID
	return d
}

func (d *dataDir) must(err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
}

// The command purges by the wall clock.
func ago(days int) time.Time { return time.Now().Add(-time.Duration(days) * 24 * time.Hour) }

func (d *dataDir) report(at time.Time) string {
	d.t.Helper()
	r, err := d.c.Report.Create().SetProjectID(d.p).SetMessage("broken").SetCategory(enums.ReportCategoryUI).
		SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true).SetCreatedAt(at).SetUpdatedAt(at).Save(d.ctx)
	d.must(err)
	return r.ID
}

func (d *dataDir) feedback(at time.Time) string {
	d.t.Helper()
	f, err := d.c.Feedback.Create().SetProjectID(d.p).SetCategory(enums.FeedbackCategoryBug).SetMessage("more").
		SetAppVersion("1.0").SetPlatform("web").SetCreatedAt(at).SetUpdatedAt(at).Save(d.ctx)
	d.must(err)
	return f.ID
}

func (d *dataDir) crash(at time.Time) string {
	d.t.Helper()
	c, err := d.c.CrashReport.Create().SetProjectID(d.p).SetErrorType("TypeError").SetErrorMessage("boom").
		SetAppVersion("1.0").SetPlatform("web").SetFingerprint("fp").SetCreatedAt(at).Save(d.ctx)
	d.must(err)
	return c.ID
}

// attach stores bytes for an attachment of the report or the feedback,
// created at, and returns their key.
func (d *dataDir) attach(reportID, feedbackID string, at time.Time) string {
	d.t.Helper()
	key := storage.NewKey()
	d.must(d.blobs.Put(context.Background(), key, strings.NewReader("log"), 3, "text/plain"))
	b := d.c.Attachment.Create().SetFilename("log.txt").SetMimeType("text/plain").SetSize(3).
		SetSha256(strings.Repeat("0", 64)).SetStorageKey(key).SetCreatedAt(at)
	if reportID != "" {
		b.SetReportID(reportID)
	} else {
		b.SetFeedbackID(feedbackID)
	}
	d.must(b.Exec(d.ctx))
	return key
}

func (d *dataDir) stored(key string) bool {
	d.t.Helper()
	rc, err := d.blobs.Get(context.Background(), key)
	if errors.Is(err, storage.ErrNotFound) {
		return false
	}
	d.must(err)
	rc.Close()
	return true
}

func (d *dataDir) env(extra ...string) func(string) string {
	m := map[string]string{"OOPSIE_DATA_DIR": d.dir}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return env(m)
}

func summary(c retention.Counts) string {
	return fmt.Sprintf("purged %d reports, %d feedback, %d crash reports, %d attachments\n"+
		"and %d emptied report groups, %d statistics rows, %d webhook deliveries\n",
		c.Reports, c.Feedback, c.CrashReports, c.Attachments, c.ReportGroups, c.StatsRows, c.Deliveries)
}

// `oopsie purge` purges the configured database and attachment directory
// by the environment's retention, and sums up what it deleted; on what is
// not a terminal, without a progress bar.
func TestPurgeCommand(t *testing.T) {
	t.Parallel()
	d := newDataDir(t)
	// Reports are kept 10 days and attachments 3 here; feedback and crash
	// reports keep their defaults, 365 and 90 days.
	vars := d.env("OOPSIE_REPORT_RETENTION_DAYS", "10", "OOPSIE_ATTACHMENT_RETENTION_DAYS", "3")

	oldReport := d.report(ago(20))
	keptReport := d.report(ago(5))
	newReport := d.report(ago(1))
	oldFeedback := d.feedback(ago(400))
	keptFeedback := d.feedback(ago(300))
	d.crash(ago(100))
	keptCrash := d.crash(ago(80))
	goneWithReport := d.attach(oldReport, "", ago(20))
	goneWithFeedback := d.attach("", oldFeedback, ago(400))
	goneForAge := d.attach(keptReport, "", ago(5))
	keptBlob := d.attach(newReport, "", ago(1))
	group, err := d.c.ReportGroup.Create().SetProjectID(d.p).SetFingerprint("f").
		SetFirstSeenAt(ago(25)).SetLastSeenAt(ago(20)).Save(d.ctx)
	d.must(err)
	d.must(d.c.CrashHour.Create().SetProjectID(d.p).SetHour(ago(100).Truncate(time.Hour)).
		SetDimension("total").SetOccurrences(1).Exec(d.ctx))
	d.must(d.c.CrashHour.Create().SetProjectID(d.p).SetHour(ago(80).Truncate(time.Hour)).
		SetDimension("total").SetOccurrences(1).Exec(d.ctx))
	d.must(d.c.WebhookDelivery.Create().SetProjectID(d.p).SetEvent("report.created").
		SetCreatedAt(ago(40)).SetUpdatedAt(ago(40)).Exec(d.ctx))
	d.must(d.c.WebhookDelivery.Create().SetProjectID(d.p).SetEvent("report.created").
		SetCreatedAt(ago(1)).SetUpdatedAt(ago(1)).Exec(d.ctx))

	var out bytes.Buffer
	if err := run(context.Background(), []string{"purge"}, vars, &out); err != nil {
		t.Fatalf("purge: %v\n%s", err, out.String())
	}
	// Attachments counts those older than their retention, the old items'
	// included: here, all three.
	want := summary(retention.Counts{Reports: 1, Feedback: 1, CrashReports: 1, Attachments: 3,
		ReportGroups: 1, StatsRows: 1, Deliveries: 1})
	if out.String() != want {
		t.Errorf("purge printed\n%q\nwant\n%q", out.String(), want)
	}

	ids := func(q idQuery) []string { return q.IDsX(d.ctx) }
	for what, got := range map[string][2][]string{
		"reports":       {ids(d.c.Report.Query()), {keptReport, newReport}},
		"feedback":      {ids(d.c.Feedback.Query()), {keptFeedback}},
		"crash reports": {ids(d.c.CrashReport.Query()), {keptCrash}},
	} {
		if !sameSet(got[0], got[1]) {
			t.Errorf("%s left: %v, want %v", what, got[0], got[1])
		}
	}
	if ok := d.c.ReportGroup.Query().ExistX(d.ctx); ok {
		t.Errorf("report group %s, last seen before the reports' cutoff, is still there", group.ID)
	}
	if n := d.c.CrashHour.Query().CountX(d.ctx); n != 1 {
		t.Errorf("%d crash statistics rows left, want 1", n)
	}
	if n := d.c.WebhookDelivery.Query().CountX(d.ctx); n != 1 {
		t.Errorf("%d webhook deliveries left, want 1", n)
	}
	for _, key := range []string{goneWithReport, goneWithFeedback, goneForAge} {
		if d.stored(key) {
			t.Errorf("blob %s is still in the data directory", key)
		}
	}
	if !d.stored(keptBlob) {
		t.Errorf("blob %s of a recent report was deleted", keptBlob)
	}
	if n := d.c.Attachment.Query().CountX(d.ctx); n != 1 {
		t.Errorf("%d attachment rows left, want 1", n)
	}

	// Again: nothing left to purge, and it says so.
	out.Reset()
	if err := run(context.Background(), []string{"purge"}, vars, &out); err != nil {
		t.Fatal(err)
	}
	if want := summary(retention.Counts{}); out.String() != want {
		t.Errorf("a second purge printed\n%q\nwant\n%q", out.String(), want)
	}
}

// idQuery is any ent query, for the ids it finds.
type idQuery interface {
	IDsX(context.Context) []string
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// On a new data directory the command migrates first, and has nothing to
// purge.
func TestPurgeOnANewDataDir(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"purge"}, env(map[string]string{"OOPSIE_DATA_DIR": t.TempDir()}), &out); err != nil {
		t.Fatalf("purge: %v\n%s", err, out.String())
	}
	if want := summary(retention.Counts{}); out.String() != want {
		t.Errorf("purge printed %q, want %q", out.String(), want)
	}
}

func TestPurgeUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"purge", "--bogus"}, {"purge", "now"}} {
		vars := env(map[string]string{"OOPSIE_DATA_DIR": t.TempDir()})
		if err := run(context.Background(), args, vars, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
	// A bad setting stops it before it touches anything.
	vars := env(map[string]string{"OOPSIE_DATA_DIR": t.TempDir(), "OOPSIE_CRASH_RETENTION_DAYS": "0"})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"purge"}, vars, &out); err == nil || !strings.Contains(err.Error(), "OOPSIE_CRASH_RETENTION_DAYS") {
		t.Errorf("purge with a retention of 0 days = %v, want an error naming the setting", err)
	}
	if out.Len() != 0 {
		t.Errorf("purge with a bad setting printed %q", out.String())
	}
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	bar := progressBar(&out, 8)
	for _, c := range []retention.Counts{
		{},
		{Reports: 1, Feedback: 1},      // a quarter
		{Reports: 2, CrashReports: 1},  // 3/8: rounds down
		{Reports: 2, Attachments: 6},   // all
		{Reports: 5, Attachments: 6},   // more than announced: stays full
		{Deliveries: 99, StatsRows: 5}, // bookkeeping is not items
	} {
		bar(c)
	}
	want := "\r[------------------------------]   0%  0/8 items   " +
		"\r[#######-----------------------]  25%  2/8 items   " +
		"\r[###########-------------------]  37%  3/8 items   " +
		"\r[##############################] 100%  8/8 items   " +
		"\r[##############################] 100%  8/8 items   " +
		"\r[------------------------------]   0%  0/8 items   "
	if out.String() != want {
		t.Errorf("bar drew\n%q\nwant\n%q", out.String(), want)
	}

	// Nothing to do is done.
	out.Reset()
	progressBar(&out, 0)(retention.Counts{})
	if want := "\r[##############################] 100%  0/0 items   "; out.String() != want {
		t.Errorf("an empty purge drew %q, want %q", out.String(), want)
	}
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if logging.IsTerminal(f) || logging.IsTerminal(&bytes.Buffer{}) {
		t.Error("a file or a buffer taken for a terminal")
	}
	_, tty := openPTY(t)
	if !logging.IsTerminal(tty) {
		t.Error("a pseudo-terminal not taken for a terminal")
	}
}

// On a terminal, the command draws a progress bar that fills as it
// deletes, sized by what it counted first, and ends full.
func TestPurgeDrawsAProgressBarOnATerminal(t *testing.T) {
	t.Parallel()
	d := newDataDir(t)
	// As ingest leaves them: each item's attachments made with it.
	old := d.report(ago(100))
	d.attach(old, "", ago(100))
	kept := d.report(ago(40))
	d.attach(kept, "", ago(40)) // older than the 30 days of attachments
	d.crash(ago(100))
	const items = 4 // the old report and crash, the two attachments older than 30 days

	ptm, tty := openPTY(t)
	read := make(chan string)
	go func() {
		b, _ := io.ReadAll(ptm) // until the terminal closes (EIO)
		read <- string(b)
	}()
	err := run(context.Background(), []string{"purge"}, d.env(), tty)
	tty.Close()
	out := <-read
	if err != nil {
		t.Fatalf("purge: %v\n%q", err, out)
	}
	// The terminal turns "\n" into "\r\n".
	out = strings.ReplaceAll(out, "\r\n", "\n")
	bar, summaryText, ok := strings.Cut(out, "\n")
	if !ok || !strings.HasPrefix(bar, "\r[") {
		t.Fatalf("no progress bar drawn before the summary:\n%q", out)
	}
	draws := strings.Split(bar, "\r")[1:]
	if len(draws) < 2 {
		t.Errorf("the bar was drawn %d times, want once per batch and at the end: %q", len(draws), bar)
	}
	wantLast := fmt.Sprintf("[##############################] 100%%  %d/%d items   ", items, items)
	if last := draws[len(draws)-1]; last != wantLast {
		t.Errorf("the bar ended as\n%q\nwant\n%q", last, wantLast)
	}
	if want := summary(retention.Counts{Reports: 1, CrashReports: 1, Attachments: 2}); summaryText != want {
		t.Errorf("summary:\n%q\nwant\n%q", summaryText, want)
	}
}

// openPTY opens a pseudo-terminal pair: what is written to tty is read from
// ptm. It is closed when the test ends.
func openPTY(t *testing.T) (ptm, tty *os.File) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("opens a Linux pseudo-terminal")
	}
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	// The ioctls of pts(4): TIOCSPTLCK unlocks the terminal, TIOCGPTN names it.
	const tiocsptlck, tiocgptn = 0x40045431, 0x80045430
	var unlock int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, ptm.Fd(), tiocsptlck, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		t.Fatalf("unlock the pseudo-terminal: %v", errno)
	}
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, ptm.Fd(), tiocgptn, uintptr(unsafe.Pointer(&n))); errno != 0 {
		t.Fatalf("name the pseudo-terminal: %v", errno)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return ptm, tty
}
