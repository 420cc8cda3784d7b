package wsconn

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// stackTrimmer runs two collections once a burst of connections ends.
//
// A connection's goroutines grow their stacks while it is set up (the
// handshake, the subscription's validation and first execution; what
// queries the database runs Aside), then park using a fraction of them.
// Only a collection shrinks a stack, by half each time, and a server whose
// connections sit idle allocates too little to collect for minutes: the
// set-up stacks stayed, a sixth of an idle connection's memory. Two
// collections a little after a burst hand most of it back, for a few
// milliseconds of CPU per burst.
type stackTrimmer struct {
	quiet   time.Duration // how long without a new connection ends a burst
	maxWait time.Duration // a burst that does not end is trimmed anyway
	least   int           // fewer new connections are not worth trimming
	collect func()

	mu      sync.Mutex
	timer   *time.Timer
	since   int       // connections since the last trim
	started time.Time // the first of them
}

func newStackTrimmer() *stackTrimmer {
	return &stackTrimmer{quiet: time.Second, maxWait: 30 * time.Second, least: 64, collect: collectAndRelease}
}

// maxRelease bounds the memory a trim gives back to the system at once:
// the runtime holds its heap lock while it does, and allocations wait.
// More is left to the background scavenger, at its slow pace.
const maxRelease = 64 << 20

// heapFreeMetric is the free heap memory not yet given back to the system.
const heapFreeMetric = "/memory/classes/heap/free:bytes"

// collectAndRelease collects twice, then, when at most maxRelease is free,
// gives it back to the system (FreeOSMemory, which collects once more);
// otherwise it would stay in the process's RSS until the background
// scavenger came to it.
func collectAndRelease() {
	runtime.GC()
	runtime.GC()
	sample := []metrics.Sample{{Name: heapFreeMetric}}
	metrics.Read(sample)
	if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() <= maxRelease {
		debug.FreeOSMemory()
	}
}

// connected records a new connection.
func (t *stackTrimmer) connected() {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if t.since == 0 {
		t.started = now
	}
	t.since++
	if t.since < t.least {
		return
	}
	wait := min(t.quiet, max(0, t.started.Add(t.maxWait).Sub(now)))
	if t.timer == nil {
		t.timer = time.AfterFunc(wait, t.trim)
		return
	}
	t.timer.Reset(wait)
}

func (t *stackTrimmer) trim() {
	t.mu.Lock()
	t.since = 0
	t.mu.Unlock()
	t.collect()
}
