package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// APIToken is a uk_live_ token for integrations. Only its hash is stored;
// the token itself is shown once, when it is made.
type APIToken struct{ ent.Schema }

func (APIToken) Mixin() []ent.Mixin { return []ent.Mixin{withID("tok"), createdMixin{}} }

func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(100),
		field.String("token_hash").NotEmpty().Immutable().Unique().Sensitive(),
		// The first characters, so a user can tell tokens apart in a list.
		field.String("token_prefix").NotEmpty().Immutable(),
		field.String("created_by_id").Optional().Nillable().Immutable(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

func (APIToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("created_by", User.Type).Ref("api_tokens").Field("created_by_id").Unique().Immutable(),
	}
}

func (APIToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
