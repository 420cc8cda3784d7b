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
		t.Error("a group missing after its upsert went unnoticed")
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
