package main

import (
	"testing"
	"time"
)

func TestMixIsRealisticAndSixtyPercentRecurring(t *testing.T) {
	g := newGenerator(1)
	ps := g.mix(1000)
	for _, kind := range []int{kindReport, kindCrash} {
		if size := averageSize(ps, kind); size < 4<<10 || size > 6<<10 {
			t.Errorf("kind %d: average body of %d bytes, want about 5 KB", kind, size)
		}
	}
	rs, err := rows(ps)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]int{}
	for _, r := range rs {
		if r.report != nil {
			groups["r"+r.report.fingerprint]++
		} else {
			groups["c"+r.crash.fingerprint]++
		}
	}
	// 500 of each kind: 300 in at most 20 recurring groups, 200 alone.
	recurring, single := 0, 0
	for _, n := range groups {
		if n == 1 {
			single++
		} else {
			recurring += n
		}
	}
	if single != 400 || recurring != 600 || len(groups) > 400+2*recurringGroups {
		t.Errorf("%d groups: %d singles, %d recurring requests; want 400 singles and 600 recurring in ≤ 40 groups",
			len(groups), single, recurring)
	}
}

func TestCrashesInOneGroupOrDistinct(t *testing.T) {
	g := newGenerator(1)
	count := func(ps []payload) int {
		rs, err := rows(ps)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range rs {
			seen[r.crash.fingerprint] = true
		}
		return len(seen)
	}
	if n := count(g.crashes(50, g.signature(false))); n != 1 {
		t.Errorf("one group: %d fingerprints", n)
	}
	if n := count(g.crashes(50, nil)); n != 50 {
		t.Errorf("distinct: %d fingerprints, want 50", n)
	}
}

func TestPercentile(t *testing.T) {
	r := result{lats: []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	if p := r.percentile(0.5); p != 5 {
		t.Errorf("p50 = %d", p)
	}
	if p := r.percentile(0.99); p != 10 {
		t.Errorf("p99 = %d", p)
	}
}
