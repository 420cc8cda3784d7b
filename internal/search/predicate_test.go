package search_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/search"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// corpus stores a few reports and feedback, and returns their ids by name
// and the context of an admin user to search as.
func corpus(t *testing.T, db *database.DB) (ids map[string]string, ctx context.Context) {
	t.Helper()
	sys := viewer.SystemContext(context.Background(), "test")
	c := db.Client
	u := c.User.Create().SetEmail("admin@example.com").SetPasswordHash("x").SaveX(sys)
	p := c.Project.Create().SetName("Shop").SetSlug("shop").SaveX(sys)
	ids = map[string]string{}
	newReport := func(name, message, url, email string, consoleErrors any) {
		b := c.Report.Create().SetProjectID(p.ID).SetMessage(message).SetPageURL(url).
			SetCategory(enums.ReportCategoryUI).SetSeverity(enums.ReportSeverityHigh).SetConsentGiven(true)
		if email != "" {
			b.SetReporterEmail(email)
		}
		if consoleErrors != nil {
			raw, err := json.Marshal(consoleErrors)
			if err != nil {
				t.Fatal(err)
			}
			b.SetConsoleErrors(raw)
		}
		ids[name] = b.SaveX(sys).ID
	}
	newReport("checkout", "The checkout button does nothing", "https://shop.example/cart", "ada@example.com",
		[]map[string]any{{"message": "TypeError: cannot read properties of undefined", "stack": "at payWithCard (app.js:10:5)"}})
	newReport("login", "Login page is slow", "https://shop.example/login", "bob@example.com", nil)
	newReport("crash", "App crashes when uploading photos", "https://shop.example/upload", "",
		[]map[string]any{{"message": "RangeError: Maximum call stack size exceeded"}})
	newReport("buttons", "Buttons are misaligned on the settings page", "https://shop.example/settings", "", []any{})

	newFeedback := func(name, message string) {
		ids[name] = c.Feedback.Create().SetProjectID(p.ID).SetCategory(enums.FeedbackCategoryFeature).
			SetMessage(message).SetAppVersion("1.2.3").SetPlatform("darwin-aarch64").SaveX(sys).ID
	}
	newFeedback("dark", "Please add a dark theme")
	newFeedback("export", "Exporting reports to CSV would help")
	return ids, viewer.NewContext(context.Background(), viewer.ForUser(u.ID))
}

// names maps ids back to names, sorted, so both dialects compare alike.
func names(ids map[string]string, got []string) []string {
	var out []string
	for name, id := range ids {
		if slices.Contains(got, id) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func TestReportsMatchAlikeOnBothEngines(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ids, ctx := corpus(t, db)
		for _, tc := range []struct {
			search string
			want   []string
		}{
			{"checkout", []string{"checkout"}},
			{"CHECKOUT", []string{"checkout"}},           // case
			{"check", []string{"checkout"}},              // prefix
			{"buttons", []string{"buttons", "checkout"}}, // stem: "button" and "Buttons"
			{"button", []string{"buttons", "checkout"}},
			{"crashing", []string{"crash"}}, // stem of "crashes"
			{"uploads", []string{"crash"}},  // message "uploading", URL /upload
			{"payWithCard", []string{"checkout"}},
			{"typeerror", []string{"checkout"}},
			{"app.js", []string{"checkout"}},
			{"maximum call stack", []string{"crash"}},
			{`"checkout button"`, []string{"checkout"}},
			{`"button checkout"`, nil},
			{`"call stack size"`, []string{"crash"}},
			{"page -login", []string{"buttons"}},
			{"page -log", []string{"buttons", "login"}}, // exclusions are not prefixes
			{"slow OR misaligned", []string{"buttons", "login"}},
			{"shop page", []string{"buttons", "login"}},
			{"settings OR crash photos", []string{"buttons", "crash"}},
			{"bob", []string{"login"}},
			{"ada@example.com", []string{"checkout"}},
			{"example.com", []string{"checkout", "login"}},
			{"shop.example/cart", []string{"checkout"}},
			{"cart", []string{"checkout"}},
			{"the checkout", []string{"checkout"}},
			{"nonexistent", nil},
			{"dark", nil}, // feedback, not reports
			{"ref:" + ids["login"], nil},
			{ids["login"], nil},
		} {
			q, err := search.Parse(tc.search)
			if err != nil {
				t.Errorf("Parse(%q): %v", tc.search, err)
				continue
			}
			got, err := db.Client.Report.Query().Where(search.Reports(q)).IDs(ctx)
			if err != nil {
				t.Errorf("search %q (%s / %s): %v", tc.search, q.TSQuery(), q.FTS5(), err)
				continue
			}
			if n := names(ids, got); !slices.Equal(n, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.search, n, tc.want)
			}
		}
	})
}

func TestFeedbackMatchAlikeOnBothEngines(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ids, ctx := corpus(t, db)
		for _, tc := range []struct {
			search string
			want   []string
		}{
			{"dark", []string{"dark"}},
			{"themes", []string{"dark"}},
			{"export", []string{"export"}},
			{"csv -dark", []string{"export"}},
			{"dark OR csv", []string{"dark", "export"}},
			{`"dark theme"`, []string{"dark"}},
			{"checkout", nil}, // a report, not feedback
			{"ref:" + ids["dark"], nil},
		} {
			q, err := search.Parse(tc.search)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.search, err)
			}
			got, err := db.Client.Feedback.Query().Where(search.Feedback(q)).IDs(ctx)
			if err != nil {
				t.Errorf("search %q: %v", tc.search, err)
				continue
			}
			if n := names(ids, got); !slices.Equal(n, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.search, n, tc.want)
			}
		}
	})
}

func TestSearchComposesWithOtherPredicates(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ids, ctx := corpus(t, db)
		q, err := search.Parse("page")
		if err != nil {
			t.Fatal(err)
		}
		// Counted and ordered, with another condition, as pagination does.
		n, err := db.Client.Report.Query().Where(search.Reports(q), report.IDNEQ(ids["login"])).Count(ctx)
		if err != nil || n != 1 {
			t.Errorf("count = %d (%v), want 1", n, err)
		}
		// An empty query filters nothing.
		all, err := db.Client.Feedback.Query().Where(search.Feedback(search.Query{}), feedback.ProjectIDNEQ("")).Count(ctx)
		if err != nil || all != 2 {
			t.Errorf("empty search counts %d (%v), want 2", all, err)
		}
	})
}

// TestHostileSearchesNeverBreakTheQuery feeds both engines text made of
// their query syntax: whatever Parse accepts must run.
func TestHostileSearchesNeverBreakTheQuery(t *testing.T) {
	t.Parallel()
	inputs := []string{
		`"`, `""`, `"""`, `'`, `''`, `\`, `\'`, `'\''`, `:*`, `a:*`, `*a`, `a*`, `!a`, `!!a`, `a & b`, `a | b`,
		`a <-> b`, `a <2> b`, `(a`, `a)`, `((a) | b`, `a:A`, `a:*AB`, `NEAR(a b, 2)`, `a NEAR b`, `a NOT b`,
		`a AND b`, `{message}: a`, `- {ref}: a`, `ref:a`, `message:a`, `^a`, `+a`, `a + b`, `a"b`, `"a" "`,
		`-"`, `--a b`, `OR OR`, `-OR a`, `a OR -`, "a\x00b", "\xff\xfe a", `a'; DROP TABLE reports; --`,
		`a'||'b`, `$1 a`, `? a`, `a%`, `_a_`, `a @@ b`, `'a':* & 'b'`, `"a" * "b"`, `a) OR (b`,
	}
	syntax := []rune(`"'\:*!&|<>()-+^{}[],;%?@ abcAB1OR`)
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var b strings.Builder
		for range 1 + r.IntN(24) {
			b.WriteRune(syntax[r.IntN(len(syntax))])
		}
		inputs = append(inputs, b.String())
	}
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		_, ctx := corpus(t, db)
		for _, in := range inputs {
			q, err := search.Parse(in)
			if err != nil {
				continue // refused as the user's mistake: fine
			}
			if _, err := db.Client.Report.Query().Where(search.Reports(q)).Count(ctx); err != nil {
				t.Errorf("reports search %q (%s / %s): %v", in, q.TSQuery(), q.FTS5(), err)
			}
			if _, err := db.Client.Feedback.Query().Where(search.Feedback(q)).Count(ctx); err != nil {
				t.Errorf("feedback search %q: %v", in, err)
			}
		}
	})
}
