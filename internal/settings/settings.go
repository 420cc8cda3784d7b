// Package settings holds the instance's functional settings: its single
// row of name, default retention and latest known release.
package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/ent"
	entsettings "github.com/yoanbernabeu/oopsie/ent/settings"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// InstanceID is the id of the one settings row.
const InstanceID = "set_instance"

const (
	maxInstanceName  = 100 // bytes, as the schema's MaxLen counts
	maxRetentionDays = 36500
)

// Service reads and changes the settings.
type Service struct {
	client         *ent.Client
	currentVersion string
}

// New returns a Service. currentVersion is this binary's version ("dev"
// for development builds).
func New(client *ent.Client, currentVersion string) *Service {
	return &Service{client: client, currentVersion: currentVersion}
}

func (s *Service) db(ctx context.Context) *ent.Client { return dbtx.Client(ctx, s.client) }

// EnsureRow creates the settings row with its defaults unless it exists.
// Concurrent callers are fine: the losers' inserts do nothing.
func EnsureRow(ctx context.Context, c *ent.Client) error {
	err := c.Settings.Create().
		SetID(InstanceID).
		OnConflictColumns(entsettings.FieldID).
		DoNothing().
		Exec(ctx)
	// On a conflict PostgreSQL's INSERT … RETURNING returns no row, which
	// ent reports as sql.ErrNoRows: the row exists, as wanted.
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("create settings row: %w", err)
	}
	return nil
}

// Get returns the settings, creating the row on first use. The viewer in
// ctx must be an admin.
func (s *Service) Get(ctx context.Context) (*ent.Settings, error) {
	c := s.db(ctx)
	row, err := c.Settings.Get(ctx, InstanceID)
	if ent.IsNotFound(err) {
		if err := EnsureRow(ctx, c); err != nil {
			return nil, fmt.Errorf("get settings: %w", err)
		}
		row, err = c.Settings.Get(ctx, InstanceID)
	}
	if err != nil {
		return nil, fmt.Errorf("get settings: %w", err)
	}
	return row, nil
}

// UpdateInput holds the settings to change; nil fields are left alone.
type UpdateInput struct {
	InstanceName         *string
	DefaultRetentionDays *int
	// ClearDefaultRetentionDays goes back to the retention of the
	// environment (OOPSIE_REPORT_RETENTION_DAYS).
	ClearDefaultRetentionDays bool
}

// Update changes the settings. The viewer in ctx must be an admin.
func (s *Service) Update(ctx context.Context, in UpdateInput) (*ent.Settings, error) {
	var name string
	if in.InstanceName != nil {
		var err error
		if name, err = ValidateInstanceName(*in.InstanceName); err != nil {
			return nil, err
		}
	}
	if d := in.DefaultRetentionDays; d != nil && (*d < 1 || *d > maxRetentionDays) {
		return nil, apperr.InvalidField("defaultRetentionDays", fmt.Sprintf("must be between 1 and %d", maxRetentionDays))
	}
	if _, err := s.Get(ctx); err != nil {
		return nil, fmt.Errorf("update settings: %w", err)
	}
	update := s.db(ctx).Settings.UpdateOneID(InstanceID)
	if in.InstanceName != nil {
		update.SetInstanceName(name)
	}
	switch {
	case in.ClearDefaultRetentionDays:
		update.ClearDefaultRetentionDays()
	case in.DefaultRetentionDays != nil:
		update.SetDefaultRetentionDays(*in.DefaultRetentionDays)
	}
	row, err := update.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("update settings: %w", err)
	}
	return row, nil
}

// ValidateInstanceName returns the trimmed name, or an error on the
// instanceName field.
func ValidateInstanceName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", apperr.InvalidField("instanceName", "is required")
	case !utf8.ValidString(name):
		return "", apperr.InvalidField("instanceName", "must be valid UTF-8")
	case len(name) > maxInstanceName:
		return "", apperr.InvalidField("instanceName", fmt.Sprintf("must be at most %d bytes", maxInstanceName))
	}
	return name, nil
}

// VersionInfo compares this binary with the latest known release.
type VersionInfo struct {
	Current, Latest string
	UpdateAvailable bool
	ReleaseURL      string
}

// Version reports the running and latest known versions. Anyone may ask.
func (s *Service) Version(ctx context.Context) (VersionInfo, error) {
	info := VersionInfo{Current: s.currentVersion}
	row, err := s.db(ctx).Settings.Get(viewer.SystemContext(ctx, "version"), InstanceID)
	if ent.IsNotFound(err) {
		return info, nil
	}
	if err != nil {
		return VersionInfo{}, fmt.Errorf("get version: %w", err)
	}
	if row.LatestVersion != nil {
		info.Latest = *row.LatestVersion
	}
	if row.LatestReleaseURL != nil {
		info.ReleaseURL = *row.LatestReleaseURL
	}
	info.UpdateAvailable = newer(info.Latest, info.Current)
	return info, nil
}
