package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

func TestPublic(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"93.184.216.34":        true,
		"8.8.8.8":              true,
		"2606:4700:4700::1111": true,
		"127.0.0.1":            false,
		"127.8.9.10":           false,
		"::1":                  false,
		"10.0.0.1":             false,
		"172.16.5.4":           false,
		"192.168.1.1":          false,
		"169.254.169.254":      false, // cloud metadata
		"fd00:ec2::254":        false, // AWS metadata over IPv6
		"fe80::1":              false,
		"0.0.0.0":              false,
		"::":                   false,
		"100.64.0.1":           false,
		"224.0.0.1":            false,
		"255.255.255.255":      false,
		"::ffff:127.0.0.1":     false, // IPv4-mapped loopback
		"::ffff:10.1.2.3":      false,
		"2002:7f00:1::":        false, // 6to4 wrapping 127.0.0.1
		"198.18.0.1":           false,
		"2001:db8::1":          false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

type fakeResolver map[string][]netip.Addr

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := r[host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestCheckHost(t *testing.T) {
	t.Parallel()
	r := fakeResolver{
		"hooks.example.com": {netip.MustParseAddr("93.184.216.34")},
		"mixed.example.com": {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.0.0.7")},
		"internal.corp":     {netip.MustParseAddr("192.168.0.10")},
	}
	for host, blocked := range map[string]bool{
		"hooks.example.com": false,
		"mixed.example.com": true, // it could be dialled at the private one
		"internal.corp":     true,
		"127.0.0.1":         true,
		"8.8.8.8":           false,
		"::1":               true,
	} {
		err := CheckHost(context.Background(), r, host)
		if got := errors.Is(err, ErrBlocked); got != blocked {
			t.Errorf("CheckHost(%s) = %v, want blocked %v", host, err, blocked)
		}
	}
	if err := CheckHost(context.Background(), r, "nowhere.test"); err == nil || errors.Is(err, ErrBlocked) {
		t.Errorf("an unresolvable host: %v, want a resolution error", err)
	}
}

// The dialer checks the address it actually connects to, whatever name led
// there.
func TestDialerRefusesLoopbackAtConnectTime(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	d := Dialer(time.Second)
	for _, addr := range []string{ln.Addr().String(), "localhost:" + port} {
		conn, err := d.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			conn.Close()
			t.Errorf("dialled %s", addr)
		} else if !errors.Is(err, ErrBlocked) {
			t.Errorf("dial %s: %v, want ErrBlocked", addr, err)
		}
	}
	// The same listener is reachable without the guard, so the refusal
	// above is the guard's.
	conn, err := (&net.Dialer{Timeout: time.Second}).Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("plain dial: %v", err)
	}
	conn.Close()
}
