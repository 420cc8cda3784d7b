package reports_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/ent/comment"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/reportchange"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

const (
	chromeUA  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
	firefoxUA = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
)

// admin creates a user and returns it with the context it acts in.
func admin(t *testing.T, db *database.DB, email string) (*ent.User, context.Context) {
	t.Helper()
	u, err := db.Client.User.Create().SetEmail(email).SetName(email).SetPasswordHash("x").Save(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	return u, viewer.NewContext(context.Background(), viewer.ForUser(u.ID))
}

func ptr[T any](v T) *T { return &v }

func connIDs(c *ent.ReportConnection) []string {
	ids := make([]string, 0, len(c.Edges))
	for _, e := range c.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind, field string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Errorf("%s: error = %v, want an apperr of kind %v", what, err, kind)
		return
	}
	if field != "" {
		if _, ok := e.Fields[field]; !ok {
			t.Errorf("%s: error fields = %v, want %q", what, e.Fields, field)
		}
	}
}

// triageFixture is a project with four reports made a minute apart, oldest
// first, and another project with one.
type triageFixture struct {
	svc     *reports.Service
	tn      tenant
	ids     []string // oldest first
	otherID string
}

func newTriageFixture(t *testing.T, db *database.DB) triageFixture {
	t.Helper()
	clk := &clock{t: t0}
	svc := reports.New(db.Client, nil, nil, clk.now)
	tn := newTenant(t, db, "shop")
	other := newTenant(t, db, "blog")
	f := triageFixture{svc: svc, tn: tn}
	for i, r := range []struct{ message, url, ua, consoleError string }{
		{"The checkout button does nothing", "https://shop.example/cart", chromeUA, "TypeError: pay is undefined"},
		{"Login page is slow", "https://shop.example/login", firefoxUA, ""},
		{"Buttons are misaligned on the settings page", "https://shop.example/settings", chromeUA, ""},
		{"Checkout again: the button is dead", "https://shop.example/cart", chromeUA, "TypeError: pay is undefined"},
	} {
		clk.set(t0.Add(time.Duration(i) * time.Minute))
		in := tn.input()
		in.Message, in.PageURL = r.message, r.url
		in.DeviceInfo = json.RawMessage(`{"userAgent":` + string(mustJSON(t, r.ua)) + `}`)
		if r.consoleError != "" {
			in = withError(in, r.url, r.consoleError)
		}
		f.ids = append(f.ids, ingest(t, svc, tn.ctx, in).ID)
	}
	clk.set(t0.Add(time.Hour))
	in := other.input()
	in.Message = "Comments do not load"
	f.otherID = ingest(t, svc, other.ctx, in).ID
	return f
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestListFiltersSearchesOrdersAndPages(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newTriageFixture(t, db)
		_, ctx := admin(t, db, "ada@example.com")
		shop := &f.tn.projectID
		list := func(name string, projectID, search *string, where *ent.ReportWhereInput, order *ent.ReportOrder, want ...string) {
			t.Helper()
			conn, err := f.svc.List(ctx, projectID, search, where, order, nil, ptr(10), nil, nil)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			if got := connIDs(conn); !slices.Equal(got, want) {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
			if conn.TotalCount != len(want) {
				t.Errorf("%s: totalCount = %d, want %d", name, conn.TotalCount, len(want))
			}
		}
		a, b, c, d := f.ids[0], f.ids[1], f.ids[2], f.ids[3]

		list("newest first", shop, nil, nil, nil, d, c, b, a)
		list("every project", nil, nil, nil, nil, f.otherID, d, c, b, a)
		list("oldest first", shop, nil, nil, &ent.ReportOrder{Direction: entgql.OrderDirectionAsc, Field: ent.ReportOrderFieldCreatedAt}, a, b, c, d)
		list("search", shop, ptr("checkout"), nil, nil, d, a)
		list("search by stem and prefix", shop, ptr("buttons"), nil, nil, d, c, a)
		list("search console errors", shop, ptr("typeerror -dead"), nil, nil, a)
		list("blank search", shop, ptr("  "), nil, nil, d, c, b, a)
		list("browser", shop, nil, &ent.ReportWhereInput{Browser: ptr("Firefox")}, nil, b)
		list("os", shop, nil, &ent.ReportWhereInput{Os: ptr("Windows")}, nil, d, c, a)
		list("date range", shop, nil, &ent.ReportWhereInput{CreatedAtGTE: ptr(t0.Add(time.Minute)), CreatedAtLTE: ptr(t0.Add(2 * time.Minute))}, nil, c, b)
		list("search and where", shop, ptr("button"), &ent.ReportWhereInput{Browser: ptr("Chrome"), CreatedAtLT: ptr(t0.Add(2 * time.Minute))}, nil, a)
		pageURL := &ent.ReportWhereInput{}
		pageURL.AddPredicates(report.PageURLContains("/cart"))
		list("page URL (as the where resolver adds it)", shop, nil, pageURL, nil, d, a)

		if _, err := f.svc.Update(ctx, b, reports.Change{Status: ptr(enums.ReportStatusResolved)}); err != nil {
			t.Fatal(err)
		}
		list("status", shop, nil, &ent.ReportWhereInput{Status: ptr(enums.ReportStatusResolved)}, nil, b)
		list("status in", shop, nil, &ent.ReportWhereInput{StatusIn: []enums.ReportStatus{enums.ReportStatusNew}}, nil, d, c, a)

		// Pages follow on from the cursor, both ways.
		page1, err := f.svc.List(ctx, shop, nil, nil, nil, nil, ptr(3), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := connIDs(page1); !slices.Equal(got, []string{d, c, b}) || !page1.PageInfo.HasNextPage || page1.TotalCount != 4 {
			t.Errorf("first page = %v (next %v, total %d), want [d c b], a next page, 4 in all", got, page1.PageInfo.HasNextPage, page1.TotalCount)
		}
		page2, err := f.svc.List(ctx, shop, nil, nil, nil, page1.PageInfo.EndCursor, ptr(3), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := connIDs(page2); !slices.Equal(got, []string{a}) || page2.PageInfo.HasNextPage {
			t.Errorf("second page = %v (next %v), want [a] and no next page", got, page2.PageInfo.HasNextPage)
		}
		back, err := f.svc.List(ctx, shop, nil, nil, nil, nil, nil, page2.PageInfo.StartCursor, ptr(2))
		if err != nil {
			t.Fatal(err)
		}
		if got := connIDs(back); !slices.Equal(got, []string{c, b}) {
			t.Errorf("page before a = %v, want [c b]", got)
		}
	})
}

func TestListRefusesBadInput(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newTriageFixture(t, db)
		_, ctx := admin(t, db, "ada@example.com")
		_, err := f.svc.List(ctx, nil, ptr("-checkout"), nil, nil, nil, ptr(10), nil, nil)
		wantKind(t, "a search of exclusions only", err, apperr.Invalid, "search")
		_, err = f.svc.List(ctx, nil, nil, &ent.ReportWhereInput{Not: &ent.ReportWhereInput{}}, nil, nil, ptr(10), nil, nil)
		wantKind(t, "an empty nested where", err, apperr.Invalid, "where")

		// Only admins list reports: an SDK's key may not read them.
		_, err = f.svc.List(f.tn.ctx, &f.tn.projectID, nil, nil, nil, nil, ptr(10), nil, nil)
		if !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("listing as a public key: error = %v, want forbidden", err)
		}
	})
}

func TestGroupsBusiestFirst(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newTriageFixture(t, db)
		_, ctx := admin(t, db, "ada@example.com")
		conn, err := f.svc.Groups(ctx, &f.tn.projectID, nil, nil, ptr(10), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var counts []int
		for _, e := range conn.Edges {
			if e.Node.ProjectID != f.tn.projectID {
				t.Errorf("group %s of project %s listed for %s", e.Node.ID, e.Node.ProjectID, f.tn.projectID)
			}
			counts = append(counts, e.Node.ReportCount)
		}
		// The two checkout reports share a page and a first error.
		if !slices.Equal(counts, []int{2, 1, 1}) || conn.TotalCount != 3 {
			t.Errorf("report counts = %v (total %d), want [2 1 1]", counts, conn.TotalCount)
		}

		asc := &ent.ReportGroupOrder{Direction: entgql.OrderDirectionAsc, Field: ent.ReportGroupOrderFieldReportCount}
		conn, err = f.svc.Groups(ctx, nil, asc, nil, ptr(10), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(conn.Edges); n != 4 || conn.Edges[n-1].Node.ReportCount != 2 {
			t.Errorf("all groups, fewest first: %d groups, last with %d reports; want 4, the last with 2", n, conn.Edges[n-1].Node.ReportCount)
		}
	})
}

func changesOf(t *testing.T, db *database.DB, reportID string) []*ent.ReportChange {
	t.Helper()
	cs, err := db.Client.ReportChange.Query().
		Where(reportchange.ReportID(reportID)).
		Order(ent.Asc(reportchange.FieldCreatedAt), ent.Asc(reportchange.FieldID)).
		All(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

type changeRow struct {
	field    reportchange.Field
	from, to string
	actor    string
}

func rows(cs []*ent.ReportChange) []changeRow {
	var out []changeRow
	for _, c := range cs {
		r := changeRow{field: c.Field, from: c.FromValue, to: c.ToValue}
		if c.ActorID != nil {
			r.actor = *c.ActorID
		}
		out = append(out, r)
	}
	return out
}

func TestUpdateRecordsEachChange(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newTriageFixture(t, db)
		ada, ctx := admin(t, db, "ada@example.com")
		bob, _ := admin(t, db, "bob@example.com")
		id := f.ids[0]

		r, err := f.svc.Update(ctx, id, reports.Change{Status: ptr(enums.ReportStatusInProgress), SetAssignee: true, AssigneeID: &bob.ID})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != enums.ReportStatusInProgress || r.AssigneeID == nil || *r.AssigneeID != bob.ID {
			t.Errorf("updated report: status %s, assignee %v; want in_progress, %s", r.Status, r.AssigneeID, bob.ID)
		}
		// The returned report resolves its edges after the transaction.
		if a, err := r.QueryAssignee().Only(ctx); err != nil || a.ID != bob.ID {
			t.Errorf("assignee edge = %v, %v; want bob", a, err)
		}

		// Every transition is allowed, including backwards; unchanged
		// fields are not recorded.
		if _, err := f.svc.Update(ctx, id, reports.Change{Status: ptr(enums.ReportStatusInProgress), SetAssignee: true, AssigneeID: &bob.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(ctx, id, reports.Change{Status: ptr(enums.ReportStatusClosed)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(ctx, id, reports.Change{Status: ptr(enums.ReportStatusNew)}); err != nil {
			t.Fatal(err)
		}
		// An integration's token is recorded as nobody.
		tokenCtx := viewer.NewContext(context.Background(), viewer.ForAPIToken("tok_1"))
		r, err = f.svc.Update(tokenCtx, id, reports.Change{SetAssignee: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.AssigneeID != nil {
			t.Errorf("assignee after unassigning = %s, want none", *r.AssigneeID)
		}

		want := []changeRow{
			{reportchange.FieldStatus, "new", "in_progress", ada.ID},
			{reportchange.FieldAssignee, "", bob.ID, ada.ID},
			{reportchange.FieldStatus, "in_progress", "closed", ada.ID},
			{reportchange.FieldStatus, "closed", "new", ada.ID},
			{reportchange.FieldAssignee, bob.ID, "", ""},
		}
		if got := rows(changesOf(t, db, id)); !slices.Equal(got, want) {
			t.Errorf("changes =\n%v\nwant\n%v", got, want)
		}
	})
}

func TestUpdateRefusesAndChangesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newTriageFixture(t, db)
		_, ctx := admin(t, db, "ada@example.com")
		id := f.ids[0]

		_, err := f.svc.Update(ctx, "rep_unknown", reports.Change{Status: ptr(enums.ReportStatusClosed)})
		wantKind(t, "unknown report", err, apperr.NotFound, "")
		_, err = f.svc.Update(ctx, id, reports.Change{Status: ptr(enums.ReportStatusClosed), SetAssignee: true, AssigneeID: ptr("usr_unknown")})
		wantKind(t, "unknown assignee", err, apperr.Invalid, "assigneeId")
		_, err = f.svc.Update(ctx, id, reports.Change{SetAssignee: true, AssigneeID: ptr("")})
		wantKind(t, "empty assignee id", err, apperr.Invalid, "assigneeId")
		_, err = f.svc.Update(ctx, id, reports.Change{Status: ptr(enums.ReportStatus("done"))})
		wantKind(t, "unknown status", err, apperr.Invalid, "status")

		r, err := db.Client.Report.Get(sysCtx(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != enums.ReportStatusNew || r.AssigneeID != nil {
			t.Errorf("after refused updates: status %s, assignee %v; want unchanged", r.Status, r.AssigneeID)
		}
		if cs := changesOf(t, db, id); len(cs) != 0 {
			t.Errorf("refused updates recorded %d changes", len(cs))
		}
		if _, err := f.svc.Update(f.tn.ctx, id, reports.Change{Status: ptr(enums.ReportStatusClosed)}); !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("update as a public key: error = %v, want forbidden", err)
		}
	})
}

// A GraphQL mutation runs in a transaction of its own, in ctx: the update
// is part of it and goes if it rolls back.
func TestUpdateJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newTriageFixture(t, db)
		_, ctx := admin(t, db, "ada@example.com")
		tx, err := db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		txCtx := ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client())
		if _, err := f.svc.Update(txCtx, f.ids[0], reports.Change{Status: ptr(enums.ReportStatusClosed)}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		r, err := db.Client.Report.Get(sysCtx(), f.ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != enums.ReportStatusNew || len(changesOf(t, db, f.ids[0])) != 0 {
			t.Errorf("after rollback: status %s with %d changes, want new and none", r.Status, len(changesOf(t, db, f.ids[0])))
		}
	})
}

// attachmentKeys returns the storage keys of a report's attachments.
func attachmentKeys(t *testing.T, db *database.DB, reportID string) []string {
	t.Helper()
	keys, err := db.Client.Attachment.Query().Where(attachment.ReportID(reportID)).
		Select(attachment.FieldStorageKey).Strings(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

func TestDeleteRemovesTheReportAndItsFiles(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "shop")
		files := &fakeSaver{}
		svc := reports.New(db.Client, files, nil, fixedNow)
		ada, ctx := admin(t, db, "ada@example.com")
		in := withError(tn.input(), "https://app.test/cart", "boom")
		first := ingest(t, svc, tn.ctx, withFiles(in))
		second := ingest(t, svc, tn.ctx, in)
		keys := attachmentKeys(t, db, first.ID)
		if len(keys) != 2 {
			t.Fatalf("%d attachments stored, want 2", len(keys))
		}
		if _, err := svc.Update(ctx, first.ID, reports.Change{Status: ptr(enums.ReportStatusClosed)}); err != nil {
			t.Fatal(err)
		}
		db.Client.Comment.Create().SetReportID(first.ID).SetAuthorID(ada.ID).SetBody("seen").ExecX(sysCtx())

		if err := svc.Delete(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.Client.Report.Query().Where(report.ID(first.ID)).Exist(sysCtx()); err != nil || ok {
			t.Errorf("report still there (%v)", err)
		}
		for what, n := range map[string]int{
			"attachments": db.Client.Attachment.Query().Where(attachment.ReportID(first.ID)).CountX(sysCtx()),
			"comments":    db.Client.Comment.Query().Where(comment.ReportID(first.ID)).CountX(sysCtx()),
			"changes":     db.Client.ReportChange.Query().Where(reportchange.ReportID(first.ID)).CountX(sysCtx()),
		} {
			if n != 0 {
				t.Errorf("%d %s left of the deleted report", n, what)
			}
		}
		got := files.deletedKeys()
		slices.Sort(got)
		if !slices.Equal(got, keys) {
			t.Errorf("blobs deleted = %v, want %v", got, keys)
		}
		// The group counts what is left, and goes with its last report.
		if g := group(t, db, second.GroupID); g.ReportCount != 1 {
			t.Errorf("group counts %d reports after a delete, want 1", g.ReportCount)
		}
		if err := svc.Delete(tn.ctx, second.ID); !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("delete as a public key: error = %v, want forbidden", err)
		}
		if err := svc.Delete(ctx, second.ID); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.Client.ReportGroup.Query().Where(reportgroup.ID(second.GroupID)).Exist(sysCtx()); err != nil || ok {
			t.Errorf("a group without reports is kept (%v)", err)
		}
		if got := files.deletedKeys(); len(got) != 2 {
			t.Errorf("deleting a report without files deleted blobs: %v", got)
		}

		err := svc.Delete(ctx, first.ID)
		wantKind(t, "deleting twice", err, apperr.NotFound, "")
	})
}

// In the caller's transaction, the files are deleted only once it commits:
// a rollback keeps the report and so must keep its files.
func TestDeleteDeletesFilesOnlyAfterCommit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		tn := newTenant(t, db, "shop")
		files := &fakeSaver{}
		svc := reports.New(db.Client, files, nil, fixedNow)
		_, ctx := admin(t, db, "ada@example.com")
		res := ingest(t, svc, tn.ctx, withFiles(tn.input()))
		keys := attachmentKeys(t, db, res.ID)

		inTx := func(end func(*ent.Tx) error) {
			t.Helper()
			tx, err := db.Client.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Delete(ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client()), res.ID); err != nil {
				t.Fatal(err)
			}
			if got := files.deletedKeys(); len(got) != 0 {
				t.Errorf("blobs deleted before the transaction ended: %v", got)
			}
			if err := end(tx); err != nil {
				t.Fatal(err)
			}
		}

		inTx((*ent.Tx).Rollback)
		if got := files.deletedKeys(); len(got) != 0 {
			t.Errorf("blobs deleted after a rollback: %v", got)
		}
		if got := attachmentKeys(t, db, res.ID); !slices.Equal(got, keys) {
			t.Errorf("attachments after a rollback = %v, want %v", got, keys)
		}

		inTx((*ent.Tx).Commit)
		got := files.deletedKeys()
		slices.Sort(got)
		if !slices.Equal(got, keys) {
			t.Errorf("blobs deleted after commit = %v, want %v", got, keys)
		}
	})
}

// Concurrent changes of one report each record the value they replaced:
// every assignee is replaced at most once, and the changes form one chain
// from nobody to the final assignee.
func TestConcurrentUpdatesRecordTrueFromValues(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newTriageFixture(t, db)
		_, ctx := admin(t, db, "ada@example.com")
		id := f.ids[0]
		var users []string
		for i := range 8 {
			u, _ := admin(t, db, fmt.Sprintf("user%d@example.com", i))
			users = append(users, u.ID)
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(users))
		for _, u := range users {
			wg.Go(func() {
				_, err := f.svc.Update(ctx, id, reports.Change{SetAssignee: true, AssigneeID: &u})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}

		next := map[string]string{}
		for _, c := range changesOf(t, db, id) {
			if _, dup := next[c.FromValue]; dup {
				t.Fatalf("two changes replaced %q: a lost update", c.FromValue)
			}
			next[c.FromValue] = c.ToValue
		}
		r, err := db.Client.Report.Get(sysCtx(), id)
		if err != nil {
			t.Fatal(err)
		}
		at, steps := "", 0
		for ; steps <= len(users); steps++ {
			to, ok := next[at]
			if !ok {
				break
			}
			at = to
		}
		if steps != len(users) || r.AssigneeID == nil || at != *r.AssigneeID {
			t.Errorf("chain of %d changes ends at %q, want %d ending at the assignee %v", steps, at, len(users), r.AssigneeID)
		}
	})
}
