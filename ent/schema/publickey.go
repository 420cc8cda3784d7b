package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// PublicKey is a pk_{slug}_{16 hex} key that SDKs embed. It is not a secret
// (it ships inside client apps), so the full key stays readable for the
// integration snippet; abuse is handled by origins, rate limits and revocation.
type PublicKey struct{ ent.Schema }

func (PublicKey) Mixin() []ent.Mixin { return []ent.Mixin{withID("key"), createdMixin{}} }

func (PublicKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		field.String("name").NotEmpty().MaxLen(100),
		field.String("key").NotEmpty().Immutable().Unique(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

func (PublicKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("public_keys").Field("project_id").Unique().Required().Immutable(),
		// Items outlive a deleted key: the key only says which SDK build sent them.
		edge.To("reports", Report.Type).Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip()),
		edge.To("feedbacks", Feedback.Type).Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip()),
		edge.To("crash_reports", CrashReport.Type).Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip()),
	}
}

func (PublicKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("project_id")}
}

func (PublicKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
