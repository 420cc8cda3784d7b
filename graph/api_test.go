package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apptest"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// eachServer runs fn against a fresh server on each database.
func eachServer(t *testing.T, fn func(t *testing.T, s *apptest.Server)) {
	t.Helper()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, apptest.Start(t, d))
		})
	}
}

func only(t *testing.T, resp apptest.GQLResponse, code string) {
	t.Helper()
	if len(resp.Errors) != 1 || resp.Errors[0].Code() != code {
		t.Fatalf("want exactly one %s error, got %v", code, resp.Errors)
	}
}

func TestSetupWizard(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		var st struct{ SetupStatus struct{ NeedsSetup bool } }
		s.MustGraphQL(t, "", `{ setupStatus { needsSetup instanceName } }`, nil, &st)
		if !st.SetupStatus.NeedsSetup {
			t.Fatal("a fresh instance does not need setup")
		}
		token := s.Setup(t)

		var me struct{ Viewer struct{ Email, Name string } }
		s.MustGraphQL(t, token, `{ viewer { email name } }`, nil, &me)
		if me.Viewer.Email != apptest.AdminEmail || me.Viewer.Name != "Ada" {
			t.Errorf("viewer = %+v", me.Viewer)
		}
		var after struct {
			SetupStatus struct {
				NeedsSetup   bool
				InstanceName string
			}
		}
		s.MustGraphQL(t, "", `{ setupStatus { needsSetup instanceName } }`, nil, &after)
		if after.SetupStatus.NeedsSetup || after.SetupStatus.InstanceName != "Acme" {
			t.Errorf("after setup: %+v", after.SetupStatus)
		}
		again := s.GraphQL(t, "", `mutation { setup(input: {email: "eve@example.com", password: "password123", name: "Eve", instanceName: "X"}) { accessToken } }`, nil)
		only(t, again, "CONFLICT")
	})
}

func TestConcurrentSetupMakesExactlyOneAdmin(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes []string
		)
		for i := range 4 {
			wg.Go(func() {
				resp := s.GraphQL(t, "", `mutation($in: SetupInput!) { setup(input: $in) { accessToken } }`, map[string]any{"in": map[string]any{
					"email": fmt.Sprintf("admin%d@example.com", i), "password": "password123", "name": "A", "instanceName": "Acme",
				}})
				mu.Lock()
				defer mu.Unlock()
				if len(resp.Errors) == 0 {
					codes = append(codes, "OK")
				} else {
					codes = append(codes, resp.Errors[0].Code())
				}
			})
		}
		wg.Wait()
		slices.Sort(codes)
		if want := []string{"CONFLICT", "CONFLICT", "CONFLICT", "OK"}; !slices.Equal(codes, want) {
			t.Fatalf("4 concurrent setups: %v, want %v", codes, want)
		}
		n, err := s.App.DB.Client.User.Query().Count(viewer.SystemContext(context.Background(), "test"))
		if err != nil || n != 1 {
			t.Fatalf("users after concurrent setup: %d, %v", n, err)
		}
	})
}

const loginMutation = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { email } } }`

type authPayload struct {
	AccessToken, RefreshToken string
}

func TestLoginRefreshAndLogout(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		s.Setup(t)
		only(t, s.GraphQL(t, "", loginMutation, map[string]any{"e": apptest.AdminEmail, "p": "wrong password"}), "UNAUTHENTICATED")
		only(t, s.GraphQL(t, "", loginMutation, map[string]any{"e": "nobody@example.com", "p": "wrong password"}), "UNAUTHENTICATED")

		var in struct{ Login authPayload }
		s.MustGraphQL(t, "", loginMutation, map[string]any{"e": strings.ToUpper(apptest.AdminEmail), "p": apptest.AdminPassword}, &in)
		if in.Login.AccessToken == "" || in.Login.RefreshToken == "" {
			t.Fatalf("login with an upper-cased email: %+v", in.Login)
		}

		const refresh = `mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }`
		var r1 struct{ RefreshToken authPayload }
		s.MustGraphQL(t, "", refresh, map[string]any{"t": in.Login.RefreshToken}, &r1)
		if r1.RefreshToken.RefreshToken == in.Login.RefreshToken {
			t.Fatal("the refresh token did not rotate")
		}
		// Presenting the rotated token again looks like theft: the whole
		// family is revoked, including the token just issued.
		only(t, s.GraphQL(t, "", refresh, map[string]any{"t": in.Login.RefreshToken}), "UNAUTHENTICATED")
		only(t, s.GraphQL(t, "", refresh, map[string]any{"t": r1.RefreshToken.RefreshToken}), "UNAUTHENTICATED")

		var in2 struct{ Login authPayload }
		s.MustGraphQL(t, "", loginMutation, map[string]any{"e": apptest.AdminEmail, "p": apptest.AdminPassword}, &in2)
		var out struct{ Logout bool }
		s.MustGraphQL(t, in2.Login.AccessToken, `mutation($t: String!) { logout(refreshToken: $t) }`, map[string]any{"t": in2.Login.RefreshToken}, &out)
		if !out.Logout {
			t.Error("logout returned false")
		}
		only(t, s.GraphQL(t, "", refresh, map[string]any{"t": in2.Login.RefreshToken}), "UNAUTHENTICATED")
	})
}

func TestLoginIsRateLimitedAfterFiveFailures(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		s.Setup(t)
		for i := range 5 {
			resp := s.GraphQL(t, "", loginMutation, map[string]any{"e": apptest.AdminEmail, "p": fmt.Sprintf("guess %d", i)})
			only(t, resp, "UNAUTHENTICATED")
		}
		// Even the right password is refused while the limit holds.
		only(t, s.GraphQL(t, "", loginMutation, map[string]any{"e": apptest.AdminEmail, "p": apptest.AdminPassword}), "RATE_LIMITED")
	})
}

const projectFields = `id name slug allowedDomains webhookUrl webhookSecret publicKeys { id name key revokedAt }`

type project struct {
	ID, Name, Slug string
	AllowedDomains []string
	WebhookURL     *string `json:"webhookUrl"`
	WebhookSecret  *string
	PublicKeys     []struct {
		ID, Name, Key string
		RevokedAt     *string
	}
}

func createProject(t *testing.T, s *apptest.Server, token, name string) project {
	t.Helper()
	var out struct{ CreateProject project }
	s.MustGraphQL(t, token, `mutation($n: String!) { createProject(input: {name: $n}) { `+projectFields+` } }`, map[string]any{"n": name}, &out)
	return out.CreateProject
}

func TestProjectsKeysAndSnippets(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		token := s.Setup(t)
		p := createProject(t, s, token, "My App")
		if p.Slug != "my-app" || len(p.PublicKeys) != 1 || !strings.HasPrefix(p.PublicKeys[0].Key, "pk_my-app_") || len(p.PublicKeys[0].Key) != len("pk_my-app_")+16 {
			t.Fatalf("created project: %+v", p)
		}
		if twin := createProject(t, s, token, "My App"); twin.Slug != "my-app-2" {
			t.Errorf("second project with the same name got slug %q, want my-app-2", twin.Slug)
		}
		only(t, s.GraphQL(t, token, `mutation { createProject(input: {name: "X", slug: "my-app"}) { id } }`, nil), "CONFLICT")
		bad := s.GraphQL(t, token, `mutation { createProject(input: {name: "X", allowedDomains: ["https://nope.example/path"]}) { id } }`, nil)
		only(t, bad, "BAD_USER_INPUT")

		var upd struct{ UpdateProject project }
		s.MustGraphQL(t, token, `mutation($id: ID!) { updateProject(id: $id, input: {webhookUrl: "https://hooks.example.com/oopsie", allowedDomains: ["*.example.com", "localhost:3000"]}) { `+projectFields+` } }`,
			map[string]any{"id": p.ID}, &upd)
		if upd.UpdateProject.WebhookURL == nil || *upd.UpdateProject.WebhookURL != "https://hooks.example.com/oopsie" ||
			upd.UpdateProject.WebhookSecret == nil || *upd.UpdateProject.WebhookSecret == "" {
			t.Errorf("after setting the webhook: %+v", upd.UpdateProject)
		}
		if !slices.Equal(upd.UpdateProject.AllowedDomains, []string{"*.example.com", "localhost:3000"}) {
			t.Errorf("allowed domains = %v", upd.UpdateProject.AllowedDomains)
		}

		var snip struct {
			Project struct{ Npm, Cdn string }
		}
		s.MustGraphQL(t, token, `query($s: String!) { project(slug: $s) { npm: snippet(kind: NPM) cdn: snippet(kind: CDN) } }`, map[string]any{"s": "my-app"}, &snip)
		key := p.PublicKeys[0].Key
		for kind, code := range map[string]string{"NPM": snip.Project.Npm, "CDN": snip.Project.Cdn} {
			if !strings.Contains(code, key) || !strings.Contains(code, s.URL) {
				t.Errorf("%s snippet lacks the key or the server URL:\n%s", kind, code)
			}
		}

		var nk struct{ CreatePublicKey struct{ ID, Key string } }
		s.MustGraphQL(t, token, `mutation($p: ID!) { createPublicKey(projectId: $p, name: "CI") { id key } }`, map[string]any{"p": p.ID}, &nk)
		var rk struct{ RevokePublicKey struct{ RevokedAt *string } }
		s.MustGraphQL(t, token, `mutation($id: ID!) { revokePublicKey(id: $id) { revokedAt } }`, map[string]any{"id": nk.CreatePublicKey.ID}, &rk)
		if rk.RevokePublicKey.RevokedAt == nil {
			t.Error("revoked key has no revokedAt")
		}

		var list struct {
			Projects struct {
				TotalCount int
				Edges      []struct{ Node struct{ Slug string } }
			}
		}
		s.MustGraphQL(t, token, `{ projects(first: 10) { totalCount edges { node { slug } } } }`, nil, &list)
		if list.Projects.TotalCount != 2 || len(list.Projects.Edges) != 2 {
			t.Errorf("projects = %+v", list.Projects)
		}
		var del struct{ DeleteProject string }
		s.MustGraphQL(t, token, `mutation($id: ID!) { deleteProject(id: $id) }`, map[string]any{"id": p.ID}, &del)
		if del.DeleteProject != p.ID {
			t.Errorf("deleteProject returned %q", del.DeleteProject)
		}
		var gone struct{ Project *project }
		s.MustGraphQL(t, token, `query($id: ID) { project(id: $id) { id } }`, map[string]any{"id": p.ID}, &gone)
		if gone.Project != nil {
			t.Error("a deleted project is still found")
		}
	})
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		var created struct {
			CreateAPIToken struct {
				Token    string
				APIToken struct{ ID, Name string } `json:"apiToken"`
			}
		}
		s.MustGraphQL(t, admin, `mutation { createAPIToken(name: "CI") { token apiToken { id name } } }`, nil, &created)
		tok := created.CreateAPIToken.Token
		if !strings.HasPrefix(tok, "uk_live_") {
			t.Fatalf("token %q", tok)
		}
		createProject(t, s, tok, "From CI")
		var lu struct {
			APITokens struct {
				Edges []struct{ Node struct{ LastUsedAt *string } }
			} `json:"apiTokens"`
		}
		s.MustGraphQL(t, admin, `{ apiTokens { edges { node { lastUsedAt } } } }`, nil, &lu)
		if len(lu.APITokens.Edges) != 1 || lu.APITokens.Edges[0].Node.LastUsedAt == nil {
			t.Errorf("lastUsedAt not recorded: %+v", lu)
		}
		s.MustGraphQL(t, admin, `mutation($id: ID!) { revokeAPIToken(id: $id) { revokedAt } }`, map[string]any{"id": created.CreateAPIToken.APIToken.ID}, nil)
		only(t, s.GraphQL(t, tok, `{ projects { totalCount } }`, nil), "UNAUTHENTICATED")
	})
}

func TestUsersAndTheLastUser(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		var me struct{ Viewer struct{ ID string } }
		s.MustGraphQL(t, admin, `{ viewer { id } }`, nil, &me)

		var cu struct{ CreateUser struct{ ID, Email string } }
		s.MustGraphQL(t, admin, `mutation { createUser(input: {email: "Bob@Example.com", password: "password123", name: "Bob"}) { id email } }`, nil, &cu)
		if cu.CreateUser.Email != "bob@example.com" {
			t.Errorf("email stored as %q", cu.CreateUser.Email)
		}
		only(t, s.GraphQL(t, admin, `mutation { createUser(input: {email: "BOB@example.com", password: "password123"}) { id } }`, nil), "CONFLICT")
		only(t, s.GraphQL(t, admin, `mutation { createUser(input: {email: "not-an-email", password: "password123"}) { id } }`, nil), "BAD_USER_INPUT")

		var uu struct{ UpdateUser struct{ Name string } }
		s.MustGraphQL(t, admin, `mutation($id: ID!) { updateUser(id: $id, input: {name: "Robert"}) { name } }`, map[string]any{"id": cu.CreateUser.ID}, &uu)
		if uu.UpdateUser.Name != "Robert" {
			t.Errorf("name = %q", uu.UpdateUser.Name)
		}
		s.MustGraphQL(t, admin, `mutation($id: ID!) { deleteUser(id: $id) }`, map[string]any{"id": cu.CreateUser.ID}, nil)
		only(t, s.GraphQL(t, admin, `mutation($id: ID!) { deleteUser(id: $id) }`, map[string]any{"id": me.Viewer.ID}), "CONFLICT")

		var users struct{ Users struct{ TotalCount int } }
		s.MustGraphQL(t, admin, `{ users { totalCount } }`, nil, &users)
		if users.Users.TotalCount != 1 {
			t.Errorf("users left: %d", users.Users.TotalCount)
		}
	})
}

// An override left out of an update stays; an override sent as null goes,
// and the defaults apply again.
func TestProjectAndSettingsOverridesClearWithNull(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		p := createProject(t, s, admin, "Overrides")
		type overrides struct{ RetentionDays, RateLimitPerMinute *int }
		update := func(input map[string]any) overrides {
			t.Helper()
			var out struct{ UpdateProject overrides }
			s.MustGraphQL(t, admin, `mutation($id: ID!, $in: UpdateProjectInput!) { updateProject(id: $id, input: $in) { retentionDays rateLimitPerMinute } }`,
				map[string]any{"id": p.ID, "in": input}, &out)
			return out.UpdateProject
		}
		set := update(map[string]any{"retentionDays": 30, "rateLimitPerMinute": 5})
		if set.RetentionDays == nil || *set.RetentionDays != 30 || set.RateLimitPerMinute == nil || *set.RateLimitPerMinute != 5 {
			t.Fatalf("after setting both: %+v", set)
		}
		if kept := update(map[string]any{"name": "Renamed"}); kept.RetentionDays == nil || kept.RateLimitPerMinute == nil {
			t.Errorf("an update without them cleared them: %+v", kept)
		}
		if cleared := update(map[string]any{"retentionDays": nil}); cleared.RetentionDays != nil || cleared.RateLimitPerMinute == nil {
			t.Errorf("after retentionDays: null: %+v, want only the retention cleared", cleared)
		}
		if cleared := update(map[string]any{"rateLimitPerMinute": nil}); cleared.RateLimitPerMinute != nil {
			t.Errorf("after rateLimitPerMinute: null: %+v", cleared)
		}

		var st struct {
			UpdateSettings struct{ DefaultRetentionDays *int }
		}
		const settings = `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) { defaultRetentionDays } }`
		s.MustGraphQL(t, admin, settings, map[string]any{"in": map[string]any{"defaultRetentionDays": 60}}, &st)
		s.MustGraphQL(t, admin, settings, map[string]any{"in": map[string]any{"instanceName": "Kept"}}, &st)
		if st.UpdateSettings.DefaultRetentionDays == nil || *st.UpdateSettings.DefaultRetentionDays != 60 {
			t.Errorf("an update without it changed the default retention: %v", st.UpdateSettings.DefaultRetentionDays)
		}
		s.MustGraphQL(t, admin, settings, map[string]any{"in": map[string]any{"defaultRetentionDays": nil}}, &st)
		if st.UpdateSettings.DefaultRetentionDays != nil {
			t.Errorf("after defaultRetentionDays: null: %d", *st.UpdateSettings.DefaultRetentionDays)
		}
	})
}

func TestSettingsAndVersion(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		admin := s.Setup(t)
		var st struct {
			UpdateSettings struct {
				InstanceName         string
				DefaultRetentionDays *int
			}
		}
		s.MustGraphQL(t, admin, `mutation { updateSettings(input: {instanceName: "Acme bugs", defaultRetentionDays: 30}) { instanceName defaultRetentionDays } }`, nil, &st)
		if st.UpdateSettings.InstanceName != "Acme bugs" || st.UpdateSettings.DefaultRetentionDays == nil || *st.UpdateSettings.DefaultRetentionDays != 30 {
			t.Errorf("settings = %+v", st.UpdateSettings)
		}
		only(t, s.GraphQL(t, admin, `mutation { updateSettings(input: {defaultRetentionDays: 0}) { instanceName } }`, nil), "BAD_USER_INPUT")

		var v struct{ Version struct{ Current string } }
		s.MustGraphQL(t, "", `{ version { current latest updateAvailable releaseUrl } }`, nil, &v)
		if v.Version.Current == "" {
			t.Error("version.current is empty")
		}
		status, body := s.Get(t, "/api/v1/version")
		if status != http.StatusOK || !strings.Contains(string(body), `"current"`) {
			t.Errorf("GET /api/v1/version = %d %s", status, body)
		}
	})
}

// seedOneOfEach writes one row of every node type straight into the
// database and returns their ids.
func seedOneOfEach(t *testing.T, s *apptest.Server) []string {
	t.Helper()
	ctx := viewer.SystemContext(context.Background(), "test")
	c := s.App.DB.Client
	var me struct{ Viewer struct{ ID string } }
	s.MustGraphQL(t, s.Setup(t), `{ viewer { id } }`, nil, &me)
	u := c.User.GetX(ctx, me.Viewer.ID)
	p := c.Project.Create().SetName("Seed").SetSlug("seed").SaveX(ctx)
	k := c.PublicKey.Create().SetProject(p).SetName("k").SetKey("pk_seed_0123456789abcdef").SaveX(ctx)
	tok := c.APIToken.Create().SetName("t").SetTokenHash("h").SetTokenPrefix("uk_live_0000").SaveX(ctx)
	set := c.Settings.Query().OnlyX(ctx)
	rg := c.ReportGroup.Create().SetProject(p).SetFingerprint("f").SetFirstSeenAt(u.CreatedAt).SetLastSeenAt(u.CreatedAt).SaveX(ctx)
	r := c.Report.Create().SetProject(p).SetGroup(rg).SetMessage("m").SetCategory(enums.ReportCategoryUI).
		SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true).SaveX(ctx)
	f := c.Feedback.Create().SetProject(p).SetCategory(enums.FeedbackCategoryBug).SetMessage("m").SetAppVersion("1").SetPlatform("web").SaveX(ctx)
	cg := c.CrashGroup.Create().SetProject(p).SetFingerprint("f").SetErrorType("E").SetErrorMessage("m").
		SetFirstSeenAt(u.CreatedAt).SetLastSeenAt(u.CreatedAt).SaveX(ctx)
	cr := c.CrashReport.Create().SetProject(p).SetGroup(cg).SetErrorType("E").SetErrorMessage("m").SetAppVersion("1").
		SetPlatform("web").SetFingerprint("f").SaveX(ctx)
	a := c.Attachment.Create().SetReport(r).SetFilename("a.png").SetMimeType("image/png").SetSize(1).SetSha256("x").SetStorageKey("k").SaveX(ctx)
	cm := c.Comment.Create().SetAuthor(u).SetReport(r).SetBody("b").SaveX(ctx)
	wd := c.WebhookDelivery.Create().SetProject(p).SetEvent("report.created").SetItemID(r.ID).SaveX(ctx)
	return []string{u.ID, p.ID, k.ID, tok.ID, set.ID, rg.ID, r.ID, f.ID, cg.ID, cr.ID, a.ID, cm.ID, wd.ID}
}

// Every node type is closed to anonymous callers, through node(id:) and the
// list queries alike, and open to an admin.
func TestAnonymousCallersGetNothing(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *apptest.Server) {
		ids := seedOneOfEach(t, s)
		var in struct{ Login authPayload }
		s.MustGraphQL(t, "", loginMutation, map[string]any{"e": apptest.AdminEmail, "p": apptest.AdminPassword}, &in)
		for _, id := range ids {
			const q = `query($id: ID!) { node(id: $id) { id } }`
			anon := s.GraphQL(t, "", q, map[string]any{"id": id})
			var data struct{ Node *struct{ ID string } }
			_ = json.Unmarshal(anon.Data, &data)
			if data.Node != nil || len(anon.Errors) != 1 || anon.Errors[0].Code() != "UNAUTHENTICATED" {
				t.Errorf("anonymous node(%s): data %s, errors %v", id, anon.Data, anon.Errors)
			}
			forged := s.GraphQL(t, "not-a-token", q, map[string]any{"id": id})
			if len(forged.Errors) != 1 || forged.Errors[0].Code() != "UNAUTHENTICATED" {
				t.Errorf("forged token node(%s): %v", id, forged.Errors)
			}
			var got struct{ Node *struct{ ID string } }
			s.MustGraphQL(t, in.Login.AccessToken, q, map[string]any{"id": id}, &got)
			if got.Node == nil || got.Node.ID != id {
				t.Errorf("admin node(%s) = %+v", id, got.Node)
			}
		}
		for _, q := range []string{
			`{ projects { totalCount } }`, `{ users { totalCount } }`, `{ apiTokens { totalCount } }`,
			`{ settings { instanceName } }`, `{ project(slug: "seed") { id } }`,
			`{ nodes(ids: ["` + ids[1] + `"]) { id } }`,
			`{ reports { totalCount } }`, `{ reportGroups { totalCount } }`, `{ feedbacks { totalCount } }`,
			`{ crashGroups { totalCount } }`, `{ crashStats(projectId: "` + ids[1] + `", period: DAY) { totalOccurrences } }`,
			`{ dashboardStats { openFeedback } }`,
			`mutation { updateReport(id: "` + ids[6] + `", input: {status: CLOSED}) { id } }`,
			`mutation { deleteReport(id: "` + ids[6] + `") }`,
			`mutation { addComment(input: {reportId: "` + ids[6] + `", body: "x"}) { id } }`,
			`mutation { updateCrashGroup(id: "` + ids[8] + `", input: {status: IGNORED}) { id } }`,
			`mutation { updateFeedback(id: "` + ids[7] + `", input: {status: CLOSED}) { id } }`,
			`mutation { createProject(input: {name: "Nope"}) { id } }`,
			`mutation { createUser(input: {email: "x@example.com", password: "password123"}) { id } }`,
			`mutation { createAPIToken(name: "x") { token } }`,
			`mutation { sendTestWebhook(projectId: "` + ids[1] + `") { id } }`,
		} {
			resp := s.GraphQL(t, "", q, nil)
			if !slices.Contains(resp.Codes(), "UNAUTHENTICATED") {
				t.Errorf("anonymous %s: errors %v, data %s", q, resp.Errors, resp.Data)
			}
		}
		var v struct{ Viewer *struct{ ID string } }
		s.MustGraphQL(t, "", `{ viewer { id } }`, nil, &v)
		if v.Viewer != nil {
			t.Error("an anonymous viewer is somebody")
		}
	})
}

func TestQueryLimits(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, dbtest.Dialects[0])
	admin := s.Setup(t)
	deep := `{ projects { edges { node { reports { edges { node { project { reports { edges { node { project { reports { edges { node { id } } } } } } } } } } } } } } }`
	only(t, s.GraphQL(t, admin, deep, nil), "BAD_USER_INPUT")
	wide := `{ projects(first: 100) { edges { node { reports(first: 100) { edges { node { id message } } } } } } }`
	only(t, s.GraphQL(t, admin, wide, nil), "BAD_USER_INPUT")
	var intro struct {
		Schema struct{ QueryType struct{ Name string } } `json:"__schema"`
	}
	s.MustGraphQL(t, "", `{ __schema { queryType { name } } }`, nil, &intro)
	if intro.Schema.QueryType.Name != "Query" {
		t.Errorf("introspection: %+v", intro)
	}
}
