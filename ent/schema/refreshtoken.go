package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RefreshToken is one link in a login session's rotation chain. Every use
// rotates it; all links of a login share a family, so presenting a rotated
// token (a sign of theft) revokes the whole family.
type RefreshToken struct{ ent.Schema }

func (RefreshToken) Mixin() []ent.Mixin { return []ent.Mixin{withID("rft"), createdMixin{}} }

func (RefreshToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").Immutable(),
		// SHA-256 of the token: it is high-entropy, so a slow hash buys nothing.
		field.String("token_hash").NotEmpty().Immutable().Unique().Sensitive(),
		field.String("family_id").NotEmpty().Immutable(),
		field.Time("expires_at").Immutable(),
		field.Time("rotated_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.String("user_agent").MaxLen(512).Default("").Immutable(),
	}
}

func (RefreshToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("refresh_tokens").Field("user_id").Unique().Required().Immutable(),
	}
}

func (RefreshToken) Indexes() []ent.Index {
	return []ent.Index{index.Fields("family_id"), index.Fields("expires_at")}
}

func (RefreshToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
