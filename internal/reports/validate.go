package reports

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

// Bounds of a report's own fields. The captured documents (timeline and the
// rest) are bounded by the door that decoded them, before the service.
const (
	maxMessageRunes = 10_000
	// The schema's MaxLen, which ent counts in bytes: checking here turns
	// an ent validator failure (a 500) into a field error.
	maxEmailBytes      = 320
	maxAppVersionBytes = 100
	maxPageURLBytes    = 4096
)

// errNoConsent is returned before anything else is looked at: without the
// user's consent the report's content is not ours to examine.
func errNoConsent() *apperr.Error {
	return &apperr.Error{
		Kind:    apperr.Invalid,
		Message: "consent is required",
		Fields:  map[string]string{"consent": "consent is required"},
	}
}

// problems collects every field error of a report, so a client fixes them
// all in one round trip. Keys are the REST JSON field names.
type problems map[string]string

func (p problems) add(field, problem string) {
	if _, ok := p[field]; !ok {
		p[field] = problem
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(p))
	for f, problem := range p {
		msgs = append(msgs, f+": "+problem)
	}
	slices.Sort(msgs)
	return &apperr.Error{Kind: apperr.Invalid, Message: "invalid report: " + strings.Join(msgs, "; "), Fields: p}
}

// validate checks in and trims its free-text fields in place.
func validate(in *Input) error {
	if !in.Consent {
		return errNoConsent()
	}
	p := problems{}

	in.Message = strings.TrimSpace(in.Message)
	switch n := utf8.RuneCountInString(in.Message); {
	case n == 0:
		p.add("message", "is required")
	case n > maxMessageRunes:
		p.add("message", fmt.Sprintf("must be at most %d characters", maxMessageRunes))
	default:
		checkText(p, "message", in.Message)
	}

	if !in.Category.Valid() {
		p.add("category", "must be one of "+strings.Join(enums.ReportCategory("").Values(), ", "))
	}
	if !in.Severity.Valid() {
		p.add("severity", "must be one of "+strings.Join(enums.ReportSeverity("").Values(), ", "))
	}

	in.ReporterEmail = strings.TrimSpace(in.ReporterEmail)
	if e := in.ReporterEmail; e != "" {
		switch {
		case len(e) > maxEmailBytes:
			p.add("reporterEmail", fmt.Sprintf("must be at most %d bytes", maxEmailBytes))
		case !isBareAddress(e):
			p.add("reporterEmail", "must be an email address such as jane@example.com")
		}
	}

	in.PageURL = strings.TrimSpace(in.PageURL)
	if len(in.PageURL) > maxPageURLBytes {
		p.add("pageUrl", fmt.Sprintf("must be at most %d bytes", maxPageURLBytes))
	} else {
		checkText(p, "pageUrl", in.PageURL)
	}

	in.AppVersion = strings.TrimSpace(in.AppVersion)
	if len(in.AppVersion) > maxAppVersionBytes {
		p.add("appVersion", fmt.Sprintf("must be at most %d bytes", maxAppVersionBytes))
	} else {
		checkText(p, "appVersion", in.AppVersion)
	}
	return p.err()
}

// checkText refuses what PostgreSQL cannot store in a text column (invalid
// UTF-8, NUL), which would otherwise surface as an internal error.
func checkText(p problems, field, s string) {
	switch {
	case !utf8.ValidString(s):
		p.add(field, "must be valid UTF-8 text")
	case strings.ContainsRune(s, 0):
		p.add(field, "must not contain NUL characters")
	}
}

// isBareAddress accepts "jane@example.com" but not "Jane <jane@example.com>":
// the address is stored and later used as a reply-to, so it must be exactly
// an address.
func isBareAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}
