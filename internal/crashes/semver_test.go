package crashes

import (
	"fmt"
	"slices"
	"testing"
)

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"1.2.3", "1.2.3", 0},
		{"1.2.4", "1.2.3", 1},
		{"1.10.0", "1.9.0", 1}, // numerically, not as text
		{"2.0.0", "1.99.99", 1},
		{"v1.2.3", "1.2.3", 0},
		{"V1.3.0", "v1.2.9", 1},
		{"1.2", "1.2.0", 0},
		{"1.2.0.1", "1.2", 1},
		{"1.02.0", "1.2.0", 0},
		{"1.2.3+build.5", "1.2.3+build.9", 0},
		{"1.2.3-beta", "1.2.3", -1}, // a pre-release comes before its release
		{"1.2.3-rc.1", "1.2.2", 1},
		{"1.2.3-alpha", "1.2.3-beta", -1},
		{"1.2.3-beta.2", "1.2.3-beta.10", -1},
		{"1.2.3-beta", "1.2.3-beta.1", -1}, // more identifiers is newer
		{"1.2.3-1", "1.2.3-alpha", -1},     // numeric identifiers rank lower
		{"2024.10.1", "2024.9.30", 1},
		{"1.2.x", "1.2.9", 1}, // text ranks above numbers
		{"1.2.b", "1.2.a", 1},
		{"99999999999999999999999.0", "99999999999999999999998.0", 1}, // no overflow
		{" 1.0.1 ", "1.0.0", 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s vs %s", tt.a, tt.b), func(t *testing.T) {
			t.Parallel()
			if got := compareVersions(tt.a, tt.b); got != tt.want {
				t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := compareVersions(tt.b, tt.a); got != -tt.want {
				t.Errorf("compareVersions(%q, %q) = %d, want %d (antisymmetry)", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func TestWithVersion(t *testing.T) {
	t.Parallel()
	got, changed := withVersion([]string{"1.2.0", "1.10.0"}, "1.9.0")
	if !changed || !slices.Equal(got, []string{"1.2.0", "1.9.0", "1.10.0"}) {
		t.Errorf("withVersion = %q, %v; want semver order and a change", got, changed)
	}
	if got, changed := withVersion([]string{"1.2.0"}, "1.2.0"); changed || !slices.Equal(got, []string{"1.2.0"}) {
		t.Errorf("adding a present version = %q, %v; want no change", got, changed)
	}

	full := make([]string, maxAffected)
	for i := range full {
		full[i] = fmt.Sprintf("1.%d.0", i+1)
	}
	got, changed = withVersion(full, "2.0.0")
	if !changed || len(got) != maxAffected || got[0] != "1.2.0" || got[len(got)-1] != "2.0.0" {
		t.Errorf("newer version at the cap: %d versions from %q to %q, changed %v; want the oldest dropped",
			len(got), got[0], got[len(got)-1], changed)
	}
	if got, changed := withVersion(full, "0.9.0"); changed || !slices.Equal(got, full) {
		t.Errorf("older version at the cap changed the list (changed %v)", changed)
	}
	if full[0] != "1.1.0" {
		t.Error("withVersion modified its argument")
	}
}

func TestWithPlatform(t *testing.T) {
	t.Parallel()
	got, changed := withPlatform([]string{"windows-x86_64", "darwin-aarch64"}, "linux-x86_64")
	if !changed || !slices.Equal(got, []string{"darwin-aarch64", "linux-x86_64", "windows-x86_64"}) {
		t.Errorf("withPlatform = %q, %v; want sorted and a change", got, changed)
	}
	if _, changed := withPlatform([]string{"linux"}, "linux"); changed {
		t.Error("adding a present platform changed the list")
	}
	full := make([]string, maxAffected)
	for i := range full {
		full[i] = fmt.Sprintf("p%03d", i)
	}
	if got, changed := withPlatform(full, "a-new-one"); changed || len(got) != maxAffected {
		t.Errorf("platform at the cap: %d platforms, changed %v; want the list kept", len(got), changed)
	}
}
