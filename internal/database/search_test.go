package database_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// searchReports runs the dialect's full-text query the migrations provide
// for: the generated tsvector on PostgreSQL, FTS5 on SQLite.
func searchReports(t *testing.T, db *database.DB, term string) []string {
	t.Helper()
	query := `SELECT id FROM reports WHERE search_vector @@ websearch_to_tsquery('english', $1) ORDER BY id`
	if db.Dialect == dialect.SQLite {
		query = `SELECT ref FROM reports_fts WHERE reports_fts MATCH '{message console_errors page_url reporter_email} : ' || $1 ORDER BY ref`
	}
	return queryIDs(t, db, query, term)
}

func searchFeedback(t *testing.T, db *database.DB, term string) []string {
	t.Helper()
	query := `SELECT id FROM feedback WHERE search_vector @@ websearch_to_tsquery('english', $1) ORDER BY id`
	if db.Dialect == dialect.SQLite {
		query = `SELECT ref FROM feedback_fts WHERE feedback_fts MATCH 'message : ' || $1 ORDER BY ref`
	}
	return queryIDs(t, db, query, term)
}

func queryIDs(t *testing.T, db *database.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.SQL.Query(query, args...)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestFullTextSearchCoversReportsAndFeedback(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := viewer.SystemContext(context.Background(), "test")
		c := db.Client
		p := c.Project.Create().SetName("Shop").SetSlug("shop").SaveX(ctx)
		newReport := func(message, url, email string, consoleErrors any) string {
			raw, err := json.Marshal(consoleErrors)
			if err != nil {
				t.Fatal(err)
			}
			return c.Report.Create().SetProjectID(p.ID).SetMessage(message).SetPageURL(url).
				SetNillableReporterEmail(&email).SetConsoleErrors(raw).
				SetCategory(enums.ReportCategoryUI).SetSeverity(enums.ReportSeverityHigh).
				SetConsentGiven(true).SaveX(ctx).ID
		}
		checkout := newReport("The checkout button does nothing", "https://shop.example/cart", "ada@example.com",
			[]map[string]any{{"message": "TypeError: cannot read properties of undefined", "stack": "at payWithCard (app.js:10:5)"}})
		login := newReport("Login page is slow", "https://shop.example/login", "bob@example.com", []any{})

		for term, want := range map[string][]string{
			"checkout":    {checkout}, // message
			"buttons":     {checkout}, // message, stemmed
			"payWithCard": {checkout}, // console-error stack text
			"TypeError":   {checkout}, // console-error message
			"login":       {login},    // message and page URL
			"nonexistent": nil,        // nothing
		} {
			if got := searchReports(t, db, term); !slices.Equal(got, want) {
				t.Errorf("search %q = %v, want %v", term, got, want)
			}
		}
		if got := searchReports(t, db, "bob"); !slices.Contains(got, login) || slices.Contains(got, checkout) {
			t.Errorf("search by reporter email part = %v, want the login report only", got)
		}

		fb := c.Feedback.Create().SetProjectID(p.ID).SetCategory(enums.FeedbackCategoryFeature).
			SetMessage("Please add a dark theme").SetAppVersion("1.2.3").SetPlatform("darwin-aarch64").SaveX(ctx)
		if got := searchFeedback(t, db, "dark"); !slices.Equal(got, []string{fb.ID}) {
			t.Errorf("feedback search = %v, want [%s]", got, fb.ID)
		}

		// Deleting an item takes it out of the index.
		c.Report.DeleteOneID(checkout).ExecX(ctx)
		c.Feedback.DeleteOneID(fb.ID).ExecX(ctx)
		if got := searchReports(t, db, "checkout"); len(got) != 0 {
			t.Errorf("a deleted report is still found: %v", got)
		}
		if got := searchFeedback(t, db, "dark"); len(got) != 0 {
			t.Errorf("deleted feedback is still found: %v", got)
		}
		if db.Dialect == dialect.SQLite {
			var n int
			if err := db.SQL.QueryRow("SELECT count(*) FROM reports_fts").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("reports_fts holds %d rows after a delete, want 1", n)
			}
		}
	})
}
