package graph_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/apptest"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
)

type hookRequest struct {
	header http.Header
	body   []byte
}

func hookReceiver(t *testing.T) (*httptest.Server, chan hookRequest) {
	got := make(chan hookRequest, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- hookRequest{r.Header.Clone(), b}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// An admin sets a webhook, sends a test event, and reads its delivery in
// the project's delivery log; the event is signed with the project's secret.
func TestSendTestWebhookAndReadTheDeliveryLog(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			s := apptest.Start(t, d, func(c *config.Config) { c.WebhookAllowPrivate = true })
			admin := s.Setup(t)
			recv, got := hookReceiver(t)
			var created struct {
				CreateProject struct{ ID, WebhookSecret string }
			}
			s.MustGraphQL(t, admin, `mutation($url: String!) { createProject(input: {name: "Shop", webhookUrl: $url, webhookFormat: SLACK}) { id webhookSecret } }`,
				map[string]any{"url": recv.URL + "/slack"}, &created)
			p := created.CreateProject
			if !strings.HasPrefix(p.WebhookSecret, "whsec_") {
				t.Fatalf("webhookSecret = %q", p.WebhookSecret)
			}
			var sent struct {
				SendTestWebhook struct{ ID, Event, Status string }
			}
			s.MustGraphQL(t, admin, `mutation($p: ID!) { sendTestWebhook(projectId: $p) { id event status } }`, map[string]any{"p": p.ID}, &sent)
			if sent.SendTestWebhook.Event != "webhook.test" || sent.SendTestWebhook.Status != "PENDING" {
				t.Errorf("sendTestWebhook = %+v", sent.SendTestWebhook)
			}
			select {
			case r := <-got:
				if err := webhooks.Verify(p.WebhookSecret, r.header.Get(webhooks.SignatureHeader), r.body, time.Now(), time.Minute); err != nil {
					t.Errorf("signature: %v", err)
				}
				if !strings.Contains(string(r.body), `"blocks"`) || r.header.Get("X-Oopsie-Delivery") != sent.SendTestWebhook.ID {
					t.Errorf("test event: %v %s", r.header, r.body)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("no test event arrived")
			}
			const log = `query($p: ID!) { node(id: $p) { ... on Project { webhookDeliveries(last: 10) { edges { node { id event status attempts responseCode lastError deliveredAt } } } } } }`
			deadline := time.Now().Add(20 * time.Second)
			for {
				var q struct {
					Node struct {
						WebhookDeliveries struct {
							Edges []struct {
								Node struct {
									ID, Event, Status string
									Attempts          int
									ResponseCode      *int
									DeliveredAt       *string
								}
							}
						}
					}
				}
				s.MustGraphQL(t, admin, log, map[string]any{"p": p.ID}, &q)
				e := q.Node.WebhookDeliveries.Edges
				if len(e) == 1 && e[0].Node.Status == "SUCCEEDED" {
					n := e[0].Node
					if n.ID != sent.SendTestWebhook.ID || n.Attempts != 1 || n.ResponseCode == nil || *n.ResponseCode != 200 || n.DeliveredAt == nil {
						t.Errorf("delivery = %+v", n)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("delivery log = %+v", e)
				}
				time.Sleep(50 * time.Millisecond)
			}
			// The delivery log is an admin's only.
			if resp := s.GraphQL(t, "", log, map[string]any{"p": p.ID}); len(resp.Errors) == 0 {
				t.Errorf("anonymous read the delivery log: %s", resp.Data)
			}
			// A project without a webhook has nothing to test.
			var bare struct{ CreateProject struct{ ID string } }
			s.MustGraphQL(t, admin, `mutation { createProject(input: {name: "Bare"}) { id } }`, nil, &bare)
			only(t, s.GraphQL(t, admin, `mutation($p: ID!) { sendTestWebhook(projectId: $p) { id } }`, map[string]any{"p": bare.CreateProject.ID}), "BAD_USER_INPUT")
		})
	}
}

// By default a webhook may not point at the server's own network, and
// updateProject says so.
func TestPrivateWebhookRefusedByDefault(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, dbtest.Dialects[0])
	admin := s.Setup(t)
	var created struct{ CreateProject struct{ ID string } }
	s.MustGraphQL(t, admin, `mutation { createProject(input: {name: "Shop"}) { id } }`, nil, &created)
	for _, url := range []string{"http://127.0.0.1:9000/hook", "http://localhost/hook", "http://169.254.169.254/latest"} {
		resp := s.GraphQL(t, admin, `mutation($id: ID!, $url: String!) { updateProject(id: $id, input: {webhookUrl: $url}) { id } }`,
			map[string]any{"id": created.CreateProject.ID, "url": url})
		only(t, resp, "BAD_USER_INPUT")
		if len(resp.Errors) == 1 && !strings.Contains(fmt.Sprint(resp.Errors[0].Message, resp.Errors[0].Extensions), "OOPSIE_WEBHOOK_ALLOW_PRIVATE") {
			t.Errorf("%s refused without saying why: %+v", url, resp.Errors[0])
		}
	}
}

// With OOPSIE_RELEASES_URL set, the server reads the feed when it starts
// and version tells the dashboard about the new release.
func TestVersionCheckFromTheReleasesFeed(t *testing.T) {
	t.Parallel()
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `[{"tag_name":"v9.1.0","html_url":"https://example.com/releases/v9.1.0"},{"tag_name":"v10.0.0-beta.1","prerelease":true}]`)
	}))
	t.Cleanup(feed.Close)
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			s := apptest.Start(t, d, func(c *config.Config) { c.ReleasesURL = feed.URL })
			deadline := time.Now().Add(30 * time.Second)
			for {
				var v struct {
					Version struct {
						Current, Latest string
						UpdateAvailable bool
						ReleaseURL      string
					}
				}
				s.MustGraphQL(t, "", `{ version { current latest updateAvailable releaseUrl } }`, nil, &v)
				if v.Version.Latest == "v9.1.0" {
					// apptest runs version "test", which is no version: a
					// development build is never told to update.
					if v.Version.UpdateAvailable || v.Version.ReleaseURL != "https://example.com/releases/v9.1.0" {
						t.Errorf("version = %+v", v.Version)
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("version = %+v, want latest v9.1.0", v.Version)
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}
