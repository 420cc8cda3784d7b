package projects_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/projects"
)

func TestSlugify(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("abcdefghij ", 10)
	for _, tc := range []struct{ name, want string }{
		{"My App", "my-app"},
		{"  Déjà Vu — Café!  ", "deja-vu-cafe"},
		{"Straße & Œuvre", "strasse-oeuvre"},
		{"Bob's app", "bobs-app"},
		{"ﬁle Ｓｙｎｃ ²", "file-sync-2"},
		{"a---b___c", "a-b-c"},
		{"日本語", "project"},
		{"", "project"},
		{"!!!", "project"},
		{"Ünïcödé 2.0", "unicode-2-0"},
		{long, "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcd"},
		{strings.Repeat("a", 47) + " b", strings.Repeat("a", 47)},
	} {
		got := projects.Slugify(tc.name)
		if got != tc.want {
			t.Errorf("Slugify(%q) = %q, want %q", tc.name, got, tc.want)
		}
		if len(got) > 48 {
			t.Errorf("Slugify(%q) is %d characters long, want at most 48", tc.name, len(got))
		}
		if !regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`).MatchString(got) {
			t.Errorf("Slugify(%q) = %q does not match the schema's slug pattern", tc.name, got)
		}
	}
}

func TestValidateDomain(t *testing.T) {
	t.Parallel()
	valid := []string{
		"example.com", "localhost", "localhost:3000", "app.example.co.uk", "127.0.0.1",
		"192.168.1.20:8080", "*.example.com", "*", "EXAMPLE.com", "my-app.example.com",
		"[::1]", "[::1]:3000", "xn--caf-dma.fr", "*.example.com:8443",
	}
	for _, d := range valid {
		if err := projects.ValidateDomain(d); err != nil {
			t.Errorf("ValidateDomain(%q) = %v, want nil", d, err)
		}
	}
	invalid := []string{
		"", " ", "https://example.com", "example.com/path", "exa mple.com", "ex*ample.com",
		"*example.com", "foo.*.example.com", "**.example.com", "*.", "*.*", "example..com",
		".example.com", "example.com.", "-example.com", "example-.com", "café.fr",
		"localhost:", "localhost:0", "localhost:65536", "localhost:03000", "localhost:http",
		"::1", "[::1", "[127.0.0.1]", "[::1]x", "999.1.1.1", "1.2.3", "*.127.0.0.1",
		"*.[::1]", "user@example.com", "example.com?x", "example.com#x", "exa_mple.com",
		strings.Repeat("a", 64) + ".com", strings.Repeat("abcdefghi.", 26) + "com",
		"example.com\n",
	}
	for _, d := range invalid {
		if err := projects.ValidateDomain(d); err == nil {
			t.Errorf("ValidateDomain(%q) = nil, want an error", d)
		}
	}
}

func TestNewPublicKey(t *testing.T) {
	t.Parallel()
	pattern := regexp.MustCompile(`^pk_my-app_[0-9a-f]{16}$`)
	seen := map[string]bool{}
	for range 100 {
		k := projects.NewPublicKey("my-app")
		if !pattern.MatchString(k) {
			t.Fatalf("NewPublicKey(my-app) = %q, want pk_my-app_ and 16 lower-case hex digits", k)
		}
		if seen[k] {
			t.Fatalf("NewPublicKey returned %q twice", k)
		}
		seen[k] = true
	}
}
