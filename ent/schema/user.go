package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// User is a dashboard user. Every user is an admin in V1.
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin { return []ent.Mixin{withID("usr"), timestampsMixin{}} }

func (User) Fields() []ent.Field {
	return []ent.Field{
		// Stored lower-cased by the accounts service, so the unique index makes
		// emails unique case-insensitively on both databases.
		field.String("email").NotEmpty().MaxLen(320).Unique().
			Annotations(entgql.OrderField("EMAIL")),
		field.String("name").MaxLen(200).Default("").
			Annotations(entgql.OrderField("NAME")),
		field.String("password_hash").NotEmpty().Sensitive(),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("refresh_tokens", RefreshToken.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip()),
		edge.To("api_tokens", APIToken.Type).
			Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip()),
		edge.To("assigned_reports", Report.Type).
			Annotations(entsql.OnDelete(entsql.SetNull), entgql.RelayConnection()),
		edge.To("assigned_crash_groups", CrashGroup.Type).
			Annotations(entsql.OnDelete(entsql.SetNull), entgql.RelayConnection()),
		edge.To("comments", Comment.Type).
			Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip()),
		edge.To("report_changes", ReportChange.Type).
			Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip()),
	}
}

func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
	}
}
