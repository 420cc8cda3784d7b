package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// Settings is the instance's single row of functional settings; the
// infrastructure settings come from the environment instead.
type Settings struct{ ent.Schema }

func (Settings) Mixin() []ent.Mixin { return []ent.Mixin{withID("set"), timestampsMixin{}} }

func (Settings) Fields() []ent.Field {
	return []ent.Field{
		field.String("instance_name").NotEmpty().MaxLen(100).Default("Oopsie"),
		// Nil means the per-type defaults from the environment apply.
		field.Int("default_retention_days").Optional().Nillable().Range(1, 36500),
		field.String("latest_version").Optional().Nillable(),
		field.String("latest_release_url").Optional().Nillable(),
		field.Time("version_checked_at").Optional().Nillable(),
		// Set once by the setup wizard. Claiming it with a conditional update
		// is what lets exactly one of several concurrent setups win.
		field.Time("setup_completed_at").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationUpdateInput)),
	}
}

func (Settings) Annotations() []schema.Annotation {
	return []schema.Annotation{
		// "settings" is already plural; keep the table name as written.
		entsql.Annotation{Table: "settings"},
	}
}
