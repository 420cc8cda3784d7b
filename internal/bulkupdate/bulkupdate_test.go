package bulkupdate_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/bulkupdate"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var sys = viewer.SystemContext(context.Background(), "test")

// base is a fixed instant; every time below is derived from it with
// sub-second offsets, at microsecond precision (PostgreSQL's).
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

func ptr[T any](v T) *T { return &v }

// state is what the test writes and reads of a crash group.
type state struct {
	count      int
	status     enums.CrashGroupStatus
	lastSeen   time.Time
	resolvedAt *time.Time
	versions   []string
	platforms  []string
	users      int
}

func create(t *testing.T, db *database.DB, projectID, fingerprint string, s state) *ent.CrashGroup {
	t.Helper()
	g, err := db.Client.CrashGroup.Create().
		SetProjectID(projectID).
		SetFingerprint(fingerprint).
		SetErrorType("TypeError").
		SetErrorMessage("x is undefined in " + fingerprint).
		SetFirstSeenAt(base).
		SetLastSeenAt(s.lastSeen).
		SetOccurrenceCount(s.count).
		SetAffectedUsers(s.users).
		SetAffectedVersions(s.versions).
		SetAffectedPlatforms(s.platforms).
		SetStatus(s.status).
		SetNillableResolvedAt(s.resolvedAt).
		SetUpdatedAt(base).
		Save(sys)
	if err != nil {
		t.Fatalf("create group %s: %v", fingerprint, err)
	}
	return g
}

// check reads group id back through ent and compares it with want, and its
// updated_at with updatedAt.
func check(t *testing.T, db *database.DB, name, id string, want state, updatedAt time.Time) {
	t.Helper()
	g, err := db.Client.CrashGroup.Get(sys, id)
	if err != nil {
		t.Fatalf("%s: get: %v", name, err)
	}
	if g.OccurrenceCount != want.count {
		t.Errorf("%s: occurrence_count = %d, want %d", name, g.OccurrenceCount, want.count)
	}
	if g.AffectedUsers != want.users {
		t.Errorf("%s: affected_users = %d, want %d", name, g.AffectedUsers, want.users)
	}
	if g.Status != want.status {
		t.Errorf("%s: status = %q, want %q", name, g.Status, want.status)
	}
	if !g.LastSeenAt.Equal(want.lastSeen) {
		t.Errorf("%s: last_seen_at = %v, want %v", name, g.LastSeenAt, want.lastSeen)
	}
	switch {
	case want.resolvedAt == nil && g.ResolvedAt != nil:
		t.Errorf("%s: resolved_at = %v, want NULL", name, *g.ResolvedAt)
	case want.resolvedAt != nil && g.ResolvedAt == nil:
		t.Errorf("%s: resolved_at = NULL, want %v", name, *want.resolvedAt)
	case want.resolvedAt != nil && !g.ResolvedAt.Equal(*want.resolvedAt):
		t.Errorf("%s: resolved_at = %v, want %v", name, *g.ResolvedAt, *want.resolvedAt)
	}
	if g.AffectedVersions == nil || !slices.Equal(g.AffectedVersions, want.versions) {
		t.Errorf("%s: affected_versions = %#v, want %#v", name, g.AffectedVersions, want.versions)
	}
	if !slices.Equal(g.AffectedPlatforms, want.platforms) {
		t.Errorf("%s: affected_platforms = %#v, want %#v", name, g.AffectedPlatforms, want.platforms)
	}
	if !g.FirstSeenAt.Equal(base) {
		t.Errorf("%s: first_seen_at = %v, want %v", name, g.FirstSeenAt, base)
	}
	if !g.UpdatedAt.Equal(updatedAt) {
		t.Errorf("%s: updated_at = %v, want %v", name, g.UpdatedAt, updatedAt)
	}
}

// update writes want[i] into the group ids[i] in one UPDATE restricted to
// where, as the crash writer's group commit does.
func update(t *testing.T, db *database.DB, where, ids []string, want []state, now time.Time) {
	t.Helper()
	var counts, statuses, lastSeen, resolvedAt, versions []any
	for _, s := range want {
		counts = append(counts, s.count)
		statuses = append(statuses, string(s.status))
		lastSeen = append(lastSeen, s.lastSeen)
		var r any
		if s.resolvedAt != nil {
			r = *s.resolvedAt
		}
		resolvedAt = append(resolvedAt, r)
		vs, err := json.Marshal(s.versions)
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, vs)
	}
	n, err := db.Client.CrashGroup.Update().
		Where(crashgroup.IDIn(where...)).
		SetUpdatedAt(now).
		Modify(func(u *sql.UpdateBuilder) {
			set := func(column string, kind bulkupdate.Kind, values []any) {
				bulkupdate.Set(u, crashgroup.FieldID, column, kind, ids, values)
			}
			set(crashgroup.FieldOccurrenceCount, bulkupdate.Int, counts)
			set(crashgroup.FieldStatus, bulkupdate.Text, statuses)
			set(crashgroup.FieldLastSeenAt, bulkupdate.Time, lastSeen)
			set(crashgroup.FieldResolvedAt, bulkupdate.Time, resolvedAt)
			set(crashgroup.FieldAffectedVersions, bulkupdate.JSON, versions)
		}).
		Save(sys)
	if err != nil {
		t.Fatalf("bulk update: %v", err)
	}
	if n != len(where) {
		t.Fatalf("bulk update changed %d rows, want %d", n, len(where))
	}
}

// idsOf returns the ids of the groups matching the query, sorted.
func idsOf(t *testing.T, q *ent.CrashGroupQuery) []string {
	t.Helper()
	ids, err := q.IDs(sys)
	if err != nil {
		t.Fatalf("query groups: %v", err)
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

func TestSet(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		p, err := db.Client.Project.Create().SetName("Bulk").SetSlug("bulk").Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		platforms := []string{"web", "darwin-aarch64"}
		initial := []state{
			{count: 1, users: 1, status: enums.CrashGroupStatusResolved, lastSeen: at(time.Second),
				resolvedAt: ptr(at(2 * time.Second)), versions: []string{"1.0.0"}, platforms: platforms},
			{count: 2, users: 2, status: enums.CrashGroupStatusNew, lastSeen: at(3 * time.Second),
				versions: []string{"1.0.0"}, platforms: platforms},
			{count: 3, users: 3, status: enums.CrashGroupStatusInvestigating, lastSeen: at(4 * time.Second),
				versions: []string{"1.1.0"}, platforms: platforms},
			// In the WHERE but not among the ids: the ELSE branch.
			{count: 4, users: 4, status: enums.CrashGroupStatusIgnored, lastSeen: at(5 * time.Second),
				resolvedAt: ptr(at(6 * time.Second)), versions: []string{"2.0.0", "1.0.0"}, platforms: platforms},
			// Outside the WHERE altogether.
			{count: 5, users: 5, status: enums.CrashGroupStatusNew, lastSeen: at(7 * time.Second),
				versions: []string{"2.0.0"}, platforms: platforms},
		}
		groups := make([]*ent.CrashGroup, len(initial))
		for i, s := range initial {
			groups[i] = create(t, db, p.ID, string(rune('a'+i)), s)
		}
		g := func(i int) string { return groups[i].ID }

		// Before: the JSON filter sees the documents ent wrote.
		if got, want := idsOf(t, db.Client.CrashGroup.Query().Where(crashes.SeenInVersion("2.0.0"))), sorted(g(3), g(4)); !slices.Equal(got, want) {
			t.Fatalf("before: SeenInVersion(2.0.0) = %v, want %v", got, want)
		}

		// One UPDATE, a different value per row for each column: counts
		// raised and zeroed, statuses changed, times with sub-second parts
		// (one earlier than before), resolved_at both cleared and set, and
		// version lists grown, replaced, emptied and with JSON escapes.
		now1 := at(time.Minute + 111111*time.Microsecond)
		after := slices.Clone(initial)
		after[0] = state{count: 7, users: 1, status: enums.CrashGroupStatusRegressed,
			lastSeen: at(10*time.Second + 123456*time.Microsecond), resolvedAt: nil,
			versions: []string{"1.0.0", "2.0.0"}, platforms: platforms}
		after[1] = state{count: 42, users: 2, status: enums.CrashGroupStatusResolved,
			lastSeen: at(20*time.Second + 987654*time.Microsecond), resolvedAt: ptr(at(21*time.Second + 500*time.Microsecond)),
			versions: []string{"3.0.0-beta.1+\"quoted\"", "é \\ ünïcode"}, platforms: platforms}
		after[2] = state{count: 0, users: 3, status: enums.CrashGroupStatusRegressed,
			lastSeen: at(time.Second + 1*time.Microsecond), resolvedAt: nil,
			versions: []string{}, platforms: platforms}
		update(t, db, []string{g(0), g(1), g(2), g(3)}, []string{g(0), g(1), g(2)}, after[:3], now1)

		updated := []time.Time{now1, now1, now1, now1, base}
		for i, s := range after {
			check(t, db, "after first update, group "+string(rune('a'+i)), g(i), s, updated[i])
		}

		// The statuses were stored as the enum's lower-case values: the
		// generated predicates find them.
		if got, want := idsOf(t, db.Client.CrashGroup.Query().Where(crashgroup.StatusEQ(enums.CrashGroupStatusRegressed))), sorted(g(0), g(2)); !slices.Equal(got, want) {
			t.Errorf("status regressed = %v, want %v", got, want)
		}
		if got, want := idsOf(t, db.Client.CrashGroup.Query().Where(crashgroup.ResolvedAtIsNil())), sorted(g(0), g(2), g(4)); !slices.Equal(got, want) {
			t.Errorf("resolved_at IS NULL = %v, want %v", got, want)
		}

		// The written times compare and sort as ent's own: the dashboard
		// orders groups by last seen.
		var order []string
		rows, err := db.Client.CrashGroup.Query().Order(ent.Asc(crashgroup.FieldLastSeenAt)).All(sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			order = append(order, r.ID)
		}
		if want := []string{g(2), g(3), g(4), g(0), g(1)}; !slices.Equal(order, want) {
			t.Errorf("order by last_seen_at = %v, want %v", order, want)
		}
		if got, want := idsOf(t, db.Client.CrashGroup.Query().Where(crashgroup.LastSeenAtGT(at(10*time.Second+123455*time.Microsecond)))), sorted(g(0), g(1)); !slices.Equal(got, want) {
			t.Errorf("last_seen_at > 10.123455s = %v, want %v", got, want)
		}
		if got, want := idsOf(t, db.Client.CrashGroup.Query().Where(crashgroup.LastSeenAtEQ(after[0].lastSeen))), []string{g(0)}; !slices.Equal(got, want) {
			t.Errorf("last_seen_at = %v: %v, want %v", after[0].lastSeen, got, want)
		}

		// The JSON filter reads the documents the UPDATE wrote.
		for _, tc := range []struct {
			version string
			want    []string
		}{
			{"2.0.0", sorted(g(0), g(3), g(4))},
			{"1.0.0", sorted(g(0), g(3))},
			{"1.1.0", nil},
			{"3.0.0-beta.1+\"quoted\"", []string{g(1)}},
			{"é \\ ünïcode", []string{g(1)}},
		} {
			got := idsOf(t, db.Client.CrashGroup.Query().Where(crashes.SeenInVersion(tc.version)))
			if !slices.Equal(got, tc.want) {
				t.Errorf("SeenInVersion(%q) = %v, want %v", tc.version, got, tc.want)
			}
		}
		if got, want := idsOf(t, db.Client.CrashGroup.Query().Where(crashes.SeenInVersion("1.0.0"), crashes.SeenOnPlatform("web"))), sorted(g(0), g(3)); !slices.Equal(got, want) {
			t.Errorf("SeenInVersion(1.0.0) and SeenOnPlatform(web) = %v, want %v", got, want)
		}

		if db.Dialect == dialect.SQLite {
			// SQLite: the CASE stores each value with the storage class ent
			// itself uses (compare with the untouched row), so reads,
			// comparisons and json_each treat both alike.
			for _, col := range []string{crashgroup.FieldOccurrenceCount, crashgroup.FieldStatus,
				crashgroup.FieldLastSeenAt, crashgroup.FieldAffectedVersions} {
				var updatedType, entType string
				q := "SELECT typeof(" + col + ") FROM crash_groups WHERE id = ?"
				if err := db.SQL.QueryRowContext(sys, q, g(0)).Scan(&updatedType); err != nil {
					t.Fatal(err)
				}
				if err := db.SQL.QueryRowContext(sys, q, g(4)).Scan(&entType); err != nil {
					t.Fatal(err)
				}
				if updatedType != entType {
					t.Errorf("SQLite: %s stored as %s by the UPDATE, as %s by ent", col, updatedType, entType)
				}
			}
			var resolvedType string
			if err := db.SQL.QueryRowContext(sys, "SELECT typeof(resolved_at) FROM crash_groups WHERE id = ?", g(1)).Scan(&resolvedType); err != nil {
				t.Fatal(err)
			}
			var entResolvedType string
			if err := db.SQL.QueryRowContext(sys, "SELECT typeof(resolved_at) FROM crash_groups WHERE id = ?", g(3)).Scan(&entResolvedType); err != nil {
				t.Fatal(err)
			}
			if resolvedType != entResolvedType {
				t.Errorf("SQLite: resolved_at stored as %s by the UPDATE, as %s by ent", resolvedType, entResolvedType)
			}
		}

		// A single id, again with a row in the WHERE left to ELSE.
		now2 := at(2*time.Minute + 222222*time.Microsecond)
		after2 := slices.Clone(after)
		after2[3] = state{count: 9001, users: 4, status: enums.CrashGroupStatusResolved,
			lastSeen: at(30*time.Second + 654321*time.Microsecond), resolvedAt: ptr(at(31*time.Second + 1*time.Microsecond)),
			versions: []string{"4.0.0"}, platforms: platforms}
		update(t, db, []string{g(3), g(4)}, []string{g(3)}, after2[3:4], now2)
		updated2 := []time.Time{now1, now1, now1, now2, now2}
		for i, s := range after2 {
			check(t, db, "after single-id update, group "+string(rune('a'+i)), g(i), s, updated2[i])
		}
		if got, want := idsOf(t, db.Client.CrashGroup.Query().Where(crashes.SeenInVersion("2.0.0"))), sorted(g(0), g(4)); !slices.Equal(got, want) {
			t.Errorf("after single-id update: SeenInVersion(2.0.0) = %v, want %v", got, want)
		}
		if got, want := idsOf(t, db.Client.CrashGroup.Query().Where(crashes.SeenInVersion("4.0.0"))), []string{g(3)}; !slices.Equal(got, want) {
			t.Errorf("after single-id update: SeenInVersion(4.0.0) = %v, want %v", got, want)
		}
	})
}
