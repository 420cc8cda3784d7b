package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
)

// Duplicate reports are grouped (PRD 3.6) by where they happened and what
// broke: the normalised page URL and the normalised message of the first
// captured console error. Both parts fold what varies between occurrences
// of one bug (ids in paths, addresses and counts in messages) and keep what
// tells bugs apart.
//
// A report with neither a page URL nor a console error gets the key of two
// empty parts: such reports of a project share one group, "no context",
// rather than each making a group of one.

// maxGroupMessageRunes caps the message part: beyond it, messages that
// differ are still the same bug (a dumped payload, a long stack).
const maxGroupMessageRunes = 500

// GroupFingerprint is the group key of a report: the hex SHA-256 of
// NormalizeURL(pageURL), a newline and NormalizeMessage(firstError). It does
// not depend on the project; groups are unique per project and fingerprint.
func GroupFingerprint(pageURL, firstError string) string {
	sum := sha256.Sum256([]byte(NormalizeURL(pageURL) + "\n" + NormalizeMessage(firstError)))
	return hex.EncodeToString(sum[:])
}

// NormalizeURL reduces a page URL to the page it shows: scheme and host
// lower-cased, user info, default port, query and fragment dropped, empty
// segments and the trailing slash dropped, and path segments that look like
// ids (numbers, UUIDs, hex of 8 or more, ULIDs, prefixed ids such as
// rep_01…, long random tokens) folded to ":id". "/orders/123?tab=2" and
// "/orders/456" are the same page. Relative URLs and strings that are not
// URLs are normalised as paths; "" stays "".
func NormalizeURL(raw string) string {
	s := strings.TrimSpace(raw)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	path := s
	if i := strings.Index(s, "://"); i > 0 && isScheme(s[:i]) {
		scheme := strings.ToLower(s[:i])
		rest := s[i+3:]
		host := rest
		path = ""
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			host, path = rest[:j], rest[j:]
		}
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
		host = strings.ToLower(host)
		switch {
		case scheme == "https" && strings.HasSuffix(host, ":443"):
			host = strings.TrimSuffix(host, ":443")
		case scheme == "http" && strings.HasSuffix(host, ":80"):
			host = strings.TrimSuffix(host, ":80")
		}
		b.WriteString(scheme + "://" + host)
	}
	// A path that did not start with a slash (a relative URL, or no URL at
	// all) does not gain one.
	first := !strings.HasPrefix(path, "/")
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "" {
			continue
		}
		if !first {
			b.WriteByte('/')
		}
		first = false
		if isIDSegment(seg) {
			b.WriteString(":id")
		} else {
			b.WriteString(seg)
		}
	}
	return b.String()
}

func isScheme(s string) bool {
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// isIDSegment reports whether a path segment names one record rather than
// a page. The token rules err on the side of keeping words: a slug such as
// "release-notes-2024" is a page, "Xk9fQ2_LmN7pR4sT" is not.
func isIDSegment(s string) bool {
	switch {
	case allOf(s, isDigit):
		return true
	case isUUID(s):
		return true
	case len(s) >= 8 && allOf(s, isHex):
		return true
	case isULID(s):
		return true
	}
	if prefix, rest, ok := strings.Cut(s, "_"); ok && len(prefix) <= 12 && allOf(prefix, isLetter) &&
		len(rest) >= 10 && allOf(rest, isAlnum) && (allOf(rest, isDigit) || isULID(rest) || looksRandom(rest)) {
		return true
	}
	return isToken(s)
}

// isToken matches long base64url-like tokens: 16 characters or more, with
// digits and letters, and either capitals inside words (base64) or, in one
// case, digits scattered in several runs and no hyphen (a slug has hyphens
// and at most a year or a version in it).
func isToken(s string) bool {
	body := strings.TrimRight(s, "=")
	if len(body) < 16 || len(s)-len(body) > 2 {
		return false
	}
	if !allOf(body, func(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }) {
		return false
	}
	if hasUpper(body) && hasLower(body) {
		// Base64 puts capitals anywhere; Title-Case-Slugs only after a hyphen.
		return hasDigit(body) && hasInnerUpper(body)
	}
	return !strings.Contains(body, "-") && looksRandom(body)
}

func hasInnerUpper(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' && isAlnum(s[i-1]) {
			return true
		}
	}
	return false
}

// looksRandom: letters and digits, and either mixed case or digits in at
// least two separate runs ("k3j9x…", not "introduction2").
func looksRandom(s string) bool {
	if !hasDigit(s) || !(hasUpper(s) || hasLower(s)) {
		return false
	}
	if hasUpper(s) && hasLower(s) {
		return true
	}
	runs := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) && (i == 0 || !isDigit(s[i-1])) {
			runs++
		}
	}
	return runs >= 2
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

// isULID: 26 characters of Crockford's base32 whose first character keeps
// the timestamp within 48 bits.
func isULID(s string) bool {
	if len(s) != 26 || s[0] < '0' || s[0] > '7' {
		return false
	}
	return allOf(s, func(c byte) bool {
		c |= 0x20 // lower-case letters; digits are unaffected
		return isDigit(c) || (c >= 'a' && c <= 'z' && c != 'i' && c != 'l' && c != 'o' && c != 'u')
	})
}

func allOf(s string, f func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !f(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }
func hasUpper(s string) bool { return strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") }
func hasLower(s string) bool { return strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") }

var (
	hexLiteral = regexp.MustCompile(`\b0[xX][0-9a-fA-F]+`)
	hexRun     = regexp.MustCompile(`\b[0-9a-fA-F]{6,}\b`)
	number     = regexp.MustCompile(`[0-9]+(?:\.[0-9]+)*`)
)

// NormalizeMessage reduces an error message to what stays the same between
// occurrences of one error: trimmed, hex literals (0x…), hex runs of 6 or
// more with a digit (hashes, chunk names) and numbers folded to "#",
// whitespace runs collapsed to one space, at most 500 characters.
func NormalizeMessage(msg string) string {
	// The regexps run on a bounded prefix: what lies far beyond the cap
	// cannot change the result much, and a megabyte message costs nothing.
	s := truncateRunes(msg, 4*maxGroupMessageRunes)
	s = hexLiteral.ReplaceAllString(s, "#")
	s = hexRun.ReplaceAllStringFunc(s, func(m string) string {
		if hasDigit(m) {
			return "#"
		}
		return m
	})
	s = number.ReplaceAllString(s, "#")
	s = strings.Join(strings.Fields(s), " ")
	return truncateRunes(s, maxGroupMessageRunes)
}

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// firstErrorMessage returns the message of the first captured console
// error, or "" when there is none or it is not a string.
func firstErrorMessage(consoleErrors json.RawMessage) string {
	if len(consoleErrors) == 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(consoleErrors))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') || !dec.More() {
		return ""
	}
	// Only the first element is decoded; a report may carry hundreds.
	var first map[string]json.RawMessage
	if err := dec.Decode(&first); err != nil {
		return ""
	}
	var msg string
	if err := json.Unmarshal(first["message"], &msg); err != nil {
		return ""
	}
	return msg
}
