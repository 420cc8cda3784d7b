package projects_test

import (
	"encoding/json"
	"html"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/projects"
)

const (
	testServer = "https://bugs.example.com"
	testKey    = "pk_my-app_0123456789abcdef"
)

func TestSnippetNPM(t *testing.T) {
	t.Parallel()
	s := projects.Snippet(projects.SnippetNPM, testServer+"/", testKey)
	for _, want := range []string{
		"npm install @oopsie/sdk",
		"import Oopsie from '@oopsie/sdk'",
		`serverUrl: "https://bugs.example.com",`, // the trailing slash is dropped
		`apiKey: "pk_my-app_0123456789abcdef"`,
		"Oopsie.init({",
		"widget: { enabled: false }", // headless
		"Oopsie.open()",
		"position:", "color:", "theme:", "text:", "user:", "metadata:", "labels:",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("NPM snippet lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "<script") {
		t.Errorf("NPM snippet contains a script tag:\n%s", s)
	}
}

func TestSnippetCDN(t *testing.T) {
	t.Parallel()
	s := projects.Snippet(projects.SnippetCDN, testServer, testKey)
	for _, want := range []string{
		`<script src="https://bugs.example.com/sdk/oopsie.js" async onload="initOopsie()"></script>`,
		`serverUrl: "https://bugs.example.com",`,
		`apiKey: "pk_my-app_0123456789abcdef"`,
		"widget: { enabled: false }",
		"Oopsie.open()",
		"position:", "color:", "theme:", "text:", "user:", "metadata:", "labels:",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("CDN snippet lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "import ") {
		t.Errorf("CDN snippet contains an ES import:\n%s", s)
	}
}

func TestSnippetUnknownKind(t *testing.T) {
	t.Parallel()
	if s := projects.Snippet("PIP", testServer, testKey); s != "" {
		t.Errorf("Snippet(PIP) = %q, want empty", s)
	}
}

// A hostile server URL or key must stay inside its string literal and its
// attribute: once the escaped values are masked, the snippet is exactly the
// one made with harmless values.
func TestSnippetEscapesValues(t *testing.T) {
	t.Parallel()
	hostile := `https://x.example/"'</script><script>alert(1)</script><!--` + "\u2028`${x}"
	jsonOf := func(s string) string {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	mask := func(snippet, url, key string) string {
		return strings.NewReplacer(
			html.EscapeString(url+"/sdk/oopsie.js"), "«SRC»",
			jsonOf(url), "«URL»",
			jsonOf(key), "«KEY»",
		).Replace(snippet)
	}
	if j := jsonOf(hostile); strings.Contains(j, "</") || strings.Contains(j, "<!--") || strings.Contains(j, "\u2028") {
		t.Fatalf("encoding/json left %q usable to break out of a script", j)
	}
	if a := html.EscapeString(hostile); strings.ContainsAny(a, `"'<>`) {
		t.Fatalf("html.EscapeString left %q usable to break out of an attribute", a)
	}
	for _, kind := range []projects.SnippetKind{projects.SnippetNPM, projects.SnippetCDN} {
		want := mask(projects.Snippet(kind, testServer, testKey), testServer, testKey)
		for _, tc := range []struct{ url, key string }{{hostile, testKey}, {testServer, hostile}} {
			s := projects.Snippet(kind, tc.url, tc.key)
			if got := mask(s, tc.url, tc.key); got != want {
				t.Errorf("%s snippet with url %q and key %q differs from the harmless one beyond the escaped values:\n%s", kind, tc.url, tc.key, s)
			}
			if !strings.Contains(s, `\u003c/script\u003e`) {
				t.Errorf("%s snippet: the hostile value does not appear JSON-escaped:\n%s", kind, s)
			}
		}
	}
	cdn := projects.Snippet(projects.SnippetCDN, hostile, testKey)
	if !strings.Contains(cdn, `src="https://x.example/&#34;&#39;&lt;/script&gt;`) {
		t.Errorf("CDN snippet: the hostile URL does not appear HTML-escaped in src:\n%s", cdn)
	}
}
