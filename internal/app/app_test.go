package app_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/apptest"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
)

func TestServerAnswersProbesOnBothDatabases(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			s := apptest.Start(t, d)

			for _, tc := range []struct {
				path   string
				status int
				body   string
			}{
				{"/healthz", http.StatusOK, "ok"},
				{"/readyz", http.StatusOK, "ready"},
			} {
				status, body := s.Get(t, tc.path)
				var got struct{ Status string }
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatalf("GET %s: body %q is not JSON: %v", tc.path, body, err)
				}
				if status != tc.status || got.Status != tc.body {
					t.Errorf("GET %s = %d %q, want %d %q", tc.path, status, got.Status, tc.status, tc.body)
				}
			}

			resp, err := http.Get(s.URL + "/api/v1/nothing-here")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Request-Id") == "" {
				t.Errorf("unknown API path: status %d, request id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
			}
		})
	}
}

// Readiness follows the database: once it is gone, /readyz says so while
// /healthz (liveness) keeps answering, so the process is not restarted for it.
func TestReadinessFailsWhenTheDatabaseIsGone(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			s := apptest.Start(t, d)
			if status, _ := s.Get(t, "/readyz"); status != http.StatusOK {
				t.Fatalf("GET /readyz before = %d, want 200", status)
			}
			if err := s.App.DB.SQL.Close(); err != nil {
				t.Fatal(err)
			}
			status, body := s.Get(t, "/readyz")
			if status != http.StatusServiceUnavailable {
				t.Errorf("GET /readyz with the database closed = %d, want 503", status)
			}
			if string(body) != `{"status":"unavailable"}`+"\n" {
				t.Errorf("GET /readyz body = %q: it must not carry error details", body)
			}
			if status, _ := s.Get(t, "/healthz"); status != http.StatusOK {
				t.Errorf("GET /healthz with the database closed = %d, want 200", status)
			}
		})
	}
}
