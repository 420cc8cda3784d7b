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
// from the crashes. CrashDay and CrashUser are kept alongside.
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

// CrashDay is CrashHour by UTC day, for versions, platforms and groups:
// a month of statistics reads a few thousand of these rather than tens of
// thousands of hours.
type CrashDay struct{ ent.Schema }

func (CrashDay) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		// The start of the day, in UTC.
		field.Time("day").Immutable(),
		field.Enum("dimension").Values("version", "platform", "group").Immutable(),
		field.String("key").MaxLen(200).Immutable(),
		field.Int("occurrences").NonNegative(),
	}
}

func (CrashDay) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("crash_days").Field("project_id").Unique().Required().Immutable(),
	}
}

func (CrashDay) Indexes() []ent.Index {
	return []ent.Index{index.Fields("project_id", "dimension", "day", "key").Unique()}
}

func (CrashDay) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

func (CrashDay) Policy() ent.Policy { return adminPolicy() }

// CrashUser is when a user of a project last crashed: the users affected in
// a period ending now are those last seen since its start, counted from an
// index rather than from every crash.
type CrashUser struct{ ent.Schema }

func (CrashUser) Fields() []ent.Field {
	return []ent.Field{
		field.String("project_id").Immutable(),
		field.String("user_id").NotEmpty().MaxLen(200).Immutable(),
		field.Time("last_seen_at"),
	}
}

func (CrashUser) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("crash_users").Field("project_id").Unique().Required().Immutable(),
	}
}

func (CrashUser) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "user_id").Unique(),
		index.Fields("project_id", "last_seen_at"),
	}
}

func (CrashUser) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

func (CrashUser) Policy() ent.Policy { return adminPolicy() }
