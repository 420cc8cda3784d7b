package rest

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

type clientIPKey struct{}

// ClientIP is the address a request came from: the one TrustProxies found,
// or else the TCP peer.
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	return peer(r)
}

func peer(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// TrustProxies makes ClientIP, behind a load balancer or reverse proxy,
// the client's address rather than the proxy's: when the TCP peer is in
// one of the trusted networks, it is the right-most X-Forwarded-For entry
// that is not. Entries further left were written by whoever sent the
// request, and could be anything. Without networks, next is returned as is.
func TrustProxies(next http.Handler, trusted []netip.Prefix) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	isTrusted := func(a netip.Addr) bool {
		return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a.Unmap()) })
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := forwardedFor(r, isTrusted)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
	})
}

// forwardedFor walks the chain of hops from the TCP peer back towards the
// client while each hop is trusted, and returns the first that is not (or
// the last one that parsed).
func forwardedFor(r *http.Request, isTrusted func(netip.Addr) bool) string {
	client := peer(r)
	addr, err := netip.ParseAddr(client)
	if err != nil || !isTrusted(addr) {
		return client
	}
	// Several headers are one list, in order (RFC 9110, section 5.3).
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(strings.TrimSpace(hops[i]))
		if !ok {
			break
		}
		client = a.Unmap().String()
		if !isTrusted(a) {
			break
		}
	}
	return client
}

// parseHop reads an X-Forwarded-For entry: an address, with a port for some
// proxies.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	ap, err := netip.ParseAddrPort(s)
	return ap.Addr(), err == nil
}
