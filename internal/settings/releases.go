package settings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Release is a published version.
type Release struct {
	Version string
	URL     string
}

// githubRelease is what the GitHub releases API says of a release.
type githubRelease struct {
	TagName    string `json:"tag_name"`
	HTMLURL    string `json:"html_url"`
	Draft      bool   `json:"draft"`
	Prerelease bool   `json:"prerelease"`
}

// maxFeedBytes bounds the feed read: a page of GitHub releases is far less.
const maxFeedBytes = 4 << 20

// ErrNoRelease: the feed lists no published, non-prerelease version.
var ErrNoRelease = errors.New("no release in the feed")

// LatestRelease reads a GitHub releases feed at url (the list, or a single
// release such as /releases/latest) and returns its highest published,
// non-prerelease semantic version.
func LatestRelease(ctx context.Context, client *http.Client, url string) (Release, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Release{}, fmt.Errorf("releases feed: %w", err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	res, err := client.Do(req)
	if err != nil {
		return Release{}, fmt.Errorf("releases feed: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Release{}, fmt.Errorf("releases feed: %s answered %s", url, res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxFeedBytes))
	if err != nil {
		return Release{}, fmt.Errorf("releases feed: %w", err)
	}
	var list []githubRelease
	if strings.HasPrefix(strings.TrimSpace(string(b)), "{") {
		var one githubRelease
		err = json.Unmarshal(b, &one)
		list = []githubRelease{one}
	} else {
		err = json.Unmarshal(b, &list)
	}
	if err != nil {
		return Release{}, fmt.Errorf("releases feed: not a GitHub releases document: %w", err)
	}
	var best Release
	var bestV version
	for _, r := range list {
		v, ok := parseVersion(r.TagName)
		if !ok || r.Draft || r.Prerelease || len(v.pre) > 0 {
			continue
		}
		if best.Version == "" || compareVersions(v, bestV) > 0 {
			best, bestV = Release{Version: r.TagName, URL: r.HTMLURL}, v
		}
	}
	if best.Version == "" {
		return Release{}, ErrNoRelease
	}
	return best, nil
}

// RecordRelease keeps the latest known release in the settings row.
func (s *Service) RecordRelease(ctx context.Context, r Release, at time.Time) error {
	ctx = viewer.SystemContext(ctx, "version-check")
	if err := EnsureRow(ctx, s.db(ctx)); err != nil {
		return err
	}
	err := s.db(ctx).Settings.UpdateOneID(InstanceID).
		SetLatestVersion(r.Version).
		SetLatestReleaseURL(r.URL).
		SetVersionCheckedAt(at).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("record latest release: %w", err)
	}
	return nil
}

// CheckArgs is the daily version check job.
type CheckArgs struct{}

// Kind names the job in River's table.
func (CheckArgs) Kind() string { return "version_check" }

// CheckEvery is how often the server looks for a new release.
const CheckEvery = 24 * time.Hour

// PeriodicCheck schedules the check daily, and once when a replica becomes
// the leader, so a new instance knows at once.
func PeriodicCheck() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(CheckEvery),
		func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: tomorrow's check is the retry, and a feed that is
			// down should not be hammered.
			return CheckArgs{}, &river.InsertOpts{MaxAttempts: 1}
		},
		&river.PeriodicJobOpts{ID: "version_check", RunOnStart: true})
}

// CheckWorker reads the releases feed into the settings.
type CheckWorker struct {
	river.WorkerDefaults[CheckArgs]
	settings *Service
	url      string
	http     *http.Client
	logger   *slog.Logger
}

// NewCheckWorker checks url (OOPSIE_RELEASES_URL).
func NewCheckWorker(s *Service, url string, logger *slog.Logger) *CheckWorker {
	return &CheckWorker{settings: s, url: url, http: &http.Client{Timeout: 10 * time.Second}, logger: logger}
}

// Work checks once.
func (w *CheckWorker) Work(ctx context.Context, _ *river.Job[CheckArgs]) error {
	r, err := LatestRelease(ctx, w.http, w.url)
	if err != nil {
		w.logger.Warn("version check failed", "error", err)
		return err
	}
	if err := w.settings.RecordRelease(ctx, r, time.Now()); err != nil {
		return err
	}
	if newer(r.Version, w.settings.currentVersion) {
		w.logger.Info("a new Oopsie release is available", "current", w.settings.currentVersion, "latest", r.Version, "url", r.URL)
	}
	return nil
}
