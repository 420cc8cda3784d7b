// Package graph is the GraphQL API: gqlgen over the ent schema. Resolvers
// stay one line: they call a domain service or the ent client, which the
// privacy policies guard.
package graph

import (
	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/accounts"
	"github.com/yoanbernabeu/oopsie/internal/auth"
	"github.com/yoanbernabeu/oopsie/internal/comments"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/feedback"
	"github.com/yoanbernabeu/oopsie/internal/live"
	"github.com/yoanbernabeu/oopsie/internal/projects"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/settings"
	"github.com/yoanbernabeu/oopsie/internal/stats"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
)

// Resolver holds what resolvers call.
type Resolver struct {
	Client   *ent.Client
	Auth     *auth.Service
	Accounts *accounts.Service
	// The two names below differ from the services' packages because the
	// generated query resolvers have methods named projects and settings.
	ProjectService  *projects.Service
	SettingsService *settings.Service
	ReportService   *reports.Service
	FeedbackService *feedback.Service
	CrashService    *crashes.Service
	CommentService  *comments.Service
	StatsService    *stats.Service
	Live            *live.Service
	Webhooks        *webhooks.Notifier
	// PublicURL is the server's address for integration snippets; when
	// empty, the address the request came to is used.
	PublicURL string
}
