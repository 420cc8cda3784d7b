// Package netguard keeps outgoing requests made on users' behalf (webhooks)
// away from the server's own network: loopback, private, link-local (cloud
// metadata at 169.254.169.254 included) and other non-public addresses.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// ErrBlocked is returned for a host or connection to a non-public address.
var ErrBlocked = errors.New("address is not public")

// nonPublic lists the ranges, beyond what netip classifies, that no webhook
// may reach.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("100::/64"),       // discard
	netip.MustParsePrefix("2001::/23"),      // IETF protocol assignments
	netip.MustParsePrefix("2002::/16"),      // 6to4, which can wrap any IPv4 address
}

// Public reports whether ip is an address a webhook may reach.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Resolver looks host names up; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckHost resolves host and fails with ErrBlocked when any of its
// addresses is not public: a name that resolves to both kinds could be
// dialled at the private one.
func CheckHost(ctx context.Context, r Resolver, host string) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		if !Public(ip) {
			return fmt.Errorf("%s: %w", host, ErrBlocked)
		}
		return nil
	}
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", host, err)
	}
	for _, ip := range ips {
		if !Public(ip) {
			return fmt.Errorf("%s resolves to %s: %w", host, ip, ErrBlocked)
		}
	}
	return nil
}

// Dialer returns a dialer that refuses, at connect time, any address that is
// not public. The check runs on the address actually dialled, after name
// resolution, so a name that resolved to a public address when the webhook
// was saved and to a private one now (DNS rebinding) is still refused.
func Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{
		Timeout: timeout,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("dial %s: %w", address, ErrBlocked)
			}
			if !Public(ap.Addr()) {
				return fmt.Errorf("dial %s: %w", address, ErrBlocked)
			}
			return nil
		},
	}
}
