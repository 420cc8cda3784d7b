package accounts

import (
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

const (
	maxEmailLen    = 320 // RFC 5321's 64 + 1 + 255
	minPasswordLen = 8
	maxPasswordLen = 256
	maxNameLen     = 200 // bytes, as the schema's MaxLen counts
)

// normalizeEmail is the stored form of an email: the unique index on it
// then makes emails unique case-insensitively on both databases.
func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// problems collects what is wrong with an input's fields, so a form can
// show every error at once.
type problems map[string]string

func (p problems) email(email string) string {
	email = normalizeEmail(email)
	switch {
	case email == "":
		p["email"] = "is required"
	case len(email) > maxEmailLen:
		p["email"] = fmt.Sprintf("must be at most %d characters", maxEmailLen)
	default:
		// A bare address only: ParseAddress also accepts `Name <a@b>`.
		if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
			p["email"] = "must be a valid email address"
		}
	}
	return email
}

func (p problems) password(password string) {
	switch n := utf8.RuneCountInString(password); {
	case n < minPasswordLen:
		p["password"] = fmt.Sprintf("must be at least %d characters", minPasswordLen)
	case n > maxPasswordLen:
		p["password"] = fmt.Sprintf("must be at most %d characters", maxPasswordLen)
	case !utf8.ValidString(password):
		p["password"] = "must be valid UTF-8"
	}
}

func (p problems) name(name string) string {
	name = strings.TrimSpace(name)
	switch {
	case !utf8.ValidString(name):
		p["name"] = "must be valid UTF-8"
	case len(name) > maxNameLen:
		p["name"] = fmt.Sprintf("must be at most %d bytes", maxNameLen)
	}
	return name
}

// add takes over the field errors of err, an *apperr.Error of kind Invalid.
func (p problems) add(err error) {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		maps.Copy(p, ae.Fields)
	}
}

func (p problems) err() error {
	switch len(p) {
	case 0:
		return nil
	case 1:
		for field, problem := range p {
			return apperr.InvalidField(field, problem)
		}
	}
	msgs := make([]string, 0, len(p))
	for _, field := range slices.Sorted(maps.Keys(p)) {
		msgs = append(msgs, field+": "+p[field])
	}
	return &apperr.Error{Kind: apperr.Invalid, Message: strings.Join(msgs, "; "), Fields: p}
}
