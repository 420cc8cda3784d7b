package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// CrashHour counts a project's crashes in one UTC hour, in total or per
// value of one dimension: app version, platform or group. Ingest adds each
// batch of crashes to its hour in the same transaction, so crash statistics
// over a month read a few thousand of these rows instead of every crash.
// Rows are never updated by anything else; stats.Rebuild recomputes them
// from the crashes.
type CrashHour struct{ ent.Schema }

func (CrashHour) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		// The start of the hour, in UTC.
		field.Time("hour").Immutable(),
		field.Enum("dimension").Values("total", "version", "platform", "group").Immutable(),
		// The version, platform or group id; empty for the total.
		field.String("key").MaxLen(200).Default("").Immutable(),
		field.Int("occurrences").NonNegative(),
	}
}

func (CrashHour) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("crash_hours").Field("project_id").Unique().Required().Immutable(),
	}
}

func (CrashHour) Indexes() []ent.Index {
	return []ent.Index{index.Fields("project_id", "dimension", "hour", "key").Unique()}
}

func (CrashHour) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

func (CrashHour) Policy() ent.Policy { return adminPolicy() }

// CrashDayUser records that a user crashed in a project on a UTC day, once
// per day: distinct affected users over a period are counted from these
// rows (plus the crashes of the period's partial days).
type CrashDayUser struct{ ent.Schema }

func (CrashDayUser) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		// The start of the day, in UTC.
		field.Time("day").Immutable(),
		field.String("user_id").NotEmpty().MaxLen(200).Immutable(),
	}
}

func (CrashDayUser) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("crash_day_users").Field("project_id").Unique().Required().Immutable(),
	}
}

func (CrashDayUser) Indexes() []ent.Index {
	return []ent.Index{index.Fields("project_id", "day", "user_id").Unique()}
}

func (CrashDayUser) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

func (CrashDayUser) Policy() ent.Policy { return adminPolicy() }
