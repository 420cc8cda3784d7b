package wsconn

import (
	"runtime"
	"sync"
	"testing"
)

func TestAsideReturnsAndPanicsLikeACall(t *testing.T) {
	t.Parallel()
	if got := Aside(func() int { return 42 }); got != 42 {
		t.Errorf("Aside returned %d, want 42", got)
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want the callee's panic", r)
		}
	}()
	Aside(func() int { panic("boom") })
	t.Error("Aside did not panic")
}

// deep grows its goroutine's stack by about n KB.
//
//go:noinline
func deep(n int) int {
	var pad [1024]byte
	pad[n%1024] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%1024])
}

// What f needed on its own goroutine is not kept by the caller: parked
// goroutines that ran a deep call aside hold a fraction of the stack memory
// of those that made it themselves. Not parallel: it reads the process's
// stack memory.
func TestAsideKeepsTheCallersStackSmall(t *testing.T) {
	const goroutines = 200
	parkedStacks := func(call func()) uint64 {
		release := make(chan struct{})
		var ready sync.WaitGroup
		before := stackBytes()
		for range goroutines {
			ready.Add(1)
			go func() {
				call()
				ready.Done()
				<-release
			}()
		}
		ready.Wait()
		after := stackBytes()
		close(release)
		return after - min(before, after)
	}
	direct := parkedStacks(func() { deep(64) })
	aside := parkedStacks(func() { Aside(func() int { return deep(64) }) })
	if direct < goroutines*64<<10 {
		t.Fatalf("%d goroutines that made a 64 KB call hold %d bytes of stack: the test measures nothing", goroutines, direct)
	}
	if aside > direct/4 {
		t.Errorf("parked goroutines hold %d bytes of stack having run the call aside, %d having made it", aside, direct)
	}
}

func stackBytes() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.StackInuse
}
