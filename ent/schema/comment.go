package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Comment is an internal note by a user on a report, a crash group or a piece
// of feedback. Exactly one subject edge is set. A comment stays when its author
// is deleted, so the discussion keeps its history.
type Comment struct{ ent.Schema }

func (Comment) Mixin() []ent.Mixin { return []ent.Mixin{withID("cmt"), timestampsMixin{}} }

func (Comment) Fields() []ent.Field {
	return []ent.Field{
		field.String("author_id").Optional().Nillable().Immutable(),
		field.String("report_id").Optional().Nillable().Immutable(),
		field.String("crash_group_id").Optional().Nillable().Immutable(),
		field.String("feedback_id").Optional().Nillable().Immutable(),
		field.Text("body").NotEmpty().MaxLen(10_000),
	}
}

func (Comment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("author", User.Type).Ref("comments").Field("author_id").Unique().Immutable(),
		edge.From("report", Report.Type).Ref("comments").Field("report_id").Unique().Immutable(),
		edge.From("crash_group", CrashGroup.Type).Ref("comments").Field("crash_group_id").Unique().Immutable(),
		edge.From("feedback", Feedback.Type).Ref("comments").Field("feedback_id").Unique().Immutable(),
	}
}

func (Comment) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("report_id", "created_at"),
		index.Fields("crash_group_id", "created_at"),
		index.Fields("feedback_id", "created_at"),
	}
}

func (Comment) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
