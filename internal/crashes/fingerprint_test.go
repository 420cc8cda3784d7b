package crashes

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func fn(name string) Frame { return Frame{File: "src/" + name + ".ts", Line: 1, Function: name} }

func TestFingerprint(t *testing.T) {
	t.Parallel()
	six := []Frame{fn("a"), fn("b"), fn("c"), fn("d"), fn("e"), fn("f")}
	tests := []struct {
		name      string
		errorType string
		frames    []Frame
		// preimage is what the RFC says is hashed.
		preimage string
		ignore   []string
	}{
		{"empty stack", "TypeError", nil, "TypeError", nil},
		{"unknown error type", "", nil, "UnknownError", nil},
		{"unknown error type with frames", "", []Frame{fn("a")}, "UnknownError|a", nil},
		{"function preferred over file:line", "TypeError", []Frame{{File: "src/app.ts", Line: 42, Function: "handleClick"}}, "TypeError|handleClick", nil},
		{"file:line without a function", "TypeError", []Frame{{File: "src/app.ts", Line: 42, Column: 7}}, "TypeError|src/app.ts:42", nil},
		{"native frames skipped", "TypeError", []Frame{{Function: "memcpy", IsNative: true}, fn("a")}, "TypeError|a", nil},
		{"node_modules skipped", "TypeError", []Frame{{File: "/app/node_modules/react-dom/index.js", Line: 9, Function: "commit"}, fn("a")}, "TypeError|a", nil},
		{"tauri: skipped", "TypeError", []Frame{{File: "tauri://localhost/__tauri.js", Line: 3, Function: "invoke"}, fn("a")}, "TypeError|a", nil},
		{"only the top five count", "TypeError", six, "TypeError|a|b|c|d|e", nil},
		{"skipped frames do not use up the five", "TypeError",
			[]Frame{{Function: "x", IsNative: true}, fn("a"), fn("b"), {File: "node_modules/y.js", Function: "y"}, fn("c"), fn("d"), fn("e"), fn("f")},
			"TypeError|a|b|c|d|e", nil},
		{"all frames insignificant", "RangeError", []Frame{{Function: "x", IsNative: true}, {File: "tauri:ipc", Function: "y"}}, "RangeError", nil},
		{"a frame with nothing", "TypeError", []Frame{{}}, "TypeError|:0", nil},
		{"the project's ignored files skipped", "TypeError",
			[]Frame{{File: "https://cdn.example.com/lib.js", Function: "lib"}, {File: "/app/vendor/chart.js", Function: "draw"}, fn("a")},
			"TypeError|a", []string{"vendor/", "cdn.example.com"}},
		{"an ignore list that matches nothing", "TypeError", []Frame{fn("a")}, "TypeError|a", []string{"vendor/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, want := Fingerprint(tt.errorType, tt.frames, tt.ignore), sha(tt.preimage); got != want {
				t.Errorf("Fingerprint = %s, want sha256(%q) = %s", got, tt.preimage, want)
			}
		})
	}
}

func TestFingerprintPinned(t *testing.T) {
	t.Parallel()
	// Changing these values regroups every stored crash: a deliberate,
	// migrated change only.
	got := Fingerprint("TypeError", []Frame{{File: "src/app.ts", Line: 10, Function: "handleClick"}, {File: "src/app.ts", Line: 42}}, nil)
	if want := "6957593aaf6edd6f15d94f19e1cfd796c7982f70cb38407ac0d07bd32e7f8eb3"; got != want {
		t.Errorf("Fingerprint = %s, want %s", got, want)
	}
	if got, want := Fingerprint("", nil, nil), "84410b8c92d4a264c9cd34e587d942d9d75737aa0ad304288de90f696580c4bb"; got != want {
		t.Errorf("Fingerprint of nothing = %s, want %s", got, want)
	}
}

func TestFingerprintProperties(t *testing.T) {
	t.Parallel()
	five := []Frame{fn("a"), fn("b"), fn("c"), fn("d"), fn("e")}
	base := Fingerprint("TypeError", five, nil)
	if got := Fingerprint("TypeError", append(five[:5:5], fn("sixth")), nil); got != base {
		t.Error("a sixth significant frame changed the fingerprint")
	}
	if got := Fingerprint("TypeError", []Frame{fn("b"), fn("a"), fn("c"), fn("d"), fn("e")}, nil); got == base {
		t.Error("swapping two frames kept the fingerprint: order must matter")
	}
	if got := Fingerprint("RangeError", five, nil); got == base {
		t.Error("another error type kept the fingerprint")
	}
	moved := []Frame{fn("a"), fn("b"), fn("c"), fn("d"), fn("e")}
	moved[0].Line = 99
	if got := Fingerprint("TypeError", moved, nil); got != base {
		t.Error("a named frame's line changed the fingerprint: the function name must be used")
	}
	if len(base) != 64 {
		t.Errorf("fingerprint %q is not 64 hex digits", base)
	}
}
