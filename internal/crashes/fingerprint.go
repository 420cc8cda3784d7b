package crashes

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// fingerprintFrames is how many significant frames identify a crash: enough
// to tell call paths apart, few enough that a change deep in the stack (a
// different caller of the same failing code) does not split the group.
const fingerprintFrames = 5

// Fingerprint is the crash signature of DESIGN.md and the RFC: the hex
// SHA-256 of the error type ("UnknownError" when empty) and the top five
// significant frames, each named by its function, else "file:line", joined
// with "|". Frames are taken in the order given, innermost first as SDKs
// send them. A frame whose file contains one of ignore (the project's own
// list of third-party code) is not significant either.
func Fingerprint(errorType string, frames []Frame, ignore []string) string {
	if errorType == "" {
		errorType = "UnknownError"
	}
	parts := make([]string, 1, 1+fingerprintFrames)
	parts[0] = errorType
	for _, f := range frames {
		if len(parts) == 1+fingerprintFrames {
			break
		}
		if !significant(f, ignore) {
			continue
		}
		if f.Function != "" {
			parts = append(parts, f.Function)
		} else {
			parts = append(parts, f.File+":"+strconv.Itoa(f.Line))
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(sum[:])
}

// significant reports whether a frame is the app's own code. Runtime and
// third-party frames differ between otherwise identical crashes (bundler
// chunk names, Tauri's IPC glue), so counting them would split groups.
func significant(f Frame, ignore []string) bool {
	return !f.IsNative &&
		!strings.Contains(f.File, "node_modules") &&
		!strings.Contains(f.File, "tauri:") &&
		!slices.ContainsFunc(ignore, func(p string) bool { return strings.Contains(f.File, p) })
}
