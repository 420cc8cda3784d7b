package settings_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/settings"
)

// A GitHub releases list, newest first as GitHub sends it, with a draft and
// a pre-release above the latest published version, and an older release
// whose number is lower though it was published later (a patch branch).
const feed = `[
  {"tag_name": "v2.0.0", "html_url": "https://github.com/o/oopsie/releases/tag/v2.0.0", "draft": true, "prerelease": false},
  {"tag_name": "v1.5.0-rc.1", "html_url": "https://github.com/o/oopsie/releases/tag/v1.5.0-rc.1", "draft": false, "prerelease": true},
  {"tag_name": "v1.3.9", "html_url": "https://github.com/o/oopsie/releases/tag/v1.3.9", "draft": false, "prerelease": false},
  {"tag_name": "v1.4.2", "html_url": "https://github.com/o/oopsie/releases/tag/v1.4.2", "draft": false, "prerelease": false},
  {"tag_name": "nightly", "html_url": "https://github.com/o/oopsie/releases/tag/nightly", "draft": false, "prerelease": false}
]`

func feedServer(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Accept") != "application/vnd.github+json" {
			t.Errorf("Accept = %q", r.Header.Get("Accept"))
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestLatestRelease(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		status  int
		body    string
		want    string
		wantErr string
	}{
		"list":          {200, feed, "v1.4.2", ""},
		"latest object": {200, `{"tag_name":"v3.1.0","html_url":"https://x/v3.1.0"}`, "v3.1.0", ""},
		"only a draft":  {200, `[{"tag_name":"v9.0.0","draft":true}]`, "", settings.ErrNoRelease.Error()},
		"empty":         {200, `[]`, "", settings.ErrNoRelease.Error()},
		"not JSON":      {200, `<html>rate limited</html>`, "", "not a GitHub releases document"},
		"server error":  {503, `{}`, "", "503"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, _ := feedServer(t, tc.status, tc.body)
			r, err := settings.LatestRelease(context.Background(), srv.Client(), srv.URL)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || r.Version != tc.want || !strings.HasSuffix(r.URL, tc.want) {
				t.Errorf("LatestRelease = %+v, %v; want %s", r, err, tc.want)
			}
		})
	}
}

// The daily job reads the feed into the settings row, and version then
// tells the dashboard an update is available.
func TestCheckWorkerRecordsTheLatestRelease(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		srv, hits := feedServer(t, 200, feed)
		var logs bytes.Buffer
		svc := settings.New(db.Client, "v1.4.0")
		w := settings.NewCheckWorker(svc, srv.URL, slog.New(slog.NewJSONHandler(&logs, nil)))
		if err := w.Work(context.Background(), &river.Job[settings.CheckArgs]{}); err != nil {
			t.Fatal(err)
		}
		info, err := svc.Version(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := settings.VersionInfo{Current: "v1.4.0", Latest: "v1.4.2", UpdateAvailable: true,
			ReleaseURL: "https://github.com/o/oopsie/releases/tag/v1.4.2"}
		if info != want || hits.Load() != 1 {
			t.Errorf("version = %+v after %d fetches, want %+v", info, hits.Load(), want)
		}
		if !strings.Contains(logs.String(), "a new Oopsie release is available") {
			t.Errorf("logs = %s", logs.String())
		}
		// The running version being the latest, nothing is available.
		info, _ = settings.New(db.Client, "1.4.2").Version(context.Background())
		if info.UpdateAvailable {
			t.Errorf("an update is offered to the latest version: %+v", info)
		}
	})
}

// A feed that fails leaves what was known in place.
func TestCheckWorkerKeepsTheLastKnownReleaseOnFailure(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		svc := settings.New(db.Client, "v1.0.0")
		if err := svc.RecordRelease(context.Background(), settings.Release{Version: "v1.2.0", URL: "https://x/v1.2.0"}, time.Now()); err != nil {
			t.Fatal(err)
		}
		srv, _ := feedServer(t, 500, "")
		w := settings.NewCheckWorker(svc, srv.URL, slog.New(slog.DiscardHandler))
		if err := w.Work(context.Background(), &river.Job[settings.CheckArgs]{}); err == nil {
			t.Error("a failed check reported success")
		}
		info, err := svc.Version(context.Background())
		if err != nil || info.Latest != "v1.2.0" || !info.UpdateAvailable {
			t.Errorf("version = %+v, %v", info, err)
		}
	})
}
