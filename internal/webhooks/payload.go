package webhooks

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
)

// The events a project's webhook receives.
const (
	EventReportCreated       = "report.created"
	EventFeedbackCreated     = "feedback.created"
	EventCrashGroupCreated   = "crash_group.created"
	EventCrashGroupRegressed = "crash_group.regressed"
	// EventTest is sent by the "send test event" mutation.
	EventTest = "webhook.test"
)

// subject is what an event is about, loaded when it is delivered: one of
// report, feedback or group is set, or none for a test.
type subject struct {
	project  *ent.Project
	report   *ent.Report
	feedback *ent.Feedback
	group    *ent.CrashGroup
}

// message is an event in the PRD's generic shape (snake_case, as the PRD
// writes it); the Slack and Discord bodies are built from it.
type message struct {
	Event        string          `json:"event"`
	Project      projectJSON     `json:"project"`
	Report       *reportJSON     `json:"report,omitempty"`
	Feedback     *feedbackJSON   `json:"feedback,omitempty"`
	CrashGroup   *crashGroupJSON `json:"crash_group,omitempty"`
	Message      string          `json:"message,omitempty"`
	DashboardURL string          `json:"dashboard_url"`
}

type projectJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type reportJSON struct {
	ID            string    `json:"id"`
	Message       string    `json:"message"`
	Category      string    `json:"category"`
	Severity      string    `json:"severity"`
	Status        string    `json:"status"`
	PageURL       string    `json:"page_url"`
	ReporterEmail *string   `json:"reporter_email"`
	AppVersion    *string   `json:"app_version"`
	CreatedAt     time.Time `json:"created_at"`
}

type feedbackJSON struct {
	ID         string    `json:"id"`
	Category   string    `json:"category"`
	Message    string    `json:"message"`
	Email      *string   `json:"email"`
	AppVersion string    `json:"app_version"`
	Platform   string    `json:"platform"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
}

type crashGroupJSON struct {
	ID                string    `json:"id"`
	ErrorType         string    `json:"error_type"`
	ErrorMessage      string    `json:"error_message"`
	Status            string    `json:"status"`
	OccurrenceCount   int       `json:"occurrence_count"`
	AffectedUsers     int       `json:"affected_users"`
	AffectedVersions  []string  `json:"affected_versions"`
	AffectedPlatforms []string  `json:"affected_platforms"`
	ResolvedInVersion *string   `json:"resolved_in_version"`
	FirstSeenAt       time.Time `json:"first_seen_at"`
	LastSeenAt        time.Time `json:"last_seen_at"`
}

// dashboardPath is where the dashboard shows what an event is about.
func dashboardPath(s subject) string {
	switch {
	case s.report != nil:
		return "/reports/" + s.report.ID
	case s.feedback != nil:
		return "/feedback/" + s.feedback.ID
	case s.group != nil:
		return "/crashes/" + s.group.ID
	default:
		return "/projects/" + s.project.ID
	}
}

func newMessage(event, publicURL string, s subject) message {
	m := message{
		Event:        event,
		Project:      projectJSON{ID: s.project.ID, Name: s.project.Name, Slug: s.project.Slug},
		DashboardURL: strings.TrimRight(publicURL, "/") + dashboardPath(s),
	}
	switch {
	case s.report != nil:
		r := s.report
		m.Report = &reportJSON{
			ID: r.ID, Message: r.Message, Category: string(r.Category), Severity: string(r.Severity),
			Status: string(r.Status), PageURL: r.PageURL, ReporterEmail: r.ReporterEmail,
			AppVersion: r.AppVersion, CreatedAt: r.CreatedAt.UTC(),
		}
	case s.feedback != nil:
		f := s.feedback
		m.Feedback = &feedbackJSON{
			ID: f.ID, Category: string(f.Category), Message: f.Message, Email: f.Email,
			AppVersion: f.AppVersion, Platform: f.Platform, Status: string(f.Status), CreatedAt: f.CreatedAt.UTC(),
		}
	case s.group != nil:
		g := s.group
		m.CrashGroup = &crashGroupJSON{
			ID: g.ID, ErrorType: g.ErrorType, ErrorMessage: g.ErrorMessage, Status: string(g.Status),
			OccurrenceCount: g.OccurrenceCount, AffectedUsers: g.AffectedUsers,
			AffectedVersions: nonNil(g.AffectedVersions), AffectedPlatforms: nonNil(g.AffectedPlatforms),
			ResolvedInVersion: g.ResolvedInVersion, FirstSeenAt: g.FirstSeenAt.UTC(), LastSeenAt: g.LastSeenAt.UTC(),
		}
	default:
		m.Message = "This is a test event from Oopsie: the webhook of " + s.project.Name + " works."
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Body encodes m in a project's format.
func body(format enums.WebhookFormat, m message) ([]byte, error) {
	var v any
	switch format {
	case enums.WebhookFormatSlack:
		v = slackBody(m)
	case enums.WebhookFormatDiscord:
		v = discordBody(m)
	default:
		v = m
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode webhook body: %w", err)
	}
	return b, nil
}

// summary is a one-line title and a longer text for chat formats.
func summary(m message) (title, text string, fields [][2]string) {
	p := m.Project.Name
	switch {
	case m.Report != nil:
		r := m.Report
		title = fmt.Sprintf("New bug report in %s (%s, %s)", p, r.Severity, r.Category)
		text = r.Message
		if r.PageURL != "" {
			fields = append(fields, [2]string{"Page", r.PageURL})
		}
		if r.ReporterEmail != nil {
			fields = append(fields, [2]string{"Reporter", *r.ReporterEmail})
		}
	case m.Feedback != nil:
		f := m.Feedback
		title = fmt.Sprintf("New %s feedback in %s", f.Category, p)
		text = f.Message
		fields = append(fields, [2]string{"Version", f.AppVersion}, [2]string{"Platform", f.Platform})
	case m.CrashGroup != nil:
		g := m.CrashGroup
		if m.Event == EventCrashGroupRegressed {
			title = fmt.Sprintf("Crash regressed in %s: %s", p, g.ErrorType)
		} else {
			title = fmt.Sprintf("New crash in %s: %s", p, g.ErrorType)
		}
		text = g.ErrorMessage
		fields = append(fields,
			[2]string{"Occurrences", fmt.Sprint(g.OccurrenceCount)},
			[2]string{"Affected users", fmt.Sprint(g.AffectedUsers)},
			[2]string{"Versions", strings.Join(g.AffectedVersions, ", ")})
	default:
		title = "Oopsie test event for " + p
		text = m.Message
	}
	return title, text, fields
}

// Slack's incoming webhooks take mrkdwn, in which &, < and > must be escaped.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func slackBody(m message) any {
	title, text, fields := summary(m)
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%s*\n%s", slackEscaper.Replace(title), slackEscaper.Replace(truncate(text, 2500)))
	for _, f := range fields {
		if f[1] != "" {
			fmt.Fprintf(&sb, "\n*%s:* %s", f[0], slackEscaper.Replace(truncate(f[1], 200)))
		}
	}
	return map[string]any{
		"text": slackEscaper.Replace(title),
		"blocks": []any{
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": sb.String()}},
			map[string]any{"type": "context", "elements": []any{
				map[string]any{"type": "mrkdwn", "text": "<" + m.DashboardURL + "|Open in Oopsie>"},
			}},
		},
	}
}

// discordColor marks an embed by event: red for crashes, indigo otherwise.
func discordColor(event string) int {
	switch event {
	case EventCrashGroupCreated, EventCrashGroupRegressed:
		return 0xdc2626
	default:
		return 0x6366f1
	}
}

func discordBody(m message) any {
	title, text, fields := summary(m)
	var ef []any
	for _, f := range fields {
		if f[1] != "" {
			ef = append(ef, map[string]any{"name": f[0], "value": truncate(f[1], 1024), "inline": true})
		}
	}
	embed := map[string]any{
		"title":       truncate(title, 256),
		"description": truncate(text, 4000),
		"url":         m.DashboardURL,
		"color":       discordColor(m.Event),
	}
	if len(ef) > 0 {
		embed["fields"] = ef
	}
	return map[string]any{"username": "Oopsie", "embeds": []any{embed}}
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
