package rest_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/rest"
)

func TestTrustProxies(t *testing.T) {
	t.Parallel()
	lan := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"no proxies configured: the peer, whatever the header says", nil, "10.0.0.2:4000", []string{"203.0.113.7"}, "10.0.0.2"},
		{"an untrusted peer cannot name another client", lan, "198.51.100.9:4000", []string{"203.0.113.7"}, "198.51.100.9"},
		{"a trusted peer names the client", lan, "10.0.0.2:4000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"a trusted peer without the header", lan, "10.0.0.2:4000", nil, "10.0.0.2"},
		{"entries left of the first untrusted hop are the client's own claims", lan, "10.0.0.2:4000", []string{"1.1.1.1, 203.0.113.7, 10.0.0.3"}, "203.0.113.7"},
		{"several headers are one list", lan, "10.0.0.2:4000", []string{"1.1.1.1", "203.0.113.7, 10.0.0.3"}, "203.0.113.7"},
		{"every hop trusted: the first", lan, "10.0.0.2:4000", []string{"10.0.0.9, 10.0.0.3"}, "10.0.0.9"},
		{"garbage stops the walk at the last hop that parsed", lan, "10.0.0.2:4000", []string{"203.0.113.7, not-an-ip, 10.0.0.3"}, "10.0.0.3"},
		{"an entry with a port", lan, "10.0.0.2:4000", []string{"203.0.113.7:51234"}, "203.0.113.7"},
		{"IPv6 proxy and client", lan, "[fd00::1]:4000", []string{"2001:db8::7"}, "2001:db8::7"},
		{"an IPv4-mapped peer is the IPv4 address", lan, "[::ffff:10.0.0.2]:4000", []string{"203.0.113.7"}, "203.0.113.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got string
			h := rest.TrustProxies(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = rest.ClientIP(r) }), tc.trusted)
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != tc.want {
				t.Errorf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
}
