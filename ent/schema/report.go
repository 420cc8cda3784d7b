package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
)

// Report is a user-initiated bug report from the widget (the PRD), with the
// last minutes of the page's activity captured by the SDK.
type Report struct{ ent.Schema }

func (Report) Mixin() []ent.Mixin { return []ent.Mixin{withID("rep"), timestampsMixin{}} }

func (Report) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		field.String("public_key_id").Optional().Nillable().Immutable(),
		field.String("group_id").Optional().Nillable(),
		field.String("assignee_id").Optional().Nillable(),
		field.Enum("status").GoType(enums.ReportStatus("")).Default(string(enums.ReportStatusNew)).
			Annotations(entgql.Type("ReportStatus"), entgql.Skip(entgql.SkipEnumField), entgql.OrderField("STATUS")),
		field.Text("message").NotEmpty().Immutable(),
		field.Enum("category").GoType(enums.ReportCategory("")).Immutable().
			Annotations(entgql.Type("ReportCategory"), entgql.Skip(entgql.SkipEnumField)),
		field.Enum("severity").GoType(enums.ReportSeverity("")).Immutable().
			Annotations(entgql.Type("ReportSeverity"), entgql.Skip(entgql.SkipEnumField), entgql.OrderField("SEVERITY")),
		field.String("reporter_email").Optional().Nillable().MaxLen(320).Immutable(),
		// The where input spells the filter pageUrlContains (graph/schema),
		// which entgql would call pageURLContains.
		field.Text("page_url").Default("").Immutable().
			Annotations(entgql.MapsTo("pageUrl"), entgql.Skip(entgql.SkipWhereInput)),
		field.String("app_version").Optional().Nillable().MaxLen(100).Immutable(),
		// Derived from the user agent at ingest, so the browser and OS filters
		// are plain indexed comparisons instead of JSON probing.
		field.String("browser").Default("").MaxLen(100).Immutable(),
		field.String("os").Default("").MaxLen(100).Immutable(),
		jsonField("user_context"),
		jsonField("custom_metadata"),
		jsonField("device_info"),
		jsonField("timeline"),
		jsonField("console_errors"),
		jsonField("network_failures"),
		// Always true for a stored report: ingest refuses reports without consent.
		// Kept as a column so the record shows consent was given.
		field.Bool("consent_given").Immutable(),
	}
}

func (Report) Edges() []ent.Edge {
	cascade := entsql.OnDelete(entsql.Cascade)
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("reports").Field("project_id").Unique().Required().Immutable(),
		edge.From("public_key", PublicKey.Type).Ref("reports").Field("public_key_id").Unique().Immutable().
			Annotations(entgql.Skip()),
		edge.From("group", ReportGroup.Type).Ref("reports").Field("group_id").Unique(),
		edge.From("assignee", User.Type).Ref("assigned_reports").Field("assignee_id").Unique(),
		edge.To("attachments", Attachment.Type).Annotations(cascade),
		edge.To("comments", Comment.Type).Annotations(cascade),
		edge.To("changes", ReportChange.Type).Annotations(cascade),
	}
}

func (Report) Indexes() []ent.Index {
	return []ent.Index{
		// With the id, a project's newest-first page (ordered by created_at
		// then id) and its count are read from the index alone.
		index.Fields("project_id", "created_at", "id"),
		index.Fields("project_id", "status"),
		index.Fields("status"),
		index.Fields("created_at"),
		index.Fields("group_id"),
		index.Fields("assignee_id"),
	}
}

func (Report) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// ReportGroup gathers duplicate reports of one project: the same normalised
// page URL and first console error.
type ReportGroup struct{ ent.Schema }

func (ReportGroup) Mixin() []ent.Mixin { return []ent.Mixin{withID("rgr"), timestampsMixin{}} }

func (ReportGroup) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		field.String("fingerprint").NotEmpty().Immutable(),
		field.Text("page_url").Default("").Immutable().
			Annotations(entgql.MapsTo("pageUrl")),
		field.Text("error_message").Default("").Immutable(),
		field.Int("report_count").Default(0).NonNegative().
			Annotations(entgql.OrderField("REPORT_COUNT")),
		field.Int("affected_users").Default(0).NonNegative().
			Annotations(entgql.OrderField("AFFECTED_USERS")),
		field.Time("first_seen_at").Immutable().
			Annotations(entgql.OrderField("FIRST_SEEN")),
		field.Time("last_seen_at").
			Annotations(entgql.OrderField("LAST_SEEN")),
	}
}

func (ReportGroup) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("report_groups").Field("project_id").Unique().Required().Immutable(),
		edge.To("reports", Report.Type).
			Annotations(entsql.OnDelete(entsql.SetNull), entgql.RelayConnection()),
		edge.To("users", ReportGroupUser.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip()),
	}
}

func (ReportGroup) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "fingerprint").Unique(),
		index.Fields("project_id", "last_seen_at"),
	}
}

func (ReportGroup) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
