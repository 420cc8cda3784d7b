package search_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/search"
)

func TestParseTranslatesForBothEngines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, ts, fts string
	}{
		{"checkout", `'checkout':*`, `"checkout"*`},
		{"  Checkout  ", `'Checkout':*`, `"Checkout"*`},
		{"checkout button", `'checkout':* & 'button':*`, `("checkout"* AND "button"*)`},
		{`"checkout button"`, `'checkout button'`, `"checkout button"`},
		{`"  checkout   button  "`, `'checkout button'`, `"checkout button"`},
		{`"unterminated phrase`, `'unterminated phrase'`, `"unterminated phrase"`},
		{"crash -login", `'crash':* & !'login'`, `"crash"* NOT "login"`},
		{"-login crash", `'crash':* & !'login'`, `"crash"* NOT "login"`},
		{"crash -login -signup", `'crash':* & !'login' & !'signup'`, `"crash"* NOT ("login" OR "signup")`},
		{`crash -"login page"`, `'crash':* & !'login page'`, `"crash"* NOT "login page"`},
		{"crash OR timeout", `'crash':* | 'timeout':*`, `("crash"*) OR ("timeout"*)`},
		{"crash or timeout", `'crash':* | 'timeout':*`, `("crash"*) OR ("timeout"*)`},
		// AND binds tighter than OR, as in websearch_to_tsquery.
		{"crash login OR timeout -retry", `('crash':* & 'login':*) | ('timeout':* & !'retry')`,
			`(("crash"* AND "login"*)) OR ("timeout"* NOT "retry")`},
		{"OR crash OR OR", `'crash':*`, `"crash"*`},
		// A lone dash excludes nothing.
		{"crash - login", `'crash':* & 'login':*`, `("crash"* AND "login"*)`},
		// Stop words are dropped for both engines, as PostgreSQL does.
		{"the checkout", `'checkout':*`, `"checkout"*`},
		{"the OR checkout", `'checkout':*`, `"checkout"*`},
		{"checkout -the", `'checkout':*`, `"checkout"*`},
		{`"the checkout"`, `'the checkout'`, `"the checkout"`},
		// Punctuation alone is dropped.
		{"checkout & | ! <-> * : ( )", `'checkout':*`, `"checkout"*`},
		// Text with punctuation is looked for as typed and as its words.
		{"app.js", `('app.js':* | 'app js':*)`, `"app.js"*`},
		{"ada@example.com", `('ada@example.com':* | 'ada example com':*)`, `"ada@example.com"*`},
		// Hostile input stays inside one quoted term.
		{`it's'ok`, `('it''s''ok':* | 'it s ok':*)`, `"it's'ok"*`},
		{`back\slash`, `('back\\slash':* | 'back slash':*)`, `"back\slash"*`},
		{`x':*|!y`, `('x'':*|!y':* | 'x y':*)`, `"x':*|!y"*`},
		{"(crash)", `('(crash)':* | 'crash':*)`, `"(crash)"*`},
		{"ref:rep_1", `('ref:rep_1':* | 'ref rep 1':*)`, `"ref:rep_1"*`},
		{"{message}:x", `('{message}:x':* | 'message x':*)`, `"{message}:x"*`},
		{"NEAR(a b)", `('NEAR(a':* | 'NEAR a':*) & ('b)':* | 'b':*)`, `("NEAR(a"* AND "b)"*)`},
		{"AND NOT crash", `'crash':*`, `"crash"*`},
		{"^crash +dump", `('^crash':* | 'crash':*) & ('+dump':* | 'dump':*)`, `("^crash"* AND "+dump"*)`},
		{`a"quoted"b`, `'quoted' & 'b':*`, `("quoted" AND "b"*)`},
		// Control characters and invalid UTF-8 separate words.
		{"check\x00cart\xffpay", `'check':* & 'cart':* & 'pay':*`, `("check"* AND "cart"* AND "pay"*)`},
		{"café 日本語", `'café':* & '日本語':*`, `("café"* AND "日本語"*)`},
	} {
		q, err := search.Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if q.Empty() {
			t.Errorf("Parse(%q) is empty", tc.in)
		}
		if got := q.TSQuery(); got != tc.ts {
			t.Errorf("Parse(%q).TSQuery() = %s, want %s", tc.in, got, tc.ts)
		}
		if got := q.FTS5(); got != tc.fts {
			t.Errorf("Parse(%q).FTS5() = %s, want %s", tc.in, got, tc.fts)
		}
	}
}

func TestParseBlankIsEmpty(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "   ", "\t\n", "OR", "-", `""`} {
		q, err := search.Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if !q.Empty() || q.TSQuery() != "" || q.FTS5() != "" {
			t.Errorf("Parse(%q) = %q / %q, want empty", in, q.TSQuery(), q.FTS5())
		}
	}
	if !(search.Query{}).Empty() {
		t.Error("the zero Query is not empty")
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	sixteen := strings.Repeat("word ", search.MaxTerms)
	if _, err := search.Parse(sixteen); err != nil {
		t.Errorf("%d terms refused: %v", search.MaxTerms, err)
	}
	if _, err := search.Parse(strings.Repeat("é", search.MaxLength)); err != nil {
		t.Errorf("%d characters refused: %v", search.MaxLength, err)
	}
	for _, tc := range []struct{ name, in, problem string }{
		{"too long", strings.Repeat("é", search.MaxLength+1), "at most 256 characters"},
		{"too many terms", sixteen + "more", "at most 16 words"},
		{"too many terms, counting stop words and phrases", sixteen + `"the"`, "at most 16 words"},
		{"only excluded", "-login", "at least one word"},
		{"only excluded, several", `-login -"sign up"`, "at least one word"},
		{"an alternative of only exclusions", "crash OR -login", "at least one word"},
		{"only stop words", "the and of", "not indexed"},
		{"only punctuation", "* : & ( )", "not indexed"},
	} {
		_, err := search.Parse(tc.in)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Kind != apperr.Invalid {
			t.Errorf("%s: Parse(%q) error = %v, want Invalid", tc.name, tc.in, err)
			continue
		}
		if p := e.Fields["search"]; !strings.Contains(p, tc.problem) {
			t.Errorf("%s: problem with search = %q, want it to say %q", tc.name, p, tc.problem)
		}
	}
}
