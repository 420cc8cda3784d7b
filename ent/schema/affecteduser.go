package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// CrashGroupUser records that a user met a crash group, once per user. A
// group's affected_users counter grows only when a row is inserted here, so
// distinct users are counted exactly under concurrent ingest, without
// counting over all of the group's crashes.
type CrashGroupUser struct{ ent.Schema }

func (CrashGroupUser) Mixin() []ent.Mixin { return []ent.Mixin{withID("cgu"), createdMixin{}} }

func (CrashGroupUser) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		field.String("group_id").Immutable(),
		// The app's opaque user id.
		field.String("user_id").NotEmpty().MaxLen(200).Immutable(),
	}
}

func (CrashGroupUser) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("crash_group_users").Field("project_id").Unique().Required().Immutable(),
		edge.From("group", CrashGroup.Type).Ref("users").Field("group_id").Unique().Required().Immutable(),
	}
}

func (CrashGroupUser) Indexes() []ent.Index {
	return []ent.Index{index.Fields("group_id", "user_id").Unique()}
}

func (CrashGroupUser) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

func (CrashGroupUser) Policy() ent.Policy { return groupPolicy() }

// ReportGroupUser records that a user reported into a report group, once per
// user, for the group's affected_users counter (see CrashGroupUser).
type ReportGroupUser struct{ ent.Schema }

func (ReportGroupUser) Mixin() []ent.Mixin { return []ent.Mixin{withID("rgu"), createdMixin{}} }

func (ReportGroupUser) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		field.String("group_id").Immutable(),
		// The reporter: the user id from the SDK's user context, else the
		// reporter's email.
		field.String("user_key").NotEmpty().MaxLen(320).Immutable(),
	}
}

func (ReportGroupUser) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("report_group_users").Field("project_id").Unique().Required().Immutable(),
		edge.From("group", ReportGroup.Type).Ref("users").Field("group_id").Unique().Required().Immutable(),
	}
}

func (ReportGroupUser) Indexes() []ent.Index {
	return []ent.Index{index.Fields("group_id", "user_key").Unique()}
}

func (ReportGroupUser) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

func (ReportGroupUser) Policy() ent.Policy { return groupPolicy() }
