package reports_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/internal/reports"
)

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"https://Example.COM/Orders/123?tab=2#top", "https://example.com/Orders/:id"},
		{"https://example.com/orders/456/", "https://example.com/orders/:id"},
		{"https://example.com/", "https://example.com"},
		{"https://example.com", "https://example.com"},
		{"https://example.com?x=1", "https://example.com"},
		{"https://x.com//a///b/", "https://x.com/a/b"},
		{"HTTPS://bob:secret@Example.com:443/a", "https://example.com/a"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"http://localhost:8080/a/42", "http://localhost:8080/a/:id"},
		{"tauri://localhost/orders/7", "tauri://localhost/orders/:id"},
		{"/orders/123/items/9", "/orders/:id/items/:id"},
		{"orders/123", "orders/:id"},
		{"about:blank", "about:blank"},
		// ids
		{"/u/3f2504e0-4f89-11d3-9a0c-0305e82c3301/edit", "/u/:id/edit"},
		{"/u/3F2504E0-4F89-11D3-9A0C-0305E82C3301", "/u/:id"},
		{"/commit/deadbeef12", "/commit/:id"},
		{"/c/abcdef12", "/c/:id"},
		{"/r/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/r/:id"},
		{"/r/01arz3ndektsv4rrffq69g5fav", "/r/:id"},
		{"/reports/rep_01jd3k5m7n9p2q4r6s8t0v1w3x", "/reports/:id"},
		{"/customers/cus_NffrFeUfNV2Hib", "/customers/:id"},
		{"/users/user_12345678901", "/users/:id"},
		{"/reset/Xk9fQ2_LmN7pR4sT", "/reset/:id"},
		{"/reset/eyJhbGciOiJIUzI1NiJ9==", "/reset/:id"},
		{"/i/k3j9x2m1p0q8r7s6", "/i/:id"},
		// words stay
		{"/c/abc123", "/c/abc123"},
		{"/settings/profile", "/settings/profile"},
		{"/v2/users", "/v2/users"},
		{"/blog/release-notes-2024", "/blog/release-notes-2024"},
		{"/docs/How-To-Install-Go-1-22", "/docs/How-To-Install-Go-1-22"},
		{"/page_introduction2", "/page_introduction2"},
		{"/download2024report", "/download2024report"},
		{"/facade", "/facade"},
	} {
		if got := reports.NormalizeURL(tc.in); got != tc.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeMessage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Cannot read x of undefined at 0x1f2e3d", "Cannot read x of undefined at #"},
		{"Cannot read x of undefined at 0X9A8B7C", "Cannot read x of undefined at #"},
		{"  Failed   to fetch\n\tuser 12345 ", "Failed to fetch user #"},
		{"Request failed with status code 404", "Request failed with status code #"},
		{"Loading chunk 123 failed. (missing: https://x.com/static/js/123.abc123de.chunk.js)",
			"Loading chunk # failed. (missing: https://x.com/static/js/#.#.chunk.js)"},
		{"object a1b2c3d4e5f6 not found", "object # not found"},
		{"version 1.2.3 is unsupported", "version # is unsupported"},
		// Hex runs without a digit are words; shorter than 6, only their
		// digits are folded.
		{"deadbeef is not defined", "deadbeef is not defined"},
		{"cafe12 was closed", "# was closed"},
		{"abc12 was closed", "abc# was closed"},
		{"Cannot read properties of undefined (reading 'x')", "Cannot read properties of undefined (reading 'x')"},
	} {
		if got := reports.NormalizeMessage(tc.in); got != tc.want {
			t.Errorf("NormalizeMessage(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}

	long := reports.NormalizeMessage(strings.Repeat("é", 3000))
	if n := utf8.RuneCountInString(long); n != 500 || !utf8.ValidString(long) {
		t.Errorf("long message normalised to %d runes (valid UTF-8 %v), want 500", n, utf8.ValidString(long))
	}
}

func TestGroupFingerprint(t *testing.T) {
	t.Parallel()
	a := reports.GroupFingerprint("https://shop.test/orders/123?x=1", "Cannot read x of undefined at 0x1f2e3d")
	b := reports.GroupFingerprint("https://shop.test/orders/456", "Cannot read x of undefined at 0x9a8b7c")
	if a != b {
		t.Errorf("same bug on two orders: fingerprints %s and %s differ", a, b)
	}
	if c := reports.GroupFingerprint("https://shop.test/cart", "Cannot read x of undefined at 0x1f2e3d"); c == a {
		t.Error("another page has the same fingerprint")
	}
	if c := reports.GroupFingerprint("https://shop.test/orders/123", "Network error"); c == a {
		t.Error("another error has the same fingerprint")
	}
	sum := sha256.Sum256([]byte("https://shop.test/orders/:id\nCannot read x of undefined at #"))
	if want := hex.EncodeToString(sum[:]); a != want {
		t.Errorf("fingerprint = %s, want sha256 of the normalised parts %s", a, want)
	}
	// No page and no error still groups, under the key of two empty parts.
	empty := sha256.Sum256([]byte("\n"))
	if got := reports.GroupFingerprint("", ""); got != hex.EncodeToString(empty[:]) {
		t.Errorf("empty fingerprint = %s", got)
	}
}
