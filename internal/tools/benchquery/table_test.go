package main

import (
	"strings"
	"testing"
	"time"
)

func ms(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func TestTableComparesToBaselineAndTarget(t *testing.T) {
	var b strings.Builder
	printTable(&b, []figures{
		// Unsorted, as timed: p50 4 ms, p95 10 ms; baseline p50 2 ms, p95 4 ms.
		{name: "fast", target: 20 * time.Millisecond, server: ms(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), baseline: ms(4, 1, 2, 2, 2, 2, 1, 1, 3, 3)},
		{name: "slow", target: 20 * time.Millisecond, server: ms(30, 10, 10, 10), baseline: nil},
	})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and 2 rows:\n%s", b.String())
	}
	for i, want := range [][]string{
		{"query", "p50", "p95", "pgx p50", "pgx p95", "ratio p50", "ratio p95", "target", "result"},
		{"fast", "5.0 ms", "10 ms", "2.0 ms", "4.0 ms", "2.5×", "2.5×", "p95 ≤ 20 ms", "met"},
		{"slow", "10 ms", "30 ms", "0.0 ms", "0.0 ms", "-", "-", "p95 ≤ 20 ms", "MISSED"},
	} {
		rest := lines[i]
		for _, w := range want {
			j := strings.Index(rest, w)
			if j < 0 {
				t.Errorf("line %d %q: no %q in order", i, lines[i], w)
				break
			}
			rest = rest[j+len(w):]
		}
	}
}

func TestPagesNoteSplitsEvenAndOddRuns(t *testing.T) {
	got := pagesNote(ms(1, 10, 1, 10), ms(2, 20, 2, 20))
	want := "page 1 p50/p95 1.0 ms / 1.0 ms (pgx 2.0 ms / 2.0 ms), page 2 through endCursor 10 ms / 10 ms (pgx 20 ms / 20 ms)"
	if got != want {
		t.Errorf("pagesNote = %q\nwant %q", got, want)
	}
}

func TestCompareAnswers(t *testing.T) {
	a := answer{ids: []string{"a", "b"}, total: 2}
	if msg := sameAnswer(a, answer{ids: []string{"a", "b"}, total: 2}); msg != "" {
		t.Errorf("equal answers differ: %s", msg)
	}
	if msg := sameAnswer(a, answer{ids: []string{"b", "a"}, total: 2}); msg == "" {
		t.Error("another order is the same answer")
	}
	if msg := sameAnswer(a, answer{ids: []string{"a", "b"}, total: 3}); msg == "" {
		t.Error("another total is the same answer")
	}
	// Statistics over windows ending a moment apart may differ a little.
	s := answer{total: 10_000, newGroups: 10, users: 500}
	if msg := sameStats(s, answer{total: 10_050, newGroups: 11, users: 502}); msg != "" {
		t.Errorf("near statistics differ: %s", msg)
	}
	if msg := sameStats(s, answer{total: 12_000, newGroups: 10, users: 500}); msg == "" {
		t.Error("a total 20% off is the same")
	}
}

func TestNoTotalCountVariantsFollowTheirQueries(t *testing.T) {
	qs := (&bench{search: "button"}).queries()
	var names []string
	for _, q := range qs {
		names = append(names, q.name)
	}
	want := []string{
		"reports page (50, newest first)",
		"reports page (50, newest first, no totalCount)",
		`search "button" (first 50)`,
		`search "button" (first 50, no totalCount)`,
		"crashGroups by count (first 50)",
		"crashStats(MONTH)",
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Fatalf("queries %q, want %q", names, want)
	}
	for _, i := range []int{1, 3} {
		if qs[i].target != qs[i-1].target || qs[i].pages != qs[i-1].pages {
			t.Errorf("%s: target %s, pages %t; want those of %s", qs[i].name, qs[i].target, qs[i].pages, qs[i-1].name)
		}
	}
	for _, c := range []struct {
		with, without string
	}{{reportsPageQuery, reportsPageNoCountQuery}, {searchQuery, searchNoCountQuery}} {
		if !strings.Contains(c.with, "totalCount") || strings.Contains(c.without, "totalCount") {
			t.Errorf("want totalCount in the first only:\n%s\n%s", c.with, c.without)
		}
		if strings.Replace(c.with, "totalCount\n    ", "", 1) != c.without {
			t.Errorf("not the same query but for totalCount:\n%s\n%s", c.with, c.without)
		}
	}
}
