// Package origin checks where an ingest request comes from against a
// project's allowed domains, and answers CORS for the allowed ones.
//
// Allowed-domain entries are those projects.ValidateDomain accepts: an exact
// host ("example.com", an IPv4 address, "[::1]"), optionally with a port;
// "*.example.com" for any subdomain; or "*" for every origin. Matching is
// on the host and port only, whatever the scheme, so "localhost" also
// covers a Tauri webview's "tauri://localhost":
//
//   - letter case does not matter, and a trailing dot on the origin's host
//     is ignored ("example.com." is the same DNS name);
//   - an entry without a port matches any port; an entry with a port
//     matches only that port, where an origin without a port has its
//     scheme's default (80 for http, 443 for https);
//   - "*.example.com" matches "app.example.com" and "a.b.example.com" but
//     not "example.com" itself, which needs its own entry;
//   - IPv6 addresses are compared as addresses, so "[::1]" equals "[0::1]".
//
// The Origin header is a browser's statement and cannot be forged by page
// scripts; it is what keeps other sites from posting with a project's
// public key. It is not authentication: anything outside a browser can
// send any Origin, or none.
package origin

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// Allowed reports whether a request whose Origin header is origin (or,
// when that is empty, whose Referer is referer) may ingest into a project
// with these allowed domains.
//
// A request with neither header is allowed: Tauri's HTTP client, native
// and mobile apps, servers and curl send none, and a browser always sends
// Origin on a cross-origin POST, so a missing one is never a browser on
// another site. The "null" origin (sandboxed iframes, file:// pages) names
// no site, so it is allowed only when "*" is. An origin that cannot be
// parsed, or that carries a user name, is refused unless "*" is allowed.
// An empty list of domains allows no browser origin at all.
func Allowed(domains []string, origin, referer string) bool {
	if origin == "" && referer == "" {
		return true
	}
	for _, d := range domains {
		if d == "*" {
			return true
		}
	}
	source := origin
	if source == "" {
		source = referer
	}
	if source == "null" {
		return false
	}
	h, ok := parseURL(source)
	if !ok {
		return false
	}
	for _, d := range domains {
		if pat, ok := parseDomain(d); ok && pat.matches(h) {
			return true
		}
	}
	return false
}

// CORSHeaders answers CORS for origin: when it is allowed, it echoes it in
// Access-Control-Allow-Origin with the methods and headers ingest accepts,
// and returns true. Otherwise, or when there is no Origin (not a CORS
// request), it sets only Vary and returns false, and the browser blocks the
// response. Callers decide access with Allowed; this only says what to
// tell the browser.
//
// The origin is echoed rather than answered with "*" so that the answer is
// the same whether or not the project allows every origin; Vary: Origin
// keeps caches from serving one origin's answer to another. Ingest uses no
// credentials, so Access-Control-Allow-Credentials is never set.
func CORSHeaders(w http.ResponseWriter, domains []string, origin string) bool {
	h := w.Header()
	addVary(h, "Origin")
	if origin == "" || !Allowed(domains, origin, "") {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Content-Encoding, X-Oopsie-Key, X-API-Key")
	// Without this, scripts cannot read these headers of the answer, and
	// the SDK's offline queue needs them to back off when rate limited.
	h.Set("Access-Control-Expose-Headers", "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset")
	h.Set("Access-Control-Max-Age", "600")
	return true
}

func addVary(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return
			}
		}
	}
	h.Add("Vary", name)
}

// hostPort is a host in comparable form: a lower-case DNS name or IPv4
// address without a trailing dot, or a canonical IPv6 address without
// brackets; and a port, empty when unknown.
type hostPort struct {
	host string
	port string
}

var defaultPorts = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443"}

// parseURL returns the host and port of an Origin or Referer URL.
func parseURL(raw string) (hostPort, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		// A browser never puts a user name in either header; one here is
		// an attempt to make "https://example.com@evil.org" read as example.com.
		return hostPort{}, false
	}
	host, ok := normalizeHost(u.Hostname())
	if !ok {
		return hostPort{}, false
	}
	port := u.Port()
	if port == "" {
		port = defaultPorts[strings.ToLower(u.Scheme)]
	}
	return hostPort{host: host, port: port}, true
}

func normalizeHost(h string) (string, bool) {
	if strings.Contains(h, ":") {
		addr, err := netip.ParseAddr(h)
		if err != nil || !addr.Is6() {
			return "", false
		}
		return addr.String(), true
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	// Empty labels would let ".example.com" pass as a subdomain of example.com.
	if h == "" || strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return "", false
	}
	return h, true
}

type pattern struct {
	hostPort
	// wildcard: host is the parent domain, and only strict subdomains match.
	wildcard bool
}

// parseDomain reads an allowed-domain entry. Entries are validated when
// saved, so one that does not parse is one that matches nothing.
func parseDomain(d string) (pattern, bool) {
	d = strings.ToLower(strings.TrimSpace(d))
	var p pattern
	d, p.wildcard = strings.CutPrefix(d, "*.")
	host, hasPort := d, false
	if strings.HasPrefix(d, "[") {
		end := strings.IndexByte(d, ']')
		if end < 0 {
			return pattern{}, false
		}
		host, p.port = d[1:end], d[end+1:]
		if p.port != "" {
			if p.port, hasPort = strings.CutPrefix(p.port, ":"); !hasPort {
				return pattern{}, false
			}
		}
	} else if i := strings.LastIndexByte(d, ':'); i >= 0 {
		host, p.port, hasPort = d[:i], d[i+1:], true
	}
	if hasPort && (p.port == "" || strings.Trim(p.port, "0123456789") != "") {
		return pattern{}, false
	}
	if strings.ContainsAny(host, "*/@?#") || (strings.HasPrefix(d, "[") && p.wildcard) {
		return pattern{}, false
	}
	var ok bool
	if p.host, ok = normalizeHost(host); !ok {
		return pattern{}, false
	}
	if strings.HasPrefix(d, "[") != strings.Contains(p.host, ":") {
		// An IPv6 address must be bracketed, and brackets must hold one.
		return pattern{}, false
	}
	return p, true
}

func (p pattern) matches(h hostPort) bool {
	if p.port != "" && p.port != h.port {
		return false
	}
	if p.wildcard {
		return strings.HasSuffix(h.host, "."+p.host)
	}
	return h.host == p.host
}
