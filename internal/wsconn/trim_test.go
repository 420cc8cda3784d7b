package wsconn

import (
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

func TestStackTrimmerCollectsOncePerBurst(t *testing.T) {
	t.Parallel()
	var collected atomic.Int32
	done := make(chan struct{}, 4)
	tr := &stackTrimmer{quiet: 50 * time.Millisecond, maxWait: time.Minute, least: 10, collect: func() {
		collected.Add(1)
		done <- struct{}{}
	}}
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
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("no collection after a burst of 49 connections")
	}
	time.Sleep(200 * time.Millisecond) // four quiet periods: no second collection
	if n := collected.Load(); n != 1 {
		t.Errorf("%d collections for one burst, want 1", n)
	}
	for range 10 {
		tr.connected()
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("no collection after a second burst")
	}
}

// A burst that never goes quiet is trimmed maxWait after it began.
func TestStackTrimmerBoundsTheWait(t *testing.T) {
	t.Parallel()
	done := make(chan struct{}, 1)
	tr := &stackTrimmer{quiet: time.Hour, maxWait: 50 * time.Millisecond, least: 1, collect: func() {
		select {
		case done <- struct{}{}:
		default:
		}
	}}
	tr.connected()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a burst was not trimmed after maxWait")
	}
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
