package seed_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/seed"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var sys = viewer.SystemContext(context.Background(), "test")

var now = time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)

func options() seed.Options {
	return seed.Options{Projects: 2, Reports: 400, Crashes: 500, Feedback: 60, Seed: 42, Now: now}
}

func TestRunInsertsWhatWasAskedWithConsistentCounters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		c := db.Client
		// A user becomes an assignee; seeding creates none.
		c.User.Create().SetEmail("ada@example.com").SetPasswordHash("x").ExecX(sys)
		o := options()
		var out bytes.Buffer
		o.Progress = &out
		if err := seed.Run(context.Background(), c, o); err != nil {
			t.Fatal(err)
		}

		for name, got := range map[string]int{
			"projects": c.Project.Query().CountX(sys), "public keys": c.PublicKey.Query().CountX(sys),
			"reports": c.Report.Query().CountX(sys), "crash reports": c.CrashReport.Query().CountX(sys),
			"feedback": c.Feedback.Query().CountX(sys), "users": c.User.Query().CountX(sys),
		} {
			want := map[string]int{"projects": 2, "public keys": 2, "reports": 400, "crash reports": 500, "feedback": 60, "users": 1}[name]
			if got != want {
				t.Errorf("%d %s, want %d", got, name, want)
			}
		}

		checkReportGroups(t, c)
		checkCrashGroups(t, c)
		checkSpread(t, c)

		// Off a terminal, progress is whole lines, ending at 100%.
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) == 0 || !strings.Contains(lines[len(lines)-1], "100%") || strings.Contains(out.String(), "\r") {
			t.Errorf("progress output:\n%s", out.String())
		}
	})
}

// checkReportGroups recomputes every report group's counters from its
// reports, as ingest would have kept them.
func checkReportGroups(t *testing.T, c *ent.Client) {
	t.Helper()
	rs := c.Report.Query().AllX(sys)
	type agg struct {
		count       int
		first, last time.Time
		users       map[string]bool
	}
	byGroup := map[string]*agg{}
	for _, r := range rs {
		if r.GroupID == nil {
			t.Fatalf("report %s has no group", r.ID)
		}
		a := byGroup[*r.GroupID]
		if a == nil {
			a = &agg{first: r.CreatedAt, last: r.CreatedAt, users: map[string]bool{}}
			byGroup[*r.GroupID] = a
		}
		a.count++
		if r.CreatedAt.Before(a.first) {
			a.first = r.CreatedAt
		}
		if r.CreatedAt.After(a.last) {
			a.last = r.CreatedAt
		}
		if key := reporterKey(t, r); key != "" {
			a.users[key] = true
		}
	}
	groups := c.ReportGroup.Query().AllX(sys)
	if len(groups) != len(byGroup) {
		t.Errorf("%d report groups for %d groups with reports", len(groups), len(byGroup))
	}
	sum := 0
	for _, g := range groups {
		sum += g.ReportCount
		a := byGroup[g.ID]
		if a == nil {
			t.Errorf("report group %s has no reports", g.ID)
			continue
		}
		if g.ReportCount != a.count || g.AffectedUsers != len(a.users) || !g.FirstSeenAt.Equal(a.first) || !g.LastSeenAt.Equal(a.last) {
			t.Errorf("report group %s: count %d, users %d, seen %v–%v; its reports say %d, %d, %v–%v",
				g.ID, g.ReportCount, g.AffectedUsers, g.FirstSeenAt, g.LastSeenAt, a.count, len(a.users), a.first, a.last)
		}
		if n := g.QueryUsers().CountX(sys); n != g.AffectedUsers {
			t.Errorf("report group %s counts %d users but records %d", g.ID, g.AffectedUsers, n)
		}
	}
	if sum != len(rs) {
		t.Errorf("report groups count %d reports, want %d", sum, len(rs))
	}
	// Each report is in the group ingest would have put it in.
	fingerprints := map[string]string{}
	for _, g := range groups {
		fingerprints[g.ID] = g.Fingerprint
	}
	for _, r := range rs {
		var errs []struct{ Message string }
		if r.ConsoleErrors != nil {
			if err := json.Unmarshal(r.ConsoleErrors, &errs); err != nil {
				t.Fatal(err)
			}
		}
		first := ""
		if len(errs) > 0 {
			first = errs[0].Message
		}
		if got := reports.GroupFingerprint(r.PageURL, first); got != fingerprints[*r.GroupID] {
			t.Fatalf("report %s (%s, %q) is in a group of another fingerprint", r.ID, r.PageURL, first)
		}
	}
}

// reporterKey is who ingest counts a reporter as: the user context's id,
// else the email lower-cased.
func reporterKey(t *testing.T, r *ent.Report) string {
	t.Helper()
	if r.UserContext != nil {
		var uc struct{ ID string }
		if err := json.Unmarshal(r.UserContext, &uc); err != nil {
			t.Fatal(err)
		}
		if uc.ID != "" {
			return uc.ID
		}
	}
	if r.ReporterEmail != nil {
		return strings.ToLower(*r.ReporterEmail)
	}
	return ""
}

func checkCrashGroups(t *testing.T, c *ent.Client) {
	t.Helper()
	crs := c.CrashReport.Query().AllX(sys)
	type agg struct {
		count                int
		first, last          time.Time
		users                map[string]bool
		versions, platforms  map[string]bool
		fingerprint, project string
	}
	byGroup := map[string]*agg{}
	for _, cr := range crs {
		a := byGroup[*cr.GroupID]
		if a == nil {
			a = &agg{first: cr.CreatedAt, last: cr.CreatedAt, users: map[string]bool{}, versions: map[string]bool{},
				platforms: map[string]bool{}, fingerprint: cr.Fingerprint, project: cr.ProjectID}
			byGroup[*cr.GroupID] = a
		}
		a.count++
		if cr.CreatedAt.Before(a.first) {
			a.first = cr.CreatedAt
		}
		if cr.CreatedAt.After(a.last) {
			a.last = cr.CreatedAt
		}
		if cr.UserID != nil {
			a.users[*cr.UserID] = true
		}
		a.versions[cr.AppVersion] = true
		a.platforms[cr.Platform] = true
		if cr.Fingerprint != a.fingerprint {
			t.Errorf("crash %s has fingerprint %s in a group of %s", cr.ID, cr.Fingerprint, a.fingerprint)
		}
		// The fingerprint is the one ingest computes from the stack.
		var frames []crashes.Frame
		if err := json.Unmarshal(cr.StackTrace, &frames); err != nil {
			t.Fatal(err)
		}
		if got := crashes.Fingerprint(cr.ErrorType, frames, nil); got != cr.Fingerprint {
			t.Fatalf("crash %s: stored fingerprint %s, computed %s", cr.ID, cr.Fingerprint, got)
		}
	}
	groups := c.CrashGroup.Query().AllX(sys)
	if len(groups) != len(byGroup) {
		t.Errorf("%d crash groups for %d groups with crashes", len(groups), len(byGroup))
	}
	perProject := map[string]int{}
	statuses := map[enums.CrashGroupStatus]int{}
	sum := 0
	for _, g := range groups {
		sum += g.OccurrenceCount
		perProject[g.ProjectID]++
		statuses[g.Status]++
		a := byGroup[g.ID]
		if a == nil {
			t.Errorf("crash group %s has no crashes", g.ID)
			continue
		}
		if g.OccurrenceCount != a.count || g.AffectedUsers != len(a.users) || !g.FirstSeenAt.Equal(a.first) || !g.LastSeenAt.Equal(a.last) ||
			g.Fingerprint != a.fingerprint || g.ProjectID != a.project {
			t.Errorf("crash group %s: count %d, users %d, seen %v–%v; its crashes say %d, %d, %v–%v",
				g.ID, g.OccurrenceCount, g.AffectedUsers, g.FirstSeenAt, g.LastSeenAt, a.count, len(a.users), a.first, a.last)
		}
		if !sameSet(g.AffectedVersions, a.versions) || !sameSet(g.AffectedPlatforms, a.platforms) {
			t.Errorf("crash group %s: versions %v platforms %v; its crashes say %v %v", g.ID, g.AffectedVersions, g.AffectedPlatforms, a.versions, a.platforms)
		}
		if !slices.IsSortedFunc(g.AffectedVersions, compareVersions) || !slices.IsSorted(g.AffectedPlatforms) {
			t.Errorf("crash group %s: versions %v or platforms %v are not sorted as ingest sorts them", g.ID, g.AffectedVersions, g.AffectedPlatforms)
		}
		if n := g.QueryUsers().CountX(sys); n != g.AffectedUsers {
			t.Errorf("crash group %s counts %d users but records %d", g.ID, g.AffectedUsers, n)
		}
		switch g.Status {
		case enums.CrashGroupStatusResolved:
			if g.ResolvedAt == nil || g.ResolvedAt.Before(g.LastSeenAt) {
				t.Errorf("resolved group %s: resolved at %v, last seen %v", g.ID, g.ResolvedAt, g.LastSeenAt)
			}
		case enums.CrashGroupStatusRegressed:
			newest := g.AffectedVersions[len(g.AffectedVersions)-1]
			if g.ResolvedAt != nil || g.ResolvedInVersion == nil || compareVersions(newest, *g.ResolvedInVersion) <= 0 {
				t.Errorf("regressed group %s: resolved in %v, newest crash in %s", g.ID, g.ResolvedInVersion, newest)
			}
		}
	}
	if sum != len(crs) {
		t.Errorf("crash groups count %d crashes, want %d", sum, len(crs))
	}
	for p, n := range perProject {
		if n > 200 {
			t.Errorf("project %s has %d crash groups, want at most 200", p, n)
		}
	}
	// A long tail: the busiest group has many times the median's crashes.
	counts := make([]int, 0, len(groups))
	for _, g := range groups {
		counts = append(counts, g.OccurrenceCount)
	}
	slices.Sort(counts)
	if counts[len(counts)-1] < 5*counts[len(counts)/2] {
		t.Errorf("crash counts per group %v have no long tail", counts)
	}
	if len(statuses) < 3 {
		t.Errorf("crash group statuses %v: want a mix", statuses)
	}
}

func sameSet(list []string, set map[string]bool) bool {
	if len(list) != len(set) {
		return false
	}
	for _, v := range list {
		if !set[v] {
			return false
		}
	}
	return true
}

func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range 3 {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x - y
		}
	}
	return 0
}

// checkSpread checks the rows cover the 90 days before Now, with statuses
// of every kind.
func checkSpread(t *testing.T, c *ent.Client) {
	t.Helper()
	from := now.Add(-90 * 24 * time.Hour)
	for name, times := range map[string][]time.Time{
		"reports":  times(c.Report.Query().Select(report.FieldCreatedAt).AllX(sys), func(r *ent.Report) time.Time { return r.CreatedAt }),
		"crashes":  times(c.CrashReport.Query().Select(crashreport.FieldCreatedAt).AllX(sys), func(r *ent.CrashReport) time.Time { return r.CreatedAt }),
		"feedback": times(c.Feedback.Query().AllX(sys), func(f *ent.Feedback) time.Time { return f.CreatedAt }),
	} {
		slices.SortFunc(times, time.Time.Compare)
		if times[0].Before(from) || times[len(times)-1].After(now) {
			t.Errorf("%s from %v to %v, want within %v–%v", name, times[0], times[len(times)-1], from, now)
		}
		if times[len(times)-1].Sub(times[0]) < 30*24*time.Hour {
			t.Errorf("%s span only %v to %v", name, times[0], times[len(times)-1])
		}
	}
	statuses := map[enums.ReportStatus]bool{}
	for _, r := range c.Report.Query().AllX(sys) {
		statuses[r.Status] = true
		if r.Status == enums.ReportStatusNew && r.AssigneeID != nil {
			t.Errorf("new report %s is assigned", r.ID)
		}
	}
	if len(statuses) != 4 {
		t.Errorf("report statuses %v, want all four", statuses)
	}
	if n := c.Report.Query().Where(report.AssigneeIDNotNil()).CountX(sys); n == 0 {
		t.Error("no report is assigned to the existing user")
	}
}

func times[T any](rows []T, at func(T) time.Time) []time.Time {
	out := make([]time.Time, len(rows))
	for i, r := range rows {
		out[i] = at(r)
	}
	return out
}

// Ingest after seeding joins the seeded groups and keeps counting from
// their counters, as if the seeded rows had been ingested.
func TestIngestJoinsSeededGroups(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		c := db.Client
		o := options()
		o.Feedback = 0
		if err := seed.Run(context.Background(), c, o); err != nil {
			t.Fatal(err)
		}

		// A report of a seeded bug, by a user already counted, on another record.
		r := c.Report.Query().Where(report.ConsoleErrorsNotNil(), report.UserContextNotNil(), report.PageURLContains("0")).
			Order(report.ByID()).FirstX(sys)
		before := c.ReportGroup.GetX(sys, *r.GroupID)
		pageURL := regexp.MustCompile(`/[0-9]+`).ReplaceAllString(r.PageURL, "/424242")
		res, err := reports.New(c, nil, nil, nil).Ingest(sys, reports.Input{
			ProjectID: r.ProjectID, Message: "Again", Category: r.Category, Severity: r.Severity,
			PageURL: pageURL, UserContext: r.UserContext, ConsoleErrors: r.ConsoleErrors, Consent: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		after := c.ReportGroup.GetX(sys, *r.GroupID)
		if res.GroupID != before.ID || res.IsNewGroup || after.ReportCount != before.ReportCount+1 || after.AffectedUsers != before.AffectedUsers {
			t.Errorf("ingested into %s (new %v), count %d→%d, users %d→%d; want group %s, +1 report, same users",
				res.GroupID, res.IsNewGroup, before.ReportCount, after.ReportCount, before.AffectedUsers, after.AffectedUsers, before.ID)
		}

		// A seeded crash again, by the same user.
		cr := c.CrashReport.Query().Where(crashreport.UserIDNotNil()).Order(crashreport.ByID()).FirstX(sys)
		group := c.CrashGroup.GetX(sys, *cr.GroupID)
		var frames []crashes.Frame
		if err := json.Unmarshal(cr.StackTrace, &frames); err != nil {
			t.Fatal(err)
		}
		cres, err := crashes.New(c, nil, nil, func() time.Time { return now }).Ingest(sys, crashes.Input{
			ProjectID: cr.ProjectID, ErrorType: cr.ErrorType, ErrorMessage: cr.ErrorMessage, StackTrace: frames,
			AppVersion: cr.AppVersion, Platform: cr.Platform, UserID: *cr.UserID,
		})
		if err != nil {
			t.Fatal(err)
		}
		again := c.CrashGroup.GetX(sys, group.ID)
		if cres.GroupID != group.ID || cres.IsNewGroup || again.OccurrenceCount != group.OccurrenceCount+1 || again.AffectedUsers != group.AffectedUsers {
			t.Errorf("ingested into %s (new %v), count %d→%d, users %d→%d; want group %s, +1, same users",
				cres.GroupID, cres.IsNewGroup, group.OccurrenceCount, again.OccurrenceCount, group.AffectedUsers, again.AffectedUsers, group.ID)
		}
	})
}

// The same seed and Now give the same data; seeding again adds projects
// beside the first ones.
func TestRunIsDeterministicAndRepeatable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		other := dbtest.Open(t, db.Dialect)
		o := options()
		o.Reports, o.Crashes, o.Feedback = 120, 150, 20
		for _, d := range []*database.DB{db, other} {
			if err := seed.Run(context.Background(), d.Client, o); err != nil {
				t.Fatal(err)
			}
		}
		dump := func(d *database.DB) string {
			var b strings.Builder
			for _, r := range d.Client.Report.Query().Order(report.ByID()).AllX(sys) {
				b.WriteString(r.ID + r.Message + r.PageURL + string(r.Timeline) + r.CreatedAt.String() + "\n")
			}
			for _, cr := range d.Client.CrashReport.Query().Order(crashreport.ByID()).AllX(sys) {
				b.WriteString(cr.ID + *cr.GroupID + cr.ErrorMessage + string(cr.Breadcrumbs) + "\n")
			}
			for _, g := range d.Client.CrashGroup.Query().AllX(sys) {
				b.WriteString(g.ID + string(g.Status) + strings.Join(g.AffectedVersions, ",") + "\n")
			}
			return b.String()
		}
		if a, b := dump(db), dump(other); a != b {
			t.Error("two runs with the same seed made different data")
		}

		o.Seed++
		if err := seed.Run(context.Background(), db.Client, o); err != nil {
			t.Fatalf("seeding a seeded database: %v", err)
		}
		slugs := db.Client.Project.Query().Select("slug").StringsX(sys)
		slices.Sort(slugs)
		if want := []string{"acme-shop", "acme-shop-2", "notes-desktop", "notes-desktop-2"}; !slices.Equal(slugs, want) {
			t.Errorf("slugs = %v, want %v", slugs, want)
		}
		if n := db.Client.Report.Query().CountX(sys); n != 240 {
			t.Errorf("%d reports after seeding twice, want 240", n)
		}
	})
}

func TestRunRejectsNegativeCounts(t *testing.T) {
	t.Parallel()
	if err := seed.Run(context.Background(), nil, seed.Options{Reports: -1}); err == nil {
		t.Error("a negative count was accepted")
	}
}
