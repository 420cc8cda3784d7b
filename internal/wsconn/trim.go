package wsconn

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// stackTrimmer runs two collections once a burst of connections ends.
//
// A connection's goroutines grow their stacks while it is set up (the
// handshake, authentication, the subscription's validation and first
// execution), then park using a fraction of them. Only a collection shrinks
// a stack, by half each time, and a server whose connections sit idle
// allocates too little to collect for minutes: the set-up stacks stayed,
// a sixth of an idle connection's memory. Two collections a little after a
// burst hand most of it back, for a few milliseconds of CPU per burst.
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
	return &stackTrimmer{quiet: time.Second, maxWait: 30 * time.Second, least: 64, collect: func() {
		runtime.GC()
		// A second collection, which also gives the freed memory back to
		// the system: otherwise it would stay in the process's RSS until
		// the background scavenger's slow pace came to it.
		debug.FreeOSMemory()
	}}
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
