// Package bulkupdate gives each row of a multi-row UPDATE its own new value,
// in one statement on SQLite and PostgreSQL alike:
//
//	UPDATE t SET c = CASE id WHEN $1 THEN $2 WHEN $3 THEN $4 ELSE c END WHERE id IN (…)
//
// Group commit writes a batch's counters this way: one round trip, whatever
// the number of groups.
package bulkupdate

import (
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// Kind is a column's type. PostgreSQL cannot infer the type of a parameter
// in a CASE branch, so each value is cast to it.
type Kind int

// The kinds of column Set writes.
const (
	Int Kind = iota
	Text
	Time
	JSON // the value is the document's encoded bytes
)

func (k Kind) cast(d string) string {
	if d != dialect.Postgres {
		// SQLite stores times and documents as the driver writes them;
		// a cast would change their affinity.
		switch k {
		case Int:
			return "integer"
		case Text:
			return "text"
		default:
			return ""
		}
	}
	switch k {
	case Int:
		return "bigint"
	case Time:
		return "timestamptz"
	case JSON:
		return "jsonb"
	default:
		return "text"
	}
}

// Set makes u write values[i] into column of the row whose idColumn is
// ids[i], leaving other rows' column as it is. ids and values have the same
// length, at least 1 (SQL has no empty CASE); a nil value writes NULL.
func Set(u *sql.UpdateBuilder, idColumn, column string, kind Kind, ids []string, values []any) {
	u.Set(column, sql.ExprFunc(func(b *sql.Builder) {
		cast := kind.cast(b.Dialect())
		b.WriteString("CASE ").Ident(idColumn)
		for i, id := range ids {
			b.WriteString(" WHEN ").Arg(id).WriteString(" THEN ")
			if cast == "" {
				b.Arg(values[i])
				continue
			}
			b.WriteString("CAST(").Arg(values[i]).WriteString(" AS " + cast + ")")
		}
		b.WriteString(" ELSE ").Ident(column).WriteString(" END")
	}))
}
