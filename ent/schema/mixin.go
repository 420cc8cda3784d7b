package schema

import (
	"encoding/json"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
)

// idMixin gives an entity a type-prefixed ULID primary key.
type idMixin struct {
	mixin.Schema
	prefix string
}

func withID(prefix string) idMixin { return idMixin{prefix: prefix} }

func (m idMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").
			Immutable().
			NotEmpty().
			DefaultFunc(func() string { return pulid.New(m.prefix) }),
	}
}

// createdMixin records when a row was made; rows that never change (crash
// reports, keys) need nothing more.
type createdMixin struct{ mixin.Schema }

func (createdMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Immutable().
			Default(time.Now).
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput)),
	}
}

// timestampsMixin records creation and the last change.
type timestampsMixin struct{ mixin.Schema }

func (timestampsMixin) Fields() []ent.Field {
	return append(createdMixin{}.Fields(),
		field.Time("updated_at").
			Default(time.Now).
			UpdateDefault(time.Now).
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	)
}

// jsonField stores a captured document (timelines, device info, stack frames)
// as raw JSON: ingest validates its shape, storage keeps it as sent, and
// GraphQL passes it through as the JSON scalar without a decode and re-encode.
// What the SDK captured is evidence, so it never changes after ingest.
func jsonField(name string) ent.Field {
	return field.JSON(name, json.RawMessage{}).
		Optional().
		Immutable().
		Annotations(entgql.Type("JSON"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField))
}
