package crashes_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/predicate"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// admin returns the context of a signed-in user, as the dashboard calls
// the triage methods, and the user.
func admin(t *testing.T, db *database.DB, email string) (context.Context, *ent.User) {
	t.Helper()
	u, err := db.Client.User.Create().SetEmail(email).SetPasswordHash("x").Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	return viewer.NewContext(context.Background(), viewer.ForUser(u.ID)), u
}

// groupSpec is a crash group made directly, so each sort key can be told
// apart from the others.
type groupSpec struct {
	name                  string // the fingerprint, to find it by
	occurrences, users    int
	firstSeen, lastSeen   time.Time
	versions, platforms   []string
	status                enums.CrashGroupStatus
	resolvedInVersion     *string
	resolvedAt            *time.Time
	assigneeID, projectID string
}

func makeGroup(t *testing.T, db *database.DB, g groupSpec) *ent.CrashGroup {
	t.Helper()
	if g.status == "" {
		g.status = enums.CrashGroupStatusNew
	}
	if g.versions == nil {
		g.versions = []string{"1.0.0"}
	}
	if g.platforms == nil {
		g.platforms = []string{"web"}
	}
	c := db.Client.CrashGroup.Create().
		SetProjectID(g.projectID).
		SetFingerprint(g.name).
		SetErrorType("Error").
		SetErrorMessage(g.name).
		SetOccurrenceCount(g.occurrences).
		SetAffectedUsers(g.users).
		SetFirstSeenAt(g.firstSeen).
		SetLastSeenAt(g.lastSeen).
		SetAffectedVersions(g.versions).
		SetAffectedPlatforms(g.platforms).
		SetStatus(g.status).
		SetNillableResolvedInVersion(g.resolvedInVersion).
		SetNillableResolvedAt(g.resolvedAt)
	if g.assigneeID != "" {
		c.SetAssigneeID(g.assigneeID)
	}
	out, err := c.Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func names(conn *ent.CrashGroupConnection) []string {
	out := make([]string, len(conn.Edges))
	for i, e := range conn.Edges {
		out[i] = e.Node.Fingerprint
	}
	return out
}

// groupsFixture is four groups of one project, whose sort keys all order
// them differently, and one of another project.
func groupsFixture(t *testing.T, db *database.DB, projectID, otherProjectID string) {
	t.Helper()
	day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
	for _, g := range []groupSpec{
		{name: "a", occurrences: 30, users: 1, firstSeen: day(4), lastSeen: day(5),
			versions: []string{"1.2.0", "1.3.0"}, platforms: []string{"darwin-aarch64"}},
		{name: "b", occurrences: 10, users: 40, firstSeen: day(1), lastSeen: day(9),
			versions: []string{"1.2.0"}, platforms: []string{"linux-x86_64", "windows-x86_64"}, status: enums.CrashGroupStatusResolved},
		{name: "c", occurrences: 20, users: 3, firstSeen: day(3), lastSeen: day(3),
			versions: []string{"1.2.0-beta.1"}, platforms: []string{"windows-x86_64"}, status: enums.CrashGroupStatusResolved},
		{name: "d", occurrences: 40, users: 2, firstSeen: day(2), lastSeen: day(7),
			versions: []string{"1.3.0"}, platforms: []string{"windows"}},
		{name: "other", occurrences: 99, users: 99, firstSeen: day(1), lastSeen: day(10),
			versions: []string{"1.2.0"}, platforms: []string{"windows-x86_64"}, projectID: otherProjectID},
	} {
		if g.projectID == "" {
			g.projectID = projectID
		}
		makeGroup(t, db, g)
	}
}

func TestGroupsFiltersAndScopes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e, other := newEnv(t, db, "app"), newEnv(t, db, "other")
		ctx, _ := admin(t, db, "admin@example.com")
		groupsFixture(t, db, e.projectID, other.projectID)

		where := func(ps ...predicate.CrashGroup) *ent.CrashGroupWhereInput {
			w := &ent.CrashGroupWhereInput{}
			w.AddPredicates(ps...)
			return w
		}
		resolved := enums.CrashGroupStatusResolved
		tests := []struct {
			name      string
			projectID *string
			where     *ent.CrashGroupWhereInput
			want      []string
		}{
			{"all projects", nil, nil, []string{"other", "b", "d", "a", "c"}},
			{"one project", &e.projectID, nil, []string{"b", "d", "a", "c"}},
			{"status", &e.projectID, &ent.CrashGroupWhereInput{Status: &resolved}, []string{"b", "c"}},
			// A version matches whole entries only: not "1.2.0-beta.1", not "1.2".
			{"version", &e.projectID, where(crashes.SeenInVersion("1.2.0")), []string{"b", "a"}},
			{"version, trimmed", &e.projectID, where(crashes.SeenInVersion(" 1.3.0 ")), []string{"d", "a"}},
			{"version prefix", &e.projectID, where(crashes.SeenInVersion("1.2")), []string{}},
			{"pre-release version", &e.projectID, where(crashes.SeenInVersion("1.2.0-beta.1")), []string{"c"}},
			{"platform", &e.projectID, where(crashes.SeenOnPlatform("windows-x86_64")), []string{"b", "c"}},
			{"platform, all projects", nil, where(crashes.SeenOnPlatform("windows-x86_64")), []string{"other", "b", "c"}},
			{"platform of a group alone", &e.projectID, where(crashes.SeenOnPlatform("windows")), []string{"d"}},
			{"quotes are data", &e.projectID, where(crashes.SeenOnPlatform(`windows"]`)), []string{}},
			{"version and platform", &e.projectID, where(crashes.SeenInVersion("1.2.0"), crashes.SeenOnPlatform("darwin-aarch64")), []string{"a"}},
			{"status and version", &e.projectID, func() *ent.CrashGroupWhereInput {
				w := where(crashes.SeenInVersion("1.2.0"))
				w.Status = &resolved
				return w
			}(), []string{"b"}},
		}
		for _, tt := range tests {
			conn, err := e.svc.Groups(ctx, tt.projectID, tt.where, nil, nil, nil, nil, nil)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got := names(conn); !slices.Equal(got, tt.want) {
				t.Errorf("%s: groups = %v, want %v", tt.name, got, tt.want)
			}
		}

		_, err := e.svc.Groups(context.Background(), &e.projectID, nil, nil, nil, nil, nil, nil)
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous error = %v, want unauthenticated", err)
		}
	})
}

func TestGroupsSortAndPaginate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e, other := newEnv(t, db, "app"), newEnv(t, db, "other")
		ctx, _ := admin(t, db, "admin@example.com")
		groupsFixture(t, db, e.projectID, other.projectID)

		order := func(f *ent.CrashGroupOrderField, d entgql.OrderDirection) *ent.CrashGroupOrder {
			return &ent.CrashGroupOrder{Field: f, Direction: d}
		}
		tests := []struct {
			name  string
			order *ent.CrashGroupOrder
			want  []string
		}{
			{"default: last seen, newest first", nil, []string{"b", "d", "a", "c"}},
			{"occurrences", order(ent.CrashGroupOrderFieldOccurrenceCount, entgql.OrderDirectionDesc), []string{"d", "a", "c", "b"}},
			{"occurrences ascending", order(ent.CrashGroupOrderFieldOccurrenceCount, entgql.OrderDirectionAsc), []string{"b", "c", "a", "d"}},
			{"last seen ascending", order(ent.CrashGroupOrderFieldLastSeenAt, entgql.OrderDirectionAsc), []string{"c", "a", "d", "b"}},
			{"first seen", order(ent.CrashGroupOrderFieldFirstSeenAt, entgql.OrderDirectionDesc), []string{"a", "c", "d", "b"}},
			{"affected users", order(ent.CrashGroupOrderFieldAffectedUsers, entgql.OrderDirectionDesc), []string{"b", "c", "d", "a"}},
		}
		for _, tt := range tests {
			conn, err := e.svc.Groups(ctx, &e.projectID, nil, tt.order, nil, nil, nil, nil)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got := names(conn); !slices.Equal(got, tt.want) {
				t.Errorf("%s: groups = %v, want %v", tt.name, got, tt.want)
			}

			// The same order, two at a time, forwards and backwards.
			two := 2
			page1, err := e.svc.Groups(ctx, &e.projectID, nil, tt.order, nil, &two, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			page2, err := e.svc.Groups(ctx, &e.projectID, nil, tt.order, page1.PageInfo.EndCursor, &two, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := append(names(page1), names(page2)...); !slices.Equal(got, tt.want) ||
				!page1.PageInfo.HasNextPage || page2.PageInfo.HasNextPage || page1.TotalCount != 4 {
				t.Errorf("%s: pages = %v (next %v, %v; total %d), want %v", tt.name, got,
					page1.PageInfo.HasNextPage, page2.PageInfo.HasNextPage, page1.TotalCount, tt.want)
			}
			back, err := e.svc.Groups(ctx, &e.projectID, nil, tt.order, nil, nil, page2.PageInfo.StartCursor, &two)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(back); !slices.Equal(got, tt.want[:2]) {
				t.Errorf("%s: page before the second = %v, want %v", tt.name, got, tt.want[:2])
			}
		}
	})
}

func TestUpdateGroupResolveAndReopen(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		ctx, _ := admin(t, db, "admin@example.com")
		id := e.ingest(t, e.input()).GroupID // crashed in 1.2.0
		resolved, investigating := enums.CrashGroupStatusResolved, enums.CrashGroupStatusInvestigating

		update := func(c crashes.GroupChange) *ent.CrashGroup {
			t.Helper()
			g, err := e.svc.UpdateGroup(ctx, id, c)
			if err != nil {
				t.Fatalf("update %+v: %v", c, err)
			}
			if stored := e.group(t, id); stored.Status != g.Status || !equalTimes(stored.ResolvedAt, g.ResolvedAt) ||
				!equalStrings(stored.ResolvedInVersion, g.ResolvedInVersion) || stored.ResolutionNotes != g.ResolutionNotes {
				t.Fatalf("returned group %+v differs from the stored one %+v", g, stored)
			}
			return g
		}

		g := update(crashes.GroupChange{Status: &resolved, ResolvedInVersion: ptr(" 1.3.0 "), ResolutionNotes: ptr("fixed the cart")})
		resolvedAt := g.ResolvedAt
		if g.Status != resolved || resolvedAt == nil || !equalStrings(g.ResolvedInVersion, ptr("1.3.0")) ||
			g.ResolutionNotes != "fixed the cart" || !g.UpdatedAt.Equal(*resolvedAt) {
			t.Fatalf("resolved group = %+v, want resolved now in 1.3.0 with the notes", g)
		}

		// Resolving again, say to edit the notes, keeps when and in which version.
		g = update(crashes.GroupChange{Status: &resolved, ResolutionNotes: ptr("fixed the cart for real")})
		if !equalTimes(g.ResolvedAt, resolvedAt) || !equalStrings(g.ResolvedInVersion, ptr("1.3.0")) ||
			g.ResolutionNotes != "fixed the cart for real" || !g.UpdatedAt.After(*resolvedAt) {
			t.Errorf("re-resolved group = %+v, want resolved at %v in 1.3.0 still", g, resolvedAt)
		}

		// An older client still crashing does not reopen it; 1.4.0 does.
		in := e.input()
		in.AppVersion = "1.3.0"
		if e.ingest(t, in).Regressed {
			t.Error("a crash in the fixed version regressed the group")
		}
		in.AppVersion = "1.4.0"
		if !e.ingest(t, in).Regressed {
			t.Error("a crash in a version after the fix did not regress the group")
		}

		// Moving away from resolved clears when, keeps which fix failed.
		g = update(crashes.GroupChange{Status: &investigating})
		if g.Status != investigating || g.ResolvedAt != nil || !equalStrings(g.ResolvedInVersion, ptr("1.3.0")) {
			t.Errorf("investigating group = %+v, want no resolvedAt, version 1.3.0 kept", g)
		}

		// A new resolution without a version drops the old one: any crash
		// reopens it now.
		g = update(crashes.GroupChange{Status: &resolved})
		if g.ResolvedAt == nil || !g.ResolvedAt.After(*resolvedAt) || g.ResolvedInVersion != nil {
			t.Errorf("resolved again = %+v, want a new resolvedAt and no version", g)
		}
		in.AppVersion = "0.1.0"
		if !e.ingest(t, in).Regressed {
			t.Error("a crash after a resolution without version did not regress the group")
		}

		// A version can be given later, and removed, while resolved.
		update(crashes.GroupChange{Status: &resolved})
		g = update(crashes.GroupChange{ResolvedInVersion: ptr("2.0.0")})
		if g.Status != resolved || !equalStrings(g.ResolvedInVersion, ptr("2.0.0")) {
			t.Errorf("group = %+v, want resolved in 2.0.0", g)
		}
		g = update(crashes.GroupChange{ResolvedInVersion: ptr("")})
		if g.Status != resolved || g.ResolvedInVersion != nil || g.ResolvedAt == nil {
			t.Errorf("group = %+v, want resolved without a version", g)
		}

		// Notes can be emptied; nothing else moves.
		before := e.group(t, id)
		g = update(crashes.GroupChange{ResolutionNotes: ptr("")})
		if g.ResolutionNotes != "" || g.Status != before.Status || !equalTimes(g.ResolvedAt, before.ResolvedAt) {
			t.Errorf("group = %+v, want only the notes emptied from %+v", g, before)
		}

		// Any status may follow any other.
		for _, st := range []enums.CrashGroupStatus{enums.CrashGroupStatusIgnored, enums.CrashGroupStatusNew, enums.CrashGroupStatusRegressed, resolved} {
			if g := update(crashes.GroupChange{Status: &st}); g.Status != st || (g.ResolvedAt != nil) != (st == resolved) {
				t.Errorf("group = %+v, want status %s with resolvedAt only when resolved", g, st)
			}
		}
	})
}

func TestUpdateGroupAssignee(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		ctx, me := admin(t, db, "admin@example.com")
		_, teammate := admin(t, db, "teammate@example.com")
		id := e.ingest(t, e.input()).GroupID

		g, err := e.svc.UpdateGroup(ctx, id, crashes.GroupChange{SetAssignee: true, AssigneeID: &teammate.ID})
		if err != nil {
			t.Fatal(err)
		}
		if g.AssigneeID == nil || *g.AssigneeID != teammate.ID {
			t.Fatalf("assignee = %v, want %s", g.AssigneeID, teammate.ID)
		}
		// The returned group is usable after the transaction, edges included.
		if a, err := g.QueryAssignee().Only(ctx); err != nil || a.ID != teammate.ID {
			t.Errorf("assignee edge = %v, %v", a, err)
		}
		// Without SetAssignee, the assignee stays.
		if g, err = e.svc.UpdateGroup(ctx, id, crashes.GroupChange{AssigneeID: &me.ID}); err != nil || *g.AssigneeID != teammate.ID {
			t.Errorf("assignee = %v, %v; want %s kept", g.AssigneeID, err, teammate.ID)
		}
		_, err = e.svc.UpdateGroup(ctx, id, crashes.GroupChange{SetAssignee: true, AssigneeID: ptr("usr_unknown")})
		wantInvalidField(t, err, "assigneeId")
		if g := e.group(t, id); g.AssigneeID == nil || *g.AssigneeID != teammate.ID {
			t.Errorf("assignee = %v after a refused change, want %s", g.AssigneeID, teammate.ID)
		}
		if g, err = e.svc.UpdateGroup(ctx, id, crashes.GroupChange{SetAssignee: true}); err != nil || g.AssigneeID != nil {
			t.Errorf("assignee = %v, %v; want unassigned", g.AssigneeID, err)
		}
		if g := e.group(t, id); g.AssigneeID != nil {
			t.Errorf("stored assignee = %v, want none", *g.AssigneeID)
		}
	})
}

func TestUpdateGroupRefusals(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		ctx, _ := admin(t, db, "admin@example.com")
		id := e.ingest(t, e.input()).GroupID
		before := e.group(t, id)
		resolved := enums.CrashGroupStatusResolved

		for _, tt := range []struct {
			field  string
			change crashes.GroupChange
		}{
			{"status", crashes.GroupChange{Status: ptr(enums.CrashGroupStatus("RESOLVED"))}},
			{"resolutionNotes", crashes.GroupChange{ResolutionNotes: ptr(strings.Repeat("n", 10_001))}},
			{"resolutionNotes", crashes.GroupChange{ResolutionNotes: ptr("nul\x00")}},
			{"resolvedInVersion", crashes.GroupChange{Status: &resolved, ResolvedInVersion: ptr(strings.Repeat("1", 101))}},
			{"resolvedInVersion", crashes.GroupChange{Status: &resolved, ResolvedInVersion: ptr("1.0\tbeta")}},
			// A fix version means nothing for a group that is not resolved.
			{"resolvedInVersion", crashes.GroupChange{ResolvedInVersion: ptr("1.3.0")}},
			{"assigneeId", crashes.GroupChange{SetAssignee: true, AssigneeID: ptr(" ")}},
		} {
			_, err := e.svc.UpdateGroup(ctx, id, tt.change)
			wantInvalidField(t, err, tt.field)
		}
		if g := e.group(t, id); g.Status != before.Status || g.ResolvedAt != nil || g.ResolutionNotes != "" {
			t.Errorf("group = %+v after refused changes, want it as before", g)
		}
		// The limits themselves pass.
		_, err := e.svc.UpdateGroup(ctx, id, crashes.GroupChange{
			Status: &resolved, ResolvedInVersion: ptr(strings.Repeat("1", 100)), ResolutionNotes: ptr(strings.Repeat("n", 10_000)),
		})
		if err != nil {
			t.Errorf("update at the limits: %v", err)
		}
		_, err = e.svc.UpdateGroup(ctx, "grp_unknown", crashes.GroupChange{Status: &resolved})
		if apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("unknown group error = %v, want not found", err)
		}
		_, err = e.svc.UpdateGroup(context.Background(), id, crashes.GroupChange{Status: &resolved})
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous error = %v, want unauthenticated", err)
		}
	})
}

func TestUpdateGroupPublishesAfterCommit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		ctx, _ := admin(t, db, "admin@example.com")
		id := e.ingest(t, e.input()).GroupID
		b := &committedBroker{Memory: e.broker, client: db.Client}
		svc := crashes.New(db.Client, nil, b, e.clock.now)
		sub, err := e.broker.Subscribe(t.Context(), crashes.TopicCrashGroupUpdated, 8)
		if err != nil {
			t.Fatal(err)
		}
		ignored := enums.CrashGroupStatusIgnored

		if _, err := svc.UpdateGroup(ctx, id, crashes.GroupChange{Status: &ignored}); err != nil {
			t.Fatal(err)
		}
		ev := recv(t, sub)
		if ev.ProjectID != e.projectID || string(ev.Payload) != `{"id":"`+id+`"}` {
			t.Errorf("event = %s for %s, want the group for its project", ev.Payload, ev.ProjectID)
		}
		if !b.allVisible() {
			t.Error("the event was published before the change committed")
		}
		// A refused change publishes nothing.
		if _, err := svc.UpdateGroup(ctx, id, crashes.GroupChange{ResolvedInVersion: ptr("1.0.0")}); err == nil {
			t.Fatal("a version on an unresolved group was accepted")
		}
		noEvent(t, sub)

		// In the caller's transaction (as GraphQL mutations run), the event
		// waits for its commit, and a rollback drops it.
		investigating := enums.CrashGroupStatusInvestigating
		for _, commit := range []bool{false, true} {
			txCtx, tx, err := db.Client.OpenTx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			g, err := svc.UpdateGroup(txCtx, id, crashes.GroupChange{Status: &investigating})
			if err != nil {
				t.Fatal(err)
			}
			if g.Status != investigating {
				t.Errorf("status = %s in the transaction, want investigating", g.Status)
			}
			noEvent(t, sub)
			if !commit {
				if err := tx.Rollback(); err != nil {
					t.Fatal(err)
				}
				noEvent(t, sub)
				if got := e.group(t, id).Status; got != ignored {
					t.Errorf("status = %s after a rollback, want %s", got, ignored)
				}
				continue
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			ev := recv(t, sub)
			if string(ev.Payload) != `{"id":"`+id+`"}` {
				t.Errorf("event = %s", ev.Payload)
			}
			if got := e.group(t, id).Status; got != investigating {
				t.Errorf("status = %s after the commit, want investigating", got)
			}
		}
		if !b.allVisible() || b.published() != 2 {
			t.Errorf("%d events published (all after commit: %v), want 2", b.published(), b.allVisible())
		}
	})
}

func noEvent(t *testing.T, s *pubsub.Subscription) {
	t.Helper()
	// Publishing is synchronous, so anything owed is there already.
	select {
	case e := <-s.C:
		var p map[string]any
		_ = json.Unmarshal(e.Payload, &p)
		t.Fatalf("unexpected event %s %v", e.Topic, p)
	default:
	}
}

func equalTimes(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}

func equalStrings(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
