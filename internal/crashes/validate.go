package crashes

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

// Limits on what one crash may carry. Lengths are in bytes, as ent's MaxLen
// counts them, so what passes here also passes the schema's validators.
const (
	maxErrorTypeLen         = 200 // the schema's MaxLen
	maxMessageLen           = 10_000
	maxVersionLen           = 100 // app version, platform and OS version: the schema's MaxLen
	maxUserIDLen            = 200 // the schema's MaxLen
	maxFingerprintLen       = 128 // the schema's MaxLen
	maxFrames               = 200
	maxFrameTextLen         = 1_000 // a frame's file or function
	maxBreadcrumbs          = 100
	maxBreadcrumbTypeLen    = 100
	maxBreadcrumbMessageLen = 2_000
	maxBreadcrumbDataLen    = 10_000 // one breadcrumb's data, encoded as JSON
)

// values is an Input checked and put in the shape it is stored in.
type values struct {
	projectID, publicKeyID string
	errorType, message     string
	appVersion, platform   string
	osVersion, userID      *string
	severity               enums.CrashSeverity
	fingerprint            string
	stackTrace             json.RawMessage
	breadcrumbs            json.RawMessage
	deviceInfo, appState   json.RawMessage
}

// The stored shapes of frames and breadcrumbs: camelCase, like the REST body
// they usually come from and the GraphQL JSON scalar they are read through.
// Every key is always present, so readers need not guess at defaults.
type storedFrame struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Function string `json:"function"`
	IsNative bool   `json:"isNative"`
}

type storedBreadcrumb struct {
	Type      string          `json:"type"`
	Message   string          `json:"message"`
	Timestamp *time.Time      `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

func validate(in Input) (values, error) {
	v := values{projectID: in.ProjectID, publicKeyID: in.PublicKeyID}
	var err error
	if v.errorType, err = line("errorType", in.ErrorType, true, maxErrorTypeLen); err != nil {
		return v, err
	}
	if err := text("errorMessage", in.ErrorMessage, maxMessageLen); err != nil {
		return v, err
	}
	v.message = in.ErrorMessage
	if v.appVersion, err = line("appVersion", in.AppVersion, true, maxVersionLen); err != nil {
		return v, err
	}
	if v.platform, err = line("platform", in.Platform, true, maxVersionLen); err != nil {
		return v, err
	}
	if v.osVersion, err = optionalLine("osVersion", in.OSVersion, maxVersionLen); err != nil {
		return v, err
	}
	if v.userID, err = optionalLine("userId", in.UserID, maxUserIDLen); err != nil {
		return v, err
	}
	switch {
	case in.Severity == "":
		v.severity = enums.CrashSeverityError
	case in.Severity.Valid():
		v.severity = in.Severity
	default:
		return v, apperr.InvalidField("severity", "must be one of "+strings.Join(enums.CrashSeverity("").Values(), ", "))
	}
	if v.stackTrace, err = encodeFrames(in.StackTrace); err != nil {
		return v, err
	}
	if v.breadcrumbs, err = encodeBreadcrumbs(in.Breadcrumbs); err != nil {
		return v, err
	}
	if v.deviceInfo, err = jsonObject("deviceInfo", in.DeviceInfo); err != nil {
		return v, err
	}
	if v.appState, err = jsonObject("appState", in.AppState); err != nil {
		return v, err
	}
	override, err := line("fingerprint", in.Fingerprint, false, maxFingerprintLen)
	if err != nil {
		return v, err
	}
	if override != "" {
		v.fingerprint = override
	} else {
		v.fingerprint = Fingerprint(v.errorType, in.StackTrace, in.FingerprintIgnore)
	}
	return v, nil
}

func encodeFrames(frames []Frame) (json.RawMessage, error) {
	if len(frames) > maxFrames {
		return nil, apperr.InvalidField("stackTrace", fmt.Sprintf("must have at most %d frames", maxFrames))
	}
	stored := make([]storedFrame, len(frames))
	for i, f := range frames {
		at := "stackTrace[" + strconv.Itoa(i) + "]."
		if err := text(at+"file", f.File, maxFrameTextLen); err != nil {
			return nil, err
		}
		if err := text(at+"function", f.Function, maxFrameTextLen); err != nil {
			return nil, err
		}
		if f.Line < 0 {
			return nil, apperr.InvalidField(at+"line", "must not be negative")
		}
		if f.Column < 0 {
			return nil, apperr.InvalidField(at+"column", "must not be negative")
		}
		stored[i] = storedFrame(f)
	}
	return marshal("stackTrace", stored)
}

func encodeBreadcrumbs(crumbs []Breadcrumb) (json.RawMessage, error) {
	if len(crumbs) > maxBreadcrumbs {
		return nil, apperr.InvalidField("breadcrumbs", fmt.Sprintf("must have at most %d entries", maxBreadcrumbs))
	}
	stored := make([]storedBreadcrumb, len(crumbs))
	for i, b := range crumbs {
		at := "breadcrumbs[" + strconv.Itoa(i) + "]."
		if err := text(at+"type", b.Type, maxBreadcrumbTypeLen); err != nil {
			return nil, err
		}
		if err := text(at+"message", b.Message, maxBreadcrumbMessageLen); err != nil {
			return nil, err
		}
		s := storedBreadcrumb{Type: b.Type, Message: b.Message}
		if !b.Timestamp.IsZero() {
			ts := b.Timestamp.UTC()
			s.Timestamp = &ts
		}
		if len(b.Data) > maxBreadcrumbDataLen {
			return nil, apperr.InvalidField(at+"data", fmt.Sprintf("must be at most %d bytes as JSON", maxBreadcrumbDataLen))
		}
		// Kept as sent rather than decoded into a map and encoded again,
		// which cost a third of a crash's validation.
		data, err := jsonObject(at+"data", b.Data)
		if err != nil {
			return nil, err
		}
		s.Data = data
		stored[i] = s
	}
	return marshal("breadcrumbs", stored)
}

func marshal(field string, v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every part was checked above; this is a bug, not bad input.
		return nil, fmt.Errorf("encode %s: %w", field, err)
	}
	return b, nil
}

// jsonObject checks an opaque object. Ingest has checked it already, but
// other doors may not have, and the database would refuse what PostgreSQL's
// jsonb cannot hold with an internal error rather than a field error.
func jsonObject(field string, raw json.RawMessage) (json.RawMessage, error) {
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return nil, nil
	}
	if trimmed[0] != '{' || !json.Valid(raw) || !utf8.Valid(raw) {
		return nil, apperr.InvalidField(field, "must be a JSON object")
	}
	if err := storableJSON(raw); err != nil {
		return nil, apperr.InvalidField(field, err.Error())
	}
	return raw, nil
}

// storableJSON reports escapes that PostgreSQL's jsonb rejects although JSON
// allows them: \u0000 and unpaired UTF-16 surrogates. raw must be valid JSON,
// where a backslash only ever starts an escape inside a string.
func storableJSON(raw []byte) error {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1 : i+5])
		i += 4
		switch {
		case r == 0:
			return fmt.Errorf("must not contain NUL characters")
		case utf16Low(r):
			return fmt.Errorf("must not contain unpaired UTF-16 surrogates")
		case utf16High(r):
			if i+6 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' || !utf16Low(hex4(raw[i+3:i+7])) {
				return fmt.Errorf("must not contain unpaired UTF-16 surrogates")
			}
			i += 6
		}
	}
	return nil
}

func hex4(b []byte) rune {
	n, _ := strconv.ParseUint(string(b), 16, 32)
	return rune(n)
}

func utf16High(r rune) bool { return r >= 0xD800 && r <= 0xDBFF }
func utf16Low(r rune) bool  { return r >= 0xDC00 && r <= 0xDFFF }

// text checks free text: any length up to max bytes, line breaks allowed,
// but no NUL, which PostgreSQL cannot store in text.
func text(field, s string, max int) error {
	switch {
	case len(s) > max:
		return apperr.InvalidField(field, fmt.Sprintf("must be at most %d characters", max))
	case !utf8.ValidString(s):
		return apperr.InvalidField(field, "must be valid UTF-8 text")
	case strings.IndexByte(s, 0) >= 0:
		return apperr.InvalidField(field, "must not contain NUL characters")
	}
	return nil
}

// line checks a one-line value such as a version, and returns it trimmed.
func line(field, s string, required bool, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		return "", apperr.InvalidField(field, "is required")
	case len(s) > max:
		return "", apperr.InvalidField(field, fmt.Sprintf("must be at most %d characters", max))
	case !utf8.ValidString(s):
		return "", apperr.InvalidField(field, "must be valid UTF-8 text")
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", apperr.InvalidField(field, "must not contain control characters")
	}
	return s, nil
}

func optionalLine(field, s string, max int) (*string, error) {
	s, err := line(field, s, false, max)
	if err != nil || s == "" {
		return nil, err
	}
	return &s, nil
}
