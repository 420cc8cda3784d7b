package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Attachment is a file sent with a report, feedback or crash. The bytes live
// in blob storage under a non-guessable key; this row is what we know of them.
// Exactly one owner edge is set.
type Attachment struct{ ent.Schema }

func (Attachment) Mixin() []ent.Mixin { return []ent.Mixin{withID("att"), createdMixin{}} }

func (Attachment) Fields() []ent.Field {
	return []ent.Field{
		field.String("report_id").Optional().Nillable().Immutable(),
		field.String("feedback_id").Optional().Nillable().Immutable(),
		field.String("crash_report_id").Optional().Nillable().Immutable(),
		field.String("filename").NotEmpty().MaxLen(255).Immutable(),
		// The sniffed type, not the one the client claimed.
		field.String("mime_type").NotEmpty().MaxLen(255).Immutable(),
		field.Int64("size").NonNegative().Immutable(),
		field.String("sha256").NotEmpty().MaxLen(64).Immutable(),
		field.String("storage_key").NotEmpty().Immutable().Unique().
			Annotations(entgql.Skip()),
	}
}

func (Attachment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("report", Report.Type).Ref("attachments").Field("report_id").Unique().Immutable(),
		edge.From("feedback", Feedback.Type).Ref("attachments").Field("feedback_id").Unique().Immutable(),
		edge.From("crash_report", CrashReport.Type).Ref("attachments").Field("crash_report_id").Unique().Immutable(),
	}
}

func (Attachment) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("report_id"),
		index.Fields("feedback_id"),
		index.Fields("crash_report_id"),
		index.Fields("created_at"),
	}
}

func (Attachment) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
