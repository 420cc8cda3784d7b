package wsconn

import (
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// trimmed returns a collect func that counts, and a wait for its next call.
func trimmed(t *testing.T) (collect func(), count *atomic.Int32, next func()) {
	count = &atomic.Int32{}
	done := make(chan struct{}, 4)
	collect = func() {
		count.Add(1)
		done <- struct{}{}
	}
	next = func() {
		t.Helper()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("no trim")
		}
	}
	return collect, count, next
}

func TestStackTrimmerCollectsOncePerBurst(t *testing.T) {
	t.Parallel()
	collect, collected, next := trimmed(t)
	// quiet is far above the time a loop of connected() takes, however
	// loaded the machine: a burst is not cut in two.
	tr := &stackTrimmer{quiet: 300 * time.Millisecond, maxWait: time.Minute, least: 10, collect: collect}
	for range 9 {
		tr.connected()
	}
	tr.mu.Lock()
	armed := tr.timer != nil
	tr.mu.Unlock()
	if armed {
		t.Fatal("a trim was set for fewer connections than least")
	}
	for range 40 {
		tr.connected()
	}
	next()
	for range 10 {
		tr.connected()
	}
	next()
	if n := collected.Load(); n != 2 {
		t.Errorf("%d collections for two bursts, want 2", n)
	}
}

// A burst that never goes quiet is trimmed maxWait after it began.
func TestStackTrimmerBoundsTheWait(t *testing.T) {
	t.Parallel()
	collect, _, next := trimmed(t)
	tr := &stackTrimmer{quiet: time.Hour, maxWait: 50 * time.Millisecond, least: 1, collect: collect}
	tr.connected()
	next()
}

// The release is bounded by a runtime metric; a renamed metric would turn
// the release off without a word.
func TestHeapFreeMetricExists(t *testing.T) {
	t.Parallel()
	sample := []metrics.Sample{{Name: heapFreeMetric}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		t.Fatalf("runtime metric %s is unknown to this Go", heapFreeMetric)
	}
}
