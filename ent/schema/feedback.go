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

// Feedback is in-app feedback from an SDK (the RFC): a bug, an idea or a remark.
type Feedback struct{ ent.Schema }

func (Feedback) Mixin() []ent.Mixin { return []ent.Mixin{withID("fbk"), timestampsMixin{}} }

func (Feedback) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		field.String("public_key_id").Optional().Nillable().Immutable(),
		field.Enum("category").GoType(enums.FeedbackCategory("")).Immutable().
			Annotations(entgql.Type("FeedbackCategory"), entgql.Skip(entgql.SkipEnumField)),
		field.Text("message").NotEmpty().Immutable(),
		field.String("email").Optional().Nillable().MaxLen(320).Immutable(),
		field.String("app_version").NotEmpty().MaxLen(100).Immutable(),
		field.String("platform").NotEmpty().MaxLen(100).Immutable(),
		field.String("os_version").Optional().Nillable().MaxLen(100).Immutable(),
		jsonField("device_info"),
		field.Enum("status").GoType(enums.FeedbackStatus("")).Default(string(enums.FeedbackStatusOpen)).
			Annotations(entgql.Type("FeedbackStatus"), entgql.Skip(entgql.SkipEnumField), entgql.OrderField("STATUS")),
		field.Text("internal_notes").Default(""),
	}
}

func (Feedback) Edges() []ent.Edge {
	cascade := entsql.OnDelete(entsql.Cascade)
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("feedbacks").Field("project_id").Unique().Required().Immutable(),
		edge.From("public_key", PublicKey.Type).Ref("feedbacks").Field("public_key_id").Unique().Immutable().
			Annotations(entgql.Skip()),
		edge.To("attachments", Attachment.Type).Annotations(cascade),
		edge.To("comments", Comment.Type).Annotations(cascade),
	}
}

func (Feedback) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "status"),
		index.Fields("project_id", "created_at"),
		index.Fields("status"),
		index.Fields("category"),
		index.Fields("app_version"),
		index.Fields("created_at"),
	}
}

func (Feedback) Annotations() []schema.Annotation {
	return []schema.Annotation{
		// "feedback" is uncountable; the RFC names the table so.
		entsql.Annotation{Table: "feedback"},
		entgql.RelayConnection(),
	}
}
