package reports_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/internal/reports"
)

// canon re-encodes a JSON document with sorted keys and exact numbers, so
// documents compare by meaning.
func canon(t *testing.T, raw []byte) string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestSanitizeNetworkFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		{
			name: "header objects, any case",
			in: `[{"url":"https://api.test/a","method":"POST","status":401,
				"requestHeaders":{"Authorization":"Bearer abc","content-type":"application/json","X-Api-Key":"k1","x-oopsie-key":"pk_x","Proxy-Authorization":"Basic eA=="},
				"responseHeaders":{"SET-COOKIE":["sid=1","other=2"],"Cookie":"a=b","x-request-id":"r1"}}]`,
			want: `[{"url":"https://api.test/a","method":"POST","status":401,
				"requestHeaders":{"Authorization":"[REDACTED]","content-type":"application/json","X-Api-Key":"[REDACTED]","x-oopsie-key":"[REDACTED]","Proxy-Authorization":"[REDACTED]"},
				"responseHeaders":{"SET-COOKIE":"[REDACTED]","Cookie":"[REDACTED]","x-request-id":"r1"}}]`,
		},
		{
			name: "header lists and raw header blocks",
			in: `[{"requestHeaders":[{"name":"authorization","value":"Bearer a"},{"name":"accept","value":"*/*"}],
				"responseHeaders":[["Set-Cookie","sid=1"],["Content-Type","text/html"]]},
				{"responseHeaders":"content-type: text/html\r\nset-cookie: sid=2\r\nx-id: 7\r\n"}]`,
			want: `[{"requestHeaders":[{"name":"authorization","value":"[REDACTED]"},{"name":"accept","value":"*/*"}],
				"responseHeaders":[["Set-Cookie","[REDACTED]"],["Content-Type","text/html"]]},
				{"responseHeaders":"content-type: text/html\r\nset-cookie: [REDACTED]\r\nx-id: 7\r\n"}]`,
		},
		{
			name: "nested body keys",
			in: `[{"requestBody":{"user":{"email":"a@b.test","Password":"p","cards":[{"creditCard":"4111","cvc":"1"}]},
				"api_key":"k","tokenType":"bearer","meta":{"SSN":"1","social_security":{"n":"2"}}}}]`,
			want: `[{"requestBody":{"user":{"email":"a@b.test","Password":"[REDACTED]","cards":[{"creditCard":"[REDACTED]","cvc":"1"}]},
				"api_key":"[REDACTED]","tokenType":"bearer","meta":{"SSN":"[REDACTED]","social_security":"[REDACTED]"}}}]`,
		},
		{
			name: "JSON held in a string body",
			in:   `[{"responseBody":"{\"access_token\":\"abc\",\"expires_in\":3600,\"items\":[{\"refresh_token\":\"r\"}]}"}]`,
			want: `[{"responseBody":"{\"access_token\":\"[REDACTED]\",\"expires_in\":3600,\"items\":[{\"refresh_token\":\"[REDACTED]\"}]}"}]`,
		},
		{
			name: "request and response objects",
			in:   `[{"request":{"url":"https://a.test/x?token=t","headers":{"Cookie":"c"},"body":{"passwd":"p"}},"response":{"headers":{"x":"y"}}}]`,
			want: `[{"request":{"url":"https://a.test/x?token=[REDACTED]","headers":{"Cookie":"[REDACTED]"},"body":{"passwd":"[REDACTED]"}},"response":{"headers":{"x":"y"}}}]`,
		},
		{
			name: "URL parameters, fragment and user info",
			in:   `[{"url":"https://bob:pw@api.test/cb?code=abc&state=xyz&Token=t&apikey=&SIG=s&next=%2Fa#access_token=frag&token_type=bearer"}]`,
			want: `[{"url":"https://bob:[REDACTED]@api.test/cb?code=[REDACTED]&state=xyz&Token=[REDACTED]&apikey=&SIG=[REDACTED]&next=%2Fa#access_token=[REDACTED]&token_type=bearer"}]`,
		},
		{
			name: "routed fragment",
			in:   `[{"url":"https://app.test/#/reset?session=abc&step=2"}]`,
			want: `[{"url":"https://app.test/#/reset?session=[REDACTED]&step=2"}]`,
		},
	} {
		in := reports.Input{NetworkFailures: json.RawMessage(tc.in)}
		reports.Sanitize(&in)
		if got, want := canon(t, in.NetworkFailures), canon(t, []byte(tc.want)); got != want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, want)
		}
	}
}

func TestSanitizeLeavesWhatItDoesNotRecognise(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		// Unknown shapes: an "authorization" member outside any headers, a
		// form-encoded body (not JSON), headers that are a number.
		`[{"kind":"weird","payload":{"authorization":"x","password":"y"},"list":[1,2.50,3e2]}]`,
		`[{"url":"https://a.test/p?q=1&page=2","requestBody":"password=hunter2&user=a","requestHeaders":7}]`,
		`[{"responseBody":"{not json","requestBody":"[1,2"}]`,
		`[]`,
		// Not even JSON: kept for the door's own checks to judge.
		`[{"url":`,
	} {
		in := reports.Input{NetworkFailures: json.RawMessage(doc), Timeline: json.RawMessage(doc), ConsoleErrors: json.RawMessage(doc)}
		reports.Sanitize(&in)
		for name, got := range map[string]json.RawMessage{"network failures": in.NetworkFailures, "timeline": in.Timeline, "console errors": in.ConsoleErrors} {
			if string(got) != doc {
				t.Errorf("%s changed:\n got %s\nwant %s", name, got, doc)
			}
		}
	}
}

func TestSanitizeKeepsNumbersExact(t *testing.T) {
	t.Parallel()
	in := reports.Input{NetworkFailures: json.RawMessage(
		`[{"url":"https://a.test/?token=t","status":500,"duration":12.50,"timestamp":1700000000123,"id":123456789012345678901234567890,"ratio":1e-7}]`)}
	reports.Sanitize(&in)
	out := string(in.NetworkFailures)
	if !strings.Contains(out, "token=[REDACTED]") {
		t.Fatalf("nothing was redacted: %s", out)
	}
	for _, n := range []string{`:500`, `:12.50`, `:1700000000123`, `:123456789012345678901234567890`, `:1e-7`} {
		if !strings.Contains(out, n) {
			t.Errorf("number %s lost: %s", n, out)
		}
	}
	// URLs and markup keep their characters rather than \u0026 escapes.
	if strings.Contains(out, `\u0026`) {
		t.Errorf("HTML-escaped output: %s", out)
	}
}

func TestSanitizeURLsEverywhere(t *testing.T) {
	t.Parallel()
	in := reports.Input{
		PageURL: "https://shop.test/account?tab=1&access_token=abc#x",
		Timeline: json.RawMessage(`[{"type":"navigation","from":"https://shop.test/login?next=/a","to":"https://shop.test/cb?code=123&state=s","timestamp":1},
			{"type":"click","selector":"#buy","x":10,"y":20}]`),
		ConsoleErrors: json.RawMessage(`[{"message":"boom","source":"https://cdn.test/app.js?v=3&key=abc","url":"https://shop.test/?password=p","line":10}]`),
	}
	reports.Sanitize(&in)
	if want := "https://shop.test/account?tab=1&access_token=[REDACTED]#x"; in.PageURL != want {
		t.Errorf("page URL = %q, want %q", in.PageURL, want)
	}
	wantTimeline := `[{"type":"navigation","from":"https://shop.test/login?next=/a","to":"https://shop.test/cb?code=[REDACTED]&state=s","timestamp":1},
		{"type":"click","selector":"#buy","x":10,"y":20}]`
	if got, want := canon(t, in.Timeline), canon(t, []byte(wantTimeline)); got != want {
		t.Errorf("timeline:\n got %s\nwant %s", got, want)
	}
	wantErrors := `[{"message":"boom","source":"https://cdn.test/app.js?v=3&key=[REDACTED]","url":"https://shop.test/?password=[REDACTED]","line":10}]`
	if got, want := canon(t, in.ConsoleErrors), canon(t, []byte(wantErrors)); got != want {
		t.Errorf("console errors:\n got %s\nwant %s", got, want)
	}
}

func TestSanitizeIsIdempotent(t *testing.T) {
	t.Parallel()
	in := reports.Input{
		PageURL:         "https://bob:pw@a.test/?token=t",
		NetworkFailures: json.RawMessage(`[{"url":"https://a.test/?sig=s","requestHeaders":{"Cookie":"c"},"requestBody":"{\"token\":\"t\"}"}]`),
	}
	reports.Sanitize(&in)
	once := in
	reports.Sanitize(&in)
	if in.PageURL != once.PageURL || string(in.NetworkFailures) != string(once.NetworkFailures) {
		t.Errorf("second pass changed the report:\n%s %s\n%s %s", once.PageURL, once.NetworkFailures, in.PageURL, in.NetworkFailures)
	}
}

// PostgreSQL's jsonb refuses \u0000 and invalid UTF-8; a captured page can
// produce both.
func TestSanitizeMakesDocumentsStorable(t *testing.T) {
	t.Parallel()
	in := reports.Input{
		UserContext:   json.RawMessage(`{"id":"u1","note":"a\u0000b","k\u0000":1}`),
		DeviceInfo:    json.RawMessage("{\"userAgent\":\"x\xffy\"}"),
		ConsoleErrors: json.RawMessage(`[{"message":"nul \u0000 here"}]`),
	}
	reports.Sanitize(&in)
	for name, doc := range map[string]json.RawMessage{"user context": in.UserContext, "device info": in.DeviceInfo, "console errors": in.ConsoleErrors} {
		if bytes.Contains(doc, []byte(`\u0000`)) || !utf8.Valid(doc) || !json.Valid(doc) {
			t.Errorf("%s still not storable: %q", name, doc)
		}
	}
	if want := canon(t, []byte(`{"id":"u1","note":"a\ufffdb","k\ufffd":1}`)); canon(t, in.UserContext) != want {
		t.Errorf("user context = %s, want %s", in.UserContext, want)
	}
	// Clean documents are not touched at all.
	clean := json.RawMessage(`{"plan": "pro",  "seats": 3}`)
	in = reports.Input{CustomMetadata: clean}
	reports.Sanitize(&in)
	if string(in.CustomMetadata) != string(clean) {
		t.Errorf("clean custom metadata rewritten: %s", in.CustomMetadata)
	}
}
