package comments_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/comment"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/comments"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var sys = viewer.SystemContext(context.Background(), "test")

type fixture struct {
	db                          *database.DB
	user                        *ent.User
	admin                       context.Context
	project                     *ent.Project
	reportID, groupID, feedback string
}

func setup(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	c := db.Client
	u := c.User.Create().SetEmail("ada@example.com").SetName("Ada").SetPasswordHash("x").SaveX(sys)
	p := c.Project.Create().SetName("Shop").SetSlug("shop").SaveX(sys)
	r := c.Report.Create().SetProjectID(p.ID).SetMessage("Broken").SetCategory(enums.ReportCategoryUI).
		SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true).SaveX(sys)
	now := time.Now()
	g := c.CrashGroup.Create().SetProjectID(p.ID).SetFingerprint("fp").SetErrorType("TypeError").
		SetErrorMessage("x is undefined").SetFirstSeenAt(now).SetLastSeenAt(now).SaveX(sys)
	f := c.Feedback.Create().SetProjectID(p.ID).SetCategory(enums.FeedbackCategoryBug).SetMessage("Hi").
		SetAppVersion("1.0.0").SetPlatform("web").SaveX(sys)
	return &fixture{
		db: db, user: u, project: p,
		admin:    viewer.NewContext(context.Background(), viewer.ForUser(u.ID)),
		reportID: r.ID, groupID: g.ID, feedback: f.ID,
	}
}

func ptr(s string) *string { return &s }

func wantKind(t *testing.T, err error, kind apperr.Kind, field string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Fatalf("error = %v, want an apperr of kind %v", err, kind.Code())
	}
	if field != "" && e.Fields[field] == "" {
		t.Fatalf("error = %v (fields %v), want a problem with %q", err, e.Fields, field)
	}
}

func TestAddOnEachSubject(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := setup(t, db)
		svc := comments.New(db.Client)
		for _, in := range []comments.AddInput{
			{Body: "  Reproduced on staging.\n", ReportID: &f.reportID},
			{Body: "Fixed in 1.2", CrashGroupID: &f.groupID},
			{Body: "Good idea", FeedbackID: &f.feedback},
		} {
			cm, err := svc.Add(f.admin, in)
			if err != nil {
				t.Fatalf("add %+v: %v", in, err)
			}
			got := db.Client.Comment.GetX(sys, cm.ID)
			if got.AuthorID == nil || *got.AuthorID != f.user.ID {
				t.Errorf("author = %v, want %s", got.AuthorID, f.user.ID)
			}
			if got.Body != strings.TrimSpace(in.Body) {
				t.Errorf("body = %q, want the trimmed %q", got.Body, in.Body)
			}
			if !eq(got.ReportID, in.ReportID) || !eq(got.CrashGroupID, in.CrashGroupID) || !eq(got.FeedbackID, in.FeedbackID) {
				t.Errorf("subject = %v/%v/%v, want %v/%v/%v", got.ReportID, got.CrashGroupID, got.FeedbackID,
					in.ReportID, in.CrashGroupID, in.FeedbackID)
			}
		}
		if n := db.Client.Report.GetX(sys, f.reportID).QueryComments().CountX(sys); n != 1 {
			t.Errorf("the report has %d comments, want 1", n)
		}

		// An integration's token comments without an author.
		tok := viewer.NewContext(context.Background(), viewer.ForAPIToken("tok_1"))
		cm, err := svc.Add(tok, comments.AddInput{Body: "From CI", ReportID: &f.reportID})
		if err != nil {
			t.Fatal(err)
		}
		if got := db.Client.Comment.GetX(sys, cm.ID); got.AuthorID != nil {
			t.Errorf("token comment author = %v, want none", *got.AuthorID)
		}
	})
}

func eq(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func TestAddRejects(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := setup(t, db)
		svc := comments.New(db.Client)
		tests := []struct {
			in    comments.AddInput
			kind  apperr.Kind
			field string
		}{
			{comments.AddInput{Body: "no subject"}, apperr.Invalid, "reportId"},
			{comments.AddInput{Body: "two", ReportID: &f.reportID, FeedbackID: &f.feedback}, apperr.Invalid, "feedbackId"},
			{comments.AddInput{Body: " \n ", ReportID: &f.reportID}, apperr.Invalid, "body"},
			{comments.AddInput{Body: strings.Repeat("b", 10_001), ReportID: &f.reportID}, apperr.Invalid, "body"},
			{comments.AddInput{Body: "nul\x00", ReportID: &f.reportID}, apperr.Invalid, "body"},
			{comments.AddInput{Body: "bad \xff", ReportID: &f.reportID}, apperr.Invalid, "body"},
			{comments.AddInput{Body: "ghost", ReportID: ptr("rep_nope")}, apperr.NotFound, "reportId"},
			{comments.AddInput{Body: "ghost", CrashGroupID: ptr("grp_nope")}, apperr.NotFound, "crashGroupId"},
			{comments.AddInput{Body: "ghost", FeedbackID: ptr("fbk_nope")}, apperr.NotFound, "feedbackId"},
			// A crash group's id is not a report's.
			{comments.AddInput{Body: "wrong kind", ReportID: &f.groupID}, apperr.NotFound, "reportId"},
		}
		for _, tt := range tests {
			_, err := svc.Add(f.admin, tt.in)
			wantKind(t, err, tt.kind, tt.field)
		}

		// Nobody, and an SDK's key, may not comment.
		if _, err := svc.Add(context.Background(), comments.AddInput{Body: "anon", ReportID: &f.reportID}); !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous error = %v, want unauthenticated", err)
		}
		key := viewer.NewContext(context.Background(), viewer.ForPublicKey(f.project.ID, "key_1"))
		if _, err := svc.Add(key, comments.AddInput{Body: "sdk", ReportID: &f.reportID}); !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("public key error = %v, want forbidden", err)
		}
		if n := db.Client.Comment.Query().CountX(sys); n != 0 {
			t.Errorf("%d comments stored, want none", n)
		}

		// The limit itself passes, on both databases.
		if _, err := svc.Add(f.admin, comments.AddInput{Body: strings.Repeat("é", 5_000), ReportID: &f.reportID}); err != nil {
			t.Fatalf("a body at the limit: %v", err)
		}
		if n := db.Client.Comment.Query().Where(comment.ReportID(f.reportID)).CountX(sys); n != 1 {
			t.Errorf("%d comments stored, want 1", n)
		}
	})
}

// A comment made inside the caller's transaction (as a GraphQL mutation
// runs) rolls back with it.
func TestAddUsesTheCallersTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := setup(t, db)
		svc := comments.New(db.Client)
		tx, err := db.Client.Tx(f.admin)
		if err != nil {
			t.Fatal(err)
		}
		ctx := ent.NewTxContext(ent.NewContext(f.admin, tx.Client()), tx)
		if _, err := svc.Add(ctx, comments.AddInput{Body: "draft", ReportID: &f.reportID}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if n := db.Client.Comment.Query().CountX(sys); n != 0 {
			t.Errorf("%d comments survived the rollback, want none", n)
		}
	})
}
