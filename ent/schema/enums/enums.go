// Package enums holds the enumerations of the data model. Values are stored in
// lower case, as the REST contract and the seeds spell them ("in_progress"),
// while GraphQL shows them in upper case ("IN_PROGRESS"), as GraphQL style
// wants. Each type converts at the GraphQL boundary by implementing gqlgen's
// Marshaler and Unmarshaler, so neither side has to know about the other.
package enums

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ReportStatus is where a bug report stands in triage.
type ReportStatus string

const (
	ReportStatusNew        ReportStatus = "new"
	ReportStatusInProgress ReportStatus = "in_progress"
	ReportStatusResolved   ReportStatus = "resolved"
	ReportStatusClosed     ReportStatus = "closed"
)

var reportStatuses = []ReportStatus{ReportStatusNew, ReportStatusInProgress, ReportStatusResolved, ReportStatusClosed}

func (ReportStatus) Values() []string            { return values(reportStatuses) }
func (e ReportStatus) MarshalGQL(w io.Writer)    { marshal(w, e) }
func (e *ReportStatus) UnmarshalGQL(v any) error { return unmarshal(v, e, reportStatuses) }
func (e ReportStatus) Valid() bool               { return slices.Contains(reportStatuses, e) }

// ReportCategory is what kind of problem the reporter saw.
type ReportCategory string

const (
	ReportCategoryUI          ReportCategory = "ui"
	ReportCategoryCrash       ReportCategory = "crash"
	ReportCategoryPerformance ReportCategory = "performance"
	ReportCategoryOther       ReportCategory = "other"
)

var reportCategories = []ReportCategory{ReportCategoryUI, ReportCategoryCrash, ReportCategoryPerformance, ReportCategoryOther}

func (ReportCategory) Values() []string            { return values(reportCategories) }
func (e ReportCategory) MarshalGQL(w io.Writer)    { marshal(w, e) }
func (e *ReportCategory) UnmarshalGQL(v any) error { return unmarshal(v, e, reportCategories) }
func (e ReportCategory) Valid() bool               { return slices.Contains(reportCategories, e) }

// ReportSeverity is the severity the reporter perceived.
type ReportSeverity string

const (
	ReportSeverityLow      ReportSeverity = "low"
	ReportSeverityMedium   ReportSeverity = "medium"
	ReportSeverityHigh     ReportSeverity = "high"
	ReportSeverityCritical ReportSeverity = "critical"
)

var reportSeverities = []ReportSeverity{ReportSeverityLow, ReportSeverityMedium, ReportSeverityHigh, ReportSeverityCritical}

func (ReportSeverity) Values() []string            { return values(reportSeverities) }
func (e ReportSeverity) MarshalGQL(w io.Writer)    { marshal(w, e) }
func (e *ReportSeverity) UnmarshalGQL(v any) error { return unmarshal(v, e, reportSeverities) }
func (e ReportSeverity) Valid() bool               { return slices.Contains(reportSeverities, e) }

// FeedbackCategory is the kind of in-app feedback.
type FeedbackCategory string

const (
	FeedbackCategoryBug     FeedbackCategory = "bug"
	FeedbackCategoryFeature FeedbackCategory = "feature"
	FeedbackCategoryGeneral FeedbackCategory = "general"
)

var feedbackCategories = []FeedbackCategory{FeedbackCategoryBug, FeedbackCategoryFeature, FeedbackCategoryGeneral}

func (FeedbackCategory) Values() []string            { return values(feedbackCategories) }
func (e FeedbackCategory) MarshalGQL(w io.Writer)    { marshal(w, e) }
func (e *FeedbackCategory) UnmarshalGQL(v any) error { return unmarshal(v, e, feedbackCategories) }
func (e FeedbackCategory) Valid() bool               { return slices.Contains(feedbackCategories, e) }

// FeedbackStatus is where a piece of feedback stands.
type FeedbackStatus string

const (
	FeedbackStatusOpen       FeedbackStatus = "open"
	FeedbackStatusInProgress FeedbackStatus = "in_progress"
	FeedbackStatusClosed     FeedbackStatus = "closed"
)

var feedbackStatuses = []FeedbackStatus{FeedbackStatusOpen, FeedbackStatusInProgress, FeedbackStatusClosed}

func (FeedbackStatus) Values() []string            { return values(feedbackStatuses) }
func (e FeedbackStatus) MarshalGQL(w io.Writer)    { marshal(w, e) }
func (e *FeedbackStatus) UnmarshalGQL(v any) error { return unmarshal(v, e, feedbackStatuses) }
func (e FeedbackStatus) Valid() bool               { return slices.Contains(feedbackStatuses, e) }

// CrashSeverity is how bad a crash was for the user.
type CrashSeverity string

const (
	CrashSeverityWarning CrashSeverity = "warning"
	CrashSeverityError   CrashSeverity = "error"
	CrashSeverityFatal   CrashSeverity = "fatal"
)

var crashSeverities = []CrashSeverity{CrashSeverityWarning, CrashSeverityError, CrashSeverityFatal}

func (CrashSeverity) Values() []string            { return values(crashSeverities) }
func (e CrashSeverity) MarshalGQL(w io.Writer)    { marshal(w, e) }
func (e *CrashSeverity) UnmarshalGQL(v any) error { return unmarshal(v, e, crashSeverities) }
func (e CrashSeverity) Valid() bool               { return slices.Contains(crashSeverities, e) }

// CrashGroupStatus is where a crash group stands in triage. Regressed is set
// by the server when a resolved group crashes again in a newer version.
type CrashGroupStatus string

const (
	CrashGroupStatusNew           CrashGroupStatus = "new"
	CrashGroupStatusInvestigating CrashGroupStatus = "investigating"
	CrashGroupStatusResolved      CrashGroupStatus = "resolved"
	CrashGroupStatusIgnored       CrashGroupStatus = "ignored"
	CrashGroupStatusRegressed     CrashGroupStatus = "regressed"
)

var crashGroupStatuses = []CrashGroupStatus{CrashGroupStatusNew, CrashGroupStatusInvestigating, CrashGroupStatusResolved, CrashGroupStatusIgnored, CrashGroupStatusRegressed}

func (CrashGroupStatus) Values() []string            { return values(crashGroupStatuses) }
func (e CrashGroupStatus) MarshalGQL(w io.Writer)    { marshal(w, e) }
func (e *CrashGroupStatus) UnmarshalGQL(v any) error { return unmarshal(v, e, crashGroupStatuses) }
func (e CrashGroupStatus) Valid() bool               { return slices.Contains(crashGroupStatuses, e) }

// WebhookFormat is the body shape a project's webhook receives.
type WebhookFormat string

const (
	WebhookFormatGeneric WebhookFormat = "generic"
	WebhookFormatSlack   WebhookFormat = "slack"
	WebhookFormatDiscord WebhookFormat = "discord"
)

var webhookFormats = []WebhookFormat{WebhookFormatGeneric, WebhookFormatSlack, WebhookFormatDiscord}

func (WebhookFormat) Values() []string            { return values(webhookFormats) }
func (e WebhookFormat) MarshalGQL(w io.Writer)    { marshal(w, e) }
func (e *WebhookFormat) UnmarshalGQL(v any) error { return unmarshal(v, e, webhookFormats) }
func (e WebhookFormat) Valid() bool               { return slices.Contains(webhookFormats, e) }

func values[T ~string](all []T) []string {
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return out
}

func marshal[T ~string](w io.Writer, v T) {
	_, _ = io.WriteString(w, strconv.Quote(strings.ToUpper(string(v))))
}

func unmarshal[T ~string](v any, dst *T, all []T) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("enum value must be a string, got %T", v)
	}
	e := T(strings.ToLower(s))
	if s != strings.ToUpper(s) || !slices.Contains(all, e) {
		return fmt.Errorf("%q is not one of %s", s, strings.ToUpper(strings.Join(values(all), ", ")))
	}
	*dst = e
	return nil
}

// WebhookDeliveryStatus is where a webhook delivery stands.
type WebhookDeliveryStatus string

const (
	WebhookDeliveryPending   WebhookDeliveryStatus = "pending"
	WebhookDeliveryRetrying  WebhookDeliveryStatus = "retrying"
	WebhookDeliverySucceeded WebhookDeliveryStatus = "succeeded"
	WebhookDeliveryFailed    WebhookDeliveryStatus = "failed"
)

var webhookDeliveryStatuses = []WebhookDeliveryStatus{WebhookDeliveryPending, WebhookDeliveryRetrying, WebhookDeliverySucceeded, WebhookDeliveryFailed}

func (WebhookDeliveryStatus) Values() []string            { return values(webhookDeliveryStatuses) }
func (e WebhookDeliveryStatus) MarshalGQL(w io.Writer)    { marshal(w, e) }
func (e *WebhookDeliveryStatus) UnmarshalGQL(v any) error { return unmarshal(v, e, webhookDeliveryStatuses) }
func (e WebhookDeliveryStatus) Valid() bool               { return slices.Contains(webhookDeliveryStatuses, e) }
