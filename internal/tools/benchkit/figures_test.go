package benchkit

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	lats := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5}, {0.95, 10}, {0.99, 10}, {0.1, 1}, {0.01, 1}, {1, 10}} {
		if p := Percentile(lats, tc.q); p != tc.want {
			t.Errorf("p%v = %d, want %d", 100*tc.q, p, tc.want)
		}
	}
	if p := Percentile(nil, 0.5); p != 0 {
		t.Errorf("percentile of nothing = %d", p)
	}
	if p := Percentile([]time.Duration{7}, 0.95); p != 7 {
		t.Errorf("p95 of one = %d", p)
	}
}

func TestFormatting(t *testing.T) {
	if s := Thousands(1234567.4); s != "1,234,567" {
		t.Errorf("Thousands = %q", s)
	}
	if s := Thousands(999); s != "999" {
		t.Errorf("Thousands = %q", s)
	}
	if s := Ms(2345 * time.Microsecond); s != "2.3 ms" {
		t.Errorf("Ms = %q", s)
	}
	if s := Ms(123456 * time.Microsecond); s != "123 ms" {
		t.Errorf("Ms = %q", s)
	}
	if Verdict(true) != "met" || Verdict(false) != "MISSED" {
		t.Error("Verdict")
	}
	if Ratio(3, 0) != 0 || Ratio(3, 2) != 1.5 {
		t.Error("Ratio")
	}
}
