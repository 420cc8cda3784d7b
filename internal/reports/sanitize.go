package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Redacted replaces every value the sanitiser removes, as in the SDK.
const Redacted = "[REDACTED]"

// The SDK sanitises before sending (PRD 4.6); the server does it again
// because an old, misconfigured or hand-rolled client may not have. Names are
// compared lower-cased.
var (
	sensitiveHeaders = setOf("authorization", "cookie", "set-cookie", "x-api-key", "x-oopsie-key", "proxy-authorization")
	sensitiveKeys    = setOf("password", "passwd", "secret", "token", "access_token", "refresh_token",
		"creditcard", "credit_card", "ssn", "social_security", "api_key", "apikey")
	sensitiveParams = setOf("token", "access_token", "refresh_token", "api_key", "apikey", "key", "secret",
		"password", "auth", "code", "session", "sig", "signature")

	// Members of captured events, at any depth, that hold headers, bodies
	// and URLs. Matching by name rather than by a fixed event layout keeps
	// the rules working on shapes the SDK may add later (nested request and
	// response objects, HAR-like entries).
	headerMembers = setOf("requestheaders", "responseheaders", "headers")
	bodyMembers   = setOf("requestbody", "responsebody", "body")
	urlMembers    = setOf("url", "href", "from", "to", "referrer", "referer", "source", "filename")
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Sanitize redacts secrets from a report in place, as the SDK does:
//
//   - in network failures (and any captured event carrying headers or a
//     body), the values of the Authorization, Cookie, Set-Cookie, X-API-Key,
//     X-Oopsie-Key and Proxy-Authorization headers, whether headers come as
//     an object, a list of {name, value} or [name, value], or a raw header
//     block;
//   - in JSON bodies (objects, arrays, or strings holding JSON), the values
//     of password, token, secret, credit card and similar keys, at any depth;
//   - in every URL (the page URL and url, href, from, to, referrer, source
//     and filename members of captured events), secret-looking query and
//     fragment parameters and a password in the user-info part, keeping the
//     names.
//
// Documents it cannot decode, and documents with nothing to redact, are
// left byte for byte as they were. Numbers keep their exact text. It also
// replaces invalid UTF-8 and NUL characters in the JSON documents, which
// PostgreSQL's jsonb refuses.
func Sanitize(in *Input) {
	in.PageURL, _ = redactURL(in.PageURL)
	in.Timeline = sanitizeEvents(in.Timeline)
	in.ConsoleErrors = sanitizeEvents(in.ConsoleErrors)
	in.NetworkFailures = sanitizeEvents(in.NetworkFailures)
	in.UserContext = storable(in.UserContext)
	in.CustomMetadata = storable(in.CustomMetadata)
	in.DeviceInfo = storable(in.DeviceInfo)
}

// sanitizeEvents applies the redaction rules to a captured document.
func sanitizeEvents(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return raw
	}
	v, changed := redactEvents(v)
	// Decoding replaced invalid UTF-8 with U+FFFD: re-encode to keep that.
	if fixText(&v) || !utf8.Valid(raw) {
		changed = true
	}
	if !changed {
		return raw
	}
	return encodeJSON(v, raw)
}

// storable fixes what jsonb would refuse in a document the server otherwise
// keeps as the client sent it.
func storable(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || (utf8.Valid(raw) && !bytes.Contains(raw, []byte(`\u0000`))) {
		return raw
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return raw
	}
	// Decoding already replaced invalid UTF-8 with U+FFFD.
	fixText(&v)
	return encodeJSON(v, raw)
}

func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	// Without UseNumber, ids above 2^53 and decimals would be rounded
	// through float64 and re-encoded differently.
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// encodeJSON encodes v, or returns fallback in the impossible case that a
// decoded value does not encode.
func encodeJSON(v any, fallback json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Captured HTML and URLs stay readable instead of turning into \u003c.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fallback
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// redactEvents walks a captured document and applies the header, body and
// URL rules to the members named for them.
func redactEvents(v any) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		changed := false
		for k, val := range t {
			var (
				nv any
				c  bool
			)
			switch name := strings.ToLower(k); {
			case headerMembers[name]:
				nv, c = redactHeaders(val)
			case bodyMembers[name]:
				nv, c = redactBody(val)
			case urlMembers[name]:
				if s, ok := val.(string); ok {
					nv, c = redactURL(s)
				} else {
					nv, c = redactEvents(val)
				}
			default:
				nv, c = redactEvents(val)
			}
			if c {
				t[k] = nv
				changed = true
			}
		}
		return t, changed
	case []any:
		changed := false
		for i, val := range t {
			if nv, c := redactEvents(val); c {
				t[i] = nv
				changed = true
			}
		}
		return t, changed
	}
	return v, false
}

// redactHeaders redacts sensitive header values in the header shapes SDKs
// produce: {"Name": value}, [{"name": …, "value": …}], [["Name", value]],
// and a raw "Name: value" block as XMLHttpRequest.getAllResponseHeaders
// returns it. Other shapes are left alone.
func redactHeaders(v any) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		changed := false
		for k, val := range t {
			if isSensitiveHeader(k) && val != Redacted {
				t[k] = Redacted
				changed = true
			}
		}
		return t, changed
	case []any:
		changed := false
		for _, item := range t {
			switch h := item.(type) {
			case map[string]any:
				name, _ := h["name"].(string)
				if name == "" {
					name, _ = h["key"].(string)
				}
				if _, has := h["value"]; has && isSensitiveHeader(name) && h["value"] != Redacted {
					h["value"] = Redacted
					changed = true
				}
			case []any:
				if len(h) < 2 {
					continue
				}
				if name, _ := h[0].(string); isSensitiveHeader(name) {
					for i := 1; i < len(h); i++ {
						if h[i] != Redacted {
							h[i] = Redacted
							changed = true
						}
					}
				}
			}
		}
		return t, changed
	case string:
		return redactHeaderBlock(t)
	}
	return v, false
}

func isSensitiveHeader(name string) bool {
	return sensitiveHeaders[strings.ToLower(strings.TrimSpace(name))]
}

func redactHeaderBlock(s string) (string, bool) {
	if !strings.Contains(s, ":") {
		return s, false
	}
	lines := strings.Split(s, "\n")
	changed := false
	for i, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isSensitiveHeader(name) {
			continue
		}
		value, cr := strings.CutSuffix(value, "\r")
		if strings.TrimSpace(value) == Redacted {
			continue
		}
		lines[i] = name + ": " + Redacted
		if cr {
			lines[i] += "\r"
		}
		changed = true
	}
	if !changed {
		return s, false
	}
	return strings.Join(lines, "\n"), true
}

// redactBody redacts sensitive keys in a JSON body, whether the SDK sent it
// as JSON or as a string holding JSON. A string body that is not JSON (form
// data, text, HTML) is left alone.
func redactBody(v any) (any, bool) {
	s, ok := v.(string)
	if !ok {
		return redactKeys(v)
	}
	trimmed := strings.TrimSpace(s)
	if trimmed == "" || (trimmed[0] != '{' && trimmed[0] != '[') {
		return s, false
	}
	inner, err := decodeJSON([]byte(trimmed))
	if err != nil {
		return s, false
	}
	inner, changed := redactKeys(inner)
	if !changed {
		return s, false
	}
	return string(encodeJSON(inner, json.RawMessage(s))), true
}

func redactKeys(v any) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		changed := false
		for k, val := range t {
			if sensitiveKeys[strings.ToLower(k)] {
				if val != Redacted {
					t[k] = Redacted
					changed = true
				}
				continue
			}
			if nv, c := redactKeys(val); c {
				t[k] = nv
				changed = true
			}
		}
		return t, changed
	case []any:
		changed := false
		for i, val := range t {
			if nv, c := redactKeys(val); c {
				t[i] = nv
				changed = true
			}
		}
		return t, changed
	}
	return v, false
}

// redactURL redacts secret-looking parameters of the query and of the
// fragment (OAuth's implicit flow returns #access_token=…), and a password
// in the user-info part. It edits the text in place instead of parsing and
// re-serialising, so everything else keeps its exact spelling.
func redactURL(s string) (string, bool) {
	changed := false
	// scheme://user:password@host
	if i := strings.Index(s, "://"); i >= 0 {
		start := i + 3
		end := len(s)
		if j := strings.IndexAny(s[start:], "/?#"); j >= 0 {
			end = start + j
		}
		if at := strings.LastIndex(s[start:end], "@"); at >= 0 {
			userinfo := s[start : start+at]
			if user, pass, ok := strings.Cut(userinfo, ":"); ok && pass != "" && pass != Redacted {
				s = s[:start] + user + ":" + Redacted + s[start+at:]
				changed = true
			}
		}
	}
	rest, fragment, hasFragment := strings.Cut(s, "#")
	base, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery {
		if q, c := redactParams(query); c {
			query, changed = q, true
		}
	}
	if hasFragment {
		// A routed fragment (#/path?a=b) keeps its parameters after its own "?".
		route, params, routed := strings.Cut(fragment, "?")
		if !routed {
			route, params = "", fragment
		}
		if strings.Contains(params, "=") {
			if p, c := redactParams(params); c {
				if routed {
					fragment = route + "?" + p
				} else {
					fragment = p
				}
				changed = true
			}
		}
	}
	if !changed {
		return s, false
	}
	out := base
	if hasQuery {
		out += "?" + query
	}
	if hasFragment {
		out += "#" + fragment
	}
	return out, true
}

func redactParams(q string) (string, bool) {
	parts := strings.Split(q, "&")
	changed := false
	for i, part := range parts {
		name, value, ok := strings.Cut(part, "=")
		if !ok || value == "" || value == Redacted {
			continue
		}
		decoded, err := url.QueryUnescape(name)
		if err != nil {
			decoded = name
		}
		if sensitiveParams[strings.ToLower(decoded)] {
			parts[i] = name + "=" + Redacted
			changed = true
		}
	}
	if !changed {
		return q, false
	}
	return strings.Join(parts, "&"), true
}

// fixText replaces NUL characters in the strings and keys of a decoded
// document, which PostgreSQL's jsonb refuses ("\u0000 cannot be converted
// to text"); a captured page may well log one.
func fixText(v *any) bool {
	switch t := (*v).(type) {
	case string:
		if strings.ContainsRune(t, 0) {
			*v = strings.ReplaceAll(t, "\x00", "\uFFFD")
			return true
		}
	case map[string]any:
		changed := false
		for k, val := range t {
			if fixText(&val) {
				changed = true
			}
			if strings.ContainsRune(k, 0) {
				delete(t, k)
				k = strings.ReplaceAll(k, "\x00", "\uFFFD")
				changed = true
			}
			t[k] = val
		}
		return changed
	case []any:
		changed := false
		for i := range t {
			if fixText(&t[i]) {
				changed = true
			}
		}
		return changed
	}
	return false
}
