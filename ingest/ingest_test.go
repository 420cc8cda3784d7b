package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/textproto"
	"os"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/apptest"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

type fixture struct {
	s          *apptest.Server
	admin      string
	slug, key  string
	otherSlug  string
	revokedKey string
}

// newFixture starts a server with two projects: "shop" (origins limited to
// app.example.com) and "blog", and a revoked key of shop.
func newFixture(t *testing.T, dialect string) fixture {
	t.Helper()
	return newFixtureOn(t, apptest.Start(t, dialect))
}

func newFixtureOn(t *testing.T, s *apptest.Server) fixture {
	t.Helper()
	admin := s.Setup(t)
	var shop, blog struct {
		CreateProject struct {
			ID, Slug   string
			PublicKeys []struct{ Key string }
		}
	}
	s.MustGraphQL(t, admin, `mutation { createProject(input: {name: "Shop", allowedDomains: ["app.example.com"]}) { id slug publicKeys { key } } }`, nil, &shop)
	s.MustGraphQL(t, admin, `mutation { createProject(input: {name: "Blog"}) { id slug publicKeys { key } } }`, nil, &blog)
	var revoked struct{ CreatePublicKey struct{ ID, Key string } }
	s.MustGraphQL(t, admin, `mutation($p: ID!) { createPublicKey(projectId: $p, name: "old") { id key } }`, map[string]any{"p": shop.CreateProject.ID}, &revoked)
	s.MustGraphQL(t, admin, `mutation($id: ID!) { revokePublicKey(id: $id) { id } }`, map[string]any{"id": revoked.CreatePublicKey.ID}, nil)
	return fixture{s: s, admin: admin, slug: shop.CreateProject.Slug, key: shop.CreateProject.PublicKeys[0].Key,
		otherSlug: blog.CreateProject.Slug, revokedKey: revoked.CreatePublicKey.Key}
}

type answer struct {
	status  int
	header  http.Header
	Success bool
	Data    struct{ ID, GroupID string }
	Error   struct {
		Code    string
		Message string
		Fields  map[string]string
	}
}

func (f fixture) send(t *testing.T, path string, header map[string]string, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Oopsie-Key", f.key)
	req.Header.Set("Origin", "https://app.example.com")
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("POST %s: %d %q is not the JSON envelope", path, resp.StatusCode, raw)
	}
	return a
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

func report(extra map[string]any) map[string]any {
	r := map[string]any{
		"message": "The checkout button does nothing", "category": "ui", "severity": "high", "consent": true,
		"pageUrl": "https://app.example.com/cart", "reporterEmail": "ada@example.com",
		"userContext":   map[string]any{"id": "u-1", "plan": "pro"},
		"deviceInfo":    map[string]any{"userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"},
		"timeline":      []any{map[string]any{"type": "click", "selector": "#pay", "timestamp": 1}},
		"consoleErrors": []any{map[string]any{"message": "TypeError: x is undefined", "stack": "at pay (app.js:1:2)"}},
		"networkFailures": []any{map[string]any{"url": "https://api.example.com/pay?token=s3cr3t", "method": "POST", "status": 500,
			"requestHeaders": map[string]any{"Authorization": "Bearer abc"}}},
	}
	for k, v := range extra {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	return r
}

func crash(extra map[string]any) map[string]any {
	c := map[string]any{
		"errorType": "TypeError", "errorMessage": "x is undefined", "appVersion": "1.2.3", "platform": "darwin-aarch64",
		"stackTrace": []any{map[string]any{"file": "src/app.ts", "line": 10, "function": "pay"}},
		"userId":     "u-1", "severity": "fatal",
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func feedbackBody() map[string]any {
	return map[string]any{"category": "feature", "message": "Dark mode please", "appVersion": "1.2.3", "platform": "web"}
}

func gzipped(b []byte) io.Reader {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return &buf
}

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)

func TestIngestAcceptsEachKind(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d)
			a := f.send(t, "/api/v1/reports", nil, jsonBody(report(nil)))
			if a.status != 201 || !a.Success || a.Data.ID == "" || a.Data.GroupID == "" {
				t.Fatalf("report: %d %+v", a.status, a)
			}
			if a.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
				t.Errorf("no CORS header on an allowed origin: %v", a.header)
			}
			a = f.send(t, "/sdk/"+f.slug+"/feedback", map[string]string{"X-Oopsie-Key": "", "X-API-Key": f.key}, jsonBody(feedbackBody()))
			if a.status != 201 || a.Data.ID == "" {
				t.Fatalf("feedback with X-API-Key: %d %+v", a.status, a)
			}
			a = f.send(t, "/sdk/"+f.slug+"/crashes", map[string]string{"Origin": ""}, jsonBody(crash(nil)))
			if a.status != 201 || a.Data.GroupID == "" {
				t.Fatalf("crash without an Origin (a native app): %d %+v", a.status, a)
			}
			// gzip bodies are accepted.
			raw, _ := json.Marshal(crash(nil))
			a = f.send(t, "/sdk/"+f.slug+"/crashes", map[string]string{"Content-Encoding": "gzip"}, gzipped(raw))
			if a.status != 201 {
				t.Fatalf("gzip crash: %d %+v", a.status, a)
			}
			// Multipart: the JSON in a part, files beside it.
			var mp bytes.Buffer
			mw := multipart.NewWriter(&mp)
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="report"`)
			h.Set("Content-Type", "application/json")
			pw, _ := mw.CreatePart(h)
			_ = json.NewEncoder(pw).Encode(report(nil))
			fw, _ := mw.CreateFormFile("files", "screenshot.png")
			_, _ = fw.Write(pngBytes)
			_ = mw.Close()
			a = f.send(t, "/api/v1/reports", map[string]string{"Content-Type": mw.FormDataContentType()}, &mp)
			if a.status != 201 {
				t.Fatalf("multipart report: %d %+v", a.status, a)
			}
			ctx := viewer.SystemContext(context.Background(), "test")
			atts := f.s.App.DB.Client.Attachment.Query().AllX(ctx)
			if len(atts) != 1 || atts[0].MimeType != "image/png" {
				t.Fatalf("attachments stored: %+v, want one PNG", atts)
			}
			// Downloads are for signed-in users, as attachments, never sniffed.
			download := func(token string) *http.Response {
				req, _ := http.NewRequest(http.MethodGet, f.s.URL+"/api/v1/attachments/"+atts[0].ID, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				return resp
			}
			resp := download(f.admin)
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Equal(got, pngBytes) ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
				resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("admin download: %d %v", resp.StatusCode, resp.Header)
			}
			resp = download("")
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("anonymous download: %d, want 401", resp.StatusCode)
			}
			// The server redacted what the SDK should have.
			rep := f.s.App.DB.Client.Report.GetX(ctx, a.Data.ID)
			if strings.Contains(string(rep.NetworkFailures), "s3cr3t") || strings.Contains(string(rep.NetworkFailures), "Bearer abc") {
				t.Errorf("secrets stored: %s", rep.NetworkFailures)
			}
		})
	}
}

// Each bad request gets its exact status and code, and nothing is stored.
func TestIngestRefusesBadInput(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d)
			bomb := gzipped(make([]byte, 100<<20))
			exe := base64.StdEncoding.EncodeToString(append([]byte("MZ\x90\x00"), make([]byte, 64)...))
			for _, tc := range []struct {
				name   string
				path   string
				header map[string]string
				body   io.Reader
				status int
				code   string
				field  string
			}{
				{"malformed JSON", "/api/v1/reports", nil, strings.NewReader(`{"message":`), 400, "BAD_USER_INPUT", ""},
				{"wrong type", "/api/v1/reports", nil, jsonBody(report(map[string]any{"message": 42})), 400, "BAD_USER_INPUT", "message"},
				{"missing message", "/api/v1/reports", nil, jsonBody(report(map[string]any{"message": nil})), 400, "BAD_USER_INPUT", "message"},
				{"unknown category", "/api/v1/reports", nil, jsonBody(report(map[string]any{"category": "cosmic-rays"})), 400, "BAD_USER_INPUT", "category"},
				{"no consent", "/api/v1/reports", nil, jsonBody(report(map[string]any{"consent": false})), 400, "BAD_USER_INPUT", "consent"},
				{"consent missing", "/api/v1/reports", nil, jsonBody(report(map[string]any{"consent": nil})), 400, "BAD_USER_INPUT", "consent"},
				{"oversize message", "/api/v1/reports", nil, jsonBody(report(map[string]any{"message": strings.Repeat("x", 10_001)})), 400, "BAD_USER_INPUT", "message"},
				{"oversize timeline", "/api/v1/reports", nil, jsonBody(report(map[string]any{"timeline": make([]map[string]any, 1001)})), 400, "BAD_USER_INPUT", "timeline"},
				{"timeline not an array", "/api/v1/reports", nil, jsonBody(report(map[string]any{"timeline": "yesterday"})), 400, "BAD_USER_INPUT", "timeline"},
				{"unknown field", "/api/v1/reports", nil, jsonBody(report(map[string]any{"isAdmin": true})), 400, "BAD_USER_INPUT", ""},
				{"crash without error type", "/sdk/" + f.slug + "/crashes", nil, jsonBody(crash(map[string]any{"errorType": nil})), 400, "BAD_USER_INPUT", "errorType"},
				{"unknown severity", "/sdk/" + f.slug + "/crashes", nil, jsonBody(crash(map[string]any{"severity": "meh"})), 400, "BAD_USER_INPUT", "severity"},
				{"too many frames", "/sdk/" + f.slug + "/crashes", nil, jsonBody(crash(map[string]any{"stackTrace": make([]map[string]any, 201)})), 400, "BAD_USER_INPUT", "stackTrace"},
				{"breadcrumb data not an object", "/sdk/" + f.slug + "/crashes", nil, jsonBody(crash(map[string]any{"breadcrumbs": []any{map[string]any{"type": "click", "data": []int{1}}}})), 400, "BAD_USER_INPUT", "breadcrumbs[0].data"},
				{"invalid base64", "/sdk/" + f.slug + "/crashes", nil, jsonBody(crash(map[string]any{"attachments": []any{map[string]any{"data": "%%%", "filename": "a.png"}}})), 400, "BAD_USER_INPUT", "attachments[0].data"},
				{"renamed executable", "/sdk/" + f.slug + "/crashes", nil, jsonBody(crash(map[string]any{"attachments": []any{map[string]any{"data": exe, "filename": "photo.png", "mimeType": "image/png"}}})), 415, "UNSUPPORTED_MEDIA_TYPE", ""},
				{"missing key", "/api/v1/reports", map[string]string{"X-Oopsie-Key": ""}, jsonBody(report(nil)), 401, "UNAUTHENTICATED", ""},
				{"unknown key", "/api/v1/reports", map[string]string{"X-Oopsie-Key": "pk_shop_0123456789abcdef"}, jsonBody(report(nil)), 401, "UNAUTHENTICATED", ""},
				{"revoked key", "/api/v1/reports", map[string]string{"X-Oopsie-Key": f.revokedKey}, jsonBody(report(nil)), 401, "UNAUTHENTICATED", ""},
				{"key of another project", "/sdk/" + f.otherSlug + "/crashes", nil, jsonBody(crash(nil)), 403, "FORBIDDEN", ""},
				{"disallowed origin", "/api/v1/reports", map[string]string{"Origin": "https://evil.example.org"}, jsonBody(report(nil)), 403, "FORBIDDEN", ""},
				{"wrong content type", "/api/v1/reports", map[string]string{"Content-Type": "text/plain"}, strings.NewReader("hello"), 415, "UNSUPPORTED_MEDIA_TYPE", ""},
				{"unknown encoding", "/api/v1/reports", map[string]string{"Content-Encoding": "br"}, jsonBody(report(nil)), 415, "UNSUPPORTED_MEDIA_TYPE", ""},
				{"not gzip", "/api/v1/reports", map[string]string{"Content-Encoding": "gzip"}, jsonBody(report(nil)), 400, "BAD_USER_INPUT", ""},
				{"gzip bomb", "/api/v1/reports", map[string]string{"Content-Encoding": "gzip"}, bomb, 413, "PAYLOAD_TOO_LARGE", ""},
				{"body too large", "/api/v1/reports", nil, strings.NewReader(`{"message":"` + strings.Repeat("x", 40<<20) + `"}`), 413, "PAYLOAD_TOO_LARGE", ""},
			} {
				a := f.send(t, tc.path, tc.header, tc.body)
				if a.status != tc.status || a.Success || a.Error.Code != tc.code || a.Error.Message == "" {
					t.Errorf("%s: %d %s %q, want %d %s", tc.name, a.status, a.Error.Code, a.Error.Message, tc.status, tc.code)
				}
				if tc.field != "" && a.Error.Fields[tc.field] == "" {
					t.Errorf("%s: no error for field %q in %v", tc.name, tc.field, a.Error.Fields)
				}
				// A browser hides an answer without it from the page, and the
				// SDK would take the refusal for a network error and retry.
				origin := "https://app.example.com"
				if o, ok := tc.header["Origin"]; ok {
					origin = o
				}
				if got := a.header.Get("Access-Control-Allow-Origin"); got != origin {
					t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", tc.name, got, origin)
				}
			}
			ctx := viewer.SystemContext(context.Background(), "test")
			c := f.s.App.DB.Client
			for name, n := range map[string]int{
				"reports": c.Report.Query().CountX(ctx), "feedback": c.Feedback.Query().CountX(ctx),
				"crash reports": c.CrashReport.Query().CountX(ctx), "crash groups": c.CrashGroup.Query().CountX(ctx),
				"report groups": c.ReportGroup.Query().CountX(ctx), "attachments": c.Attachment.Query().CountX(ctx),
			} {
				if n != 0 {
					t.Errorf("%d %s stored by failed requests", n, name)
				}
			}
		})
	}
}

// The per-key limit holds in process and, with REDIS_URL, in Redis, where
// replicas share it.
func TestIngestRateLimitsPerKey(t *testing.T) {
	t.Parallel()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		rateLimitScenario(t, newFixture(t, dbtest.Dialects[0]))
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		url := os.Getenv("OOPSIE_TEST_REDIS_URL")
		if url == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("Redis is required under CI: OOPSIE_TEST_REDIS_URL is not set")
			}
			t.Skip("OOPSIE_TEST_REDIS_URL is not set")
		}
		s := apptest.Start(t, dbtest.Dialects[0], func(c *config.Config) { c.RedisURL = url })
		rateLimitScenario(t, newFixtureOn(t, s))
	})
}

func rateLimitScenario(t *testing.T, f fixture) {
	t.Helper()
	var p struct{ Project struct{ ID string } }
	f.s.MustGraphQL(t, f.admin, `query($s: String!) { project(slug: $s) { id } }`, map[string]any{"s": f.slug}, &p)
	f.s.MustGraphQL(t, f.admin, `mutation($id: ID!) { updateProject(id: $id, input: {rateLimitPerMinute: 2}) { id } }`, map[string]any{"id": p.Project.ID}, nil)
	// The key cache holds the old limit for at most its TTL; a new key is not cached yet.
	var k struct{ CreatePublicKey struct{ Key string } }
	f.s.MustGraphQL(t, f.admin, `mutation($p: ID!) { createPublicKey(projectId: $p, name: "rl") { key } }`, map[string]any{"p": p.Project.ID}, &k)
	for i := range 2 {
		if a := f.send(t, "/sdk/"+f.slug+"/feedback", map[string]string{"X-Oopsie-Key": k.CreatePublicKey.Key}, jsonBody(feedbackBody())); a.status != 201 {
			t.Fatalf("request %d: %d %+v", i, a.status, a)
		}
	}
	a := f.send(t, "/sdk/"+f.slug+"/feedback", map[string]string{"X-Oopsie-Key": k.CreatePublicKey.Key}, jsonBody(feedbackBody()))
	if a.status != 429 || a.Error.Code != "RATE_LIMITED" || a.header.Get("Retry-After") == "" || a.header.Get("RateLimit-Limit") != "2" {
		t.Errorf("third request: %d %s, headers %v", a.status, a.Error.Code, a.header)
	}
}

func TestIngestPreflight(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d)
			preflight := func(slug, origin string, want int) {
				t.Helper()
				req, _ := http.NewRequest(http.MethodOptions, f.s.URL+"/sdk/"+slug+"/feedback", nil)
				req.Header.Set("Origin", origin)
				req.Header.Set("Access-Control-Request-Method", "POST")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				allowed := resp.Header.Get("Access-Control-Allow-Origin")
				if resp.StatusCode != want || (want == 204) != (allowed == origin) {
					t.Errorf("preflight to %s from %s: %d, Allow-Origin %q, want %d", slug, origin, resp.StatusCode, allowed, want)
				}
			}
			preflight(f.slug, "https://app.example.com", 204)
			preflight(f.slug, "https://evil.example.org", 403)
			preflight("no-such-project", "https://app.example.com", 403)

			// Shipped apps keep the slug their key was made with; after a
			// rename, their preflights must still pass, as their requests do.
			// (blog: no preflight of it is cached yet.)
			var p struct{ Project struct{ ID string } }
			f.s.MustGraphQL(t, f.admin, `query($s: String!) { project(slug: $s) { id } }`, map[string]any{"s": f.otherSlug}, &p)
			f.s.MustGraphQL(t, f.admin, `mutation($id: ID!) { updateProject(id: $id, input: {slug: "blog-renamed", allowedDomains: ["app.example.com"]}) { id } }`,
				map[string]any{"id": p.Project.ID}, nil)
			preflight(f.otherSlug, "https://app.example.com", 204)
			preflight(f.otherSlug, "https://evil.example.org", 403)
			preflight("blog-renamed", "https://app.example.com", 204)
		})
	}
}

// Behind a trusted proxy, the per-address limit counts each client the
// proxy names, not the proxy.
func TestIngestRateLimitsPerClientBehindProxy(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, dbtest.Dialects[0], func(c *config.Config) {
		c.RateLimits.PerIP = 2
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	f := newFixtureOn(t, s)
	from := func(client string) int {
		return f.send(t, "/sdk/"+f.slug+"/feedback", map[string]string{"X-Forwarded-For": "198.51.100.1, " + client}, jsonBody(feedbackBody())).status
	}
	for i := range 2 {
		if got := from("203.0.113.7"); got != 201 {
			t.Fatalf("request %d from 203.0.113.7: %d", i, got)
		}
	}
	if got := from("203.0.113.7"); got != 429 {
		t.Errorf("third request from 203.0.113.7: %d, want 429", got)
	}
	if got := from("203.0.113.8"); got != 201 {
		t.Errorf("first request from 203.0.113.8: %d, want 201: the proxy's address was limited, not the client's", got)
	}
}

// A project's ignore list leaves its third-party frames out of crash
// fingerprints: two crashes that differ only inside a vendored library
// group together there, and apart in a project without the list.
func TestIngestGroupsCrashesByTheProjectsIgnoreList(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d)
			crashIn := func(key, vendorFn string) string {
				t.Helper()
				a := f.send(t, "/sdk/"+f.slug+"/crashes", map[string]string{"X-Oopsie-Key": key}, jsonBody(crash(map[string]any{"stackTrace": []any{
					map[string]any{"file": "https://app.example.com/vendor/charts.js", "line": 10, "function": vendorFn},
					map[string]any{"file": "src/app.ts", "line": 10, "function": "render"},
				}})))
				if a.status != 201 {
					t.Fatalf("crash: %d %+v", a.status, a.Error)
				}
				return a.Data.GroupID
			}
			if crashIn(f.key, "drawBar") == crashIn(f.key, "drawLine") {
				t.Fatal("without an ignore list, different library frames made one group")
			}
			var p struct{ Project struct{ ID string } }
			f.s.MustGraphQL(t, f.admin, `query($s: String!) { project(slug: $s) { id } }`, map[string]any{"s": f.slug}, &p)
			var upd struct{ UpdateProject struct{ FingerprintIgnore []string } }
			f.s.MustGraphQL(t, f.admin, `mutation($id: ID!) { updateProject(id: $id, input: {fingerprintIgnore: [" /vendor/ "]}) { fingerprintIgnore } }`,
				map[string]any{"id": p.Project.ID}, &upd)
			if len(upd.UpdateProject.FingerprintIgnore) != 1 || upd.UpdateProject.FingerprintIgnore[0] != "/vendor/" {
				t.Fatalf("fingerprintIgnore = %q", upd.UpdateProject.FingerprintIgnore)
			}
			// The key cache holds the project's settings for up to 5 s; a new
			// key is not cached yet.
			var k struct{ CreatePublicKey struct{ Key string } }
			f.s.MustGraphQL(t, f.admin, `mutation($p: ID!) { createPublicKey(projectId: $p, name: "new") { key } }`, map[string]any{"p": p.Project.ID}, &k)
			if crashIn(k.CreatePublicKey.Key, "drawPie") != crashIn(k.CreatePublicKey.Key, "drawArea") {
				t.Error("with /vendor/ ignored, crashes differing only in vendor frames made two groups")
			}
		})
	}
}
