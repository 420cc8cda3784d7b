package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/feedback"
	"github.com/yoanbernabeu/oopsie/internal/reports"
)

// Bounds of the captured documents. The services bound strings; these bound
// the shape, so one report cannot carry a million timeline events.
const (
	maxTimelineEvents  = 1000
	maxConsoleErrors   = 200
	maxNetworkFailures = 200
	maxBreadcrumbs     = 100
	maxFrames          = 200
	maxContextBytes    = 64 << 10 // userContext, customMetadata, deviceInfo, appState
	maxTimelineBytes   = 2 << 20
	maxConsoleBytes    = 1 << 20
	maxNetworkBytes    = 2 << 20
)

// reportRequest is POST /api/v1/reports (the PRD's report).
type reportRequest struct {
	Message         string           `json:"message"`
	Category        string           `json:"category"`
	Severity        string           `json:"severity"`
	ReporterEmail   string           `json:"reporterEmail"`
	PageURL         string           `json:"pageUrl"`
	AppVersion      string           `json:"appVersion"`
	UserContext     json.RawMessage  `json:"userContext"`
	CustomMetadata  json.RawMessage  `json:"customMetadata"`
	DeviceInfo      json.RawMessage  `json:"deviceInfo"`
	Timeline        json.RawMessage  `json:"timeline"`
	ConsoleErrors   json.RawMessage  `json:"consoleErrors"`
	NetworkFailures json.RawMessage  `json:"networkFailures"`
	Consent         *bool            `json:"consent"`
	Attachments     []attachmentJSON `json:"attachments"`
}

func (q reportRequest) input(projectID, keyID string) (reports.Input, error) {
	v := &validation{}
	in := reports.Input{
		ProjectID:       projectID,
		PublicKeyID:     keyID,
		Message:         q.Message,
		Category:        enums.ReportCategory(v.enum("category", q.Category, enums.ReportCategory("").Values())),
		Severity:        enums.ReportSeverity(v.enum("severity", q.Severity, enums.ReportSeverity("").Values())),
		ReporterEmail:   q.ReporterEmail,
		PageURL:         q.PageURL,
		AppVersion:      q.AppVersion,
		UserContext:     v.object("userContext", q.UserContext, maxContextBytes),
		CustomMetadata:  v.object("customMetadata", q.CustomMetadata, maxContextBytes),
		DeviceInfo:      v.object("deviceInfo", q.DeviceInfo, maxContextBytes),
		Timeline:        v.array("timeline", q.Timeline, maxTimelineEvents, maxTimelineBytes),
		ConsoleErrors:   v.array("consoleErrors", q.ConsoleErrors, maxConsoleErrors, maxConsoleBytes),
		NetworkFailures: v.array("networkFailures", q.NetworkFailures, maxNetworkFailures, maxNetworkBytes),
		Consent:         q.Consent != nil && *q.Consent,
	}
	if q.Consent == nil || !*q.Consent {
		v.fail("consent", "must be true: a report is sent only with the user's consent")
	}
	in.Attachments = v.files(q.Attachments)
	return in, v.err()
}

// feedbackRequest is POST /sdk/{slug}/feedback (the RFC's feedback).
type feedbackRequest struct {
	Category    string           `json:"category"`
	Message     string           `json:"message"`
	Email       string           `json:"email"`
	AppVersion  string           `json:"appVersion"`
	Platform    string           `json:"platform"`
	OSVersion   string           `json:"osVersion"`
	DeviceInfo  json.RawMessage  `json:"deviceInfo"`
	Attachments []attachmentJSON `json:"attachments"`
}

func (q feedbackRequest) input(projectID, keyID string) (feedback.Input, error) {
	v := &validation{}
	in := feedback.Input{
		ProjectID:   projectID,
		PublicKeyID: keyID,
		Category:    enums.FeedbackCategory(v.enum("category", q.Category, enums.FeedbackCategory("").Values())),
		Message:     q.Message,
		Email:       q.Email,
		AppVersion:  q.AppVersion,
		Platform:    q.Platform,
		OSVersion:   q.OSVersion,
		DeviceInfo:  v.object("deviceInfo", q.DeviceInfo, maxContextBytes),
	}
	in.Attachments = v.files(q.Attachments)
	return in, v.err()
}

type frameJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Function string `json:"function"`
	IsNative bool   `json:"isNative"`
}

type breadcrumbJSON struct {
	Type      string          `json:"type"`
	Message   string          `json:"message"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// crashRequest is POST /sdk/{slug}/crashes (the RFC's crash report).
type crashRequest struct {
	ErrorType    string           `json:"errorType"`
	ErrorMessage string           `json:"errorMessage"`
	StackTrace   []frameJSON      `json:"stackTrace"`
	AppVersion   string           `json:"appVersion"`
	Platform     string           `json:"platform"`
	OSVersion    string           `json:"osVersion"`
	DeviceInfo   json.RawMessage  `json:"deviceInfo"`
	AppState     json.RawMessage  `json:"appState"`
	Breadcrumbs  []breadcrumbJSON `json:"breadcrumbs"`
	Severity     string           `json:"severity"`
	UserID       string           `json:"userId"`
	Fingerprint  string           `json:"fingerprint"`
	Attachments  []attachmentJSON `json:"attachments"`
}

func (q crashRequest) input(projectID, keyID string) (crashes.Input, error) {
	v := &validation{}
	in := crashes.Input{
		ProjectID:    projectID,
		PublicKeyID:  keyID,
		ErrorType:    q.ErrorType,
		ErrorMessage: q.ErrorMessage,
		AppVersion:   q.AppVersion,
		Platform:     q.Platform,
		OSVersion:    q.OSVersion,
		DeviceInfo:   v.object("deviceInfo", q.DeviceInfo, maxContextBytes),
		AppState:     v.object("appState", q.AppState, maxContextBytes),
		UserID:       q.UserID,
		Fingerprint:  q.Fingerprint,
	}
	if q.Severity != "" {
		in.Severity = enums.CrashSeverity(v.enum("severity", q.Severity, enums.CrashSeverity("").Values()))
	}
	if len(q.StackTrace) > maxFrames {
		v.fail("stackTrace", fmt.Sprintf("at most %d frames", maxFrames))
	}
	for _, f := range q.StackTrace {
		in.StackTrace = append(in.StackTrace, crashes.Frame(f))
	}
	if len(q.Breadcrumbs) > maxBreadcrumbs {
		v.fail("breadcrumbs", fmt.Sprintf("at most %d breadcrumbs", maxBreadcrumbs))
	}
	for _, b := range q.Breadcrumbs {
		in.Breadcrumbs = append(in.Breadcrumbs, crashes.Breadcrumb(b))
	}
	in.Attachments = v.files(q.Attachments)
	return in, v.err()
}

// validation collects field errors, so a client learns of every problem in
// one answer.
type validation struct {
	fields map[string]string
}

func (v *validation) fail(field, problem string) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = problem
	}
}

func (v *validation) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(v.fields))
	for f, p := range v.fields {
		msgs = append(msgs, f+": "+p)
	}
	slices.Sort(msgs)
	return &apperr.Error{Kind: apperr.Invalid, Message: "invalid submission: " + strings.Join(msgs, "; "), Fields: v.fields}
}

// enum accepts a known value in any case ("UI" or "ui").
func (v *validation) enum(field, value string, allowed []string) string {
	lower := strings.ToLower(strings.TrimSpace(value))
	for _, a := range allowed {
		if lower == a {
			return a
		}
	}
	if value == "" {
		v.fail(field, "is required: one of "+strings.Join(allowed, ", "))
	} else {
		v.fail(field, "must be one of "+strings.Join(allowed, ", "))
	}
	return ""
}

// object checks that raw is absent, null or a JSON object within maxBytes.
func (v *validation) object(field string, raw json.RawMessage, maxBytes int) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if raw[0] != '{' {
		v.fail(field, "must be an object")
		return nil
	}
	if len(raw) > maxBytes {
		v.fail(field, fmt.Sprintf("must be at most %d KB", maxBytes>>10))
		return nil
	}
	return raw
}

// array checks that raw is absent, null or a JSON array of objects with at
// most maxItems items within maxBytes.
func (v *validation) array(field string, raw json.RawMessage, maxItems, maxBytes int) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if len(raw) > maxBytes {
		v.fail(field, fmt.Sprintf("must be at most %d KB", maxBytes>>10))
		return nil
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		v.fail(field, "must be an array of objects")
		return nil
	}
	if len(items) > maxItems {
		v.fail(field, fmt.Sprintf("must have at most %d items", maxItems))
		return nil
	}
	for _, it := range items {
		if len(it) == 0 || it[0] != '{' {
			v.fail(field, "must be an array of objects")
			return nil
		}
	}
	return raw
}

func (v *validation) files(in []attachmentJSON) []attachments.Upload {
	files, err := decodeAttachments(in)
	var ae *apperr.Error
	if errors.As(err, &ae) {
		for f, p := range ae.Fields {
			v.fail(f, p)
		}
	}
	return files
}
