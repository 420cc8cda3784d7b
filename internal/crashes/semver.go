package crashes

import (
	"cmp"
	"slices"
	"strings"
)

// compareVersions orders app versions the way semantic versioning does,
// leniently, since apps send whatever their build stamps: it returns -1, 0
// or +1 as a is older than, the same as, or newer than b.
//
//   - A leading "v" is ignored, and so is build metadata after "+".
//   - Missing core parts count as 0: "1.2" is "1.2.0".
//   - Numeric parts compare as numbers, of any length; other parts compare
//     as strings, and rank above numeric ones.
//   - A pre-release ("1.2.0-beta.2") comes before its release, and
//     pre-releases compare identifier by identifier, as in SemVer 2.0.
func compareVersions(a, b string) int {
	va, vb := parseVersion(a), parseVersion(b)
	n := max(len(va.core), len(vb.core))
	for i := range n {
		if c := compareIdent(part(va.core, i), part(vb.core, i)); c != 0 {
			return c
		}
	}
	switch {
	case va.pre == nil && vb.pre == nil:
		return 0
	case va.pre == nil:
		return 1
	case vb.pre == nil:
		return -1
	}
	for i := range min(len(va.pre), len(vb.pre)) {
		if c := compareIdent(va.pre[i], vb.pre[i]); c != 0 {
			return c
		}
	}
	// All shared identifiers equal: the longer pre-release is the newer.
	return cmp.Compare(len(va.pre), len(vb.pre))
}

type version struct {
	core []string
	// pre is nil for a release, and the dot-separated identifiers of a
	// pre-release otherwise.
	pre []string
}

func parseVersion(s string) version {
	s = strings.TrimSpace(s)
	if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') {
		s = s[1:]
	}
	s, _, _ = strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(s, "-")
	v := version{core: strings.Split(core, ".")}
	if hasPre {
		v.pre = strings.Split(pre, ".")
	}
	return v
}

func part(parts []string, i int) string {
	if i < len(parts) && parts[i] != "" {
		return parts[i]
	}
	return "0"
}

func compareIdent(a, b string) int {
	an, bn := isNumeric(a), isNumeric(b)
	switch {
	case an && bn:
		a, b = trimZeros(a), trimZeros(b)
		// Compared as digit strings, so no length of number overflows.
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	case an:
		return -1
	case bn:
		return 1
	default:
		return strings.Compare(a, b)
	}
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

// versionOrder is a total order for sorting: versions that compare equal
// ("1.2" and "1.2.0") are told apart by their text, so sorting is stable
// whatever order the list was built in.
func versionOrder(a, b string) int {
	if c := compareVersions(a, b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// maxAffected caps a group's affected versions and platforms, so a group
// hit by every nightly build does not grow a row without bound.
const maxAffected = 100

// withVersion returns versions with v added, sorted oldest first, and
// whether anything changed. At the cap the oldest version is dropped:
// triage cares about the versions still in the field.
func withVersion(versions []string, v string) ([]string, bool) {
	if slices.Contains(versions, v) {
		return versions, false
	}
	out := append(slices.Clone(versions), v)
	slices.SortFunc(out, versionOrder)
	if len(out) > maxAffected {
		dropped := out[0]
		out = out[len(out)-maxAffected:]
		if dropped == v {
			return versions, false
		}
	}
	return out, true
}

// withPlatform returns platforms with p added, sorted, and whether anything
// changed. Platforms have no age to prefer, so at the cap the first ones
// seen are kept.
func withPlatform(platforms []string, p string) ([]string, bool) {
	if slices.Contains(platforms, p) || len(platforms) >= maxAffected {
		return platforms, false
	}
	out := append(slices.Clone(platforms), p)
	slices.Sort(out)
	return out, true
}
