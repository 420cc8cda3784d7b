package search

import (
	"fmt"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent/predicate"
)

// The FTS5 column filters: the tables also hold `ref`, the item's id, which
// a search must never match.
const (
	reportColumns   = "{message console_errors page_url reporter_email}"
	feedbackColumns = "{message}"
)

// Reports keeps the reports that match q: message, console-error text, page
// URL and reporter email. An empty q keeps every report.
func Reports(q Query) predicate.Report {
	return func(s *sql.Selector) { where(s, q, "reports_fts", reportColumns) }
}

// Feedback keeps the feedback whose message matches q. An empty q keeps all.
func Feedback(q Query) predicate.Feedback {
	return func(s *sql.Selector) { where(s, q, "feedback_fts", feedbackColumns) }
}

// where adds the dialect's full-text condition to s. The query texts are
// bound as parameters; Parse made them safe as query syntax.
func where(s *sql.Selector, q Query, ftsTable, columns string) {
	if q.Empty() {
		return
	}
	switch s.Dialect() {
	case dialect.Postgres:
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString(s.C("search_vector")).
				WriteString(" @@ to_tsquery('english', ").Arg(q.TSQuery()).WriteByte(')')
		}))
	case dialect.SQLite:
		// The FTS5 rows name their item by id in ref, not by rowid, which
		// VACUUM may renumber.
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString(s.C("id")).
				WriteString(" IN (SELECT ").Ident("ref").
				WriteString(" FROM ").Ident(ftsTable).
				WriteString(" WHERE ").Ident(ftsTable).
				WriteString(" MATCH ").Arg(columns + " : (" + q.FTS5() + ")").
				WriteByte(')')
		}))
	default:
		s.AddError(fmt.Errorf("full-text search is not supported on %s", s.Dialect()))
	}
}
