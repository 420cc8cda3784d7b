package projects_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/projects"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

type fakeResolver map[string][]netip.Addr

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := r[host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// With RefusePrivateWebhooks (the default unless
// OOPSIE_WEBHOOK_ALLOW_PRIVATE), a webhook aimed at the server's own network
// is refused when it is saved, with a message saying why.
func TestWebhookToAPrivateAddressIsRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := viewer.SystemContext(context.Background(), "test")
		svc := projects.New(db.Client, projects.RefusePrivateWebhooks(fakeResolver{
			"hooks.example.com": {netip.MustParseAddr("93.184.216.34")},
			"rebind.example":    {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("169.254.169.254")},
			"intranet.corp":     {netip.MustParseAddr("10.1.2.3")},
		}))
		refused := func(t *testing.T, err error) {
			t.Helper()
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Kind != apperr.Invalid || !strings.Contains(ae.Fields["webhookUrl"], "public address") ||
				!strings.Contains(ae.Fields["webhookUrl"], "OOPSIE_WEBHOOK_ALLOW_PRIVATE") {
				t.Errorf("err = %#v, want webhookUrl refused", err)
			}
		}
		for _, url := range []string{
			"http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://169.254.169.254/latest/meta-data",
			"https://intranet.corp/hook", "https://rebind.example/hook", "http://[::ffff:10.0.0.1]/",
		} {
			_, err := svc.Create(ctx, projects.CreateInput{Name: "App", WebhookURL: &url})
			refused(t, err)
		}
		p, err := svc.Create(ctx, projects.CreateInput{Name: "App"})
		if err != nil {
			t.Fatal(err)
		}
		bad := "https://intranet.corp/x"
		_, err = svc.Update(ctx, p.ID, projects.UpdateInput{WebhookURL: &bad})
		refused(t, err)
		// A public host is saved, and so is one that does not resolve now
		// (delivery checks it again when it connects).
		for _, good := range []string{"https://hooks.example.com/oopsie", "https://not-yet.example/hook"} {
			got, err := svc.Update(ctx, p.ID, projects.UpdateInput{WebhookURL: &good})
			if err != nil || got.WebhookURL == nil || *got.WebhookURL != good {
				t.Errorf("update to %s: %v, %v", good, got, err)
			}
		}
		// Without the option (OOPSIE_WEBHOOK_ALLOW_PRIVATE=true), a
		// receiver on the operator's network is fine.
		local := "http://127.0.0.1:9000/hook"
		if _, err := projects.New(db.Client).Update(ctx, p.ID, projects.UpdateInput{WebhookURL: &local}); err != nil {
			t.Errorf("allowed private webhook: %v", err)
		}
	})
}

// hangingResolver answers only when its context ends, as a DNS server that
// does not answer would; it records whether the lookup had a deadline.
type hangingResolver struct{ bounded *atomic.Bool }

func (r hangingResolver) LookupNetIP(ctx context.Context, _, _ string) ([]netip.Addr, error) {
	if _, ok := ctx.Deadline(); !ok {
		// Unbounded, this would hang the mutation's transaction.
		return nil, errors.New("no deadline")
	}
	r.bounded.Store(true)
	<-ctx.Done()
	return nil, ctx.Err()
}

// The lookup is bounded: a host whose DNS does not answer is accepted once
// the bound passes (delivery checks it again), rather than holding the
// mutation's transaction.
func TestWebhookHostLookupIsBounded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := viewer.SystemContext(context.Background(), "test")
		var bounded atomic.Bool
		svc := projects.New(db.Client, projects.RefusePrivateWebhooks(hangingResolver{&bounded}))
		url := "https://slow-dns.example/hook"
		p, err := svc.Create(ctx, projects.CreateInput{Name: "App", WebhookURL: &url})
		if err != nil || p.WebhookURL == nil || *p.WebhookURL != url {
			t.Fatalf("create with an unanswered lookup: %v, %v", p, err)
		}
		if !bounded.Load() {
			t.Error("the webhook host was looked up without a deadline")
		}
	})
}
