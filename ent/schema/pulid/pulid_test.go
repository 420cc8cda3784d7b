package pulid

import (
	"strings"
	"testing"
)

func TestNewIsPrefixedUniqueAndOrdered(t *testing.T) {
	t.Parallel()
	prev := ""
	seen := map[string]bool{}
	for range 1000 {
		id := New("rep")
		if !strings.HasPrefix(id, "rep_") || len(id) != len("rep_")+26 {
			t.Fatalf("id %q: want rep_ followed by 26 ULID characters", id)
		}
		if id != strings.ToLower(id) {
			t.Fatalf("id %q is not lower case", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		if id <= prev {
			t.Fatalf("id %q does not sort after %q", id, prev)
		}
		prev = id
	}
}

func TestPrefix(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"prj_01abc": "prj", "nounderscore": "", "": ""} {
		if got := Prefix(in); got != want {
			t.Errorf("Prefix(%q) = %q, want %q", in, got, want)
		}
	}
}
