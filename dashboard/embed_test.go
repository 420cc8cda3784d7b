package dashboard

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func do(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEmbeddedIndexServedForRootAndClientRoutes(t *testing.T) {
	h := Handler()

	root := do(t, h, http.MethodGet, "/", nil)
	if root.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", root.StatusCode)
	}
	rootBody := body(t, root)
	if !strings.Contains(rootBody, "Oopsie") {
		t.Fatalf("GET / body does not look like the dashboard index: %q", rootBody)
	}
	if ct := root.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q, want text/html", ct)
	}
	if cc := root.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index Cache-Control = %q, want no-cache", cc)
	}
	if v := root.Header.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", v)
	}

	for _, target := range []string{"/reports/123", "/index.html", "/crashes/grp_01?tab=events", "/../../etc/passwd"} {
		res := do(t, h, http.MethodGet, target, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", target, res.StatusCode)
		}
		if got := body(t, res); got != rootBody {
			t.Errorf("GET %s did not serve index.html", target)
		}
	}

	head := do(t, h, http.MethodHead, "/reports/123", nil)
	if head.StatusCode != http.StatusOK {
		t.Fatalf("HEAD = %d, want 200", head.StatusCode)
	}
	if b := body(t, head); b != "" {
		t.Errorf("HEAD returned a body of %d bytes", len(b))
	}
}

func TestRejectsOtherMethods(t *testing.T) {
	h := Handler()
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		res := do(t, h, m, "/", nil)
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s / = %d, want 405", m, res.StatusCode)
		}
		if allow := res.Header.Get("Allow"); allow != "GET, HEAD" {
			t.Errorf("%s / Allow = %q, want \"GET, HEAD\"", m, allow)
		}
	}
}

// A missing file under /assets/ is a 404 rather than index.html: a browser
// asking for a script or stylesheet must not receive HTML (it would fail with
// a confusing MIME error and hide a stale or broken deployment).
func TestMissingAssetIs404(t *testing.T) {
	h := Handler()
	for _, target := range []string{"/assets/index-deadbeef.js", "/assets/", "/assets"} {
		res := do(t, h, http.MethodGet, target, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, res.StatusCode)
		}
	}
}

func TestBuiltFilesAndCaching(t *testing.T) {
	dist := fstest.MapFS{
		"index.html":             {Data: []byte("<!doctype html><title>app</title>")},
		"favicon.svg":            {Data: []byte("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")},
		"assets/index-abc12.js":  {Data: []byte("console.log('hi')")},
		"assets/index-abc12.css": {Data: []byte("body{}")},
	}
	h := &spa{fs: dist, etags: computeETags(dist)}

	js := do(t, h, http.MethodGet, "/assets/index-abc12.js", nil)
	if js.StatusCode != http.StatusOK {
		t.Fatalf("GET asset = %d, want 200", js.StatusCode)
	}
	if got := body(t, js); got != "console.log('hi')" {
		t.Errorf("asset body = %q", got)
	}
	if ct := js.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("asset Content-Type = %q, want javascript", ct)
	}
	if cc := js.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("asset Cache-Control = %q, want long immutable cache", cc)
	}

	icon := do(t, h, http.MethodGet, "/favicon.svg", nil)
	if icon.StatusCode != http.StatusOK || icon.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("favicon: status %d, Cache-Control %q; want 200 and no-cache", icon.StatusCode, icon.Header.Get("Cache-Control"))
	}

	etag := js.Header.Get("ETag")
	if etag == "" {
		t.Fatal("asset has no ETag")
	}
	again := do(t, h, http.MethodGet, "/assets/index-abc12.js", http.Header{"If-None-Match": {etag}})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", again.StatusCode)
	}

	spaRoute := do(t, h, http.MethodGet, "/projects/prj_1/settings", nil)
	if got := body(t, spaRoute); got != "<!doctype html><title>app</title>" {
		t.Errorf("client route served %q, want index.html", got)
	}
}

func TestServesBuiltAppOverPlaceholder(t *testing.T) {
	placeholder := &fstest.MapFile{Data: []byte("placeholder")}

	onlyPlaceholder := newSPA(fstest.MapFS{"dist/placeholder/index.html": placeholder})
	if got := body(t, do(t, onlyPlaceholder, http.MethodGet, "/reports", nil)); got != "placeholder" {
		t.Errorf("without a build, / served %q, want the placeholder", got)
	}

	built := newSPA(fstest.MapFS{
		"dist/placeholder/index.html": placeholder,
		"dist/app/index.html":         {Data: []byte("app")},
		"dist/app/assets/main-1.js":   {Data: []byte("js")},
	})
	if got := body(t, do(t, built, http.MethodGet, "/reports", nil)); got != "app" {
		t.Errorf("with a build, / served %q, want the app", got)
	}
	if res := do(t, built, http.MethodGet, "/assets/main-1.js", nil); res.StatusCode != http.StatusOK {
		t.Errorf("built asset = %d, want 200", res.StatusCode)
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	h := Handler()
	for _, target := range []string{"/", "/assets/missing.js"} {
		res := do(t, h, http.MethodGet, target, nil)
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self';", "connect-src 'self' ws://example.com wss://example.com;", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s CSP %q lacks %q", target, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s CSP allows unsafe sources: %q", target, csp)
		}
	}

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "evil.test; script-src *"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if csp := rec.Header().Get("Content-Security-Policy"); strings.Contains(csp, "evil") || !strings.Contains(csp, "connect-src 'self';") {
		t.Errorf("a malformed Host reached the CSP: %q", csp)
	}
}
