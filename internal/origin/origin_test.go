package origin

import (
	"net/http/httptest"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/projects"
)

func TestAllowed(t *testing.T) {
	t.Parallel()
	var (
		exact    = []string{"example.com"}
		withPort = []string{"localhost:3000"}
		wildcard = []string{"*.example.com"}
		all      = []string{"*"}
		ipv6     = []string{"[::1]:8080", "[2001:db8::1]"}
		ipv4     = []string{"192.168.1.10"}
		https443 = []string{"example.com:443"}
	)
	tests := []struct {
		name            string
		domains         []string
		origin, referer string
		want            bool
	}{
		// No header at all: native apps, Tauri's HTTP client, servers, curl.
		{"no origin nor referer", exact, "", "", true},
		{"no origin nor referer, no domains", nil, "", "", true},

		{"exact", exact, "https://example.com", "", true},
		{"exact, http", exact, "http://example.com", "", true},
		{"exact, any port", exact, "http://example.com:8443", "", true},
		{"exact, upper case origin", exact, "HTTPS://EXAMPLE.COM", "", true},
		{"exact, upper case domain", []string{"Example.COM"}, "https://example.com", "", true},
		{"exact, trailing dot", exact, "https://example.com.", "", true},
		{"exact, other host", exact, "https://example.org", "", false},
		{"exact, subdomain not covered", exact, "https://app.example.com", "", false},
		{"exact, suffix lookalike", exact, "https://evil-example.com", "", false},
		{"exact, prefix lookalike", exact, "https://example.com.evil.org", "", false},
		{"userinfo trick", exact, "https://example.com@evil.org", "", false},
		{"userinfo on the right host", exact, "https://user@example.com", "", false},
		{"userinfo trick in referer", exact, "", "https://example.com@evil.org/page", false},
		{"empty domains refuse browsers", nil, "https://example.com", "", false},

		{"port, same", withPort, "http://localhost:3000", "", true},
		{"port, other", withPort, "http://localhost:3001", "", false},
		{"port, none given", withPort, "http://localhost", "", false},
		{"port 443 is https's default", https443, "https://example.com", "", true},
		{"port 443 is not http's default", https443, "http://example.com", "", false},
		{"tauri webview", []string{"localhost"}, "tauri://localhost", "", true},
		{"tauri webview on Windows", []string{"tauri.localhost"}, "http://tauri.localhost", "", true},

		{"wildcard, subdomain", wildcard, "https://app.example.com", "", true},
		{"wildcard, deep subdomain", wildcard, "https://a.b.example.com", "", true},
		{"wildcard, not the apex", wildcard, "https://example.com", "", false},
		{"wildcard, suffix lookalike", wildcard, "https://evil-example.com", "", false},
		{"wildcard, glued lookalike", wildcard, "https://evilexample.com", "", false},
		{"wildcard, prefix lookalike", wildcard, "https://app.example.com.evil.org", "", false},
		{"wildcard, empty label", wildcard, "https://.example.com", "", false},
		{"wildcard with port", []string{"*.example.com:8080"}, "https://app.example.com:8080", "", true},
		{"wildcard with port, other port", []string{"*.example.com:8080"}, "https://app.example.com", "", false},
		{"apex and wildcard", []string{"example.com", "*.example.com"}, "https://example.com", "", true},

		{"star", all, "https://anything.test", "", true},
		{"star, null origin", all, "null", "", true},
		{"star, garbage", all, "::not a url::", "", true},
		{"null origin", exact, "null", "", false},
		{"null origin, referer ignored", exact, "null", "https://example.com/", false},

		{"referer with path", exact, "", "https://example.com/app/page?x=1#top", true},
		{"referer of another site", exact, "", "https://evil.org/example.com", false},
		{"referer, relative", exact, "", "/example.com/page", false},
		{"origin wins over referer", exact, "https://evil.org", "https://example.com/", false},
		{"origin allowed, referer not", exact, "https://example.com", "https://evil.org/", true},

		{"ipv4", ipv4, "http://192.168.1.10:5173", "", true},
		{"ipv4, other", ipv4, "http://192.168.1.11", "", false},
		{"ipv6 with port", ipv6, "http://[::1]:8080", "", true},
		{"ipv6, other port", ipv6, "http://[::1]:8081", "", false},
		{"ipv6, other spelling", ipv6, "https://[2001:DB8:0::1]", "", true},
		{"ipv6, any port", ipv6, "https://[2001:db8::1]:9999", "", true},
		{"ipv6, other address", ipv6, "https://[2001:db8::2]", "", false},
		{"ipv6 literal is not a dns name", []string{"*.1]"}, "http://[::1]", "", false},

		{"garbage origin", exact, "not a url", "", false},
		{"two origins", exact, "https://example.com https://evil.org", "", false},
		{"origin without scheme", exact, "example.com", "", false},
		{"invalid domain entry matches nothing", []string{"https://example.com"}, "https://example.com", "", false},
		{"domain with empty port matches nothing", []string{"example.com:"}, "https://example.com", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Allowed(tt.domains, tt.origin, tt.referer); got != tt.want {
				t.Errorf("Allowed(%q, %q, %q) = %v, want %v", tt.domains, tt.origin, tt.referer, got, tt.want)
			}
		})
	}
}

// Every form projects.ValidateDomain accepts is understood here.
func TestAllowedUnderstandsValidDomains(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"example.com":       "https://example.com",
		"localhost:3000":    "http://localhost:3000",
		"*.example.com":     "https://a.example.com",
		"*.example.com:444": "https://a.example.com:444",
		"127.0.0.1":         "http://127.0.0.1:8000",
		"127.0.0.1:8000":    "http://127.0.0.1:8000",
		"[::1]":             "http://[::1]",
		"[::1]:3000":        "http://[::1]:3000",
		"xn--bcher-kva.ch":  "https://xn--bcher-kva.ch",
		"*":                 "https://any.where",
	}
	for d, o := range tests {
		if err := projects.ValidateDomain(d); err != nil {
			t.Fatalf("ValidateDomain(%q): %v", d, err)
		}
		if !Allowed([]string{d}, o, "") {
			t.Errorf("%q does not allow %q", d, o)
		}
	}
}

func TestCORSHeaders(t *testing.T) {
	t.Parallel()
	domains := []string{"app.example.com"}

	w := httptest.NewRecorder()
	if !CORSHeaders(w, domains, "https://app.example.com") {
		t.Fatal("allowed origin refused")
	}
	want := map[string]string{
		"Access-Control-Allow-Origin":   "https://app.example.com",
		"Access-Control-Allow-Methods":  "POST, OPTIONS",
		"Access-Control-Allow-Headers":  "Content-Type, Content-Encoding, X-Oopsie-Key, X-API-Key",
		"Access-Control-Max-Age":        "600",
		"Access-Control-Expose-Headers": "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset",
		"Vary":                          "Origin",
	}
	for h, v := range want {
		if got := w.Header().Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
	if w.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Error("credentials allowed")
	}

	for _, o := range []string{"https://evil.org", "null", ""} {
		w := httptest.NewRecorder()
		if CORSHeaders(w, domains, o) {
			t.Errorf("origin %q: answered as allowed", o)
		}
		if len(w.Header()) != 1 || w.Header().Get("Vary") != "Origin" {
			t.Errorf("origin %q: headers %v, want only Vary: Origin", o, w.Header())
		}
	}

	w = httptest.NewRecorder()
	if !CORSHeaders(w, []string{"*"}, "https://any.where") || w.Header().Get("Access-Control-Allow-Origin") != "https://any.where" {
		t.Errorf(`"*": headers %v, want the origin echoed`, w.Header())
	}

	// Vary is added to, not replaced, and not repeated.
	w = httptest.NewRecorder()
	w.Header().Set("Vary", "Accept-Encoding")
	CORSHeaders(w, domains, "https://app.example.com")
	CORSHeaders(w, domains, "https://app.example.com")
	if got := w.Header().Values("Vary"); len(got) != 2 || got[0] != "Accept-Encoding" || got[1] != "Origin" {
		t.Errorf("Vary = %q", got)
	}
}
