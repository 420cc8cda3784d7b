package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
)

// WebhookDelivery is the delivery log: one row per event sent (or being
// sent) to a project's webhook, made in the transaction of the write that
// raised the event, and updated by the job after each attempt.
type WebhookDelivery struct{ ent.Schema }

func (WebhookDelivery) Mixin() []ent.Mixin {
	return []ent.Mixin{withID("whd"), timestampsMixin{}}
}

func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		// report.created, feedback.created, crash_group.created,
		// crash_group.regressed or webhook.test: the payload's "event".
		field.String("event").NotEmpty().MaxLen(64).Immutable(),
		// The report, feedback or crash group the event is about; "" for a test.
		field.String("item_id").Default("").Immutable(),
		field.Enum("status").GoType(enums.WebhookDeliveryStatus("")).Default(string(enums.WebhookDeliveryPending)).
			Annotations(entgql.Type("WebhookDeliveryStatus"), entgql.Skip(entgql.SkipEnumField)),
		field.Int("attempts").NonNegative().Default(0),
		// The receiver's HTTP status of the last attempt; nil when it never answered.
		field.Int("response_code").Optional().Nillable(),
		field.String("last_error").Optional().Nillable().MaxLen(1000),
		field.Time("delivered_at").Optional().Nillable(),
	}
}

func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("webhook_deliveries").Field("project_id").Unique().Required().Immutable(),
	}
}

func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("project_id", "created_at")}
}

func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

func (WebhookDelivery) Policy() ent.Policy { return adminPolicy() }
