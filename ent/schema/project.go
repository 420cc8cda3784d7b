package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
)

// Project is one app that sends reports, feedback and crashes (the RFC's "app").
type Project struct{ ent.Schema }

func (Project) Mixin() []ent.Mixin { return []ent.Mixin{withID("prj"), timestampsMixin{}} }

func (Project) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(100).
			Annotations(entgql.OrderField("NAME")),
		// URL-safe and unique: it appears in /sdk/{slug}/… routes and in public keys.
		field.String("slug").NotEmpty().MaxLen(64).Unique().
			Match(slugPattern).
			Annotations(entgql.OrderField("SLUG")),
		// Exact hosts, "*.example.com" or "*". Checked against Origin/Referer on ingest.
		field.Strings("allowed_domains").Default([]string{}),
		field.String("webhook_url").Optional().Nillable().MaxLen(2048).
			Annotations(entgql.MapsTo("webhookUrl")),
		field.String("webhook_secret").Optional().Nillable(),
		field.Enum("webhook_format").GoType(enums.WebhookFormat("")).Default(string(enums.WebhookFormatGeneric)).
			Annotations(entgql.Type("WebhookFormat"), entgql.Skip(entgql.SkipEnumField)),
		// Nil means the instance default applies.
		field.Int("retention_days").Optional().Nillable().Range(1, 36500),
		field.Int("rate_limit_per_minute").Optional().Nillable().Range(1, 1_000_000),
		// Substrings of a stack frame's file that mark it as not the app's
		// own code, like node_modules: such frames are left out of crash
		// fingerprints, so a vendored library's internals do not split groups.
		// The database default fills the rows of existing projects.
		field.Strings("fingerprint_ignore").Default([]string{}).
			Annotations(entsql.Default("[]")),
	}
}

func (Project) Edges() []ent.Edge {
	cascade := entsql.OnDelete(entsql.Cascade)
	return []ent.Edge{
		edge.To("public_keys", PublicKey.Type).Annotations(cascade),
		edge.To("reports", Report.Type).Annotations(cascade, entgql.RelayConnection()),
		edge.To("report_groups", ReportGroup.Type).Annotations(cascade, entgql.RelayConnection()),
		edge.To("feedbacks", Feedback.Type).Annotations(cascade, entgql.RelayConnection()),
		edge.To("crash_reports", CrashReport.Type).Annotations(cascade, entgql.RelayConnection()),
		edge.To("crash_groups", CrashGroup.Type).Annotations(cascade, entgql.RelayConnection()),
		edge.To("crash_group_users", CrashGroupUser.Type).Annotations(cascade, entgql.Skip()),
		edge.To("report_group_users", ReportGroupUser.Type).Annotations(cascade, entgql.Skip()),
		edge.To("crash_hours", CrashHour.Type).Annotations(cascade, entgql.Skip()),
		edge.To("crash_days", CrashDay.Type).Annotations(cascade, entgql.Skip()),
		edge.To("crash_users", CrashUser.Type).Annotations(cascade, entgql.Skip()),
		edge.To("webhook_deliveries", WebhookDelivery.Type).Annotations(cascade, entgql.RelayConnection()),
	}
}

func (Project) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
	}
}
