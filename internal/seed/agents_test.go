package seed

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Seeded reports carry the browser and OS ingest would derive from their
// user agent, so the dashboard's filters find them.
func TestAgentsMatchIngest(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := viewer.SystemContext(context.Background(), "test")
		p := db.Client.Project.Create().SetName("UA").SetSlug("ua").SaveX(ctx)
		svc := reports.New(db.Client, nil, nil, nil)
		for _, a := range agents {
			device, _ := json.Marshal(map[string]string{"userAgent": a.v.ua})
			res, err := svc.Ingest(ctx, reports.Input{ProjectID: p.ID, Message: "m", Category: enums.ReportCategoryUI,
				Severity: enums.ReportSeverityLow, DeviceInfo: device, Consent: true})
			if err != nil {
				t.Fatal(err)
			}
			r := db.Client.Report.GetX(ctx, res.ID)
			if r.Browser != a.v.browser || r.Os != a.v.os {
				t.Errorf("%s: ingest says %q on %q, the seed %q on %q", a.v.ua, r.Browser, r.Os, a.v.browser, a.v.os)
			}
		}
	})
}

// Every report of a bug lands in the bug's group, whatever record id, query
// or number varies between them.
func TestBugInstancesShareTheirFingerprint(t *testing.T) {
	t.Parallel()
	for pi := range profiles {
		prof := &profiles[pi]
		for page := range prof.pages {
			for kind := -1; kind < len(consoleErrors); kind++ {
				b := &bug{page: page, errKind: kind, ident: "total"}
				url, msg := bugInstance(prof, b, 1)
				want := reports.GroupFingerprint(url, msg)
				for _, v := range []uint32{0, 2, 3, 77, 9_972, 123_456_789, 4_294_967_295} {
					url, msg := bugInstance(prof, b, v)
					if got := reports.GroupFingerprint(url, msg); got != want {
						t.Errorf("%s / %q splits from the instance with v=1", url, msg)
					}
				}
			}
		}
	}
}

// On a terminal, progress is one line redrawn in place, ended when done.
func TestProgressOnATerminal(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	p := newProgress(&out, [kinds]int{100, 50, 0})
	p.tty = true
	p.add(kindReports, 100)
	p.add(kindCrashes, 50)
	p.finish()
	text := out.String()
	if !strings.HasPrefix(text, "\r[") || !strings.HasSuffix(text, "\n") || strings.Count(text, "\n") != 1 {
		t.Errorf("output %q: want \\r-redrawn bars ending with one newline", text)
	}
	last := text[strings.LastIndex(text, "\r"):]
	for _, want := range []string{"100%", "reports 100/100", "crashes 50/50", "rows/s", strings.Repeat("#", 30)} {
		if !strings.Contains(last, want) {
			t.Errorf("final bar %q lacks %q", last, want)
		}
	}
	if strings.Contains(last, "feedback") {
		t.Errorf("final bar %q shows a kind that was not asked for", last)
	}
}

// Off a terminal, a line every 10%.
func TestProgressInALog(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	p := newProgress(&out, [kinds]int{1000, 0, 0})
	for range 100 {
		p.add(kindReports, 10)
	}
	p.finish()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 10 || !strings.HasPrefix(lines[0], "seeded  10%") || !strings.HasPrefix(lines[9], "seeded 100%") {
		t.Errorf("lines:\n%s", out.String())
	}
}
