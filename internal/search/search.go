// Package search turns what a person types in a search box into a
// full-text query for either store: a to_tsquery text for the generated
// search_vector columns on PostgreSQL, a MATCH text for the FTS5 tables on
// SQLite (see the *_search.sql migrations).
//
// The syntax is websearch_to_tsquery's: words, "quoted phrases", -excluded
// words, and OR between alternatives; AND binds tighter than OR, so
// `crash login OR timeout` is (crash AND login) OR timeout. Unlike websearch,
// words match by prefix too ("check" finds "checkout"), so a search box
// finds results while the user types; excluded words and phrases do not.
//
// Both engines must answer the same query with the same items. Three rules
// keep them together:
//   - Each engine tokenises the user's text itself, with the tokenizer that
//     built its index, so "app.js" or an email address is split the way the
//     stored text was. Every user token is quoted, so it can only ever be
//     text to look for, never query syntax. On PostgreSQL, text with
//     punctuation is also looked for as its bare words, which is how the
//     index holds page URLs and emails and how FTS5 splits everything.
//   - Words PostgreSQL's english configuration does not index (stop words
//     such as "the") are dropped before either engine sees them: FTS5 keeps
//     them in its index and would otherwise match on them.
//   - Terms without a letter or digit are dropped: PostgreSQL ignores an
//     operand without lexemes, while FTS5 would match nothing for it.
//
// Known differences: FTS5 removes diacritics ("cafe" finds "café") where
// PostgreSQL does not, and the engines' English stemmers (Porter on SQLite,
// Snowball on PostgreSQL) disagree on a few rare words.
package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

const (
	// MaxLength bounds a search, in characters.
	MaxLength = 256
	// MaxTerms bounds the words and phrases of a search: each one is an
	// index probe on PostgreSQL and a term scan on SQLite.
	MaxTerms = 16
)

// field is the input name errors are reported under.
const field = "search"

// term is a word or a phrase, as the user typed it.
type term struct {
	text   string
	phrase bool
}

// clause is one alternative: all of include and none of exclude.
type clause struct {
	include, exclude []term
}

// Query is a parsed search: clauses joined by OR. The zero Query is empty
// and matches everything.
type Query struct {
	clauses []clause
}

// Empty reports whether the query has nothing to look for, in which case it
// filters nothing.
func (q Query) Empty() bool { return len(q.clauses) == 0 }

// Parse reads a search as typed. A blank search is the empty Query. A
// search too long, with too many terms, or with nothing indexable to look
// for is an *apperr.Error of kind Invalid on the field "search".
func Parse(s string) (Query, error) {
	if utf8.RuneCountInString(s) > MaxLength {
		return Query{}, apperr.InvalidField(field, fmt.Sprintf("must be at most %d characters", MaxLength))
	}
	tokens := lex(clean(s))

	var (
		q       Query
		cur     clause
		terms   int
		dropped bool
	)
	for _, t := range tokens {
		if t.or {
			// A leading, trailing or doubled OR joins nothing and is ignored,
			// as websearch_to_tsquery does.
			if len(cur.include)+len(cur.exclude) > 0 {
				q.clauses = append(q.clauses, cur)
				cur = clause{}
			}
			continue
		}
		terms++
		if !indexable(t.text) {
			dropped = true
			continue
		}
		tm := term{text: t.text, phrase: t.phrase}
		if t.negated {
			cur.exclude = append(cur.exclude, tm)
		} else {
			cur.include = append(cur.include, tm)
		}
	}
	if len(cur.include)+len(cur.exclude) > 0 {
		q.clauses = append(q.clauses, cur)
	}

	if terms > MaxTerms {
		return Query{}, apperr.InvalidField(field, fmt.Sprintf("must have at most %d words and phrases", MaxTerms))
	}
	for _, c := range q.clauses {
		// FTS5 cannot answer "everything but x" (its NOT needs a left
		// side), and "a OR -b" would match nearly every item.
		if len(c.include) == 0 {
			return Query{}, apperr.InvalidField(field, "needs at least one word to look for")
		}
	}
	if q.Empty() && dropped {
		return Query{}, apperr.InvalidField(field, `needs at least one word to look for; words as common as "the" and punctuation are not indexed`)
	}
	return q, nil
}

// clean makes s safe for both engines' text parameters: PostgreSQL refuses
// invalid UTF-8 and NUL, and control characters separate words anyway.
func clean(s string) string {
	s = strings.ToValidUTF8(s, " ")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

type token struct {
	text            string
	phrase, negated bool
	or              bool
}

// lex splits a search into words, "phrases" (an unclosed quote runs to the
// end) and OR operators. A dash right before a word or phrase excludes it.
func lex(s string) []token {
	var tokens []token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		negated := false
		if r == '-' {
			negated = true
			i += size
			if i == len(s) {
				break
			}
			if r, size = utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
				continue // a lone dash
			}
		}
		if r == '"' {
			i += size
			text := s[i:]
			if end := strings.IndexByte(text, '"'); end >= 0 {
				text = text[:end]
				i += end + 1
			} else {
				i = len(s)
			}
			if text = strings.Join(strings.Fields(text), " "); text != "" {
				tokens = append(tokens, token{text: text, phrase: true, negated: negated})
			}
			continue
		}
		start := i
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) || r == '"' {
				break
			}
			i += size
		}
		word := s[start:i]
		// Any case, as websearch_to_tsquery: "or" is a stop word, so it
		// could not be searched for anyway.
		if !negated && strings.EqualFold(word, "or") {
			tokens = append(tokens, token{or: true})
			continue
		}
		tokens = append(tokens, token{text: word, negated: negated})
	}
	return tokens
}

// indexable reports whether text holds a word either index keeps: a run of
// letters or digits that is not an English stop word.
func indexable(text string) bool {
	for _, w := range alnumRuns(text) {
		if !stopWords[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

// alnumRuns splits text into its runs of letters and digits, the words
// FTS5's unicode61 tokenizer sees.
func alnumRuns(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// TSQuery is q as to_tsquery('english', …) text. Words are prefix terms
// ('word':*), phrases match their words in sequence, exclusions match the
// word itself (stemmed, not as a prefix): "-log" should not hide "login".
// The text of every term is a quoted operand, which PostgreSQL hands to its
// text parser as data (see writeTSTerm).
func (q Query) TSQuery() string {
	var b strings.Builder
	for i, c := range q.clauses {
		if i > 0 {
			b.WriteString(" | ")
		}
		multi := len(q.clauses) > 1 && len(c.include)+len(c.exclude) > 1
		if multi {
			b.WriteByte('(')
		}
		for j, t := range c.include {
			if j > 0 {
				b.WriteString(" & ")
			}
			writeTSTerm(&b, t.text, !t.phrase)
		}
		for _, t := range c.exclude {
			b.WriteString(" & !")
			writeTSTerm(&b, t.text, false)
		}
		if multi {
			b.WriteByte(')')
		}
	}
	return b.String()
}

// tsEscaper escapes the two characters that are special inside a quoted
// tsquery operand.
var tsEscaper = strings.NewReplacer(`\`, `\\`, `'`, `''`)

// writeTSTerm writes text as a quoted operand, which PostgreSQL hands to its
// text parser: an operand of several lexemes becomes a phrase (joined by
// <->, stop words widening the distance), as in phraseto_tsquery.
//
// Text with punctuation is looked for twice. As typed, PostgreSQL's parser
// keeps "app.js" or "ada@example.com" whole, as it did when it indexed the
// message and the console errors. As its words alone ("example com"), it
// matches the page URL and email words the index adds, which is how FTS5
// tokenises everything.
func writeTSTerm(b *strings.Builder, text string, prefix bool) {
	words := strings.Join(alnumRuns(text), " ")
	if words == text {
		writeTSOperand(b, text, prefix)
		return
	}
	b.WriteByte('(')
	writeTSOperand(b, text, prefix)
	b.WriteString(" | ")
	writeTSOperand(b, words, prefix)
	b.WriteByte(')')
}

func writeTSOperand(b *strings.Builder, text string, prefix bool) {
	b.WriteByte('\'')
	b.WriteString(tsEscaper.Replace(text))
	b.WriteByte('\'')
	if prefix {
		b.WriteString(":*")
	}
}

// FTS5 is q as an FTS5 MATCH expression, without a column filter. Words are
// prefix strings ("word"*), phrases strings ("a b"), exclusions strings
// after NOT. FTS5's tokenizer splits every string as it split the indexed
// text; a string of several tokens matches them in sequence.
func (q Query) FTS5() string {
	var b strings.Builder
	for i, c := range q.clauses {
		if i > 0 {
			b.WriteString(" OR ")
		}
		wrap := len(q.clauses) > 1
		if wrap {
			b.WriteByte('(')
		}
		// FTS5's NOT is binary: the words to find come first.
		if len(c.include) > 1 {
			b.WriteByte('(')
		}
		for j, t := range c.include {
			if j > 0 {
				b.WriteString(" AND ")
			}
			writeFTSString(&b, t.text)
			if !t.phrase {
				b.WriteByte('*')
			}
		}
		if len(c.include) > 1 {
			b.WriteByte(')')
		}
		if len(c.exclude) > 0 {
			b.WriteString(" NOT ")
			if len(c.exclude) > 1 {
				b.WriteByte('(')
			}
			for j, t := range c.exclude {
				if j > 0 {
					b.WriteString(" OR ")
				}
				writeFTSString(&b, t.text)
			}
			if len(c.exclude) > 1 {
				b.WriteByte(')')
			}
		}
		if wrap {
			b.WriteByte(')')
		}
	}
	return b.String()
}

// writeFTSString writes s as an FTS5 string, inside which nothing is
// syntax: not NEAR, AND, column filters, ^, + or *; a quote is doubled.
func writeFTSString(b *strings.Builder, s string) {
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(s, `"`, `""`))
	b.WriteByte('"')
}

// stopWords are the words PostgreSQL's english configuration does not
// index (share/tsearch_data/english.stop).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`i me my myself we our ours ourselves you your yours yourself
		yourselves he him his himself she her hers herself it its itself they them their theirs
		themselves what which who whom this that these those am is are was were be been being have
		has had having do does did doing a an the and but if or because as until while of at by for
		with about against between into through during before after above below to from up down in
		out on off over under again further then once here there when where why how all any both
		each few more most other some such no nor not only own same so than too very s t can will
		just don should now`) {
		m[w] = true
	}
	return m
}()
