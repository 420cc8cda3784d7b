// Package gcpace paces the garbage collector by an absolute headroom
// rather than a ratio of the live heap.
//
// GOGC is a ratio: the heap may grow by GOGC% of what is live before the
// next collection. Ingest wants a high ratio (it allocates a lot, briefly,
// over a small live heap: GOGC=400 saved a fifth of its CPU); idle
// WebSocket connections want a low one (their memory is live for hours, and
// at 400% each would cost five times its size). A fixed headroom serves
// both: a small heap gets a high GOGC, a heap of ten thousand connections a
// low one, and what a connection adds to the process is what it holds.
package gcpace

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Policy is how much the heap may grow between collections: Headroom
// bytes, but at least MinPercent and at most MaxPercent of what the
// collector scans (the live heap, stacks and globals).
type Policy struct {
	Headroom               uint64
	MinPercent, MaxPercent int
}

// Default gives about GOGC=400 to a server at rest (tens of MB live), and
// falls towards 25% as connections fill the heap.
var Default = Policy{Headroom: 100 << 20, MinPercent: 25, MaxPercent: 400}

// Percent is the GOGC that gives p's headroom over scannable bytes.
func (p Policy) Percent(scannable uint64) int {
	if scannable == 0 {
		return p.MaxPercent
	}
	pct := p.Headroom * 100 / scannable
	return int(min(max(pct, uint64(p.MinPercent)), uint64(p.MaxPercent)))
}

var samples = []metrics.Sample{
	{Name: "/gc/heap/live:bytes"},
	{Name: "/gc/scan/stack:bytes"},
	{Name: "/gc/scan/globals:bytes"},
}

// scannable is what the last collection found live, as the pacer counts it.
func scannable() uint64 {
	s := make([]metrics.Sample, len(samples))
	copy(s, samples)
	metrics.Read(s)
	var total uint64
	for _, m := range s {
		if m.Value.Kind() == metrics.KindUint64 {
			total += m.Value.Uint64()
		}
	}
	return total
}

// Start sets GOGC from p now and after every collection, until stop is
// called.
func Start(p Policy) (stop func()) {
	var stopped atomic.Bool
	var last int
	var arm func()
	arm = func() {
		// A finalizer runs once per collection that finds its object
		// unreachable: a new one each time follows every cycle.
		runtime.SetFinalizer(new([16]byte), func(*[16]byte) {
			if stopped.Load() {
				return
			}
			if pct := p.Percent(scannable()); pct != last {
				last = pct
				debug.SetGCPercent(pct)
			}
			arm()
		})
	}
	last = p.Percent(scannable())
	debug.SetGCPercent(last)
	arm()
	return func() { stopped.Store(true) }
}
