package projects_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/ent/publickey"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/projects"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var (
	keyPattern    = regexp.MustCompile(`^pk_([a-z0-9-]+)_[0-9a-f]{16}$`)
	secretPattern = regexp.MustCompile(`^whsec_[0-9a-f]{64}$`)
)

func adminCtx() context.Context {
	return viewer.NewContext(context.Background(), viewer.ForUser("usr_test"))
}

func ptr[T any](v T) *T { return &v }

// wantKind fails unless err is an *apperr.Error of kind, and returns it.
func wantKind(t *testing.T, err error, kind apperr.Kind) *apperr.Error {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Fatalf("error = %v, want an apperr of kind %s", err, kind.Code())
	}
	return e
}

func wantInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	e := wantKind(t, err, apperr.Invalid)
	if e.Fields[field] == "" {
		t.Fatalf("error = %v (fields %v), want a problem with %q", err, e.Fields, field)
	}
}

func keysOf(t *testing.T, db *database.DB, projectID string) []*ent.PublicKey {
	t.Helper()
	ctx := viewer.SystemContext(context.Background(), "test")
	keys, err := db.Client.PublicKey.Query().Where(publickey.ProjectID(projectID)).Order(publickey.ByCreatedAt(), publickey.ByID()).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestCreateDefaults(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		p, err := projects.New(db.Client).Create(ctx, projects.CreateInput{Name: "  My Shiny App  "})
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "My Shiny App" || p.Slug != "my-shiny-app" {
			t.Errorf("name, slug = %q, %q; want the trimmed name and my-shiny-app", p.Name, p.Slug)
		}
		if !slices.Equal(p.AllowedDomains, []string{"*"}) {
			t.Errorf("allowed domains = %q, want [*]", p.AllowedDomains)
		}
		if p.WebhookURL != nil || p.WebhookSecret != nil || p.WebhookFormat != enums.WebhookFormatGeneric {
			t.Errorf("webhook = %v, %v, %q; want none, no secret, generic", p.WebhookURL, p.WebhookSecret, p.WebhookFormat)
		}
		if p.RetentionDays != nil || p.RateLimitPerMinute != nil {
			t.Errorf("retention, rate limit = %v, %v; want the instance defaults (nil)", p.RetentionDays, p.RateLimitPerMinute)
		}
		// The returned project must be usable after Create's own transaction.
		keys, err := p.QueryPublicKeys().All(ctx)
		if err != nil {
			t.Fatalf("query keys of the returned project: %v", err)
		}
		if len(keys) != 1 {
			t.Fatalf("%d keys, want the first one", len(keys))
		}
		k := keys[0]
		if m := keyPattern.FindStringSubmatch(k.Key); m == nil || m[1] != "my-shiny-app" {
			t.Errorf("key = %q, want pk_my-shiny-app_ and 16 hex digits", k.Key)
		}
		if k.Name != projects.DefaultKeyName || k.RevokedAt != nil || k.LastUsedAt != nil {
			t.Errorf("key = %+v, want an unused, unrevoked key named Default", k)
		}
	})
}

func TestCreateAllFields(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		svc := projects.New(db.Client)
		p, err := svc.Create(ctx, projects.CreateInput{
			Name:               "Shop",
			Slug:               ptr("web-shop"),
			AllowedDomains:     []string{" Example.com ", "*.EXAMPLE.com", "example.com", "localhost:3000"},
			WebhookURL:         ptr(" https://hooks.example.com/oopsie?x=1 "),
			WebhookFormat:      ptr(enums.WebhookFormatSlack),
			RetentionDays:      ptr(36500),
			RateLimitPerMinute: ptr(1),
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Client.Project.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Slug != "web-shop" {
			t.Errorf("slug = %q, want web-shop", got.Slug)
		}
		if want := []string{"example.com", "*.example.com", "localhost:3000"}; !slices.Equal(got.AllowedDomains, want) {
			t.Errorf("allowed domains = %q, want %q", got.AllowedDomains, want)
		}
		if got.WebhookURL == nil || *got.WebhookURL != "https://hooks.example.com/oopsie?x=1" {
			t.Errorf("webhook URL = %v, want the trimmed URL", got.WebhookURL)
		}
		if got.WebhookSecret == nil || !secretPattern.MatchString(*got.WebhookSecret) {
			t.Errorf("webhook secret = %v, want whsec_ and 64 hex digits", got.WebhookSecret)
		}
		if got.WebhookFormat != enums.WebhookFormatSlack || *got.RetentionDays != 36500 || *got.RateLimitPerMinute != 1 {
			t.Errorf("format, retention, rate = %q, %d, %d", got.WebhookFormat, *got.RetentionDays, *got.RateLimitPerMinute)
		}
		if m := keyPattern.FindStringSubmatch(keysOf(t, db, p.ID)[0].Key); m == nil || m[1] != "web-shop" {
			t.Errorf("first key does not carry the explicit slug")
		}

		// An explicit empty list allows no browser origin, unlike nil.
		closed, err := svc.Create(ctx, projects.CreateInput{Name: "Closed", AllowedDomains: []string{}, WebhookURL: ptr("")})
		if err != nil {
			t.Fatal(err)
		}
		if closed.AllowedDomains == nil || len(closed.AllowedDomains) != 0 {
			t.Errorf("allowed domains = %#v, want an empty list", closed.AllowedDomains)
		}
		if closed.WebhookURL != nil || closed.WebhookSecret != nil {
			t.Errorf("an empty webhook URL set a webhook: %v, %v", closed.WebhookURL, closed.WebhookSecret)
		}
	})
}

func TestCreateSlugCollisions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		svc := projects.New(db.Client)
		create := func(in projects.CreateInput) (*ent.Project, error) { return svc.Create(ctx, in) }
		slugOf := func(in projects.CreateInput) string {
			t.Helper()
			p, err := create(in)
			if err != nil {
				t.Fatalf("create %+v: %v", in, err)
			}
			return p.Slug
		}
		var got []string
		got = append(got, slugOf(projects.CreateInput{Name: "My Apple"}))
		for range 3 {
			got = append(got, slugOf(projects.CreateInput{Name: "My App"}))
		}
		got = append(got, slugOf(projects.CreateInput{Name: "x", Slug: ptr("my-app-5")}))
		got = append(got, slugOf(projects.CreateInput{Name: "My app!"}))
		got = append(got, slugOf(projects.CreateInput{Name: "MY APP"}))
		want := []string{"my-apple", "my-app", "my-app-2", "my-app-3", "my-app-5", "my-app-4", "my-app-6"}
		if !slices.Equal(got, want) {
			t.Errorf("slugs = %q, want %q", got, want)
		}

		_, err := create(projects.CreateInput{Name: "Other", Slug: ptr("my-app-2")})
		if e := wantKind(t, err, apperr.Conflict); e.Message != "slug already in use" || e.Fields["slug"] == "" {
			t.Errorf("conflict = %+v, want the slug named", e)
		}
		if n := db.Client.Project.Query().Where(project.Name("Other")).CountX(ctx); n != 0 {
			t.Errorf("the conflicting project was stored")
		}
	})
}

// Concurrent creations under one name all succeed, each with its own slug,
// whichever of them loses a race for a slug.
func TestCreateConcurrentSameName(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		svc := projects.New(db.Client)
		const n = 8
		slugs := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				p, err := svc.Create(ctx, projects.CreateInput{Name: "Race"})
				if err == nil {
					slugs[i] = p.Slug
				}
				errs[i] = err
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("create: %v", err)
			}
		}
		slices.Sort(slugs)
		want := []string{"race"}
		for i := 2; i <= n; i++ {
			want = append(want, fmt.Sprintf("race-%d", i))
		}
		slices.Sort(want)
		if !slices.Equal(slugs, want) {
			t.Errorf("slugs = %q, want %q", slugs, want)
		}
		if got := db.Client.PublicKey.Query().CountX(ctx); got != n {
			t.Errorf("%d public keys, want one per project", got)
		}
	})
}

// GraphQL mutations run in a transaction in the context: Create must join
// it, so a rollback takes back the project and its key.
func TestCreateJoinsCallerTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		svc := projects.New(db.Client)
		if _, err := svc.Create(ctx, projects.CreateInput{Name: "Dup"}); err != nil {
			t.Fatal(err)
		}
		inTx := func(commit bool) *ent.Project {
			t.Helper()
			tx, err := db.Client.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			txCtx := ent.NewTxContext(ent.NewContext(ctx, tx.Client()), tx)
			_, err = svc.Create(txCtx, projects.CreateInput{Name: "Taken", Slug: ptr("dup")})
			wantKind(t, err, apperr.Conflict)
			p, err := svc.Create(txCtx, projects.CreateInput{Name: "Dup"})
			if err != nil {
				tx.Rollback()
				t.Fatal(err)
			}
			if commit {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		rolledBack := inTx(false)
		if rolledBack.Slug != "dup-2" {
			t.Errorf("slug in transaction = %q, want dup-2", rolledBack.Slug)
		}
		if _, err := db.Client.Project.Get(ctx, rolledBack.ID); !ent.IsNotFound(err) {
			t.Errorf("project after rollback: %v, want not found", err)
		}
		if keys := keysOf(t, db, rolledBack.ID); len(keys) != 0 {
			t.Errorf("%d keys after rollback, want none", len(keys))
		}
		committed := inTx(true)
		if committed.Slug != "dup-2" || len(keysOf(t, db, committed.ID)) != 1 {
			t.Errorf("committed project %q with %d keys, want dup-2 with one", committed.Slug, len(keysOf(t, db, committed.ID)))
		}
	})
}

// A creation that loses the race for its slug inside the caller's
// transaction takes the next slug, and the transaction stays usable. On
// PostgreSQL the insert waits on the other transaction's uncommitted row and
// then fails, which is the case a savepoint has to absorb.
func TestCreateLosesSlugRaceInCallerTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		svc := projects.New(db.Client)

		first, err := db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Create(ent.NewTxContext(ent.NewContext(ctx, first.Client()), first), projects.CreateInput{Name: "Race"}); err != nil {
			first.Rollback()
			t.Fatal(err)
		}

		type result struct {
			p   *ent.Project
			err error
		}
		done := make(chan result, 1)
		go func() {
			tx, err := db.Client.Tx(ctx) // on SQLite, waits for first to commit
			if err != nil {
				done <- result{err: err}
				return
			}
			p, err := svc.Create(ent.NewTxContext(ent.NewContext(ctx, tx.Client()), tx), projects.CreateInput{Name: "Race"})
			if err != nil {
				tx.Rollback()
				done <- result{err: err}
				return
			}
			done <- result{p: p, err: tx.Commit()}
		}()
		if db.Dialect == dialect.Postgres {
			waitForLockWaiter(t, db)
		}
		if err := first.Commit(); err != nil {
			t.Fatal(err)
		}
		r := <-done
		if r.err != nil {
			t.Fatalf("second create: %v", r.err)
		}
		if r.p.Slug != "race-2" {
			t.Errorf("slug = %q, want race-2", r.p.Slug)
		}
		if keys := keysOf(t, db, r.p.ID); len(keys) != 1 || !strings.HasPrefix(keys[0].Key, "pk_race-2_") {
			t.Errorf("keys of the second project = %v, want one pk_race-2_ key", keys)
		}
	})
}

// waitForLockWaiter waits until some session of the test database waits on a
// row lock, that is until the second insert is blocked on the first. It
// gives up quietly: the test stays correct, only less pointed.
func waitForLockWaiter(t *testing.T, db *database.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := db.SQL.QueryRowContext(context.Background(),
			"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Log("the second insert never waited on the first; the race path was not exercised")
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	tooManyDomains := make([]string, 51)
	for i := range tooManyDomains {
		tooManyDomains[i] = fmt.Sprintf("d%d.example.com", i)
	}
	tooManyPatterns := make([]string, 21)
	for i := range tooManyPatterns {
		tooManyPatterns[i] = fmt.Sprintf("vendor%d/%s", i, strings.Repeat("v", 190))
	}
	cases := []struct {
		field string
		in    projects.CreateInput
	}{
		{"name", projects.CreateInput{Name: ""}},
		{"name", projects.CreateInput{Name: "   "}},
		{"name", projects.CreateInput{Name: strings.Repeat("a", 101)}},
		{"name", projects.CreateInput{Name: "a\x00b"}},
		{"slug", projects.CreateInput{Name: "a", Slug: ptr("")}},
		{"slug", projects.CreateInput{Name: "a", Slug: ptr("My App")}},
		{"slug", projects.CreateInput{Name: "a", Slug: ptr("a--b")}},
		{"slug", projects.CreateInput{Name: "a", Slug: ptr("-a")}},
		{"slug", projects.CreateInput{Name: "a", Slug: ptr(strings.Repeat("a", 65))}},
		{"allowedDomains", projects.CreateInput{Name: "a", AllowedDomains: []string{"example.com", "https://x.com"}}},
		{"allowedDomains", projects.CreateInput{Name: "a", AllowedDomains: []string{""}}},
		{"allowedDomains", projects.CreateInput{Name: "a", AllowedDomains: tooManyDomains}},
		{"webhookUrl", projects.CreateInput{Name: "a", WebhookURL: ptr("ftp://hooks.example.com")}},
		{"webhookUrl", projects.CreateInput{Name: "a", WebhookURL: ptr("/hooks")}},
		{"webhookUrl", projects.CreateInput{Name: "a", WebhookURL: ptr("https://")}},
		{"webhookUrl", projects.CreateInput{Name: "a", WebhookURL: ptr("hooks.example.com")}},
		{"webhookUrl", projects.CreateInput{Name: "a", WebhookURL: ptr("https://user:pw@hooks.example.com")}},
		{"webhookUrl", projects.CreateInput{Name: "a", WebhookURL: ptr("https://hooks.example.com/a b")}},
		{"webhookUrl", projects.CreateInput{Name: "a", WebhookURL: ptr("https://hooks.example.com/" + strings.Repeat("a", 2049))}},
		{"webhookFormat", projects.CreateInput{Name: "a", WebhookFormat: ptr(enums.WebhookFormat("teams"))}},
		{"retentionDays", projects.CreateInput{Name: "a", RetentionDays: ptr(0)}},
		{"retentionDays", projects.CreateInput{Name: "a", RetentionDays: ptr(-1)}},
		{"retentionDays", projects.CreateInput{Name: "a", RetentionDays: ptr(36501)}},
		{"rateLimitPerMinute", projects.CreateInput{Name: "a", RateLimitPerMinute: ptr(0)}},
		{"rateLimitPerMinute", projects.CreateInput{Name: "a", RateLimitPerMinute: ptr(1_000_001)}},
		{"fingerprintIgnore", projects.CreateInput{Name: "a", FingerprintIgnore: []string{"vendor/", "  "}}},
		{"fingerprintIgnore", projects.CreateInput{Name: "a", FingerprintIgnore: []string{strings.Repeat("v", 201)}}},
		{"fingerprintIgnore", projects.CreateInput{Name: "a", FingerprintIgnore: []string{"\xff"}}},
		{"fingerprintIgnore", projects.CreateInput{Name: "a", FingerprintIgnore: tooManyPatterns}},
	}
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		svc := projects.New(db.Client)
		for _, tc := range cases {
			_, err := svc.Create(ctx, tc.in)
			wantInvalidField(t, err, tc.field)
		}
		if n := db.Client.Project.Query().CountX(ctx); n != 0 {
			t.Errorf("%d projects stored from invalid input", n)
		}
		// The limits themselves are accepted.
		_, err := svc.Create(ctx, projects.CreateInput{
			Name: strings.Repeat("a", 100), Slug: ptr(strings.Repeat("a", 64)),
			AllowedDomains: tooManyDomains[:50], WebhookURL: ptr("http://h.example/" + strings.Repeat("a", 2048-len("http://h.example/"))),
			RetentionDays: ptr(1), RateLimitPerMinute: ptr(1_000_000),
			// Duplicates, once trimmed, count once.
			FingerprintIgnore: append(tooManyPatterns[:20:20], " "+tooManyPatterns[0]+" "),
		})
		if err != nil {
			t.Errorf("create at the limits: %v", err)
		}
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		svc := projects.New(db.Client)
		p, err := svc.Create(ctx, projects.CreateInput{Name: "Blog", AllowedDomains: []string{"blog.example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := svc.Create(ctx, projects.CreateInput{Name: "Shop"})
		if err != nil {
			t.Fatal(err)
		}
		oldKey := keysOf(t, db, p.ID)[0].Key
		update := func(in projects.UpdateInput) *ent.Project {
			t.Helper()
			got, err := svc.Update(ctx, p.ID, in)
			if err != nil {
				t.Fatalf("update %+v: %v", in, err)
			}
			return got
		}

		got := update(projects.UpdateInput{Name: ptr(" Journal "), Slug: ptr("journal"), RetentionDays: ptr(7), RateLimitPerMinute: ptr(60)})
		if got.Name != "Journal" || got.Slug != "journal" || *got.RetentionDays != 7 || *got.RateLimitPerMinute != 60 {
			t.Errorf("after update: %+v", got)
		}
		if !slices.Equal(got.AllowedDomains, []string{"blog.example.com"}) {
			t.Errorf("nil allowed domains changed the list to %q", got.AllowedDomains)
		}
		if k := keysOf(t, db, p.ID)[0].Key; k != oldKey {
			t.Errorf("renaming the slug changed the key from %q to %q", oldKey, k)
		}
		if got := update(projects.UpdateInput{Slug: ptr("journal")}); got.Slug != "journal" {
			t.Errorf("keeping the slug gave %q", got.Slug)
		}
		if got := update(projects.UpdateInput{AllowedDomains: []string{"*.Example.com", "*.example.com"}}); !slices.Equal(got.AllowedDomains, []string{"*.example.com"}) {
			t.Errorf("allowed domains = %q", got.AllowedDomains)
		}
		if got := update(projects.UpdateInput{AllowedDomains: []string{}}); len(got.AllowedDomains) != 0 {
			t.Errorf("allowed domains = %q, want none", got.AllowedDomains)
		}

		// Webhook: the first URL brings a secret, which survives URL changes
		// and removal, and changes only when rotated.
		got = update(projects.UpdateInput{WebhookURL: ptr("https://a.example/hook"), WebhookFormat: ptr(enums.WebhookFormatDiscord)})
		if got.WebhookSecret == nil || !secretPattern.MatchString(*got.WebhookSecret) || got.WebhookFormat != enums.WebhookFormatDiscord {
			t.Fatalf("after setting a URL: secret %v, format %q", got.WebhookSecret, got.WebhookFormat)
		}
		secret := *got.WebhookSecret
		got = update(projects.UpdateInput{WebhookURL: ptr("https://b.example/hook")})
		if *got.WebhookURL != "https://b.example/hook" || *got.WebhookSecret != secret {
			t.Errorf("changing the URL: %v, secret changed: %v", *got.WebhookURL, *got.WebhookSecret != secret)
		}
		got = update(projects.UpdateInput{RotateWebhookSecret: ptr(true)})
		if *got.WebhookSecret == secret || !secretPattern.MatchString(*got.WebhookSecret) {
			t.Errorf("rotation gave %q (old %q)", *got.WebhookSecret, secret)
		}
		secret = *got.WebhookSecret
		if got = update(projects.UpdateInput{RotateWebhookSecret: ptr(false)}); *got.WebhookSecret != secret {
			t.Errorf("RotateWebhookSecret=false changed the secret")
		}
		got = update(projects.UpdateInput{WebhookURL: ptr("")})
		if got.WebhookURL != nil || got.WebhookSecret == nil || *got.WebhookSecret != secret {
			t.Errorf("clearing the URL: url %v, secret kept %v", got.WebhookURL, got.WebhookSecret != nil && *got.WebhookSecret == secret)
		}
		if got = update(projects.UpdateInput{WebhookURL: ptr("https://c.example/hook")}); *got.WebhookSecret != secret {
			t.Errorf("setting a URL again replaced the kept secret")
		}

		// Invalid input changes nothing.
		for field, in := range map[string]projects.UpdateInput{
			"name":               {Name: ptr(" "), RetentionDays: ptr(9)},
			"slug":               {Slug: ptr("Not A Slug")},
			"allowedDomains":     {AllowedDomains: []string{"*.*"}},
			"webhookUrl":         {WebhookURL: ptr("javascript:alert(1)")},
			"webhookFormat":      {WebhookFormat: ptr(enums.WebhookFormat("GENERIC"))},
			"retentionDays":      {RetentionDays: ptr(0)},
			"rateLimitPerMinute": {RateLimitPerMinute: ptr(0)},
		} {
			_, err := svc.Update(ctx, p.ID, in)
			wantInvalidField(t, err, field)
		}
		_, err = svc.Update(ctx, p.ID, projects.UpdateInput{Slug: ptr(other.Slug), Name: ptr("Clash")})
		wantKind(t, err, apperr.Conflict)
		after, err := db.Client.Project.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Name != "Journal" || after.Slug != "journal" || *after.RetentionDays != 7 || *after.RateLimitPerMinute != 60 {
			t.Errorf("rejected updates changed the project: %+v", after)
		}

		_, err = svc.Update(ctx, "prj_unknown", projects.UpdateInput{Name: ptr("x")})
		wantKind(t, err, apperr.NotFound)
	})
}

func TestDelete(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		svc := projects.New(db.Client)
		p, err := svc.Create(ctx, projects.CreateInput{Name: "Doomed"})
		if err != nil {
			t.Fatal(err)
		}
		kept, err := svc.Create(ctx, projects.CreateInput{Name: "Kept"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreatePublicKey(ctx, p.ID, "Second"); err != nil {
			t.Fatal(err)
		}
		sys := viewer.SystemContext(context.Background(), "test")
		now := time.Now()
		g := db.Client.CrashGroup.Create().SetProjectID(p.ID).SetFingerprint("f").SetErrorType("E").SetErrorMessage("m").
			SetFirstSeenAt(now).SetLastSeenAt(now).SaveX(sys)
		db.Client.CrashReport.Create().SetProjectID(p.ID).SetGroupID(g.ID).SetErrorType("E").SetErrorMessage("m").
			SetAppVersion("1").SetPlatform("web").SetFingerprint("f").ExecX(sys)

		if err := svc.Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Client.Project.Get(ctx, p.ID); !ent.IsNotFound(err) {
			t.Errorf("deleted project: %v, want not found", err)
		}
		if n := len(keysOf(t, db, p.ID)); n != 0 {
			t.Errorf("%d keys left after deleting their project", n)
		}
		if n := db.Client.CrashGroup.Query().Where(crashgroup.ProjectID(p.ID)).CountX(sys); n != 0 {
			t.Errorf("%d crash groups left after deleting their project", n)
		}
		if n := db.Client.CrashReport.Query().CountX(sys); n != 0 {
			t.Errorf("%d crash reports left after deleting their project", n)
		}
		if n := len(keysOf(t, db, kept.ID)); n != 1 {
			t.Errorf("the other project has %d keys, want its one", n)
		}
		wantKind(t, svc.Delete(ctx, p.ID), apperr.NotFound)
		wantKind(t, svc.Delete(ctx, "prj_unknown"), apperr.NotFound)
	})
}

func TestPublicKeys(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := adminCtx()
		svc := projects.New(db.Client)
		p, err := svc.Create(ctx, projects.CreateInput{Name: "Keys"})
		if err != nil {
			t.Fatal(err)
		}
		first := keysOf(t, db, p.ID)[0]
		if _, err := svc.Update(ctx, p.ID, projects.UpdateInput{Slug: ptr("renamed")}); err != nil {
			t.Fatal(err)
		}
		k, err := svc.CreatePublicKey(ctx, p.ID, "  Mobile  ")
		if err != nil {
			t.Fatal(err)
		}
		if m := keyPattern.FindStringSubmatch(k.Key); m == nil || m[1] != "renamed" || k.Name != "Mobile" || k.ProjectID != p.ID {
			t.Errorf("new key = %+v, want Mobile, pk_renamed_…", k)
		}
		_, err = svc.CreatePublicKey(ctx, p.ID, " ")
		wantInvalidField(t, err, "name")
		_, err = svc.CreatePublicKey(ctx, "prj_unknown", "x")
		wantKind(t, err, apperr.NotFound)

		revoked, err := svc.RevokePublicKey(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if revoked.RevokedAt == nil {
			t.Fatal("revoked key has no revokedAt")
		}
		again, err := svc.RevokePublicKey(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.RevokedAt == nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
			t.Errorf("revoking twice moved revokedAt from %v to %v", revoked.RevokedAt, again.RevokedAt)
		}
		if other, err := db.Client.PublicKey.Get(ctx, k.ID); err != nil || other.RevokedAt != nil {
			t.Errorf("revoking one key touched another: %v, %v", err, other)
		}
		_, err = svc.RevokePublicKey(ctx, "key_unknown")
		wantKind(t, err, apperr.NotFound)
	})
}

// The service leaves authorization to the privacy policies and lets their
// verdict through for the transports to map.
func TestServiceNeedsAnAdmin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		svc := projects.New(db.Client)
		p, err := svc.Create(adminCtx(), projects.CreateInput{Name: "Mine"})
		if err != nil {
			t.Fatal(err)
		}
		anon := context.Background()
		if _, err := svc.Create(anon, projects.CreateInput{Name: "x"}); !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous create: %v, want unauthenticated", err)
		}
		if err := svc.Delete(anon, p.ID); !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous delete: %v, want unauthenticated", err)
		}
		key := keysOf(t, db, p.ID)[0]
		asKey := viewer.NewContext(context.Background(), viewer.ForPublicKey(p.ID, key.ID))
		if _, err := svc.Update(asKey, p.ID, projects.UpdateInput{Name: ptr("hijacked")}); !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("public key update of its project: %v, want forbidden", err)
		}
		if _, err := svc.CreatePublicKey(asKey, p.ID, "more"); !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("public key creating a key: %v, want forbidden", err)
		}
		if _, err := svc.RevokePublicKey(asKey, key.ID); !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("public key revoking itself: %v, want forbidden", err)
		}
	})
}
