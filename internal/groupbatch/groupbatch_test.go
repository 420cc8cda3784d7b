package groupbatch

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplitSortsKeysInLockOrder(t *testing.T) {
	t.Parallel()
	items := []Key{{"p2", "a"}, {"p1", "b"}, {"p2", "a"}, {"p1", "a"}}
	members, keys := Split(len(items), func(i int) Key { return items[i] })
	if want := []Key{{"p1", "a"}, {"p1", "b"}, {"p2", "a"}}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	if got := members[Key{"p2", "a"}]; !reflect.DeepEqual(got, []int{0, 2}) {
		t.Errorf("members of p2/a = %v", got)
	}
	if got := Projects(keys); !reflect.DeepEqual(got, []string{"p1", "p2"}) {
		t.Errorf("Projects = %v", got)
	}
}

func TestByKeyRefusesAMissingGroup(t *testing.T) {
	t.Parallel()
	keys := []Key{{"p", "a"}, {"p", "b"}}
	if _, err := ByKey(keys, []Key{{"p", "a"}}, func(k Key) Key { return k }); err == nil {
		t.Error("a group missing after its insert went unnoticed")
	}
	got, err := ByKey(keys, []Key{{"p", "b"}, {"p", "a"}}, func(k Key) Key { return k })
	if err != nil || len(got) != 2 {
		t.Errorf("ByKey = %v, %v", got, err)
	}
}

func TestNewUsersSkipsKnownPairsAndAsksOnlyAboutExistingGroups(t *testing.T) {
	t.Parallel()
	old, fresh := Key{"p", "old"}, Key{"p", "new"}
	ids := map[Key]string{old: "g-old", fresh: "g-new"}
	users := map[Key][]string{old: {"ann", "bob"}, fresh: {"ann"}}
	var asked [][]string
	pairs, gained, err := NewUsers([]Key{fresh, old}, ids,
		func(k Key) bool { return k == fresh },
		func(k Key) []string { return users[k] },
		func(groupIDs, us []string) ([]Pair, error) {
			asked = append(asked, groupIDs, us)
			return []Pair{{Group: "g-old", User: "ann"}}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"g-old"}, {"ann", "bob"}}; !reflect.DeepEqual(asked, want) {
		t.Errorf("known was asked %v, want %v", asked, want)
	}
	if want := []Pair{{"p", "g-new", "ann"}, {"p", "g-old", "bob"}}; !reflect.DeepEqual(pairs, want) {
		t.Errorf("pairs = %v, want %v", pairs, want)
	}
	if want := map[string]int{"g-new": 1, "g-old": 1}; !reflect.DeepEqual(gained, want) {
		t.Errorf("gained = %v, want %v", gained, want)
	}
	boom := errors.New("boom")
	if _, _, err := NewUsers([]Key{old}, ids, func(Key) bool { return false },
		func(k Key) []string { return users[k] },
		func([]string, []string) ([]Pair, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("a failed read: %v", err)
	}
}

func TestRelockRereadsOnlyExistingGroups(t *testing.T) {
	t.Parallel()
	type group struct{ id, state string }
	keys := []Key{{"p", "a"}, {"p", "b"}, {"p", "c"}}
	groups := map[Key]group{
		{"p", "a"}: {"g1", "stale"}, {"p", "b"}: {"g2", "created"}, {"p", "c"}: {"g3", "stale"},
	}
	var asked []string
	err := Relock(keys, groups, func(k Key) bool { return k.Fingerprint == "b" }, func(g group) string { return g.id },
		func(ids []string) ([]group, error) {
			asked = ids
			return []group{{"g3", "locked"}, {"g1", "locked"}}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(asked, []string{"g1", "g3"}) {
		t.Errorf("locked %v, want the existing groups g1 and g3", asked)
	}
	want := map[Key]group{{"p", "a"}: {"g1", "locked"}, {"p", "b"}: {"g2", "created"}, {"p", "c"}: {"g3", "locked"}}
	if !reflect.DeepEqual(groups, want) {
		t.Errorf("groups = %v, want %v", groups, want)
	}

	err = Relock(keys, groups, func(Key) bool { return false }, func(g group) string { return g.id },
		func([]string) ([]group, error) { return []group{{"g1", "locked"}}, nil })
	if err == nil {
		t.Error("groups deleted before they were locked went unnoticed")
	}
	calls := 0
	err = Relock(keys, groups, func(Key) bool { return true }, func(g group) string { return g.id },
		func([]string) ([]group, error) { calls++; return nil, nil })
	if err != nil || calls != 0 {
		t.Errorf("with every group created: err %v, %d reads; want none", err, calls)
	}
}
