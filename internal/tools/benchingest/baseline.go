package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
)

// baseline writes what ingest writes for each request, with plain pgx and
// nothing else: no HTTP, no validation, no authorization, no events. Each
// request is one transaction: the group upsert, then the row in that group.
type baseline struct {
	pool             *pgxpool.Pool
	projectID, keyID string
}

// openBaseline migrates the database at url with the server's own
// migrations, and adds the project and public key the rows belong to.
func openBaseline(ctx context.Context, url string, conns int) (*baseline, error) {
	db, err := database.Open(ctx, config.Database{Dialect: config.DialectPostgres, URL: url})
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	_, err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return nil, fmt.Errorf("baseline: migrate: %w", err)
	}

	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	cfg.MaxConns = int32(conns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	b := &baseline{pool: pool, projectID: pulid.New("prj"), keyID: pulid.New("key")}
	now := time.Now()
	_, err = pool.Exec(ctx, `INSERT INTO projects (id, created_at, updated_at, name, slug, allowed_domains, rate_limit_per_minute)
		VALUES ($1, $2, $2, 'Bench', 'bench', '["*"]', 1000000)`, b.projectID, now)
	if err == nil {
		_, err = pool.Exec(ctx, `INSERT INTO public_keys (id, created_at, name, key, project_id)
			VALUES ($1, $2, 'Default', $3, $4)`, b.keyID, now, "pk_bench_"+strings.Repeat("0", 16), b.projectID)
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("baseline: create the project: %w", err)
	}
	return b, nil
}

func (b *baseline) close() { b.pool.Close() }

// row is one prepared baseline write.
type row struct {
	report *reportRow
	crash  *crashRow
}

type reportRow struct {
	Message         string          `json:"message"`
	Category        string          `json:"category"`
	Severity        string          `json:"severity"`
	ReporterEmail   string          `json:"reporterEmail"`
	PageURL         string          `json:"pageUrl"`
	AppVersion      string          `json:"appVersion"`
	UserContext     json.RawMessage `json:"userContext"`
	DeviceInfo      json.RawMessage `json:"deviceInfo"`
	Timeline        json.RawMessage `json:"timeline"`
	ConsoleErrors   json.RawMessage `json:"consoleErrors"`
	NetworkFailures json.RawMessage `json:"networkFailures"`
	Consent         bool            `json:"consent"`

	firstError  string
	fingerprint string
}

type crashRow struct {
	ErrorType    string          `json:"errorType"`
	ErrorMessage string          `json:"errorMessage"`
	StackTrace   json.RawMessage `json:"stackTrace"`
	AppVersion   string          `json:"appVersion"`
	Platform     string          `json:"platform"`
	OSVersion    string          `json:"osVersion"`
	DeviceInfo   json.RawMessage `json:"deviceInfo"`
	AppState     json.RawMessage `json:"appState"`
	Breadcrumbs  json.RawMessage `json:"breadcrumbs"`
	Severity     string          `json:"severity"`
	UserID       string          `json:"userId"`

	fingerprint string
}

// rows decodes the payloads into the values the baseline writes, before
// anything is timed. Fingerprints group the same payloads together as the
// server does (page URL and first console error; error type and top frames).
func rows(ps []payload) ([]row, error) {
	out := make([]row, len(ps))
	for i, p := range ps {
		if p.kind == kindReport {
			r := &reportRow{}
			if err := json.Unmarshal(p.body, r); err != nil {
				return nil, err
			}
			var errs []struct{ Message string }
			if err := json.Unmarshal(r.ConsoleErrors, &errs); err != nil {
				return nil, err
			}
			if len(errs) > 0 {
				r.firstError = errs[0].Message
			}
			r.fingerprint = hash(r.PageURL, r.firstError)
			out[i].report = r
			continue
		}
		c := &crashRow{}
		if err := json.Unmarshal(p.body, c); err != nil {
			return nil, err
		}
		var frames []frame
		if err := json.Unmarshal(c.StackTrace, &frames); err != nil {
			return nil, err
		}
		parts := []string{c.ErrorType}
		for _, f := range frames {
			if len(parts) == 6 {
				break
			}
			if !f.IsNative && !strings.Contains(f.File, "node_modules") && !strings.Contains(f.File, "tauri:") {
				parts = append(parts, f.Function)
			}
		}
		c.fingerprint = hash(parts...)
		out[i].crash = c
	}
	return out, nil
}

func hash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(sum[:])
}

// write stores one row with its group upsert, in one transaction.
func (b *baseline) write(ctx context.Context, r row) error {
	now := time.Now()
	return pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		var groupID string
		if c := r.crash; c != nil {
			err := tx.QueryRow(ctx, `INSERT INTO crash_groups (id, created_at, updated_at, project_id, fingerprint,
					error_type, error_message, occurrence_count, affected_users, first_seen_at, last_seen_at,
					affected_versions, affected_platforms)
				VALUES ($1, $2, $2, $3, $4, $5, $6, 1, 0, $2, $2, $7, $8)
				ON CONFLICT (project_id, fingerprint) DO UPDATE
				SET occurrence_count = crash_groups.occurrence_count + 1, updated_at = excluded.updated_at,
					last_seen_at = excluded.last_seen_at
				RETURNING id`,
				pulid.New("grp"), now, b.projectID, c.fingerprint, c.ErrorType, c.ErrorMessage,
				[]string{c.AppVersion}, []string{c.Platform}).Scan(&groupID)
			if err != nil {
				return fmt.Errorf("upsert crash group: %w", err)
			}
			_, err = tx.Exec(ctx, `INSERT INTO crash_reports (id, created_at, error_type, error_message, stack_trace,
					app_version, platform, os_version, device_info, app_state, breadcrumbs, fingerprint, severity,
					user_id, group_id, project_id, public_key_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
				pulid.New("crs"), now, c.ErrorType, c.ErrorMessage, []byte(c.StackTrace),
				c.AppVersion, c.Platform, c.OSVersion, []byte(c.DeviceInfo), []byte(c.AppState), []byte(c.Breadcrumbs),
				c.fingerprint, c.Severity, c.UserID, groupID, b.projectID, b.keyID)
			if err != nil {
				return fmt.Errorf("insert crash report: %w", err)
			}
			return nil
		}
		p := r.report
		err := tx.QueryRow(ctx, `INSERT INTO report_groups (id, created_at, updated_at, project_id, fingerprint,
				page_url, error_message, report_count, affected_users, first_seen_at, last_seen_at)
			VALUES ($1, $2, $2, $3, $4, $5, $6, 1, 0, $2, $2)
			ON CONFLICT (project_id, fingerprint) DO UPDATE
			SET report_count = report_groups.report_count + 1, updated_at = excluded.updated_at,
				last_seen_at = excluded.last_seen_at
			RETURNING id`,
			pulid.New("rgr"), now, b.projectID, p.fingerprint, p.PageURL, p.firstError).Scan(&groupID)
		if err != nil {
			return fmt.Errorf("upsert report group: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO reports (id, created_at, updated_at, message, category, severity,
				reporter_email, page_url, app_version, browser, os, user_context, device_info, timeline,
				console_errors, network_failures, consent_given, project_id, public_key_id, group_id)
			VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, 'Chrome', 'macOS', $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			pulid.New("rep"), now, p.Message, p.Category, p.Severity, p.ReporterEmail, p.PageURL, p.AppVersion,
			[]byte(p.UserContext), []byte(p.DeviceInfo), []byte(p.Timeline), []byte(p.ConsoleErrors),
			[]byte(p.NetworkFailures), p.Consent, b.projectID, b.keyID, groupID)
		if err != nil {
			return fmt.Errorf("insert report: %w", err)
		}
		return nil
	})
}

// writeAll returns the do function of a loop over rs.
func (b *baseline) writeAll(rs []row) func(ctx context.Context, i int) error {
	return func(ctx context.Context, i int) error { return b.write(ctx, rs[i]) }
}
