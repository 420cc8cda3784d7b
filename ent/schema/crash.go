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

// CrashReport is one crash sent by an SDK (the RFC), grouped by fingerprint.
type CrashReport struct{ ent.Schema }

func (CrashReport) Mixin() []ent.Mixin { return []ent.Mixin{withID("crs"), createdMixin{}} }

func (CrashReport) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		field.String("group_id").Optional().Nillable(),
		field.String("public_key_id").Optional().Nillable().Immutable(),
		field.String("error_type").NotEmpty().MaxLen(200).Immutable(),
		field.Text("error_message").Immutable(),
		jsonField("stack_trace"),
		field.String("app_version").NotEmpty().MaxLen(100).Immutable(),
		field.String("platform").NotEmpty().MaxLen(100).Immutable(),
		field.String("os_version").Optional().Nillable().MaxLen(100).Immutable(),
		jsonField("device_info"),
		jsonField("app_state"),
		jsonField("breadcrumbs"),
		field.String("fingerprint").NotEmpty().MaxLen(128).Immutable(),
		field.Enum("severity").GoType(enums.CrashSeverity("")).Default(string(enums.CrashSeverityError)).Immutable().
			Annotations(entgql.Type("CrashSeverity"), entgql.Skip(entgql.SkipEnumField)),
		// Opaque id from the app, only to count distinct affected users.
		field.String("user_id").Optional().Nillable().MaxLen(200).Immutable(),
	}
}

func (CrashReport) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("crash_reports").Field("project_id").Unique().Required().Immutable(),
		edge.From("group", CrashGroup.Type).Ref("crash_reports").Field("group_id").Unique(),
		edge.From("public_key", PublicKey.Type).Ref("crash_reports").Field("public_key_id").Unique().Immutable().
			Annotations(entgql.Skip()),
		edge.To("attachments", Attachment.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

func (CrashReport) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "created_at"),
		index.Fields("group_id", "created_at"),
		index.Fields("fingerprint"),
		index.Fields("app_version"),
		index.Fields("created_at"),
	}
}

func (CrashReport) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// CrashGroup is every crash of one project sharing a fingerprint. Groups are
// kept when retention purges their crash reports, so history and status survive.
type CrashGroup struct{ ent.Schema }

func (CrashGroup) Mixin() []ent.Mixin { return []ent.Mixin{withID("grp"), timestampsMixin{}} }

func (CrashGroup) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		field.String("fingerprint").NotEmpty().MaxLen(128).Immutable(),
		field.String("error_type").NotEmpty().MaxLen(200).Immutable(),
		// The message of the first occurrence, as the representative error.
		field.Text("error_message").Immutable(),
		field.Int("occurrence_count").Default(0).NonNegative().
			Annotations(entgql.OrderField("OCCURRENCE_COUNT")),
		field.Int("affected_users").Default(0).NonNegative().
			Annotations(entgql.OrderField("AFFECTED_USERS")),
		field.Time("first_seen_at").Immutable().
			Annotations(entgql.OrderField("FIRST_SEEN")),
		field.Time("last_seen_at").
			Annotations(entgql.OrderField("LAST_SEEN")),
		field.Strings("affected_versions").Default([]string{}),
		field.Strings("affected_platforms").Default([]string{}),
		field.Enum("status").GoType(enums.CrashGroupStatus("")).Default(string(enums.CrashGroupStatusNew)).
			Annotations(entgql.Type("CrashGroupStatus"), entgql.Skip(entgql.SkipEnumField)),
		field.String("assignee_id").Optional().Nillable(),
		field.Text("resolution_notes").Default(""),
		field.Time("resolved_at").Optional().Nillable(),
		field.String("resolved_in_version").Optional().Nillable().MaxLen(100),
	}
}

func (CrashGroup) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("crash_groups").Field("project_id").Unique().Required().Immutable(),
		edge.From("assignee", User.Type).Ref("assigned_crash_groups").Field("assignee_id").Unique(),
		edge.To("crash_reports", CrashReport.Type).
			Annotations(entsql.OnDelete(entsql.SetNull), entgql.RelayConnection()),
		edge.To("comments", Comment.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("users", CrashGroupUser.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip()),
	}
}

func (CrashGroup) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "fingerprint").Unique(),
		index.Fields("project_id", "status"),
		index.Fields("project_id", "last_seen_at"),
		index.Fields("project_id", "occurrence_count"),
		index.Fields("status"),
		index.Fields("last_seen_at"),
	}
}

func (CrashGroup) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
