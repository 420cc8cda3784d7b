// Package projects manages projects (the RFC's "apps") and their public keys:
// creation with a unique slug and a first key, settings, deletion, and the
// integration snippet shown by the setup wizard and the project page.
package projects

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/ent/publickey"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/netguard"
)

// DefaultKeyName names the public key every new project starts with.
const DefaultKeyName = "Default"

// maxSlugAttempts bounds the retries when concurrent creations race for the
// same generated slug: each lost race means another project took the slug,
// so a handful of attempts covers any realistic burst.
const maxSlugAttempts = 10

// Service manages projects and public keys. Authorization is left to the ent
// privacy policies, which read the viewer from the caller's context.
type Service struct {
	client *ent.Client
	// webhookHost refuses a webhook host; nil accepts any.
	webhookHost func(ctx context.Context, host string) error
	// jobs deletes a deleted project's attachment bytes; nil leaves them.
	jobs Enqueuer
}

// Enqueuer inserts jobs on the caller's transaction: jobs.Engine.
type Enqueuer interface {
	Enqueue(ctx context.Context, params ...river.InsertManyParams) error
}

// Option tunes a Service.
type Option func(*Service)

// hostLookupTimeout bounds the name lookup of a webhook's host.
const hostLookupTimeout = 2 * time.Second

// RefusePrivateWebhooks refuses, when a webhook URL is saved, a host that
// resolves to a loopback, private or link-local address. Deliveries check
// again when they connect; this tells the user at once.
func RefusePrivateWebhooks(r netguard.Resolver) Option {
	return func(s *Service) {
		s.webhookHost = func(ctx context.Context, host string) error {
			// Bounded: a mutation's transaction is open meanwhile (on
			// SQLite, the one write lock), and an unresolved host is
			// accepted anyway.
			ctx, cancel := context.WithTimeout(ctx, hostLookupTimeout)
			defer cancel()
			err := netguard.CheckHost(ctx, r, host)
			if errors.Is(err, netguard.ErrBlocked) {
				return apperr.InvalidField("webhookUrl", "must point to a public address: "+host+
					" is or resolves to a private, loopback or link-local address (OOPSIE_WEBHOOK_ALLOW_PRIVATE=true allows it)")
			}
			// A host that does not resolve now may later; delivery checks it then.
			return nil
		}
	}
}

// DeleteFilesWith has Delete enqueue, on its transaction, the deletion of
// the project's attachment bytes. Without it, they stay in storage.
func DeleteFilesWith(e Enqueuer) Option {
	return func(s *Service) { s.jobs = e }
}

// New returns a service on the root client.
func New(client *ent.Client, opts ...Option) *Service {
	s := &Service{client: client}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// checkWebhookHost applies webhookHost to a validated webhook URL.
func (s *Service) checkWebhookHost(ctx context.Context, raw *string) error {
	if s.webhookHost == nil || raw == nil || *raw == "" {
		return nil
	}
	u, err := url.Parse(*raw)
	if err != nil {
		return apperr.InvalidField("webhookUrl", "must be an absolute http or https URL")
	}
	return s.webhookHost(ctx, u.Hostname())
}

// CreateInput is a new project. Nil pointers take the defaults.
type CreateInput struct {
	Name string
	// Slug is generated from Name when nil.
	Slug *string
	// AllowedDomains defaults to ["*"] when nil; an empty list allows no
	// browser origin.
	AllowedDomains     []string
	WebhookURL         *string
	WebhookFormat      *enums.WebhookFormat
	RetentionDays      *int
	RateLimitPerMinute *int
	// FingerprintIgnore are file substrings whose stack frames crash
	// fingerprints leave out; none when nil.
	FingerprintIgnore []string
}

// UpdateInput changes a project. Nil fields stay as they are.
type UpdateInput struct {
	Name *string
	Slug *string
	// AllowedDomains replaces the list when non-nil; an empty list allows no
	// browser origin.
	AllowedDomains []string
	// WebhookURL sets the webhook; "" removes it (the secret is kept, so
	// setting a URL again keeps verifying with the same secret).
	WebhookURL          *string
	WebhookFormat       *enums.WebhookFormat
	RetentionDays       *int
	RateLimitPerMinute  *int
	RotateWebhookSecret *bool
	// FingerprintIgnore replaces the list when non-nil.
	FingerprintIgnore []string
	// ClearRetentionDays and ClearRateLimitPerMinute remove the project's
	// own values, for the defaults: the instance's retention, and
	// 100 requests a minute per key.
	ClearRetentionDays, ClearRateLimitPerMinute bool
}

// db is the transaction's client when the caller runs one (GraphQL
// mutations do), so the service's writes commit or roll back with it.
func (s *Service) db(ctx context.Context) *ent.Client { return dbtx.Client(ctx, s.client) }

// inTx runs fn in the caller's transaction, or in a new one when there is
// none. opened tells the caller whether entities it got from fn must be
// unwrapped from a transaction that is over.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, c *ent.Client) error) (opened bool, err error) {
	return dbtx.Run(ctx, s.client, fn)
}

// Create creates a project and its first public key, named "Default", in one
// transaction.
func (s *Service) Create(ctx context.Context, in CreateInput) (*ent.Project, error) {
	v, err := validateCreate(in)
	if err != nil {
		return nil, err
	}
	if err := s.checkWebhookHost(ctx, v.webhookURL); err != nil {
		return nil, err
	}
	var p *ent.Project
	opened, err := s.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		var err error
		if p, err = insertProject(ctx, c, v); err != nil {
			return err
		}
		err = c.PublicKey.Create().
			SetProjectID(p.ID).
			SetName(DefaultKeyName).
			SetKey(NewPublicKey(p.Slug)).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("create project: first public key: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if opened {
		// Edges resolved later (publicKeys in the mutation's answer) must not
		// go through the committed transaction.
		p = p.Unwrap()
	}
	return p, nil
}

type createValues struct {
	name         string
	slug         string
	slugExplicit bool
	domains      []string
	webhookURL   *string
	format       *enums.WebhookFormat
	retention    *int
	rateLimit    *int
	ignore       []string
}

func validateCreate(in CreateInput) (createValues, error) {
	var (
		v   createValues
		err error
	)
	if v.name, err = validateName("name", in.Name); err != nil {
		return v, err
	}
	if in.Slug != nil {
		if err := validateSlug(*in.Slug); err != nil {
			return v, err
		}
		v.slug, v.slugExplicit = *in.Slug, true
	} else {
		v.slug = Slugify(v.name)
	}
	if in.AllowedDomains == nil {
		// The setup wizard shows the snippet right after the first project is
		// created, and a solo developer expects it to work at once from
		// localhost; locking down origins is a later, deliberate step.
		v.domains = []string{"*"}
	} else if v.domains, err = normalizeDomains(in.AllowedDomains); err != nil {
		return v, err
	}
	if in.WebhookURL != nil && *in.WebhookURL != "" {
		u, err := validateWebhookURL(*in.WebhookURL)
		if err != nil {
			return v, err
		}
		v.webhookURL = &u
	}
	if in.WebhookFormat != nil {
		if err := validateWebhookFormat(*in.WebhookFormat); err != nil {
			return v, err
		}
		v.format = in.WebhookFormat
	}
	if err := validateRange("retentionDays", in.RetentionDays, 1, 36500); err != nil {
		return v, err
	}
	if err := validateRange("rateLimitPerMinute", in.RateLimitPerMinute, 1, 1_000_000); err != nil {
		return v, err
	}
	v.retention, v.rateLimit = in.RetentionDays, in.RateLimitPerMinute
	if v.ignore, err = normalizeFingerprintIgnore(in.FingerprintIgnore); err != nil {
		return v, err
	}
	return v, nil
}

func (v createValues) builder(c *ent.Client, slug string) *ent.ProjectCreate {
	b := c.Project.Create().
		SetName(v.name).
		SetSlug(slug).
		SetAllowedDomains(v.domains).
		SetNillableWebhookURL(v.webhookURL).
		SetNillableWebhookFormat(v.format).
		SetNillableRetentionDays(v.retention).
		SetNillableRateLimitPerMinute(v.rateLimit).
		SetFingerprintIgnore(v.ignore)
	if v.webhookURL != nil {
		b.SetWebhookSecret(newWebhookSecret())
	}
	return b
}

// insertProject inserts the project under its explicit slug, or under the
// first free variant of its generated one. c must be a transaction's client.
func insertProject(ctx context.Context, c *ent.Client, v createValues) (*ent.Project, error) {
	if v.slugExplicit {
		taken, err := c.Project.Query().Where(project.Slug(v.slug)).Exist(ctx)
		if err != nil {
			return nil, fmt.Errorf("create project: check slug: %w", err)
		}
		if taken {
			return nil, slugConflict()
		}
		p, err := v.builder(c, v.slug).Save(ctx)
		switch {
		case ent.IsConstraintError(err):
			return nil, slugConflict()
		case err != nil:
			return nil, fmt.Errorf("create project: %w", err)
		}
		return p, nil
	}
	for range maxSlugAttempts {
		slug, err := freeSlug(ctx, c, v.slug)
		if err != nil {
			return nil, err
		}
		// A concurrent creation can take the slug between the look-up and
		// the insert. On PostgreSQL a failed statement aborts the whole
		// transaction, which may be the caller's, so the insert runs under
		// a savepoint that a lost race rolls back to.
		if _, err := c.ExecContext(ctx, "SAVEPOINT oopsie_project_slug"); err != nil {
			return nil, fmt.Errorf("create project: savepoint: %w", err)
		}
		p, err := v.builder(c, slug).Save(ctx)
		if err == nil {
			if _, err := c.ExecContext(ctx, "RELEASE SAVEPOINT oopsie_project_slug"); err != nil {
				return nil, fmt.Errorf("create project: release savepoint: %w", err)
			}
			return p, nil
		}
		if !ent.IsConstraintError(err) {
			return nil, fmt.Errorf("create project: %w", err)
		}
		if _, rerr := c.ExecContext(ctx, "ROLLBACK TO SAVEPOINT oopsie_project_slug"); rerr != nil {
			return nil, fmt.Errorf("create project: roll back to savepoint: %w", errors.Join(err, rerr))
		}
	}
	return nil, apperr.New(apperr.Conflict, "projects with this name are being created at the same moment; try again")
}

func slugConflict() *apperr.Error {
	return &apperr.Error{Kind: apperr.Conflict, Message: "slug already in use", Fields: map[string]string{"slug": "already in use"}}
}

// freeSlug returns base, or base-2, base-3, … whichever is free first.
func freeSlug(ctx context.Context, c *ent.Client, base string) (string, error) {
	// base holds only [a-z0-9-], so it carries no LIKE wildcards.
	existing, err := c.Project.Query().
		Where(project.SlugHasPrefix(base)).
		Select(project.FieldSlug).
		Strings(ctx)
	if err != nil {
		return "", fmt.Errorf("create project: look up slugs: %w", err)
	}
	taken := make(map[string]bool, len(existing))
	for _, s := range existing {
		taken[s] = true
	}
	if !taken[base] {
		return base, nil
	}
	for n := 2; ; n++ {
		if s := base + "-" + strconv.Itoa(n); !taken[s] {
			return s, nil
		}
	}
}

// Update changes a project's settings.
//
// Changing the slug does not change existing public keys: their text only
// looked like the slug when made, and a key is an opaque identifier that
// apps in the wild already embed. The /sdk/{slug}/ routes follow the new slug.
func (s *Service) Update(ctx context.Context, id string, in UpdateInput) (*ent.Project, error) {
	c := s.db(ctx)
	p, err := c.Project.Get(ctx, id)
	if err != nil {
		return nil, projectLookupError(err)
	}
	u := c.Project.UpdateOne(p)
	if in.Name != nil {
		name, err := validateName("name", *in.Name)
		if err != nil {
			return nil, err
		}
		u.SetName(name)
	}
	if in.Slug != nil && *in.Slug != p.Slug {
		if err := validateSlug(*in.Slug); err != nil {
			return nil, err
		}
		taken, err := c.Project.Query().Where(project.Slug(*in.Slug), project.IDNEQ(p.ID)).Exist(ctx)
		if err != nil {
			return nil, fmt.Errorf("update project: check slug: %w", err)
		}
		if taken {
			return nil, slugConflict()
		}
		u.SetSlug(*in.Slug)
	}
	if in.AllowedDomains != nil {
		domains, err := normalizeDomains(in.AllowedDomains)
		if err != nil {
			return nil, err
		}
		u.SetAllowedDomains(domains)
	}
	if in.FingerprintIgnore != nil {
		ignore, err := normalizeFingerprintIgnore(in.FingerprintIgnore)
		if err != nil {
			return nil, err
		}
		u.SetFingerprintIgnore(ignore)
	}
	secretGenerated := false
	if in.WebhookURL != nil {
		if *in.WebhookURL == "" {
			u.ClearWebhookURL()
		} else {
			url, err := validateWebhookURL(*in.WebhookURL)
			if err != nil {
				return nil, err
			}
			if err := s.checkWebhookHost(ctx, &url); err != nil {
				return nil, err
			}
			u.SetWebhookURL(url)
			// A webhook is always signed, so the first URL brings a secret.
			if p.WebhookSecret == nil {
				u.SetWebhookSecret(newWebhookSecret())
				secretGenerated = true
			}
		}
	}
	if in.RotateWebhookSecret != nil && *in.RotateWebhookSecret && !secretGenerated {
		u.SetWebhookSecret(newWebhookSecret())
	}
	if in.WebhookFormat != nil {
		if err := validateWebhookFormat(*in.WebhookFormat); err != nil {
			return nil, err
		}
		u.SetWebhookFormat(*in.WebhookFormat)
	}
	switch {
	case in.ClearRetentionDays:
		u.ClearRetentionDays()
	case in.RetentionDays != nil:
		if err := validateRange("retentionDays", in.RetentionDays, 1, 36500); err != nil {
			return nil, err
		}
		u.SetRetentionDays(*in.RetentionDays)
	}
	switch {
	case in.ClearRateLimitPerMinute:
		u.ClearRateLimitPerMinute()
	case in.RateLimitPerMinute != nil:
		if err := validateRange("rateLimitPerMinute", in.RateLimitPerMinute, 1, 1_000_000); err != nil {
			return nil, err
		}
		u.SetRateLimitPerMinute(*in.RateLimitPerMinute)
	}
	p, err = u.Save(ctx)
	switch {
	case ent.IsConstraintError(err):
		// Only the slug is unique; another update took it since the check.
		return nil, slugConflict()
	case ent.IsNotFound(err):
		return nil, projectNotFound()
	case err != nil:
		return nil, fmt.Errorf("update project: %w", err)
	}
	return p, nil
}

// Delete deletes a project with everything in it: the foreign keys cascade
// to its keys, reports, feedback, crashes and groups, and attachment rows.
// Their bytes are deleted by jobs enqueued in the same transaction: the
// rows are all that led to them, and a project may hold too many files to
// delete while the caller waits.
func (s *Service) Delete(ctx context.Context, id string) error {
	_, err := s.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		keys, err := s.fileKeys(ctx, c, id)
		if err != nil {
			return err
		}
		if err := c.Project.DeleteOneID(id).Exec(ctx); err != nil {
			return projectLookupError(err)
		}
		if len(keys) > 0 {
			if err := s.jobs.Enqueue(ctx, attachments.DeleteBlobsJobs(keys)...); err != nil {
				return fmt.Errorf("delete project: %w", err)
			}
		}
		return nil
	})
	return err
}

// fileKeys lists the storage keys of a project's attachments, when there
// are jobs to delete them.
func (s *Service) fileKeys(ctx context.Context, c *ent.Client, projectID string) ([]string, error) {
	if s.jobs == nil {
		return nil, nil
	}
	keys, err := c.Attachment.Query().
		Where(attachment.Or(
			attachment.HasReportWith(report.ProjectID(projectID)),
			attachment.HasFeedbackWith(feedback.ProjectID(projectID)),
			attachment.HasCrashReportWith(crashreport.ProjectID(projectID)),
		)).
		Select(attachment.FieldStorageKey).
		Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("delete project: list attachments: %w", err)
	}
	return keys, nil
}

// CreatePublicKey adds a key to a project, for instance to regenerate one:
// create a new key, move the apps to it, revoke the old one.
func (s *Service) CreatePublicKey(ctx context.Context, projectID, name string) (*ent.PublicKey, error) {
	name, err := validateName("name", name)
	if err != nil {
		return nil, err
	}
	c := s.db(ctx)
	p, err := c.Project.Get(ctx, projectID)
	if err != nil {
		return nil, projectLookupError(err)
	}
	k, err := c.PublicKey.Create().
		SetProjectID(p.ID).
		SetName(name).
		SetKey(NewPublicKey(p.Slug)).
		Save(ctx)
	switch {
	case ent.IsConstraintError(err):
		// The project was deleted since the look-up (the key itself is 64
		// random bits, so it does not collide).
		return nil, projectNotFound()
	case err != nil:
		return nil, fmt.Errorf("create public key: %w", err)
	}
	return k, nil
}

// RevokePublicKey revokes a key; ingest rejects it from then on. Revoking a
// revoked key changes nothing, so the first revocation time is kept.
func (s *Service) RevokePublicKey(ctx context.Context, id string) (*ent.PublicKey, error) {
	c := s.db(ctx)
	// Conditional, so two concurrent revocations cannot both stamp the time.
	err := c.PublicKey.Update().
		Where(publickey.ID(id), publickey.RevokedAtIsNil()).
		SetRevokedAt(time.Now()).
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("revoke public key: %w", err)
	}
	k, err := c.PublicKey.Get(ctx, id)
	switch {
	case ent.IsNotFound(err):
		return nil, apperr.New(apperr.NotFound, "public key not found")
	case err != nil:
		return nil, fmt.Errorf("revoke public key: %w", err)
	}
	return k, nil
}

func projectNotFound() *apperr.Error { return apperr.New(apperr.NotFound, "project not found") }

func projectLookupError(err error) error {
	if ent.IsNotFound(err) {
		return projectNotFound()
	}
	// Privacy denials keep their viewer error for the transports to map.
	return fmt.Errorf("project: %w", err)
}
