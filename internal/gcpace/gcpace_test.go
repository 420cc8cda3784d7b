package gcpace

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	t.Parallel()
	p := Policy{Headroom: 100, MinPercent: 25, MaxPercent: 400}
	for _, c := range []struct {
		scannable uint64
		want      int
	}{
		{0, 400},
		{10, 400},  // 1000% capped
		{25, 400},  // exactly 400%
		{50, 200},  // the headroom
		{200, 50},  // the headroom
		{400, 25},  // exactly the floor
		{1000, 25}, // 10% raised to the floor
	} {
		if got := p.Percent(c.scannable); got != c.want {
			t.Errorf("Percent(%d) = %d, want %d", c.scannable, got, c.want)
		}
	}
}

// Not parallel: it changes the process's GOGC.
//
// After a collection, GOGC follows the live heap: a small headroom over a
// large live heap gives the floor, and dropping the heap brings the
// ceiling back.
func TestStartFollowsTheLiveHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	stop := Start(Policy{Headroom: 1 << 20, MinPercent: 10, MaxPercent: 1000})
	defer stop()

	ballast := make([][]byte, 64) // 64 MiB live: 1 MiB of headroom is under 10%
	for i := range ballast {
		ballast[i] = make([]byte, 1<<20)
	}
	if got := gcPercentAfterCollection(t, func(p int) bool { return p == 10 }); got != 10 {
		t.Errorf("with 64 MiB live, GOGC is %d, want the floor 10", got)
	}
	runtime.KeepAlive(ballast)
	ballast = nil
	if got := gcPercentAfterCollection(t, func(p int) bool { return p > 10 }); got <= 10 {
		t.Errorf("with the ballast gone, GOGC is still %d", got)
	}
}

// gcPercentAfterCollection collects until GOGC is as wanted or a few
// seconds pass (the finalizer runs after the collection), and returns it.
func gcPercentAfterCollection(t *testing.T, want func(int) bool) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		got := debug.SetGCPercent(-1)
		debug.SetGCPercent(got)
		if want(got) || time.Now().After(deadline) {
			return got
		}
	}
}
