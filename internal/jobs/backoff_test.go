package jobs

import (
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	want := []time.Duration{5 * time.Second, 20 * time.Second, 80 * time.Second, 320 * time.Second,
		1280 * time.Second, 5120 * time.Second, 20480 * time.Second, 12 * time.Hour, 12 * time.Hour, 12 * time.Hour}
	var total time.Duration
	for i, w := range want {
		n := i + 1
		if got := retryDelay(n, 0.5); got != w {
			t.Errorf("retryDelay(%d) = %s, want %s", n, got, w)
		}
		if lo, hi := retryDelay(n, 0), retryDelay(n, 0.999999); lo != time.Duration(float64(w)*0.9) || hi < time.Duration(float64(w)*1.0999) || hi > time.Duration(float64(w)*1.1) {
			t.Errorf("retryDelay(%d) jitter spans %s..%s, want ±10%% of %s", n, lo, hi, w)
		}
		total += w
	}
	if total < 24*time.Hour || total > 48*time.Hour {
		t.Errorf("ten attempts span %s, want a day or two", total)
	}
	if got := retryDelay(1000, 0.5); got != 12*time.Hour {
		t.Errorf("retryDelay(1000) = %s, want the 12 h cap", got)
	}
}
