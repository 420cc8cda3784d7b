package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds the real oopsie binary once for the tests that kill it.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "oopsie-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "oopsie")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return builtBin
}

// A webhook enqueued before the server dies is delivered after it comes
// back: the first attempt fails (the receiver answers 500), the server is
// killed with SIGKILL before the retry, and the restarted server delivers it.
func TestWebhookSurvivesAKilledServer(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			dataDir := t.TempDir()
			dbURL := ""
			if d == dialect.Postgres {
				dbURL = dbtest.PostgresURL(t, false)
			}
			attempts := make(chan string, 4)
			var mu sync.Mutex
			n := 0
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				n++
				first := n == 1
				mu.Unlock()
				_, _ = io.Copy(io.Discard, r.Body)
				attempts <- r.Header.Get("X-Oopsie-Delivery")
				if first {
					w.WriteHeader(http.StatusInternalServerError)
				}
			}))
			defer recv.Close()

			ctx := context.Background()
			getenv := func(k string) string { return os.Getenv(k) }
			startServer := func() *benchkit.Server {
				s, err := benchkit.StartServer(ctx, binary(t), dataDir, dbURL, getenv, "OOPSIE_WEBHOOK_ALLOW_PRIVATE=true")
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			srv := startServer()
			client := &http.Client{Timeout: 10 * time.Second}
			token, err := benchkit.SetUpAdmin(ctx, client, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			p, err := benchkit.CreateProject(ctx, client, srv.URL, token, "Shop")
			if err != nil {
				t.Fatal(err)
			}
			err = benchkit.GraphQL(ctx, client, srv.URL, token,
				`mutation($id: ID!, $url: String!) { updateProject(id: $id, input: {webhookUrl: $url}) { id } }`,
				map[string]any{"id": p.ID, "url": recv.URL}, &struct{}{})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(map[string]any{"message": "It broke", "category": "ui", "severity": "high", "consent": true})
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/reports", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Oopsie-Key", p.Key)
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("ingest: %s", res.Status)
			}

			first := waitAttempt(t, attempts, srv)
			// Once the failure is recorded (the job waits for its retry,
			// 5 s later), kill the server: enqueued, not yet delivered.
			waitFailureRecorded(t, dataDir, dbURL)
			if err := syscall.Kill(srv.PID(), syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = srv.Stop()

			srv = startServer()
			defer srv.Stop()
			if second := waitAttempt(t, attempts, srv); second != first {
				t.Errorf("after the restart, delivery %s arrived instead of %s", second, first)
			}
			var q struct {
				Node struct {
					WebhookDeliveries struct {
						Edges []struct {
							Node struct {
								ID, Status   string
								Attempts     int
								ResponseCode *int
							}
						}
					}
				}
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				err = benchkit.GraphQL(ctx, client, srv.URL, token,
					`query($id: ID!) { node(id: $id) { ... on Project { webhookDeliveries(first: 5) { edges { node { id status attempts responseCode } } } } } }`,
					map[string]any{"id": p.ID}, &q)
				if err != nil {
					t.Fatal(err)
				}
				e := q.Node.WebhookDeliveries.Edges
				if len(e) == 1 && e[0].Node.Status == "SUCCEEDED" {
					if e[0].Node.ID != first || e[0].Node.Attempts != 2 || e[0].Node.ResponseCode == nil || *e[0].Node.ResponseCode != 200 {
						t.Errorf("delivery log = %+v", e[0].Node)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("delivery log = %+v, want one SUCCEEDED", e)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// waitFailureRecorded waits until River has recorded the webhook job's
// first, failed attempt (it is no longer running), read from the server's
// database.
func waitFailureRecorded(t *testing.T, dataDir, dbURL string) {
	t.Helper()
	cfg, err := config.Load(env(map[string]string{"OOPSIE_DATA_DIR": dataDir, "DATABASE_URL": dbURL}))
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(context.Background(), cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var state string
		var attempt int
		err := db.SQL.QueryRow("SELECT state, attempt FROM river_job WHERE kind = 'webhook_delivery'").Scan(&state, &attempt)
		if err == nil && attempt == 1 && state != "running" {
			if state == "completed" {
				t.Fatal("the webhook job completed after a failed attempt")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook job: state %q, attempt %d, %v; want its first failure recorded", state, attempt, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitAttempt(t *testing.T, attempts <-chan string, srv *benchkit.Server) string {
	t.Helper()
	select {
	case id := <-attempts:
		return id
	case <-time.After(30 * time.Second):
		n, first := srv.ErrorLogs()
		t.Fatalf("no delivery attempt; the server logged %d errors, the first: %s", n, first)
		return ""
	}
}
