package projects_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// These tests exercise the privacy policies of ent/schema/policy.go, the one
// place authorization lives, directly on the ent client.

// world is one project's worth of rows of every entity, made as the system.
type world struct {
	project     *ent.Project
	key         *ent.PublicKey
	report      *ent.Report
	reportGroup *ent.ReportGroup
	feedback    *ent.Feedback
	crash       *ent.CrashReport
	crashGroup  *ent.CrashGroup
	attachment  *ent.Attachment
	comment     *ent.Comment
}

func newWorld(t *testing.T, c *ent.Client, slug string) world {
	t.Helper()
	ctx := viewer.SystemContext(context.Background(), "test")
	var (
		w   world
		err error
	)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w.project, err = c.Project.Create().SetName(slug).SetSlug(slug).Save(ctx)
	must(err)
	w.key, err = c.PublicKey.Create().SetProjectID(w.project.ID).SetName("Default").SetKey("pk_" + slug + "_0000000000000000").Save(ctx)
	must(err)
	w.reportGroup, err = reportGroupCreate(c, w.project.ID, "rg-"+slug).Save(ctx)
	must(err)
	w.report, err = reportCreate(c, w.project.ID).SetGroupID(w.reportGroup.ID).Save(ctx)
	must(err)
	w.feedback, err = feedbackCreate(c, w.project.ID).Save(ctx)
	must(err)
	w.crashGroup, err = crashGroupCreate(c, w.project.ID, "cg-"+slug).Save(ctx)
	must(err)
	w.crash, err = crashCreate(c, w.project.ID).SetGroupID(w.crashGroup.ID).Save(ctx)
	must(err)
	w.attachment, err = attachmentCreate(c, w.report.ID, "att-"+slug).Save(ctx)
	must(err)
	w.comment, err = c.Comment.Create().SetReportID(w.report.ID).SetBody("seen").Save(ctx)
	must(err)
	return w
}

func reportCreate(c *ent.Client, projectID string) *ent.ReportCreate {
	return c.Report.Create().SetProjectID(projectID).SetMessage("broken").
		SetCategory(enums.ReportCategoryUI).SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true)
}

func reportGroupCreate(c *ent.Client, projectID, fingerprint string) *ent.ReportGroupCreate {
	now := time.Now()
	return c.ReportGroup.Create().SetProjectID(projectID).SetFingerprint(fingerprint).SetFirstSeenAt(now).SetLastSeenAt(now)
}

func feedbackCreate(c *ent.Client, projectID string) *ent.FeedbackCreate {
	return c.Feedback.Create().SetProjectID(projectID).SetCategory(enums.FeedbackCategoryFeature).
		SetMessage("more please").SetAppVersion("1.0").SetPlatform("web")
}

func crashGroupCreate(c *ent.Client, projectID, fingerprint string) *ent.CrashGroupCreate {
	now := time.Now()
	return c.CrashGroup.Create().SetProjectID(projectID).SetFingerprint(fingerprint).SetErrorType("TypeError").
		SetErrorMessage("x is undefined").SetFirstSeenAt(now).SetLastSeenAt(now)
}

func crashCreate(c *ent.Client, projectID string) *ent.CrashReportCreate {
	return c.CrashReport.Create().SetProjectID(projectID).SetErrorType("TypeError").SetErrorMessage("x is undefined").
		SetAppVersion("1.0").SetPlatform("web").SetFingerprint("f")
}

func attachmentCreate(c *ent.Client, reportID, storageKey string) *ent.AttachmentCreate {
	return c.Attachment.Create().SetReportID(reportID).SetFilename("a.png").SetMimeType("image/png").
		SetSize(1).SetSha256("00").SetStorageKey(storageKey)
}

type privacyWorld struct {
	db       *database.DB
	a, b     world
	user     *ent.User
	token    *ent.APIToken
	settings *ent.Settings
}

func newPrivacyWorld(t *testing.T, db *database.DB) privacyWorld {
	t.Helper()
	ctx := viewer.SystemContext(context.Background(), "test")
	c := db.Client
	w := privacyWorld{db: db, a: newWorld(t, c, "alpha"), b: newWorld(t, c, "beta")}
	var err error
	if w.user, err = c.User.Create().SetEmail("admin@example.com").SetPasswordHash("x").Save(ctx); err != nil {
		t.Fatal(err)
	}
	if w.token, err = c.APIToken.Create().SetName("ci").SetTokenHash("h").SetTokenPrefix("uk_live_ab").Save(ctx); err != nil {
		t.Fatal(err)
	}
	if w.settings, err = c.Settings.Create().Save(ctx); err != nil {
		t.Fatal(err)
	}
	if err = c.RefreshToken.Create().SetUserID(w.user.ID).SetTokenHash("r").SetFamilyID("fam").
		SetExpiresAt(time.Now().Add(time.Hour)).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

type op struct {
	name string
	run  func(ctx context.Context) error
}

func ignore[T any](_ T, err error) error { return err }

// queries reads every entity type.
func (w privacyWorld) queries() []op {
	c := w.db.Client
	return []op{
		{"query projects", func(ctx context.Context) error { return ignore(c.Project.Query().All(ctx)) }},
		{"query public keys", func(ctx context.Context) error { return ignore(c.PublicKey.Query().All(ctx)) }},
		{"query users", func(ctx context.Context) error { return ignore(c.User.Query().All(ctx)) }},
		{"query refresh tokens", func(ctx context.Context) error { return ignore(c.RefreshToken.Query().All(ctx)) }},
		{"query reports", func(ctx context.Context) error { return ignore(c.Report.Query().All(ctx)) }},
		{"query report groups", func(ctx context.Context) error { return ignore(c.ReportGroup.Query().All(ctx)) }},
		{"query feedback", func(ctx context.Context) error { return ignore(c.Feedback.Query().All(ctx)) }},
		{"query crash reports", func(ctx context.Context) error { return ignore(c.CrashReport.Query().All(ctx)) }},
		{"query crash groups", func(ctx context.Context) error { return ignore(c.CrashGroup.Query().All(ctx)) }},
		{"query attachments", func(ctx context.Context) error { return ignore(c.Attachment.Query().All(ctx)) }},
		{"query comments", func(ctx context.Context) error { return ignore(c.Comment.Query().All(ctx)) }},
		{"query API tokens", func(ctx context.Context) error { return ignore(c.APIToken.Query().All(ctx)) }},
		{"query settings", func(ctx context.Context) error { return ignore(c.Settings.Query().All(ctx)) }},
		{"get project by id", func(ctx context.Context) error { return ignore(c.Project.Get(ctx, w.a.project.ID)) }},
		{"count reports", func(ctx context.Context) error { return ignore(c.Report.Query().Count(ctx)) }},
		{"report through its project", func(ctx context.Context) error { return ignore(c.Project.Query().QueryReports().All(ctx)) }},
	}
}

// creates makes a valid row of every entity type in project a.
func (w privacyWorld) creates() []op {
	c, a := w.db.Client, w.a
	return []op{
		{"create project", func(ctx context.Context) error { return c.Project.Create().SetName("n").SetSlug("new").Exec(ctx) }},
		{"create public key", func(ctx context.Context) error {
			return c.PublicKey.Create().SetProjectID(a.project.ID).SetName("k").SetKey("pk_alpha_1111111111111111").Exec(ctx)
		}},
		{"create user", func(ctx context.Context) error {
			return c.User.Create().SetEmail("new@example.com").SetPasswordHash("x").Exec(ctx)
		}},
		{"create refresh token", func(ctx context.Context) error {
			return c.RefreshToken.Create().SetUserID(w.user.ID).SetTokenHash("r2").SetFamilyID("f").SetExpiresAt(time.Now()).Exec(ctx)
		}},
		{"create report", func(ctx context.Context) error { return reportCreate(c, a.project.ID).Exec(ctx) }},
		{"create report group", func(ctx context.Context) error { return reportGroupCreate(c, a.project.ID, "new").Exec(ctx) }},
		{"create feedback", func(ctx context.Context) error { return feedbackCreate(c, a.project.ID).Exec(ctx) }},
		{"create crash report", func(ctx context.Context) error { return crashCreate(c, a.project.ID).Exec(ctx) }},
		{"create crash group", func(ctx context.Context) error { return crashGroupCreate(c, a.project.ID, "new").Exec(ctx) }},
		{"create attachment", func(ctx context.Context) error { return attachmentCreate(c, a.report.ID, "new").Exec(ctx) }},
		{"create comment", func(ctx context.Context) error {
			return c.Comment.Create().SetReportID(a.report.ID).SetBody("b").Exec(ctx)
		}},
		{"create API token", func(ctx context.Context) error {
			return c.APIToken.Create().SetName("t").SetTokenHash("h2").SetTokenPrefix("uk_live_cd").Exec(ctx)
		}},
		{"create settings", func(ctx context.Context) error { return c.Settings.Create().Exec(ctx) }},
	}
}

// changes updates, then deletes, rows of every entity type in project a;
// deletes come last because they cascade.
func (w privacyWorld) changes() []op {
	c, a := w.db.Client, w.a
	return []op{
		{"update project", func(ctx context.Context) error { return c.Project.UpdateOneID(a.project.ID).SetName("x").Exec(ctx) }},
		{"revoke public key", func(ctx context.Context) error {
			return c.PublicKey.UpdateOneID(a.key.ID).SetRevokedAt(time.Now()).Exec(ctx)
		}},
		{"update report", func(ctx context.Context) error {
			return c.Report.UpdateOneID(a.report.ID).SetStatus(enums.ReportStatusClosed).Exec(ctx)
		}},
		{"update feedback", func(ctx context.Context) error {
			return c.Feedback.UpdateOneID(a.feedback.ID).SetInternalNotes("x").Exec(ctx)
		}},
		{"update comment", func(ctx context.Context) error { return c.Comment.UpdateOneID(a.comment.ID).SetBody("x").Exec(ctx) }},
		{"update user", func(ctx context.Context) error { return c.User.UpdateOneID(w.user.ID).SetName("x").Exec(ctx) }},
		{"update API token", func(ctx context.Context) error { return c.APIToken.UpdateOneID(w.token.ID).SetName("x").Exec(ctx) }},
		{"update settings", func(ctx context.Context) error {
			return c.Settings.UpdateOneID(w.settings.ID).SetInstanceName("x").Exec(ctx)
		}},
		{"delete attachment", func(ctx context.Context) error { return c.Attachment.DeleteOneID(a.attachment.ID).Exec(ctx) }},
		{"delete crash report", func(ctx context.Context) error { return c.CrashReport.DeleteOneID(a.crash.ID).Exec(ctx) }},
		{"delete crash group", func(ctx context.Context) error { return c.CrashGroup.DeleteOneID(a.crashGroup.ID).Exec(ctx) }},
		{"delete crash groups", func(ctx context.Context) error { return ignore(c.CrashGroup.Delete().Exec(ctx)) }},
		{"delete report group", func(ctx context.Context) error { return c.ReportGroup.DeleteOneID(a.reportGroup.ID).Exec(ctx) }},
		{"delete reports", func(ctx context.Context) error { return ignore(c.Report.Delete().Exec(ctx)) }},
		{"delete project", func(ctx context.Context) error { return c.Project.DeleteOneID(a.project.ID).Exec(ctx) }},
	}
}

func TestPrivacyAnonymousGetsNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		w := newPrivacyWorld(t, db)
		anon := context.Background()
		ops := slices.Concat(w.queries(), w.creates(), w.changes())
		for _, o := range ops {
			if err := o.run(anon); !errors.Is(err, viewer.ErrUnauthenticated) {
				t.Errorf("anonymous %s: %v, want %v", o.name, err, viewer.ErrUnauthenticated)
			}
		}
		// A viewer in the context that is the zero value is anonymous too.
		zero := viewer.NewContext(context.Background(), viewer.Viewer{})
		if _, err := db.Client.Project.Query().All(zero); !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("zero viewer: %v, want unauthenticated", err)
		}
		// Nothing changed: the system still sees both projects and the user.
		sys := viewer.SystemContext(context.Background(), "test")
		if n := db.Client.Project.Query().CountX(sys); n != 2 {
			t.Errorf("%d projects after anonymous writes, want 2", n)
		}
		if n := db.Client.User.Query().CountX(sys); n != 1 {
			t.Errorf("%d users after anonymous writes, want 1", n)
		}
	})
}

func TestPrivacyAdminsGetEverything(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		w := newPrivacyWorld(t, db)
		admins := []viewer.Viewer{viewer.ForUser("usr_x"), viewer.ForAPIToken(w.token.ID), viewer.ForSystem("test")}
		for _, v := range admins {
			ctx := viewer.NewContext(context.Background(), v)
			for _, o := range w.queries() {
				if err := o.run(ctx); err != nil {
					t.Errorf("%s as %s: %v", o.name, v.Kind, err)
				}
			}
		}
		// Writes once, as a user: they are not all repeatable.
		ctx := viewer.NewContext(context.Background(), viewer.ForUser("usr_x"))
		for _, o := range slices.Concat(w.creates(), w.changes()) {
			if err := o.run(ctx); err != nil {
				t.Errorf("%s as a user: %v", o.name, err)
			}
		}
	})
}

func TestPrivacyPublicKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		w := newPrivacyWorld(t, db)
		c, a, b := db.Client, w.a, w.b
		pk := viewer.NewContext(context.Background(), viewer.ForPublicKey(a.project.ID, a.key.ID))
		sys := viewer.SystemContext(context.Background(), "test")

		// Creates what SDKs send, in its own project…
		own := []op{
			{"report", func(ctx context.Context) error {
				return reportCreate(c, a.project.ID).SetPublicKeyID(a.key.ID).Exec(ctx)
			}},
			{"feedback", func(ctx context.Context) error { return feedbackCreate(c, a.project.ID).Exec(ctx) }},
			{"crash report", func(ctx context.Context) error { return crashCreate(c, a.project.ID).Exec(ctx) }},
			{"crash group", func(ctx context.Context) error { return crashGroupCreate(c, a.project.ID, "pk-new").Exec(ctx) }},
			{"report group", func(ctx context.Context) error { return reportGroupCreate(c, a.project.ID, "pk-new").Exec(ctx) }},
			{"attachment", func(ctx context.Context) error { return attachmentCreate(c, a.report.ID, "pk-new").Exec(ctx) }},
		}
		for _, o := range own {
			if err := o.run(pk); err != nil {
				t.Errorf("public key creating a %s in its project: %v", o.name, err)
			}
		}
		// …and nowhere else.
		other := []op{
			{"report", func(ctx context.Context) error { return reportCreate(c, b.project.ID).Exec(ctx) }},
			{"feedback", func(ctx context.Context) error { return feedbackCreate(c, b.project.ID).Exec(ctx) }},
			{"crash report", func(ctx context.Context) error { return crashCreate(c, b.project.ID).Exec(ctx) }},
			{"crash group", func(ctx context.Context) error { return crashGroupCreate(c, b.project.ID, "pk-other").Exec(ctx) }},
			{"report group", func(ctx context.Context) error { return reportGroupCreate(c, b.project.ID, "pk-other").Exec(ctx) }},
			// An attachment has no project of its own: its item's decides.
			{"attachment on another project's report", func(ctx context.Context) error {
				return attachmentCreate(c, b.report.ID, "pk-other-report").Exec(ctx)
			}},
			{"attachment on another project's feedback", func(ctx context.Context) error {
				return c.Attachment.Create().SetFeedbackID(b.feedback.ID).SetFilename("a.txt").SetMimeType("text/plain").
					SetSize(1).SetSha256("x").SetStorageKey("pk-other-feedback").Exec(ctx)
			}},
			{"attachment on another project's crash", func(ctx context.Context) error {
				return c.Attachment.Create().SetCrashReportID(b.crash.ID).SetFilename("a.txt").SetMimeType("text/plain").
					SetSize(1).SetSha256("x").SetStorageKey("pk-other-crash").Exec(ctx)
			}},
			{"attachment on nothing", func(ctx context.Context) error {
				return c.Attachment.Create().SetFilename("a.txt").SetMimeType("text/plain").
					SetSize(1).SetSha256("x").SetStorageKey("pk-orphan").Exec(ctx)
			}},
		}
		for _, o := range other {
			if err := o.run(pk); !errors.Is(err, viewer.ErrForbidden) {
				t.Errorf("public key creating a %s in another project: %v, want %v", o.name, err, viewer.ErrForbidden)
			}
		}
		if n := c.Report.Query().CountX(sys); n != 3 {
			t.Errorf("%d reports, want the 2 seeded and the public key's one", n)
		}

		// Reads its own project, keys and groups only.
		projects, err := c.Project.Query().All(pk)
		if err != nil || len(projects) != 1 || projects[0].ID != a.project.ID {
			t.Errorf("projects seen by the key: %v, %v; want only its own", projects, err)
		}
		if _, err := c.Project.Get(pk, b.project.ID); !ent.IsNotFound(err) {
			t.Errorf("public key getting another project: %v, want not found", err)
		}
		keys, err := c.PublicKey.Query().All(pk)
		if err != nil || len(keys) != 1 || keys[0].ID != a.key.ID {
			t.Errorf("keys seen by the key: %v, %v; want only its project's", keys, err)
		}
		groups, err := c.CrashGroup.Query().All(pk)
		if err != nil || len(groups) != 2 {
			t.Fatalf("crash groups seen by the key: %d, %v; want its project's 2", len(groups), err)
		}
		for _, g := range groups {
			if g.ProjectID != a.project.ID {
				t.Errorf("public key sees crash group %s of project %s", g.ID, g.ProjectID)
			}
		}
		if n, err := c.ReportGroup.Query().Where(reportgroup.ProjectID(b.project.ID)).Count(pk); err != nil || n != 0 {
			t.Errorf("report groups of another project seen by the key: %d, %v; want 0", n, err)
		}
		// Through an edge, the filter still applies.
		if n, err := c.Project.Query().QueryCrashGroups().Count(pk); err != nil || n != 2 {
			t.Errorf("crash groups through projects: %d, %v; want 2", n, err)
		}

		// Reads nothing else.
		for _, o := range w.queries() {
			switch o.name {
			case "query projects", "query public keys", "query crash groups", "query report groups", "get project by id":
				continue
			}
			if err := o.run(pk); !errors.Is(err, viewer.ErrForbidden) {
				t.Errorf("public key: %s: %v, want %v", o.name, err, viewer.ErrForbidden)
			}
		}

		// Counts into its own project's groups…
		n, err := c.CrashGroup.Update().Where(crashgroup.ID(a.crashGroup.ID)).AddOccurrenceCount(1).SetLastSeenAt(time.Now()).Save(pk)
		if err != nil || n != 1 {
			t.Errorf("public key counting into its group: %d rows, %v; want 1", n, err)
		}
		if err := c.CrashGroup.UpdateOneID(a.crashGroup.ID).AddOccurrenceCount(1).Exec(pk); err != nil {
			t.Errorf("public key counting into its group by id: %v", err)
		}
		if err := c.ReportGroup.UpdateOneID(a.reportGroup.ID).AddReportCount(1).Exec(pk); err != nil {
			t.Errorf("public key counting into its report group: %v", err)
		}
		// …while an update of another project's group matches no row.
		n, err = c.CrashGroup.Update().Where(crashgroup.ID(b.crashGroup.ID)).AddOccurrenceCount(1).Save(pk)
		if err != nil || n != 0 {
			t.Errorf("public key updating another project's group: %d rows, %v; want 0", n, err)
		}
		n, err = c.CrashGroup.Update().AddOccurrenceCount(100).Save(pk)
		if err != nil || n != 2 {
			t.Errorf("public key updating all groups: %d rows, %v; want its project's 2", n, err)
		}
		if err := c.CrashGroup.UpdateOneID(b.crashGroup.ID).AddOccurrenceCount(1).Exec(pk); !ent.IsNotFound(err) {
			t.Errorf("public key updating another project's group by id: %v, want not found", err)
		}
		if got := c.CrashGroup.GetX(sys, a.crashGroup.ID).OccurrenceCount; got != 102 {
			t.Errorf("own group counted %d, want 102", got)
		}
		if got := c.CrashGroup.GetX(sys, b.crashGroup.ID).OccurrenceCount; got != 0 {
			t.Errorf("other project's group counted %d, want 0", got)
		}

		// Never deletes or changes anything else.
		for _, o := range w.changes() {
			if err := o.run(pk); !errors.Is(err, viewer.ErrForbidden) {
				t.Errorf("public key: %s: %v, want %v", o.name, err, viewer.ErrForbidden)
			}
		}
		for _, o := range w.creates() {
			switch o.name {
			case "create report", "create report group", "create feedback", "create crash report", "create crash group", "create attachment":
				continue
			}
			if err := o.run(pk); !errors.Is(err, viewer.ErrForbidden) {
				t.Errorf("public key: %s: %v, want %v", o.name, err, viewer.ErrForbidden)
			}
		}
		if n := c.CrashGroup.Query().CountX(sys); n != 3 {
			t.Errorf("%d crash groups left, want all 3", n)
		}
		if got := c.Project.GetX(sys, a.project.ID); got.Name != "alpha" {
			t.Errorf("public key renamed its project to %q", got.Name)
		}
		if got := c.PublicKey.GetX(sys, a.key.ID); got.RevokedAt != nil {
			t.Errorf("public key changed its own key")
		}
	})
}
