// Package keys resolves the public keys SDKs send (pk_{slug}_{16 hex}) to
// their project, with a short-lived cache in front of the database, and
// records their use in batches.
//
// Revocation: every cached answer, positive or negative, lives at most TTL
// (5s by default) from the moment its database read began. Each replica
// keeps its own cache and nothing invalidates it, so a key revoked on any
// replica is refused by every replica within TTL of the revocation's
// commit, with no message between replicas. That bound is what makes a
// shared cache or a pub/sub invalidation unnecessary.
package keys

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/ent/publickey"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Key is a resolved, unrevoked public key and what ingest needs of its
// project.
type Key struct {
	ID             string
	ProjectID      string
	ProjectSlug    string
	AllowedDomains []string
	// RateLimitPerMinute is the project's override; 0 means the default.
	RateLimitPerMinute int
	// FingerprintIgnore is the project's list of frame files that crash
	// fingerprints leave out.
	FingerprintIgnore []string
}

// Options tune a Resolver. Zero values take the defaults.
type Options struct {
	// TTL bounds how long a cached answer is used: the delay before a
	// revocation takes effect. Default 5s.
	TTL time.Duration
	// FlushInterval is how often Run writes lastUsedAt. Default 10s.
	FlushInterval time.Duration
	// Now is the clock of the cache and of lastUsedAt. Default time.Now.
	Now func() time.Time
	// Logger receives failed flushes. Default: discarded.
	Logger *slog.Logger
}

const (
	defaultTTL           = 5 * time.Second
	defaultFlushInterval = 10 * time.Second
	// maxEntries bounds the cache: every well-formed key someone makes up
	// gets a negative entry.
	maxEntries = 10_000
	// lookupTimeout bounds a database read that callers share (see Resolve).
	lookupTimeout = 10 * time.Second
	// flushBatch stays well under the bound-parameter limits of SQLite
	// (32766) and PostgreSQL (65535).
	flushBatch = 1000
	// finalFlushTimeout bounds the flush at shutdown.
	finalFlushTimeout = 5 * time.Second
)

// keyPattern is pk_, a project slug as the schema allows it, and 64 random
// bits in hex.
var keyPattern = regexp.MustCompile(`^pk_[a-z0-9]+(?:-[a-z0-9]+)*_[0-9a-f]{16}$`)

// maxKeyLen is "pk_" + a 64-byte slug + "_" + 16 hex digits.
const maxKeyLen = 3 + 64 + 1 + 16

// Resolver turns public keys into Keys. It is safe for concurrent use.
type Resolver struct {
	client        *ent.Client
	ttl           time.Duration
	flushInterval time.Duration
	now           func() time.Time
	log           *slog.Logger

	mu         sync.Mutex
	cache      map[string]entry
	maxEntries int
	flights    singleflight.Group
	// testHookMiss runs after a cache miss, before joining a lookup.
	testHookMiss func()

	touchMu sync.Mutex
	touched map[string]struct{}
}

type entry struct {
	key     Key
	found   bool
	expires time.Time
}

// New returns a Resolver reading keys from client.
func New(client *ent.Client, opts Options) *Resolver {
	r := &Resolver{
		client:        client,
		ttl:           opts.TTL,
		flushInterval: opts.FlushInterval,
		now:           opts.Now,
		log:           opts.Logger,
		cache:         make(map[string]entry),
		maxEntries:    maxEntries,
		touched:       make(map[string]struct{}),
	}
	if r.ttl <= 0 {
		r.ttl = defaultTTL
	}
	if r.flushInterval <= 0 {
		r.flushInterval = defaultFlushInterval
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

func unknownKey() error {
	return apperr.New(apperr.Unauthenticated, "unknown or revoked API key")
}

// Resolve returns the unrevoked key with this text, or an Unauthenticated
// error when it is malformed, unknown or revoked. Malformed keys are
// refused without a database read. Concurrent misses for one key share a
// single read, so a burst from a freshly deployed app, or a flood of one
// bad key, costs one query per TTL.
func (r *Resolver) Resolve(ctx context.Context, key string) (Key, error) {
	if len(key) > maxKeyLen || !keyPattern.MatchString(key) {
		return Key{}, unknownKey()
	}
	if e, ok := r.cached(key); ok {
		return e.result()
	}
	if r.testHookMiss != nil {
		r.testHookMiss()
	}
	// The read is shared, so one caller's cancellation must not fail the
	// others: it runs detached, bounded by its own timeout, and each caller
	// stops waiting when its own context ends.
	ch := r.flights.DoChan(key, func() (any, error) {
		if e, ok := r.cached(key); ok {
			// A lookup finished between our miss and this flight.
			return e, nil
		}
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
		defer cancel()
		return r.lookup(lctx, key)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return Key{}, res.Err
		}
		return res.Val.(entry).result()
	case <-ctx.Done():
		return Key{}, ctx.Err()
	}
}

func (e entry) result() (Key, error) {
	if !e.found {
		return Key{}, unknownKey()
	}
	k := e.key
	// The cached entry is shared; callers may keep or change theirs.
	k.AllowedDomains = slices.Clone(k.AllowedDomains)
	k.FingerprintIgnore = slices.Clone(k.FingerprintIgnore)
	return k, nil
}

func (r *Resolver) cached(key string) (entry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.cache[key]
	if !ok || !r.now().Before(e.expires) {
		return entry{}, false
	}
	return e, true
}

// lookup reads the key and caches the answer. Database errors are not
// cached: the next request tries again.
func (r *Resolver) lookup(ctx context.Context, key string) (entry, error) {
	// The expiry counts from before the read, so an answer never outlives
	// TTL after the state it saw.
	e := entry{expires: r.now().Add(r.ttl)}
	// Nobody is signed in yet: finding out who is asking is the server's job.
	pk, err := r.client.PublicKey.Query().
		Where(publickey.Key(key)).
		WithProject().
		Only(viewer.SystemContext(ctx, "keys"))
	switch {
	case ent.IsNotFound(err):
	case err != nil:
		return entry{}, fmt.Errorf("resolve public key: %w", err)
	case pk.RevokedAt == nil && pk.Edges.Project != nil:
		p := pk.Edges.Project
		e.found = true
		e.key = Key{
			ID:                pk.ID,
			ProjectID:         p.ID,
			ProjectSlug:       p.Slug,
			AllowedDomains:    p.AllowedDomains,
			FingerprintIgnore: p.FingerprintIgnore,
		}
		if p.RateLimitPerMinute != nil {
			e.key.RateLimitPerMinute = *p.RateLimitPerMinute
		}
	}
	r.store(key, e)
	return e, nil
}

func (r *Resolver) store(key string, e entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.cache[key]; !ok && len(r.cache) >= r.maxEntries {
		now := r.now()
		for k, old := range r.cache {
			if !now.Before(old.expires) {
				delete(r.cache, k)
			}
		}
		// Still full of live entries: drop an eighth, at random (map order),
		// so that the next inserts do not each scan the whole cache. An
		// evicted key costs one more read, nothing else.
		for k := range r.cache {
			if len(r.cache) < r.maxEntries-r.maxEntries/8 {
				break
			}
			delete(r.cache, k)
		}
	}
	r.cache[key] = e
}

// Touch records that the key was used. It only touches memory; Flush (run
// by Run) writes the uses of all keys in one statement, because one write
// per ingest request would cost more than the ingest itself and make every
// request of a key contend on its row.
func (r *Resolver) Touch(keyID string) {
	r.touchMu.Lock()
	r.touched[keyID] = struct{}{}
	r.touchMu.Unlock()
}

// Flush sets lastUsedAt to now on every key touched since the last flush.
// When the write fails, the keys are kept for the next flush.
func (r *Resolver) Flush(ctx context.Context) error {
	r.touchMu.Lock()
	touched := r.touched
	r.touched = make(map[string]struct{})
	r.touchMu.Unlock()
	if len(touched) == 0 {
		return nil
	}
	ids := make([]string, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	now := r.now()
	sys := viewer.SystemContext(ctx, "keys")
	for batch := range slices.Chunk(ids, flushBatch) {
		err := r.client.PublicKey.Update().
			Where(publickey.IDIn(batch...)).
			SetLastUsedAt(now).
			Exec(sys)
		if err != nil {
			r.retouch(ids)
			return fmt.Errorf("flush public key use: %w", err)
		}
	}
	return nil
}

func (r *Resolver) retouch(ids []string) {
	r.touchMu.Lock()
	defer r.touchMu.Unlock()
	for _, id := range ids {
		r.touched[id] = struct{}{}
	}
}

// Run flushes every FlushInterval until ctx is done, then flushes once more
// so that uses since the last tick are not lost at shutdown.
func (r *Resolver) Run(ctx context.Context) {
	t := time.NewTicker(r.flushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := r.Flush(ctx); err != nil {
				r.log.WarnContext(ctx, "flush public key use", "error", err)
			}
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalFlushTimeout)
			defer cancel()
			if err := r.Flush(fctx); err != nil {
				r.log.ErrorContext(fctx, "final flush of public key use", "error", err)
			}
			return
		}
	}
}

// slugPattern is the project slug's shape (ent/schema/slug.go).
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ProjectDomains returns the allowed domains of the project with this slug,
// for CORS preflights, which carry no key. It is cached like keys, under a
// "slug:" entry that no key can collide with; an unknown slug has none.
//
// A project renamed since keeps answering for its old slug, which its keys
// and so the shipped apps' URLs still carry, as ingest accepts them.
func (r *Resolver) ProjectDomains(ctx context.Context, slug string) ([]string, error) {
	if len(slug) > 64 || !slugPattern.MatchString(slug) {
		return nil, nil
	}
	ck := "slug:" + slug
	if e, ok := r.cached(ck); ok {
		return slices.Clone(e.key.AllowedDomains), nil
	}
	e := entry{expires: r.now().Add(r.ttl)}
	sys := viewer.SystemContext(ctx, "keys")
	p, err := r.client.Project.Query().Where(project.Slug(slug)).Only(sys)
	if ent.IsNotFound(err) {
		p, err = r.client.Project.Query().
			Where(project.HasPublicKeysWith(publickey.KeyHasPrefix("pk_"+slug+"_"), publickey.RevokedAtIsNil())).
			First(sys)
	}
	switch {
	case ent.IsNotFound(err):
	case err != nil:
		return nil, fmt.Errorf("project domains: %w", err)
	default:
		e.found, e.key.AllowedDomains = true, p.AllowedDomains
	}
	r.store(ck, e)
	return slices.Clone(e.key.AllowedDomains), nil
}
