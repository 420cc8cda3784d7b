package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ReportChange records one triage change of a report (its status or its
// assignee): who made it, when, from what to what. Every transition is
// allowed; this is how a team sees what happened.
type ReportChange struct{ ent.Schema }

func (ReportChange) Mixin() []ent.Mixin { return []ent.Mixin{withID("rch"), createdMixin{}} }

func (ReportChange) Fields() []ent.Field {
	return []ent.Field{
		field.String("report_id").Immutable(),
		// Nil when the actor was an API token or the user was deleted since.
		field.String("actor_id").Optional().Nillable().Immutable(),
		field.Enum("field").Values("status", "assignee").Immutable().
			Annotations(entgql.Type("ReportChangeField")),
		field.String("from_value").Default("").Immutable(),
		field.String("to_value").Default("").Immutable(),
	}
}

func (ReportChange) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("report", Report.Type).Ref("changes").Field("report_id").Unique().Required().Immutable(),
		edge.From("actor", User.Type).Ref("report_changes").Field("actor_id").Unique().Immutable(),
	}
}

func (ReportChange) Indexes() []ent.Index {
	return []ent.Index{index.Fields("report_id", "created_at")}
}

func (ReportChange) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

func (ReportChange) Policy() ent.Policy { return adminPolicy() }
