package feedback_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/ent/comment"
	entfeedback "github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/feedback"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// admin returns the context of a signed-in user, as the dashboard calls
// the triage methods.
func admin(t *testing.T, db *database.DB) context.Context {
	t.Helper()
	u, err := db.Client.User.Create().SetEmail("ada@example.com").SetName("Ada").SetPasswordHash("x").Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	return viewer.NewContext(context.Background(), viewer.ForUser(u.ID))
}

type item struct {
	category enums.FeedbackCategory
	status   enums.FeedbackStatus
	version  string
	message  string
}

// seed stores items in the project as the system, one minute apart from
// minute on, the first the oldest, and returns their ids in that order.
func seed(t *testing.T, db *database.DB, projectID string, minute int, items []item) []string {
	t.Helper()
	base := time.Date(2026, 3, 1, 12, minute, 0, 0, time.UTC)
	ids := make([]string, len(items))
	for i, it := range items {
		f, err := db.Client.Feedback.Create().
			SetProjectID(projectID).
			SetCategory(it.category).
			SetStatus(it.status).
			SetAppVersion(it.version).
			SetPlatform("web").
			SetMessage(it.message).
			SetCreatedAt(base.Add(time.Duration(i) * time.Minute)).
			Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = f.ID
	}
	return ids
}

func nodeIDs(conn *ent.FeedbackConnection) []string {
	ids := make([]string, len(conn.Edges))
	for i, e := range conn.Edges {
		ids[i] = e.Node.ID
	}
	return ids
}

func reversed(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

func wantKind(t *testing.T, err error, kind apperr.Kind) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Fatalf("error = %v, want an apperr of kind %s", err, kind.Code())
	}
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		a, b := newEnv(t, db, "app-a"), newEnv(t, db, "app-b")
		ctx := admin(t, db)
		ids := seed(t, db, a.project.ID, 0, []item{
			{enums.FeedbackCategoryBug, enums.FeedbackStatusOpen, "1.0.0", "Crash when saving"},
			{enums.FeedbackCategoryFeature, enums.FeedbackStatusOpen, "1.1.0", "Dark mode please"},
			{enums.FeedbackCategoryBug, enums.FeedbackStatusClosed, "1.1.0", "Typo on the about page"},
			{enums.FeedbackCategoryGeneral, enums.FeedbackStatusInProgress, "1.0.0", "Love the app"},
		})
		other := seed(t, db, b.project.ID, 10, []item{
			{enums.FeedbackCategoryBug, enums.FeedbackStatusOpen, "1.0.0", "Other project"},
		})
		svc := a.svc
		list := func(projectID *string, where *ent.FeedbackWhereInput) []string {
			t.Helper()
			conn, err := svc.List(ctx, projectID, nil, where, nil, nil, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if conn.TotalCount != len(conn.Edges) {
				t.Errorf("totalCount = %d for %d edges", conn.TotalCount, len(conn.Edges))
			}
			return nodeIDs(conn)
		}
		pa := a.project.ID
		status := func(s enums.FeedbackStatus) *enums.FeedbackStatus { return &s }
		category := func(c enums.FeedbackCategory) *enums.FeedbackCategory { return &c }
		version := func(v string) *string { return &v }
		for name, tt := range map[string]struct {
			project *string
			where   *ent.FeedbackWhereInput
			want    []string
		}{
			"everything, newest first": {nil, nil, append([]string{other[0]}, reversed(ids...)...)},
			"project":                  {&pa, nil, reversed(ids...)},
			"status":                   {&pa, &ent.FeedbackWhereInput{Status: status(enums.FeedbackStatusOpen)}, reversed(ids[0], ids[1])},
			"statuses":                 {&pa, &ent.FeedbackWhereInput{StatusIn: []enums.FeedbackStatus{enums.FeedbackStatusClosed, enums.FeedbackStatusInProgress}}, reversed(ids[2], ids[3])},
			"category":                 {&pa, &ent.FeedbackWhereInput{Category: category(enums.FeedbackCategoryBug)}, reversed(ids[0], ids[2])},
			"version":                  {&pa, &ent.FeedbackWhereInput{AppVersion: version("1.1.0")}, reversed(ids[1], ids[2])},
			"combined":                 {&pa, &ent.FeedbackWhereInput{Category: category(enums.FeedbackCategoryBug), AppVersion: version("1.0.0")}, []string{ids[0]}},
			"across projects":          {nil, &ent.FeedbackWhereInput{Category: category(enums.FeedbackCategoryBug), AppVersion: version("1.0.0")}, []string{other[0], ids[0]}},
			"empty where":              {&pa, &ent.FeedbackWhereInput{}, reversed(ids...)},
		} {
			if got := list(tt.project, tt.where); !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %v, want %v", name, got, tt.want)
			}
		}

		// An explicit order, and cursor pagination over it.
		two := 2
		asc := &ent.FeedbackOrder{Field: ent.FeedbackOrderFieldCreatedAt, Direction: entgql.OrderDirectionAsc}
		page, err := svc.List(ctx, &pa, nil, nil, asc, nil, &two, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := nodeIDs(page); !slices.Equal(got, ids[:2]) || !page.PageInfo.HasNextPage || page.TotalCount != 4 {
			t.Fatalf("first page = %v (next %v, total %d), want %v, more, 4", got, page.PageInfo.HasNextPage, page.TotalCount, ids[:2])
		}
		page, err = svc.List(ctx, &pa, nil, nil, asc, page.PageInfo.EndCursor, &two, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := nodeIDs(page); !slices.Equal(got, ids[2:]) || page.PageInfo.HasNextPage {
			t.Fatalf("second page = %v (next %v), want %v and no more", got, page.PageInfo.HasNextPage, ids[2:])
		}

		// Unbounded pages are refused; the default is bounded.
		tooMany := 101
		_, err = svc.List(ctx, &pa, nil, nil, nil, nil, &tooMany, nil, nil)
		wantKind(t, err, apperr.Invalid)

		// The lists are for the dashboard: an SDK's key sees nothing.
		if _, err := svc.List(a.ctx, &pa, nil, nil, nil, nil, nil, nil, nil); !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("public key error = %v, want forbidden", err)
		}
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		ctx := admin(t, db)
		ids := seed(t, db, e.project.ID, 0, []item{{enums.FeedbackCategoryBug, enums.FeedbackStatusOpen, "1.0.0", "Broken"}})
		id := ids[0]

		inProgress := enums.FeedbackStatusInProgress
		f, err := e.svc.Update(ctx, id, feedback.UpdateInput{Status: &inProgress})
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != inProgress || f.InternalNotes != "" {
			t.Errorf("after the status change: %+v", f)
		}
		notes := "Seen on Windows only.\nAsked for logs."
		if _, err := e.svc.Update(ctx, id, feedback.UpdateInput{InternalNotes: &notes}); err != nil {
			t.Fatal(err)
		}
		stored := db.Client.Feedback.GetX(sys, id)
		if stored.Status != inProgress || stored.InternalNotes != notes {
			t.Errorf("stored = %s / %q, want %s / %q: one change must not undo the other", stored.Status, stored.InternalNotes, inProgress, notes)
		}
		closed, long := enums.FeedbackStatusClosed, strings.Repeat("é", 5_000)
		if f, err = e.svc.Update(ctx, id, feedback.UpdateInput{Status: &closed, InternalNotes: &long}); err != nil {
			t.Fatalf("notes at the limit: %v", err)
		}
		if f.Status != closed || f.InternalNotes != long {
			t.Errorf("after both changes: %s / %d bytes of notes", f.Status, len(f.InternalNotes))
		}
		if f, err = e.svc.Update(ctx, id, feedback.UpdateInput{}); err != nil || f.ID != id || f.Status != closed {
			t.Errorf("empty update = %+v, %v, want the feedback unchanged", f, err)
		}

		tooLong, nul, bad := strings.Repeat("n", 10_001), "a\x00b", enums.FeedbackStatus("done")
		for _, in := range []feedback.UpdateInput{{InternalNotes: &tooLong}, {InternalNotes: &nul}, {Status: &bad}} {
			_, err := e.svc.Update(ctx, id, in)
			wantKind(t, err, apperr.Invalid)
		}
		if got := db.Client.Feedback.GetX(sys, id); got.Status != closed || got.InternalNotes != long {
			t.Errorf("a rejected update changed the feedback: %s", got.Status)
		}

		_, err = e.svc.Update(ctx, "fbk_unknown", feedback.UpdateInput{Status: &closed})
		wantKind(t, err, apperr.NotFound)
		_, err = e.svc.Update(ctx, "fbk_unknown", feedback.UpdateInput{})
		wantKind(t, err, apperr.NotFound)
		if _, err := e.svc.Update(e.ctx, id, feedback.UpdateInput{Status: &inProgress}); err == nil {
			t.Error("an SDK's key changed the feedback's status")
		}
	})
}

func TestDeleteRemovesRowsThenBlobs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		ctx := admin(t, db)
		in := e.input()
		in.Attachments = []attachments.Upload{{Filename: "a.png", Data: []byte("a")}, {Filename: "b.png", Data: []byte("b")}}
		id, err := e.svc.Ingest(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		keep, err := e.svc.Ingest(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		db.Client.Comment.Create().SetFeedbackID(id).SetBody("dup").ExecX(sys)

		if err := e.svc.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		want := []string{id + "/a.png", id + "/b.png"}
		if got := e.saver.deletedKeys(); !slices.Equal(sorted(got), want) {
			t.Errorf("deleted blobs = %v, want %v", got, want)
		}
		if ok := db.Client.Feedback.Query().Where(entfeedback.ID(id)).ExistX(sys); ok {
			t.Error("the feedback is still there")
		}
		if n := db.Client.Attachment.Query().Where(attachment.FeedbackID(id)).CountX(sys); n != 0 {
			t.Errorf("%d attachment rows left", n)
		}
		if n := db.Client.Comment.Query().Where(comment.FeedbackID(id)).CountX(sys); n != 0 {
			t.Errorf("%d comments left", n)
		}
		if n := db.Client.Attachment.Query().Where(attachment.FeedbackID(keep)).CountX(sys); n != 2 {
			t.Errorf("the other feedback has %d attachments, want its 2", n)
		}

		wantKind(t, e.svc.Delete(ctx, id), apperr.NotFound)
		if err := e.svc.Delete(e.ctx, keep); err == nil {
			t.Error("an SDK's key deleted feedback")
		}
		if got := e.saver.deletedKeys(); len(got) != 2 {
			t.Errorf("failed deletes removed blobs: %v", got)
		}
	})
}

// Inside the caller's transaction (a GraphQL mutation), the files go only
// when it commits, and not at all when it rolls back.
func TestDeleteInTheCallersTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		ctx := admin(t, db)
		in := e.input()
		in.Attachments = []attachments.Upload{{Filename: "a.png", Data: []byte("a")}}
		id, err := e.svc.Ingest(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		inTx := func() (*ent.Tx, context.Context) {
			tx, err := db.Client.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return tx, ent.NewTxContext(ent.NewContext(ctx, tx.Client()), tx)
		}

		tx, tctx := inTx()
		if err := e.svc.Delete(tctx, id); err != nil {
			t.Fatal(err)
		}
		if got := e.saver.deletedKeys(); len(got) != 0 {
			t.Fatalf("blobs %v deleted before the commit", got)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if got := e.saver.deletedKeys(); len(got) != 0 {
			t.Fatalf("blobs %v deleted although the transaction rolled back", got)
		}
		if !db.Client.Feedback.Query().Where(entfeedback.ID(id)).ExistX(sys) {
			t.Fatal("the rolled-back delete removed the feedback")
		}

		tx, tctx = inTx()
		if err := e.svc.Delete(tctx, id); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := e.saver.deletedKeys(); !slices.Equal(got, []string{id + "/a.png"}) {
			t.Errorf("deleted blobs after commit = %v", got)
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestListSearch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		a, b := newEnv(t, db, "app-a"), newEnv(t, db, "app-b")
		ctx := admin(t, db)
		ids := seed(t, db, a.project.ID, 0, []item{
			{enums.FeedbackCategoryBug, enums.FeedbackStatusOpen, "1.0.0", "The app crashes when saving a document"},
			{enums.FeedbackCategoryFeature, enums.FeedbackStatusOpen, "1.1.0", "Dark mode, please"},
			{enums.FeedbackCategoryBug, enums.FeedbackStatusClosed, "1.1.0", "Typo on the about page"},
			{enums.FeedbackCategoryGeneral, enums.FeedbackStatusInProgress, "1.0.0", "Love the app, saved me hours"},
		})
		other := seed(t, db, b.project.ID, 10, []item{
			{enums.FeedbackCategoryBug, enums.FeedbackStatusOpen, "1.0.0", "Saving fails in the other project"},
		})
		pa := a.project.ID
		bug := enums.FeedbackCategoryBug
		for _, tt := range []struct {
			search  string
			project *string
			where   *ent.FeedbackWhereInput
			want    []string
		}{
			{"saving", &pa, nil, reversed(ids[0], ids[3])}, // stems: saving, saved
			{"SAV", &pa, nil, reversed(ids[0], ids[3])},    // prefix, any case
			{"saving", nil, nil, []string{other[0], ids[3], ids[0]}},
			{"saving", &pa, &ent.FeedbackWhereInput{Category: &bug}, []string{ids[0]}},
			{`"dark mode"`, &pa, nil, []string{ids[1]}},
			{`"mode dark"`, &pa, nil, nil},
			{"dark OR typo", &pa, nil, reversed(ids[1], ids[2])},
			{"app -hours", &pa, nil, []string{ids[0]}},
			{"   ", &pa, nil, reversed(ids...)},
		} {
			s := tt.search
			conn, err := a.svc.List(ctx, tt.project, &s, tt.where, nil, nil, nil, nil, nil)
			if err != nil {
				t.Fatalf("search %q: %v", tt.search, err)
			}
			if got := nodeIDs(conn); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("search %q = %v, want %v", tt.search, got, tt.want)
			}
			if conn.TotalCount != len(tt.want) {
				t.Errorf("search %q: totalCount = %d, want %d", tt.search, conn.TotalCount, len(tt.want))
			}
		}
		for _, bad := range []string{"the", "-dark", strings.Repeat("word ", 500)} {
			_, err := a.svc.List(ctx, &pa, &bad, nil, nil, nil, nil, nil, nil)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Kind != apperr.Invalid || e.Fields["search"] == "" {
				t.Errorf("search %.20q: error = %v, want an invalid search", bad, err)
			}
		}
	})
}
