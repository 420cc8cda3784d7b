package graph_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/apptest"
)

// ingestFixture sets up a project and sends items through the real ingest
// routes, as an SDK would.
type ingestFixture struct {
	s         *apptest.Server
	admin     string
	projectID string
	slug, key string
}

func newIngestFixture(t *testing.T, s *apptest.Server) ingestFixture {
	t.Helper()
	admin := s.Setup(t)
	var p struct {
		CreateProject struct {
			ID, Slug   string
			PublicKeys []struct{ Key string }
		}
	}
	s.MustGraphQL(t, admin, `mutation { createProject(input: {name: "Shop"}) { id slug publicKeys { key } } }`, nil, &p)
	return ingestFixture{s: s, admin: admin, projectID: p.CreateProject.ID, slug: p.CreateProject.Slug, key: p.CreateProject.PublicKeys[0].Key}
}

func (f ingestFixture) post(t *testing.T, path string, body map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, f.s.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Oopsie-Key", f.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data  struct{ ID, GroupID string }
		Error struct {
			Message string
			Fields  map[string]string
		}
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 201 {
		t.Fatalf("POST %s: %d %s %v", path, resp.StatusCode, out.Error.Message, out.Error.Fields)
	}
	return out.Data.ID
}

func ids(edges []struct{ Node struct{ ID string } }) []string {
	var out []string
	for _, e := range edges {
		out = append(out, e.Node.ID)
	}
	slices.Sort(out)
	return out
}

type idConnection struct {
	TotalCount int
	Edges      []struct{ Node struct{ ID string } }
}

func TestReportTriage(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		f := newIngestFixture(t, s)
		checkout := f.post(t, "/api/v1/reports", map[string]any{
			"message": "The checkout buttons do nothing", "category": "ui", "severity": "high", "consent": true,
			"pageUrl": "https://shop.example/cart/123", "reporterEmail": "ada@example.com",
			"deviceInfo":    map[string]any{"userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"},
			"timeline":      []any{map[string]any{"type": "navigation", "url": "https://shop.example/cart/123", "timestamp": 1000}, map[string]any{"type": "click", "selector": "#pay", "timestamp": 3000}},
			"consoleErrors": []any{map[string]any{"message": "TypeError: payWithCard is undefined", "timestamp": 2000}},
		})
		slow := f.post(t, "/api/v1/reports", map[string]any{
			"message": "Login is slow", "category": "performance", "severity": "low", "consent": true,
			"pageUrl": "https://shop.example/login",
		})

		var list struct{ Reports idConnection }
		q := `query($p: ID, $s: String, $w: ReportWhereInput) { reports(projectId: $p, search: $s, where: $w) { totalCount edges { node { id } } } }`
		for name, tc := range map[string]struct {
			vars map[string]any
			want []string
		}{
			"all":              {map[string]any{"p": f.projectID}, []string{checkout, slow}},
			"search stem":      {map[string]any{"s": "button"}, []string{checkout}},
			"search prefix":    {map[string]any{"s": "check"}, []string{checkout}},
			"search console":   {map[string]any{"s": "payWithCard"}, []string{checkout}},
			"category":         {map[string]any{"w": map[string]any{"category": "PERFORMANCE"}}, []string{slow}},
			"severity":         {map[string]any{"w": map[string]any{"severity": "HIGH"}}, []string{checkout}},
			"page url":         {map[string]any{"w": map[string]any{"pageUrlContains": "/login"}}, []string{slow}},
			"browser":          {map[string]any{"w": map[string]any{"browser": "Chrome"}}, []string{checkout}},
			"status and after": {map[string]any{"w": map[string]any{"status": "NEW", "createdAtGTE": "2000-01-01T00:00:00Z"}}, []string{checkout, slow}},
		} {
			s.MustGraphQL(t, f.admin, q, tc.vars, &list)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := ids(list.Reports.Edges); !slices.Equal(got, want) || list.Reports.TotalCount != len(want) {
				t.Errorf("%s: got %v (total %d), want %v", name, got, list.Reports.TotalCount, want)
			}
		}

		var me struct{ Viewer struct{ ID string } }
		s.MustGraphQL(t, f.admin, `{ viewer { id } }`, nil, &me)
		var upd struct {
			UpdateReport struct {
				Status   string
				Assignee struct{ ID string }
			}
		}
		s.MustGraphQL(t, f.admin, `mutation($id: ID!, $a: ID) { updateReport(id: $id, input: {status: IN_PROGRESS, assigneeId: $a}) { status assignee { id } } }`,
			map[string]any{"id": checkout, "a": me.Viewer.ID}, &upd)
		if upd.UpdateReport.Status != "IN_PROGRESS" || upd.UpdateReport.Assignee.ID != me.Viewer.ID {
			t.Errorf("updateReport: %+v", upd.UpdateReport)
		}
		s.MustGraphQL(t, f.admin, `query($a: ID!) { reports(where: {assigneeID: $a}) { totalCount edges { node { id } } } }`, map[string]any{"a": me.Viewer.ID}, &list)
		if got := ids(list.Reports.Edges); !slices.Equal(got, []string{checkout}) {
			t.Errorf("assigned reports: %v", got)
		}
		var cm struct{ AddComment struct{ Body string } }
		s.MustGraphQL(t, f.admin, `mutation($r: ID!) { addComment(input: {reportId: $r, body: "Looking into it"}) { body } }`, map[string]any{"r": checkout}, &cm)

		var detail struct {
			Node struct {
				MergedTimeline []struct {
					Type string
					Data json.RawMessage
				}
				Comments []struct{ Body string }
				Group    struct{ ReportCount int }
			}
		}
		s.MustGraphQL(t, f.admin, `query($id: ID!) { node(id: $id) { ... on Report { mergedTimeline { type data } comments { body } group { reportCount } } } }`,
			map[string]any{"id": checkout}, &detail)
		var types []string
		for _, e := range detail.Node.MergedTimeline {
			types = append(types, e.Type)
		}
		if !slices.Equal(types, []string{"NAVIGATION", "CONSOLE_ERROR", "CLICK"}) {
			t.Errorf("merged timeline order: %v", types)
		}
		if len(detail.Node.Comments) != 1 || detail.Node.Group.ReportCount != 1 {
			t.Errorf("detail: %+v", detail.Node)
		}

		var groups struct{ ReportGroups idConnection }
		s.MustGraphQL(t, f.admin, `query($p: ID) { reportGroups(projectId: $p) { totalCount edges { node { id } } } }`, map[string]any{"p": f.projectID}, &groups)
		if groups.ReportGroups.TotalCount != 2 {
			t.Errorf("report groups: %d", groups.ReportGroups.TotalCount)
		}

		s.MustGraphQL(t, f.admin, `mutation($id: ID!) { deleteReport(id: $id) }`, map[string]any{"id": slow}, nil)
		s.MustGraphQL(t, f.admin, `query($p: ID) { reports(projectId: $p) { totalCount edges { node { id } } } }`, map[string]any{"p": f.projectID}, &list)
		if list.Reports.TotalCount != 1 {
			t.Errorf("after delete: %d reports", list.Reports.TotalCount)
		}
	})
}

func TestFeedbackAndCrashTriage(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		f := newIngestFixture(t, s)
		dark := f.post(t, "/sdk/"+f.slug+"/feedback", map[string]any{"category": "feature", "message": "Please add a dark theme", "appVersion": "1.2.0", "platform": "web"})
		f.post(t, "/sdk/"+f.slug+"/feedback", map[string]any{"category": "bug", "message": "Export fails", "appVersion": "1.3.0", "platform": "web"})

		var fl struct{ Feedbacks idConnection }
		s.MustGraphQL(t, f.admin, `{ feedbacks(search: "dark") { totalCount edges { node { id } } } }`, nil, &fl)
		if got := ids(fl.Feedbacks.Edges); !slices.Equal(got, []string{dark}) {
			t.Errorf("feedback search: %v", got)
		}
		s.MustGraphQL(t, f.admin, `{ feedbacks(where: {appVersion: "1.2.0", category: FEATURE}) { totalCount edges { node { id } } } }`, nil, &fl)
		if got := ids(fl.Feedbacks.Edges); !slices.Equal(got, []string{dark}) {
			t.Errorf("feedback filter: %v", got)
		}
		var uf struct {
			UpdateFeedback struct{ Status, InternalNotes string }
		}
		s.MustGraphQL(t, f.admin, `mutation($id: ID!) { updateFeedback(id: $id, input: {status: CLOSED, internalNotes: "Shipped in 1.4"}) { status internalNotes } }`, map[string]any{"id": dark}, &uf)
		if uf.UpdateFeedback.Status != "CLOSED" || uf.UpdateFeedback.InternalNotes != "Shipped in 1.4" {
			t.Errorf("updateFeedback: %+v", uf.UpdateFeedback)
		}

		crash := func(fn, version, platform, user string) {
			f.post(t, "/sdk/"+f.slug+"/crashes", map[string]any{"errorType": "TypeError", "errorMessage": "boom", "appVersion": version,
				"platform": platform, "userId": user, "stackTrace": []any{map[string]any{"file": "app.ts", "line": 1, "function": fn}}})
		}
		crash("pay", "1.0.0", "web", "u1")
		crash("pay", "1.1.0", "darwin-aarch64", "u2")
		crash("pay", "1.1.0", "web", "u2")
		crash("login", "1.1.0", "web", "u3")

		var cg struct {
			CrashGroups struct {
				Edges []struct {
					Node struct {
						ID              string
						OccurrenceCount int
						AffectedUsers   int
					}
				}
			}
		}
		s.MustGraphQL(t, f.admin, `{ crashGroups(orderBy: {field: OCCURRENCE_COUNT, direction: DESC}) { edges { node { id occurrenceCount affectedUsers } } } }`, nil, &cg)
		if len(cg.CrashGroups.Edges) != 2 || cg.CrashGroups.Edges[0].Node.OccurrenceCount != 3 || cg.CrashGroups.Edges[0].Node.AffectedUsers != 2 {
			t.Fatalf("crash groups by count: %+v", cg.CrashGroups.Edges)
		}
		pay := cg.CrashGroups.Edges[0].Node.ID
		s.MustGraphQL(t, f.admin, `{ crashGroups(where: {version: "1.0.0"}) { edges { node { id occurrenceCount affectedUsers } } } }`, nil, &cg)
		if len(cg.CrashGroups.Edges) != 1 || cg.CrashGroups.Edges[0].Node.ID != pay {
			t.Errorf("crash groups in 1.0.0: %+v", cg.CrashGroups.Edges)
		}
		s.MustGraphQL(t, f.admin, `{ crashGroups(where: {platform: "darwin-aarch64"}) { edges { node { id occurrenceCount affectedUsers } } } }`, nil, &cg)
		if len(cg.CrashGroups.Edges) != 1 || cg.CrashGroups.Edges[0].Node.ID != pay {
			t.Errorf("crash groups on darwin: %+v", cg.CrashGroups.Edges)
		}
		var res struct {
			UpdateCrashGroup struct {
				Status            string
				ResolvedAt        *string
				ResolvedInVersion *string
			}
		}
		s.MustGraphQL(t, f.admin, `mutation($id: ID!) { updateCrashGroup(id: $id, input: {status: RESOLVED, resolvedInVersion: "1.2.0", resolutionNotes: "null check"}) { status resolvedAt resolvedInVersion } }`, map[string]any{"id": pay}, &res)
		if res.UpdateCrashGroup.Status != "RESOLVED" || res.UpdateCrashGroup.ResolvedAt == nil {
			t.Errorf("resolve: %+v", res.UpdateCrashGroup)
		}
		crash("pay", "1.3.0", "web", "u4")
		var again struct{ Node struct{ Status string } }
		s.MustGraphQL(t, f.admin, `query($id: ID!) { node(id: $id) { ... on CrashGroup { status } } }`, map[string]any{"id": pay}, &again)
		if again.Node.Status != "REGRESSED" {
			t.Errorf("a crash in a newer version left the group %s", again.Node.Status)
		}

		var st struct {
			CrashStats struct {
				TotalOccurrences, NewGroups, AffectedUsers int
				Buckets                                    []struct{ Occurrences int }
				ByVersion                                  []struct {
					Key   string
					Count int
				}
				TopGroups []struct {
					Group       struct{ ID string }
					Occurrences int
				}
			}
			DashboardStats struct{ NewReportsToday, UnresolvedReports, OpenFeedback, NewCrashGroups int }
		}
		s.MustGraphQL(t, f.admin, `query($p: ID!) { crashStats(projectId: $p, period: DAY) { totalOccurrences newGroups affectedUsers
			buckets { start occurrences } byVersion { key count } byPlatform { key count } topGroups { group { id } occurrences } }
			dashboardStats { newReportsToday unresolvedReports openFeedback newCrashGroups } }`, map[string]any{"p": f.projectID}, &st)
		cs := st.CrashStats
		sum := 0
		for _, b := range cs.Buckets {
			sum += b.Occurrences
		}
		// Hour-aligned buckets cover the whole 24-hour window: 25 of them, the
		// first and last partly inside it, adding up to the total.
		if cs.TotalOccurrences != 5 || cs.NewGroups != 2 || cs.AffectedUsers != 4 || len(cs.Buckets) != 25 || sum != 5 ||
			len(cs.TopGroups) != 2 || cs.TopGroups[0].Group.ID != pay || cs.TopGroups[0].Occurrences != 4 {
			t.Errorf("crash stats: %+v", cs)
		}
		if d := st.DashboardStats; d.OpenFeedback != 1 || d.NewCrashGroups != 2 || d.NewReportsToday != 0 {
			t.Errorf("dashboard stats: %+v", d)
		}
		// A viewer's day, as the dashboard sends it: not one that began days ago.
		old := time.Now().Add(-72 * time.Hour).Format(time.RFC3339)
		resp := s.GraphQL(t, f.admin, `query($d: Time) { dashboardStats(todayStart: $d) { newReportsToday } }`, map[string]any{"d": old})
		if len(resp.Errors) != 1 || resp.Errors[0].Code() != "BAD_USER_INPUT" || !strings.Contains(resp.Errors[0].Message, "todayStart") {
			t.Errorf("todayStart 72 hours ago: errors %+v, want one BAD_USER_INPUT naming todayStart", resp.Errors)
		}
	})
}

// Deleting a project deletes its attachments' bytes too, through jobs
// enqueued with the deletion, and leaves other projects' files alone.
func TestDeleteProjectDeletesItsFiles(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		f := newIngestFixture(t, s)
		var blog struct {
			CreateProject struct {
				ID         string
				PublicKeys []struct{ Key string }
			}
		}
		s.MustGraphQL(t, f.admin, `mutation { createProject(input: {name: "Blog"}) { id publicKeys { key } } }`, nil, &blog)
		other := f
		other.key = blog.CreateProject.PublicKeys[0].Key

		png := base64.StdEncoding.EncodeToString(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...))
		files := []any{map[string]any{"data": png, "filename": "screen.png", "mimeType": "image/png"}}
		f.post(t, "/api/v1/reports", map[string]any{"message": "Broken", "category": "ui", "severity": "high", "consent": true, "pageUrl": "https://shop.example/", "attachments": files})
		f.post(t, "/sdk/"+f.slug+"/feedback", map[string]any{"category": "feature", "message": "Broken", "appVersion": "1.0", "platform": "web", "attachments": files})
		f.post(t, "/sdk/"+f.slug+"/crashes", map[string]any{"errorType": "TypeError", "errorMessage": "x", "appVersion": "1.0", "platform": "web", "attachments": files})
		other.post(t, "/api/v1/reports", map[string]any{"message": "Elsewhere", "category": "ui", "severity": "high", "consent": true, "pageUrl": "https://blog.example/", "attachments": files})

		stored := func() []string {
			var paths []string
			err := filepath.WalkDir(s.Config.Storage.LocalPath, func(path string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					paths = append(paths, path)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return paths
		}
		if n := len(stored()); n != 4 {
			t.Fatalf("%d files stored, want 4", n)
		}
		s.MustGraphQL(t, f.admin, `mutation($id: ID!) { deleteProject(id: $id) }`, map[string]any{"id": f.projectID}, nil)
		deadline := time.Now().Add(30 * time.Second)
		for len(stored()) != 1 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if left := stored(); len(left) != 1 {
			t.Fatalf("files left after deleting the project: %v, want only the other project's", left)
		}
	})
}
