package projects

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

const (
	maxNameLen       = 100 // the schema's MaxLen, which ent counts in bytes
	maxSlugLen       = 64
	maxGeneratedSlug = 48 // leaves room for a "-N" suffix under maxSlugLen
	maxDomains       = 50
	maxWebhookURLLen = 2048
)

// slugPattern is the schema's: lower-case words joined by single hyphens.
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// NewPublicKey returns a new public key for a project: pk_{slug}_{16 hex}.
func NewPublicKey(slug string) string {
	return "pk_" + slug + "_" + randomHex(8)
}

func newWebhookSecret() string { return "whsec_" + randomHex(32) }

func randomHex(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails: it crashes the program instead.
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// slugFolds spells letters that Unicode does not decompose into a base
// letter and accents.
var slugFolds = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d",
	'ł': "l", 'þ': "th", 'ı': "i", 'ħ': "h", 'ŧ': "t",
}

// Slugify turns a project name into a slug: lower-case ASCII letters and
// digits, accents folded, every other run of characters a single hyphen, at
// most 48 characters. A name with nothing to keep gives "project".
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	write := func(s string) {
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen = false
		b.WriteString(s)
	}
	// NFKD splits "é" into "e" and a combining accent, and spells
	// compatibility forms ("ﬁ", full-width letters) in plain letters.
	for _, r := range norm.NFKD.String(name) {
		r = unicode.ToLower(r)
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '\'' || r == '’':
			// "Bob's app" reads better as bobs-app than bob-s-app.
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			write(string(r))
		case slugFolds[r] != "":
			write(slugFolds[r])
		default:
			hyphen = true
		}
	}
	s := b.String()
	if len(s) > maxGeneratedSlug {
		s = strings.TrimRight(s[:maxGeneratedSlug], "-")
	}
	if s == "" {
		return "project"
	}
	return s
}

// ValidateDomain checks one allowed-domain entry: an exact host
// ("example.com", "localhost:3000", an IP address), a wildcard over
// subdomains ("*.example.com"), or "*" for every origin. Letter case does
// not matter; entries are stored in lower case.
func ValidateDomain(d string) error {
	_, err := normalizeDomain(d)
	return err
}

// normalizeDomain validates d and returns it in lower case, the form ingest
// compares Origin hosts against.
func normalizeDomain(d string) (string, error) {
	switch {
	case d == "":
		return "", errors.New("is empty")
	case d == "*":
		return d, nil
	case strings.ContainsFunc(d, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "", errors.New("must not contain spaces")
	case strings.Contains(d, "://"):
		return "", errors.New("must be a host without a scheme: example.com, not https://example.com")
	case strings.ContainsAny(d, "/?#@\\"):
		return "", errors.New("must be a host without a path: example.com, not example.com/app")
	}
	d = strings.ToLower(d)
	host, wildcard := strings.CutPrefix(d, "*.")
	if strings.Contains(host, "*") {
		return "", errors.New("may only use * alone or as a whole first label, as in *.example.com")
	}
	host, err := splitPort(host)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(host, "[") {
		if wildcard {
			return "", errors.New("cannot put a wildcard on an IP address")
		}
		return d, nil
	}
	if err := validateHost(host, wildcard); err != nil {
		return "", err
	}
	return d, nil
}

// splitPort checks an optional ":port" and returns the host before it.
func splitPort(hostport string) (string, error) {
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", errors.New("has an unclosed [")
		}
		addr, err := netip.ParseAddr(hostport[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", errors.New("must hold an IPv6 address between [ and ]")
		}
		host, port = hostport[:end+1], hostport[end+1:]
		if port != "" && !strings.HasPrefix(port, ":") {
			return "", errors.New("may only have a :port after ]")
		}
		port = strings.TrimPrefix(port, ":")
		if port == "" && strings.HasSuffix(hostport, ":") {
			return "", errors.New("has an empty port")
		}
	} else if i := strings.IndexByte(hostport, ':'); i >= 0 {
		if strings.Count(hostport, ":") > 1 {
			return "", errors.New("must put an IPv6 address between [ and ], as in [::1]:3000")
		}
		host, port = hostport[:i], hostport[i+1:]
		if port == "" {
			return "", errors.New("has an empty port")
		}
	}
	if port != "" {
		// Browsers write ports without leading zeros, and Origin is compared as text.
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return "", errors.New("has an invalid port: use a number from 1 to 65535")
		}
	}
	return host, nil
}

// validateHost checks a DNS name or an IPv4 address, in lower case.
func validateHost(host string, wildcard bool) error {
	if host == "" {
		return errors.New("has no host name")
	}
	if len(host) > 253 {
		return errors.New("has a host name longer than 253 characters")
	}
	labels := strings.Split(host, ".")
	if last := labels[len(labels)-1]; last != "" && strings.Trim(last, "0123456789") == "" {
		// Top-level domains are never numeric, so this is meant as an IPv4 address.
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is4() {
			return errors.New("is not a valid IPv4 address")
		}
		if wildcard {
			return errors.New("cannot put a wildcard on an IP address")
		}
		return nil
	}
	for _, l := range labels {
		if l == "" {
			return errors.New("has an empty label: check for stray dots")
		}
		if len(l) > 63 {
			return errors.New("has a label longer than 63 characters")
		}
		if strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return errors.New("has a label starting or ending with a hyphen")
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				if r >= utf8.RuneSelf {
					return errors.New("must be written in ASCII: use the punycode form (xn--…) of international names")
				}
				return fmt.Errorf("contains %q, which a host name cannot", r)
			}
		}
	}
	return nil
}

func normalizeDomains(in []string) ([]string, error) {
	return normalizeList("allowedDomains", in, maxDomains, "domains", normalizeDomain)
}

// normalizeList checks a list setting's values one by one, trimmed (pasted
// values often bring surrounding blanks; inner ones are for one to refuse),
// drops duplicates, and caps their number. The result is never nil.
func normalizeList(field string, in []string, max int, noun string, one func(string) (string, error)) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, raw := range in {
		v, err := one(strings.TrimSpace(raw))
		if err != nil {
			return nil, apperr.InvalidField(field, fmt.Sprintf("%s %s", quoteShort(raw), err))
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if len(out) > max {
		return nil, apperr.InvalidField(field, fmt.Sprintf("must hold at most %d %s", max, noun))
	}
	return out, nil
}

// quoteShort quotes a user's value for a message, cut so that a huge value
// does not make a huge message.
func quoteShort(s string) string {
	const max = 80
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut] + "…")
	}
	return strconv.Quote(s)
}

func validateName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", apperr.InvalidField(field, "is required")
	case len(name) > maxNameLen:
		return "", apperr.InvalidField(field, fmt.Sprintf("must be at most %d characters", maxNameLen))
	case !utf8.ValidString(name):
		return "", apperr.InvalidField(field, "must be valid UTF-8 text")
	case strings.ContainsFunc(name, unicode.IsControl):
		return "", apperr.InvalidField(field, "must not contain control characters")
	}
	return name, nil
}

func validateSlug(slug string) error {
	if len(slug) > maxSlugLen || !slugPattern.MatchString(slug) {
		return apperr.InvalidField("slug", fmt.Sprintf(
			"must be 1 to %d lower-case letters, digits and single hyphens, such as my-app", maxSlugLen))
	}
	return nil
}

// validateWebhookURL checks a webhook endpoint and returns it trimmed.
func validateWebhookURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	const field = "webhookUrl"
	if len(s) > maxWebhookURLLen {
		return "", apperr.InvalidField(field, fmt.Sprintf("must be at most %d characters", maxWebhookURLLen))
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", apperr.InvalidField(field, "must not contain spaces")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return "", apperr.InvalidField(field, "must be an absolute http or https URL, such as https://hooks.example.com/oopsie")
	}
	if u.User != nil {
		// Credentials would show in the dashboard and in logs; a secret
		// belongs in the signed payload, not in the URL.
		return "", apperr.InvalidField(field, "must not contain a user name or password")
	}
	// SSRF: private, loopback and link-local targets are refused at delivery (webhooks issue).
	return s, nil
}

func validateWebhookFormat(f enums.WebhookFormat) error {
	if !f.Valid() {
		return apperr.InvalidField("webhookFormat", "must be GENERIC, SLACK or DISCORD")
	}
	return nil
}

// Bounds of a project's fingerprint ignore list: each pattern is compared
// with every frame of every crash.
const (
	maxIgnorePatterns   = 20
	maxIgnorePatternLen = 200
)

// normalizeFingerprintIgnore checks a project's fingerprint ignore list.
func normalizeFingerprintIgnore(in []string) ([]string, error) {
	return normalizeList("fingerprintIgnore", in, maxIgnorePatterns, "patterns", func(p string) (string, error) {
		switch {
		case p == "":
			return "", errors.New("is empty")
		case len(p) > maxIgnorePatternLen || !utf8.ValidString(p):
			return "", fmt.Errorf("must be UTF-8 text of at most %d bytes", maxIgnorePatternLen)
		}
		return p, nil
	})
}

func validateRange(field string, v *int, lo, hi int) error {
	if v != nil && (*v < lo || *v > hi) {
		return apperr.InvalidField(field, fmt.Sprintf("must be between %d and %d", lo, hi))
	}
	return nil
}
