package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/ent/publickey"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/reportgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func sysCtx() context.Context { return viewer.SystemContext(context.Background(), "test") }

// tenant is a project with its public key, and the context ingest acts in.
type tenant struct {
	projectID, keyID string
	ctx              context.Context
}

func newTenant(t *testing.T, db *database.DB, slug string) tenant {
	t.Helper()
	p, err := db.Client.Project.Create().SetName(slug).SetSlug(slug).Save(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	k, err := db.Client.PublicKey.Create().SetProjectID(p.ID).SetName("Default").SetKey("pk_" + slug + "_0123456789abcdef").Save(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	return tenant{p.ID, k.ID, viewer.NewContext(context.Background(), viewer.ForPublicKey(p.ID, k.ID))}
}

// input is a valid minimal report of the tenant.
func (tn tenant) input() reports.Input {
	return reports.Input{
		ProjectID:   tn.projectID,
		PublicKeyID: tn.keyID,
		Message:     "The buy button does nothing",
		Category:    enums.ReportCategoryUI,
		Severity:    enums.ReportSeverityHigh,
		Consent:     true,
	}
}

func withError(in reports.Input, pageURL, message string) reports.Input {
	in.PageURL = pageURL
	in.ConsoleErrors = json.RawMessage(fmt.Sprintf(`[{"message":%q,"stack":"at x"}]`, message))
	return in
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func fixedNow() time.Time { return t0 }

func ingest(t *testing.T, svc *reports.Service, ctx context.Context, in reports.Input) reports.Result {
	t.Helper()
	res, err := svc.Ingest(ctx, in)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

func group(t *testing.T, db *database.DB, id string) *ent.ReportGroup {
	t.Helper()
	g, err := db.Client.ReportGroup.Get(sysCtx(), id)
	if err != nil {
		t.Fatalf("group %s: %v", id, err)
	}
	return g
}

// counts is what a project holds, to check that nothing partial was stored.
type counts struct{ reports, groups, users, attachments int }

func countRows(t *testing.T, db *database.DB, projectID string) counts {
	t.Helper()
	ctx := sysCtx()
	var (
		c   counts
		err error
	)
	must := func(n int, e error) int {
		t.Helper()
		if e != nil {
			err = e
		}
		return n
	}
	c.reports = must(db.Client.Report.Query().Where(report.ProjectID(projectID)).Count(ctx))
	c.groups = must(db.Client.ReportGroup.Query().Where(reportgroup.ProjectID(projectID)).Count(ctx))
	c.users = must(db.Client.ReportGroupUser.Query().Where(reportgroupuser.ProjectID(projectID)).Count(ctx))
	c.attachments = must(db.Client.Attachment.Query().Where(attachment.HasReportWith(report.ProjectID(projectID))).Count(ctx))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestIngestStoresSanitisedReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "shop")
		svc := reports.New(db.Client, nil, nil, fixedNow)
		in := tn.input()
		in.Message = "  Checkout crashes\nafter paying  "
		in.Category, in.Severity = enums.ReportCategoryCrash, enums.ReportSeverityCritical
		in.ReporterEmail = " Jane@Example.test "
		in.PageURL = "https://shop.test/orders/42?token=secret"
		in.AppVersion = "2.3.1"
		in.UserContext = json.RawMessage(`{"id":"u-1","plan":"pro"}`)
		in.CustomMetadata = json.RawMessage(`{"build":12345678901234567890}`)
		in.DeviceInfo = json.RawMessage(`{"userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15","viewport":"1280x720"}`)
		in.Timeline = json.RawMessage(`[{"type":"navigation","to":"https://shop.test/cb?code=abc","timestamp":1}]`)
		in.ConsoleErrors = json.RawMessage(`[{"message":"Cannot read x of undefined at 0x1f2e3d","source":"https://shop.test/app.js"}]`)
		in.NetworkFailures = json.RawMessage(`[{"url":"https://api.shop.test/pay","status":502,"requestHeaders":{"Authorization":"Bearer t"},"requestBody":{"card":{"credit_card":"4111"}}}]`)

		res := ingest(t, svc, tn.ctx, in)
		if !strings.HasPrefix(res.ID, "rep_") || !strings.HasPrefix(res.GroupID, "rgr_") || !res.IsNewGroup {
			t.Fatalf("result = %+v, want a new report in a new group", res)
		}

		r, err := db.Client.Report.Get(sysCtx(), res.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.ProjectID != tn.projectID || r.PublicKeyID == nil || *r.PublicKeyID != tn.keyID || r.GroupID == nil || *r.GroupID != res.GroupID {
			t.Errorf("project, key, group = %s, %v, %v; want %s, %s, %s", r.ProjectID, r.PublicKeyID, r.GroupID, tn.projectID, tn.keyID, res.GroupID)
		}
		if r.Status != enums.ReportStatusNew || !r.ConsentGiven || r.Category != enums.ReportCategoryCrash || r.Severity != enums.ReportSeverityCritical {
			t.Errorf("status %s, consent %v, category %s, severity %s", r.Status, r.ConsentGiven, r.Category, r.Severity)
		}
		if r.Message != "Checkout crashes\nafter paying" {
			t.Errorf("message = %q, want it trimmed", r.Message)
		}
		if r.ReporterEmail == nil || *r.ReporterEmail != "Jane@Example.test" || r.AppVersion == nil || *r.AppVersion != "2.3.1" {
			t.Errorf("email, app version = %v, %v", r.ReporterEmail, r.AppVersion)
		}
		if r.Browser != "Safari" || r.Os != "macOS" {
			t.Errorf("browser, os = %q, %q; want Safari, macOS", r.Browser, r.Os)
		}
		if r.PageURL != "https://shop.test/orders/42?token=[REDACTED]" {
			t.Errorf("page URL = %q", r.PageURL)
		}
		if !r.CreatedAt.Equal(t0) {
			t.Errorf("created at %v, want %v", r.CreatedAt, t0)
		}
		for name, doc := range map[string]json.RawMessage{"timeline": r.Timeline, "network failures": r.NetworkFailures} {
			if !strings.Contains(string(doc), "[REDACTED]") {
				t.Errorf("%s stored unsanitised: %s", name, doc)
			}
		}
		for _, secret := range []string{"Bearer t", "4111", "code=abc"} {
			if strings.Contains(string(r.Timeline)+string(r.NetworkFailures), secret) {
				t.Errorf("secret %q stored", secret)
			}
		}
		if got := canon(t, r.CustomMetadata); got != `{"build":12345678901234567890}` {
			t.Errorf("custom metadata = %s", got)
		}

		g := group(t, db, res.GroupID)
		if g.PageURL != "https://shop.test/orders/:id" || g.ErrorMessage != "Cannot read x of undefined at #" {
			t.Errorf("group page, message = %q, %q", g.PageURL, g.ErrorMessage)
		}
		if g.Fingerprint != reports.GroupFingerprint(in.PageURL, "Cannot read x of undefined at 0x1f2e3d") {
			t.Errorf("group fingerprint = %s", g.Fingerprint)
		}
		if g.ReportCount != 1 || g.AffectedUsers != 1 || !g.FirstSeenAt.Equal(t0) || !g.LastSeenAt.Equal(t0) {
			t.Errorf("group = count %d, users %d, first %v, last %v", g.ReportCount, g.AffectedUsers, g.FirstSeenAt, g.LastSeenAt)
		}
	})
}

// A minimal report stores no documents as JSON null, and derives nothing
// it was not given.
func TestIngestMinimalReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		svc := reports.New(db.Client, nil, nil, nil)
		in := tn.input()
		in.PublicKeyID = ""
		res := ingest(t, svc, tn.ctx, in)
		r, err := db.Client.Report.Get(sysCtx(), res.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.UserContext != nil || r.DeviceInfo != nil || r.Timeline != nil || r.ConsoleErrors != nil || r.NetworkFailures != nil {
			t.Errorf("documents = %s %s %s %s %s, want none", r.UserContext, r.DeviceInfo, r.Timeline, r.ConsoleErrors, r.NetworkFailures)
		}
		if r.PublicKeyID != nil || r.ReporterEmail != nil || r.AppVersion != nil || r.Browser != "" || r.Os != "" || r.PageURL != "" {
			t.Errorf("report = %+v, want no optional values", r)
		}
		if g := group(t, db, res.GroupID); g.AffectedUsers != 0 || g.PageURL != "" || g.ErrorMessage != "" {
			t.Errorf("group = %+v, want no users, page or error", g)
		}
	})
}

func TestIngestValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		svc := reports.New(db.Client, nil, nil, fixedNow)
		for _, tc := range []struct {
			name   string
			edit   func(*reports.Input)
			fields []string
		}{
			{"no consent", func(in *reports.Input) { in.Consent = false }, []string{"consent"}},
			// Consent is a gate: nothing else is examined without it.
			{"no consent and no message", func(in *reports.Input) { in.Consent, in.Message = false, "" }, []string{"consent"}},
			{"empty message", func(in *reports.Input) { in.Message = "" }, []string{"message"}},
			{"blank message", func(in *reports.Input) { in.Message = " \n\t " }, []string{"message"}},
			{"long message", func(in *reports.Input) { in.Message = strings.Repeat("é", 10_001) }, []string{"message"}},
			{"NUL in message", func(in *reports.Input) { in.Message = "a\x00b" }, []string{"message"}},
			{"invalid UTF-8 message", func(in *reports.Input) { in.Message = "a\xffb" }, []string{"message"}},
			{"no category", func(in *reports.Input) { in.Category = "" }, []string{"category"}},
			{"unknown category", func(in *reports.Input) { in.Category = "bug" }, []string{"category"}},
			{"upper-case severity", func(in *reports.Input) { in.Severity = "HIGH" }, []string{"severity"}},
			{"bad email", func(in *reports.Input) { in.ReporterEmail = "not-an-email" }, []string{"reporterEmail"}},
			{"email with a name", func(in *reports.Input) { in.ReporterEmail = "Jane <jane@x.test>" }, []string{"reporterEmail"}},
			{"long email", func(in *reports.Input) { in.ReporterEmail = strings.Repeat("a", 314) + "@x.test" }, []string{"reporterEmail"}},
			{"long page URL", func(in *reports.Input) { in.PageURL = "https://x.test/" + strings.Repeat("a", 4082) }, []string{"pageUrl"}},
			{"long app version", func(in *reports.Input) { in.AppVersion = strings.Repeat("1", 101) }, []string{"appVersion"}},
			{"several at once", func(in *reports.Input) { in.Message, in.Category, in.AppVersion = "", "x", strings.Repeat("1", 101) },
				[]string{"appVersion", "category", "message"}},
		} {
			in := tn.input()
			tc.edit(&in)
			_, err := svc.Ingest(tn.ctx, in)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Kind != apperr.Invalid {
				t.Errorf("%s: error = %v, want an invalid-input error", tc.name, err)
				continue
			}
			got := make([]string, 0, len(e.Fields))
			for f := range e.Fields {
				got = append(got, f)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.fields) {
				t.Errorf("%s: fields %v, want %v", tc.name, e.Fields, tc.fields)
			}
			if tc.fields[0] == "consent" && (e.Message != "consent is required" || e.Fields["consent"] != "consent is required") {
				t.Errorf("%s: message %q, field %q; want \"consent is required\"", tc.name, e.Message, e.Fields["consent"])
			}
		}
		if c := countRows(t, db, tn.projectID); c != (counts{}) {
			t.Fatalf("rejected reports left rows: %+v", c)
		}

		// The bounds themselves are accepted.
		in := tn.input()
		in.Message = strings.Repeat("é", 10_000)
		in.PageURL = "https://x.test/" + strings.Repeat("a", 4081)
		in.AppVersion = strings.Repeat("1", 100)
		in.ReporterEmail = strings.Repeat("a", 313) + "@x.test"
		ingest(t, svc, tn.ctx, in)
	})
}

func TestIngestGroupsDuplicates(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		shop := newTenant(t, db, "shop")
		other := newTenant(t, db, "other")
		clk := &clock{t: t0}
		svc := reports.New(db.Client, nil, nil, clk.now)

		first := ingest(t, svc, shop.ctx, withError(shop.input(), "https://shop.test/orders/123", "Cannot read x of undefined at 0x1f2e3d"))
		clk.set(t0.Add(time.Hour))
		second := ingest(t, svc, shop.ctx, withError(shop.input(), "https://shop.test/orders/456?ref=mail", "Cannot read x of undefined at 0x9a8b7c"))
		elsewhere := ingest(t, svc, shop.ctx, withError(shop.input(), "https://shop.test/cart", "Cannot read x of undefined at 0x1f2e3d"))
		otherProject := ingest(t, svc, other.ctx, withError(other.input(), "https://shop.test/orders/123", "Cannot read x of undefined at 0x1f2e3d"))

		if !first.IsNewGroup || second.IsNewGroup || second.GroupID != first.GroupID {
			t.Errorf("orders 123 and 456: %+v, %+v; want one group, new only for the first", first, second)
		}
		if !elsewhere.IsNewGroup || elsewhere.GroupID == first.GroupID {
			t.Errorf("another page: %+v, want a new group of its own", elsewhere)
		}
		if !otherProject.IsNewGroup || otherProject.GroupID == first.GroupID {
			t.Errorf("another project: %+v, want a new group of its own", otherProject)
		}
		g := group(t, db, first.GroupID)
		if g.ReportCount != 2 || !g.FirstSeenAt.Equal(t0) || !g.LastSeenAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("group = count %d, first %v, last %v; want 2, %v, %v", g.ReportCount, g.FirstSeenAt, g.LastSeenAt, t0, t0.Add(time.Hour))
		}
		if g.ProjectID != shop.projectID {
			t.Errorf("group project = %s", g.ProjectID)
		}
		if c := countRows(t, db, shop.projectID); c.reports != 3 || c.groups != 2 {
			t.Errorf("shop holds %+v, want 3 reports in 2 groups", c)
		}
	})
}

func TestIngestConcurrentFirstReports(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		svc := reports.New(db.Client, nil, nil, fixedNow, reports.Writers(3))
		const n = 8
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			results [n]reports.Result
			errs    [n]error
		)
		for i := range n {
			wg.Go(func() {
				in := withError(tn.input(), fmt.Sprintf("https://app.test/items/%d", i), "Boom 42")
				// Four users, each reporting twice.
				in.UserContext = json.RawMessage(fmt.Sprintf(`{"id":"user-%d"}`, i%4))
				<-start
				results[i], errs[i] = svc.Ingest(tn.ctx, in)
			})
		}
		close(start)
		wg.Wait()

		newGroups := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("report %d: %v", i, errs[i])
			}
			if results[i].GroupID != results[0].GroupID {
				t.Errorf("report %d in group %s, report 0 in %s", i, results[i].GroupID, results[0].GroupID)
			}
			if results[i].IsNewGroup {
				newGroups++
			}
		}
		if newGroups != 1 {
			t.Errorf("%d reports say they made the group, want exactly 1", newGroups)
		}
		if c := countRows(t, db, tn.projectID); c.groups != 1 || c.reports != n || c.users != 4 {
			t.Errorf("rows = %+v, want 1 group, %d reports, 4 users", c, n)
		}
		g := group(t, db, results[0].GroupID)
		if g.ReportCount != n || g.AffectedUsers != 4 {
			t.Errorf("group count %d, affected users %d; want %d, 4", g.ReportCount, g.AffectedUsers, n)
		}
	})
}

func TestIngestConcurrentReportsIntoExistingGroup(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		clk := &clock{t: t0}
		svc := reports.New(db.Client, nil, nil, clk.now, reports.Writers(3))
		in := withError(tn.input(), "https://app.test/items/1", "Boom 42")
		in.UserContext = json.RawMessage(`{"id":"user-0"}`)
		first := ingest(t, svc, tn.ctx, in)
		clk.set(t0.Add(time.Hour))
		const n = 16
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			results [n]reports.Result
			errs    [n]error
		)
		for i := range n {
			wg.Go(func() {
				in := withError(tn.input(), fmt.Sprintf("https://app.test/items/%d", i), "Boom 42")
				in.UserContext = json.RawMessage(fmt.Sprintf(`{"id":"user-%d"}`, i%4))
				<-start
				results[i], errs[i] = svc.Ingest(tn.ctx, in)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("report %d: %v", i, errs[i])
			}
			if results[i].GroupID != first.GroupID || results[i].IsNewGroup {
				t.Errorf("report %d: %+v, want counted into group %s", i, results[i], first.GroupID)
			}
		}
		if c := countRows(t, db, tn.projectID); c.groups != 1 || c.reports != n+1 || c.users != 4 {
			t.Errorf("rows = %+v, want 1 group, %d reports, 4 users", c, n+1)
		}
		g := group(t, db, first.GroupID)
		if g.ReportCount != n+1 || g.AffectedUsers != 4 || !g.LastSeenAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("group count %d, affected users %d, last seen %v; want %d, 4, %v", g.ReportCount, g.AffectedUsers, g.LastSeenAt, n+1, t0.Add(time.Hour))
		}
	})
}

// A report the database refuses (its project was deleted after its key was
// checked) fails alone: the reports that shared its batch are stored.
func TestIngestBatchIsolatesARefusedReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		good := newTenant(t, db, "good")
		gone := newTenant(t, db, "gone")
		if _, err := db.Client.PublicKey.Delete().Where(publickey.ProjectID(gone.projectID)).Exec(sysCtx()); err != nil {
			t.Fatal(err)
		}
		if err := db.Client.Project.DeleteOneID(gone.projectID).Exec(sysCtx()); err != nil {
			t.Fatal(err)
		}
		svc := reports.New(db.Client, nil, nil, fixedNow)
		const n = 24
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  [n]error
		)
		for i := range n {
			tn := good
			if i%6 == 5 {
				tn = gone
			}
			wg.Go(func() {
				in := withError(tn.input(), "https://app.test/p", []string{"alpha", "beta", "gamma"}[i%3])
				in.UserContext = json.RawMessage(fmt.Sprintf(`{"id":"u%d"}`, i%5))
				<-start
				_, errs[i] = svc.Ingest(tn.ctx, in)
			})
		}
		close(start)
		wg.Wait()
		met := map[[2]int]bool{} // (group, user) pairs of the stored reports
		for i, err := range errs {
			refused := i%6 == 5
			if refused != (err != nil) {
				t.Errorf("report %d: error %v, want an error: %v", i, err, refused)
			}
			if !refused {
				met[[2]int{i % 3, i % 5}] = true
			}
		}
		if c := countRows(t, db, good.projectID); c.reports != 20 || c.groups != 3 || c.users != len(met) {
			t.Errorf("good project rows = %+v, want 20 reports in 3 groups, %d group users", c, len(met))
		}
		if c := countRows(t, db, gone.projectID); c != (counts{}) {
			t.Errorf("deleted project rows = %+v, want none", c)
		}
		var total, affected int
		for _, g := range db.Client.ReportGroup.Query().AllX(sysCtx()) {
			total += g.ReportCount
			affected += g.AffectedUsers
		}
		if total != 20 || affected != len(met) {
			t.Errorf("groups count %d reports, %d affected users; want 20, %d", total, affected, len(met))
		}
	})
}

func TestIngestCountsDistinctAffectedUsers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		svc := reports.New(db.Client, nil, nil, fixedNow)
		steps := []struct {
			userContext, email string
			wantUsers          int
		}{
			{`{"id":"u1","role":"admin"}`, "", 1},
			{`{"id":"u1"}`, "other@x.test", 1}, // the id wins over the email
			{`{"id":42}`, "", 2},               // numeric ids count too
			{`{"id":"42"}`, "", 2},             // and equal their text
			{`{"id":""}`, "Jane@Example.test", 3},
			{``, "jane@example.test", 3}, // emails compare case-insensitively
			{`{"name":"anonymous"}`, "", 3},
			{``, "", 3},
		}
		var groupID string
		for i, s := range steps {
			in := withError(tn.input(), "https://app.test/", "boom")
			in.ReporterEmail = s.email
			if s.userContext != "" {
				in.UserContext = json.RawMessage(s.userContext)
			}
			res := ingest(t, svc, tn.ctx, in)
			if groupID == "" {
				groupID = res.GroupID
			}
			if g := group(t, db, groupID); g.AffectedUsers != s.wantUsers || g.ReportCount != i+1 {
				t.Fatalf("after report %d: affected users %d, count %d; want %d, %d", i, g.AffectedUsers, g.ReportCount, s.wantUsers, i+1)
			}
		}
		keys, err := db.Client.ReportGroupUser.Query().Where(reportgroupuser.GroupID(groupID)).
			Select(reportgroupuser.FieldUserKey).Strings(sysCtx())
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		if want := []string{"42", "jane@example.test", "u1"}; !slices.Equal(keys, want) {
			t.Errorf("user keys = %q, want %q", keys, want)
		}

		// An id too long for the column still counts its user once.
		long := fmt.Sprintf(`{"id":%q}`, strings.Repeat("x", 400))
		for range 2 {
			in := withError(tn.input(), "https://app.test/", "boom")
			in.UserContext = json.RawMessage(long)
			ingest(t, svc, tn.ctx, in)
		}
		if g := group(t, db, groupID); g.AffectedUsers != 4 {
			t.Errorf("affected users = %d after a long id twice, want 4", g.AffectedUsers)
		}
	})
}

// probeBroker records what is published, and whether the report was
// already visible to other connections, that is committed, at that moment.
type probeBroker struct {
	db  *database.DB
	err error

	mu        sync.Mutex
	events    []pubsub.Event
	committed []bool
	noCancel  []bool
}

func (b *probeBroker) Publish(ctx context.Context, e pubsub.Event) error {
	var p reports.CreatedEvent
	_ = json.Unmarshal(e.Payload, &p)
	exists, err := b.db.Client.Report.Query().Where(report.ID(p.ID)).Exist(sysCtx())
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, e)
	b.committed = append(b.committed, err == nil && exists)
	b.noCancel = append(b.noCancel, ctx.Done() == nil)
	return b.err
}

func (b *probeBroker) Subscribe(context.Context, string, int) (*pubsub.Subscription, error) {
	return nil, errors.New("not implemented")
}

func (b *probeBroker) Close() error { return nil }

func TestIngestPublishesAfterCommit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		broker := &probeBroker{db: db}
		svc := reports.New(db.Client, nil, broker, fixedNow)
		first := ingest(t, svc, tn.ctx, tn.input())
		second := ingest(t, svc, tn.ctx, tn.input())

		if len(broker.events) != 2 {
			t.Fatalf("%d events, want 2", len(broker.events))
		}
		for i, want := range []reports.Result{first, second} {
			e := broker.events[i]
			if e.Topic != "report.created" || e.ProjectID != tn.projectID {
				t.Errorf("event %d = topic %q, project %q", i, e.Topic, e.ProjectID)
			}
			var payload map[string]any
			if err := json.Unmarshal(e.Payload, &payload); err != nil {
				t.Fatal(err)
			}
			wantPayload := map[string]any{"id": want.ID, "groupId": want.GroupID, "isNewGroup": want.IsNewGroup}
			if fmt.Sprint(payload) != fmt.Sprint(wantPayload) {
				t.Errorf("event %d payload = %s, want %v", i, e.Payload, wantPayload)
			}
			if !broker.committed[i] {
				t.Errorf("event %d published before its report was committed", i)
			}
			if !broker.noCancel[i] {
				t.Errorf("event %d published with the request's cancellation", i)
			}
		}
		if !first.IsNewGroup || second.IsNewGroup {
			t.Errorf("isNewGroup = %v, %v; want true, false", first.IsNewGroup, second.IsNewGroup)
		}
	})
}

func TestIngestSucceedsWhenPublishFails(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		broker := &probeBroker{db: db, err: pubsub.ErrClosed}
		var logs bytes.Buffer
		ctx := logging.WithContext(tn.ctx, slog.New(slog.NewTextHandler(&logs, nil)))
		res, err := reports.New(db.Client, nil, broker, fixedNow).Ingest(ctx, tn.input())
		if err != nil {
			t.Fatalf("ingest failed because publishing did: %v", err)
		}
		if len(broker.events) != 1 {
			t.Fatalf("%d publish attempts, want 1", len(broker.events))
		}
		if _, err := db.Client.Report.Get(sysCtx(), res.ID); err != nil {
			t.Errorf("report not stored: %v", err)
		}
		// The failure is logged with the request's logger, naming the report.
		if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), res.ID) || !strings.Contains(logs.String(), "broker closed") {
			t.Errorf("log = %q, want a warning naming the report and the cause", logs.String())
		}
	})
}

// fakeSaver writes attachment rows in the caller's transaction, as the real
// store does, and can fail after writing them.
type fakeSaver struct {
	fail     error
	afterRun func()

	cleanups atomic.Int32
	owners   []attachments.Owner

	mu      sync.Mutex
	deleted []string // storage keys passed to DeleteBlobs
}

func (f *fakeSaver) Save(ctx context.Context, tx *ent.Client, owner attachments.Owner, files []attachments.Upload) ([]*ent.Attachment, func(), error) {
	f.owners = append(f.owners, owner)
	cleanup := func() { f.cleanups.Add(1) }
	var saved []*ent.Attachment
	for _, file := range files {
		a, err := tx.Attachment.Create().
			SetReportID(owner.ReportID).
			SetFilename(file.Filename).
			SetMimeType("image/png").
			SetSize(int64(len(file.Data))).
			SetSha256(strings.Repeat("0", 64)).
			SetStorageKey(pulid.New("blob")).
			Save(ctx)
		if err != nil {
			return nil, cleanup, err
		}
		saved = append(saved, a)
	}
	if f.afterRun != nil {
		f.afterRun()
	}
	if f.fail != nil {
		return nil, cleanup, f.fail
	}
	return saved, cleanup, nil
}

func withFiles(in reports.Input) reports.Input {
	in.Attachments = []attachments.Upload{
		{Filename: "screen.png", ClaimedType: "image/png", Data: []byte("\x89PNG\r\n\x1a\n....")},
		{Filename: "log.png", ClaimedType: "image/png", Data: []byte("\x89PNG\r\n\x1a\n..")},
	}
	return in
}

func TestIngestSavesAttachments(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		files := &fakeSaver{}
		res := ingest(t, reports.New(db.Client, files, nil, fixedNow), tn.ctx, withFiles(tn.input()))
		if len(files.owners) != 1 || files.owners[0] != (attachments.Owner{ReportID: res.ID}) {
			t.Errorf("saved for owners %+v, want the report %s only", files.owners, res.ID)
		}
		n, err := db.Client.Attachment.Query().Where(attachment.ReportID(res.ID)).Count(sysCtx())
		if err != nil || n != 2 {
			t.Errorf("%d attachments (%v), want 2", n, err)
		}
		if files.cleanups.Load() != 0 {
			t.Error("cleanup ran after a successful commit")
		}
	})
}

func TestIngestFailingSaverStoresNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		// One report in the group already, to check its counters are not
		// moved by the failed one either.
		svc := reports.New(db.Client, nil, nil, fixedNow)
		before := ingest(t, svc, tn.ctx, withError(tn.input(), "https://app.test/a", "boom"))

		bad := apperr.InvalidField("attachments", "file 1 is an executable")
		files := &fakeSaver{fail: bad}
		svc = reports.New(db.Client, files, nil, fixedNow)
		for _, in := range []reports.Input{
			withError(tn.input(), "https://app.test/a", "boom"),       // existing group
			withError(tn.input(), "https://app.test/b", "other boom"), // new group
		} {
			in.UserContext = json.RawMessage(`{"id":"someone"}`)
			_, err := svc.Ingest(tn.ctx, withFiles(in))
			if !errors.Is(err, bad) || apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("error = %v, want the store's invalid-input error", err)
			}
		}
		if c := countRows(t, db, tn.projectID); c != (counts{reports: 1, groups: 1}) {
			t.Errorf("rows = %+v, want only the earlier report and its group", c)
		}
		if g := group(t, db, before.GroupID); g.ReportCount != 1 || g.AffectedUsers != 0 {
			t.Errorf("group count %d, users %d after failed reports; want 1, 0", g.ReportCount, g.AffectedUsers)
		}
		if n := files.cleanups.Load(); n != 2 {
			t.Errorf("cleanup ran %d times, want once per failed report", n)
		}
	})
}

// When the transaction fails after the store wrote its blobs, the blobs
// must be deleted again.
func TestIngestCleansUpWhenCommitFails(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "app")
		ctx, cancel := context.WithCancel(tn.ctx)
		defer cancel()
		files := &fakeSaver{afterRun: cancel}
		_, err := reports.New(db.Client, files, nil, fixedNow).Ingest(ctx, withFiles(tn.input()))
		if err == nil {
			t.Fatal("ingest succeeded with its context cancelled before commit")
		}
		if files.cleanups.Load() != 1 {
			t.Errorf("cleanup ran %d times, want 1", files.cleanups.Load())
		}
		if c := countRows(t, db, tn.projectID); c != (counts{}) {
			t.Errorf("rows = %+v, want none", c)
		}
	})
}

func TestIngestOnlyIntoTheKeysProject(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		mine := newTenant(t, db, "mine")
		theirs := newTenant(t, db, "theirs")
		svc := reports.New(db.Client, nil, nil, fixedNow)
		in := theirs.input()
		_, err := svc.Ingest(mine.ctx, in)
		if !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("error = %v, want forbidden", err)
		}
		_, err = svc.Ingest(context.Background(), in)
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous: error = %v, want unauthenticated", err)
		}
		if c := countRows(t, db, theirs.projectID); c != (counts{}) {
			t.Errorf("rows = %+v, want none", c)
		}
	})
}

func (f *fakeSaver) DeleteBlobs(_ context.Context, keys []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, keys...)
}

func (f *fakeSaver) deletedKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.deleted)
}
