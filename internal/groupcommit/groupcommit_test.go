package groupcommit_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/groupcommit"
)

// deadline bounds every wait, so that a bug shows as a failure, not a hang.
// Inside a synctest bubble the clock is fake: a deadlock makes it jump to
// the deadline at once.
const deadline = 10 * time.Second

var errBad = errors.New("bad item")

type outcome[R any] struct {
	res R
	err error
}

// doAsync runs c.Do in its own goroutine and returns where its outcome
// will be delivered.
func doAsync[T, R any](ctx context.Context, c *groupcommit.Committer[T, R], item T) chan outcome[R] {
	ch := make(chan outcome[R], 1)
	go func() {
		res, err := c.Do(ctx, item)
		ch <- outcome[R]{res, err}
	}()
	return ch
}

// await returns the outcome of a Do started by doAsync, or fails the test
// if the Do does not return within deadline.
func await[R any](t *testing.T, ch chan outcome[R]) outcome[R] {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(deadline):
		t.Fatalf("Do did not return within %v", deadline)
		panic("unreachable")
	}
}

// returned reports whether the Do behind ch has already returned, without
// waiting; the outcome, if any, is put back for a later await.
func returned[R any](ch chan outcome[R]) bool {
	select {
	case o := <-ch:
		ch <- o
		return true
	default:
		return false
	}
}

// recorder keeps a copy of every slice passed to write.
type recorder[T any] struct {
	mu    sync.Mutex
	calls [][]T
}

func (r *recorder[T]) add(items []T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, slices.Clone(items))
}

func (r *recorder[T]) get() [][]T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// gate blocks the first call of write until it is opened.
type gate struct {
	first  atomic.Bool
	ch     chan struct{}
	closer sync.Once
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

// wait blocks if this is the first call; later calls pass.
func (g *gate) wait() {
	if g.first.CompareAndSwap(false, true) {
		<-g.ch
	}
}

func (g *gate) open() { g.closer.Do(func() { close(g.ch) }) }

// times10 is a write that returns item*10 for every item, failing the whole
// batch if any item is negative.
func times10(items []int) ([]int, error) {
	res := make([]int, len(items))
	for i, it := range items {
		if it < 0 {
			return nil, fmt.Errorf("item %d: %w", it, errBad)
		}
		res[i] = it * 10
	}
	return res, nil
}

func TestDoAloneWritesItemAlone(t *testing.T) {
	t.Parallel()
	var rec recorder[int]
	c := groupcommit.New(func(_ context.Context, items []int) ([]string, error) {
		rec.add(items)
		return []string{fmt.Sprintf("r%d", items[0])}, nil
	}, 8, 1)

	o := await(t, doAsync(t.Context(), c, 7))
	if o.err != nil || o.res != "r7" {
		t.Fatalf("Do(7) = %q, %v; want \"r7\", nil", o.res, o.err)
	}
	if got, want := rec.get(), [][]int{{7}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("write calls = %v; want %v", got, want)
	}

	// Sequential calls are each written alone too: nothing waits for a
	// batch to fill.
	o = await(t, doAsync(t.Context(), c, 8))
	if o.err != nil || o.res != "r8" {
		t.Fatalf("Do(8) = %q, %v; want \"r8\", nil", o.res, o.err)
	}
	if got, want := rec.get(), [][]int{{7}, {8}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("write calls = %v; want %v", got, want)
	}
}

func TestBatchesUnderContention(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const (
			maxBatch = 8
			n        = 20
		)
		var rec recorder[int]
		g := newGate()
		defer g.open()
		c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
			rec.add(items)
			g.wait()
			return times10(items)
		}, maxBatch, 1)

		first := doAsync(t.Context(), c, 1000)
		synctest.Wait() // the first Do is now blocked inside write
		outs := make([]chan outcome[int], n)
		for i := range n {
			outs[i] = doAsync(t.Context(), c, i)
		}
		synctest.Wait() // every other Do is now queued
		if calls := rec.get(); len(calls) != 1 {
			t.Fatalf("write called %d times while the only writer was blocked; want 1: %v", len(calls), calls)
		}
		g.open()

		if o := await(t, first); o.err != nil || o.res != 10000 {
			t.Errorf("Do(1000) = %d, %v; want 10000, nil", o.res, o.err)
		}
		for i, ch := range outs {
			if o := await(t, ch); o.err != nil || o.res != i*10 {
				t.Errorf("Do(%d) = %d, %v; want %d, nil", i, o.res, o.err, i*10)
			}
		}

		calls := rec.get()
		total, biggest := 0, 0
		seen := map[int]int{}
		for _, call := range calls {
			if len(call) > maxBatch {
				t.Errorf("write got %d items, more than maxBatch %d: %v", len(call), maxBatch, call)
			}
			total += len(call)
			biggest = max(biggest, len(call))
			for _, it := range call {
				seen[it]++
			}
		}
		if total != n+1 {
			t.Errorf("write got %d items in all; want %d: %v", total, n+1, calls)
		}
		for it, k := range seen {
			if k != 1 {
				t.Errorf("item %d written %d times; want 1", it, k)
			}
		}
		if biggest <= 1 {
			t.Errorf("no write got more than one item: %v", calls)
		}
		// All 20 were queued when the writer was released: they must go
		// in full batches, 1 + ceil(20/8) writes in all.
		if want := 1 + (n+maxBatch-1)/maxBatch; len(calls) != want {
			t.Errorf("write called %d times; want %d: %v", len(calls), want, calls)
		}
	})
}

func TestWritersLimit(t *testing.T) {
	t.Parallel()
	const (
		writers    = 2
		goroutines = 32
		perG       = 25
	)
	var cur, peak atomic.Int64
	c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(200 * time.Microsecond)
		return times10(items)
	}, 4, writers)

	runConcurrently(t, goroutines, func(g int) {
		for i := range perG {
			item := g*perG + i
			if res, err := c.Do(t.Context(), item); err != nil || res != item*10 {
				t.Errorf("Do(%d) = %d, %v; want %d, nil", item, res, err, item*10)
			}
		}
	})

	if p := peak.Load(); p < 1 || p > writers {
		t.Fatalf("peak concurrent writes = %d; want between 1 and %d", p, writers)
	}
}

// runConcurrently runs f(0..n-1) in n goroutines and fails the test if
// they do not all return within a generous deadline.
func runConcurrently(t *testing.T, n int, f func(g int)) {
	t.Helper()
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() { f(g) })
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(6 * deadline):
		t.Fatalf("goroutines did not finish within %v", 6*deadline)
	}
}

func TestFailedBatchIsRetriedItemByItem(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var rec recorder[int]
		g := newGate()
		defer g.open()
		c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
			rec.add(items)
			g.wait()
			return times10(items)
		}, 16, 1)

		first := doAsync(t.Context(), c, 0)
		synctest.Wait()
		batch := []int{1, -2, 3, -4, 5}
		outs := make([]chan outcome[int], len(batch))
		for i, it := range batch {
			outs[i] = doAsync(t.Context(), c, it)
		}
		synctest.Wait()
		g.open()

		if o := await(t, first); o.err != nil || o.res != 0 {
			t.Errorf("Do(0) = %d, %v; want 0, nil", o.res, o.err)
		}
		for i, it := range batch {
			o := await(t, outs[i])
			if it < 0 {
				if !errors.Is(o.err, errBad) {
					t.Errorf("Do(%d) = %d, %v; want error %v", it, o.res, o.err, errBad)
				}
				if !strings.Contains(fmt.Sprint(o.err), fmt.Sprint(it)) {
					t.Errorf("Do(%d) got error %q, not its own item's", it, o.err)
				}
				continue
			}
			if o.err != nil || o.res != it*10 {
				t.Errorf("Do(%d) = %d, %v; want %d, nil", it, o.res, o.err, it*10)
			}
		}

		// Expected writes: [0], the whole batch (fails), then each of its
		// items alone, in the batch's order.
		calls := rec.get()
		if len(calls) != 2+len(batch) {
			t.Fatalf("write calls = %v; want [0], the batch, then %d single items", calls, len(batch))
		}
		if !slices.Equal(calls[0], []int{0}) {
			t.Errorf("first write = %v; want [0]", calls[0])
		}
		whole := slices.Sorted(slices.Values(calls[1]))
		if !slices.Equal(whole, slices.Sorted(slices.Values(batch))) {
			t.Errorf("second write = %v; want the items %v in one batch", calls[1], batch)
		}
		var singles []int
		for _, call := range calls[2:] {
			if len(call) != 1 {
				t.Errorf("retry wrote %v; want one item at a time", call)
				continue
			}
			singles = append(singles, call[0])
		}
		if !slices.Equal(singles, calls[1]) {
			t.Errorf("retried items %v; want each item of the failed batch %v once, in order", singles, calls[1])
		}
	})
}

func TestSingleItemFailureIsNotRetried(t *testing.T) {
	t.Parallel()
	var rec recorder[int]
	c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
		rec.add(items)
		return times10(items)
	}, 16, 1)
	o := await(t, doAsync(t.Context(), c, -1))
	if !errors.Is(o.err, errBad) {
		t.Fatalf("Do(-1) = %d, %v; want error %v", o.res, o.err, errBad)
	}
	if got, want := rec.get(), [][]int{{-1}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("write calls = %v; want %v", got, want)
	}
}

func TestPanicBecomesError(t *testing.T) {
	t.Parallel()
	t.Run("whole batch", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			var panicking atomic.Bool
			panicking.Store(true)
			g := newGate()
			defer g.open()
			c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
				g.wait()
				if panicking.Load() {
					panic("kaboom")
				}
				return times10(items)
			}, 8, 1)

			outs := []chan outcome[int]{doAsync(t.Context(), c, 0)}
			synctest.Wait()
			for i := 1; i <= 4; i++ {
				outs = append(outs, doAsync(t.Context(), c, i))
			}
			synctest.Wait()
			g.open()
			for i, ch := range outs {
				o := await(t, ch)
				if o.err == nil || !strings.Contains(o.err.Error(), "panicked") || !strings.Contains(o.err.Error(), "kaboom") {
					t.Errorf("Do(%d) = %d, %v; want an error mentioning the panic", i, o.res, o.err)
				}
			}

			panicking.Store(false)
			if o := await(t, doAsync(t.Context(), c, 5)); o.err != nil || o.res != 50 {
				t.Fatalf("Do(5) after the panic = %d, %v; want 50, nil", o.res, o.err)
			}
			// And batches still form and succeed.
			var outs2 []chan outcome[int]
			for i := 6; i < 12; i++ {
				outs2 = append(outs2, doAsync(t.Context(), c, i))
			}
			for i, ch := range outs2 {
				if o := await(t, ch); o.err != nil || o.res != (i+6)*10 {
					t.Errorf("Do(%d) = %d, %v; want %d, nil", i+6, o.res, o.err, (i+6)*10)
				}
			}
		})
	})
	t.Run("one item", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			g := newGate()
			defer g.open()
			c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
				g.wait()
				if slices.Contains(items, 13) {
					panic("unlucky")
				}
				return times10(items)
			}, 8, 1)

			first := doAsync(t.Context(), c, 0)
			synctest.Wait()
			items := []int{12, 13, 14}
			var outs []chan outcome[int]
			for _, it := range items {
				outs = append(outs, doAsync(t.Context(), c, it))
			}
			synctest.Wait()
			g.open()
			if o := await(t, first); o.err != nil || o.res != 0 {
				t.Errorf("Do(0) = %d, %v; want 0, nil", o.res, o.err)
			}
			for i, it := range items {
				o := await(t, outs[i])
				if it == 13 {
					if o.err == nil || !strings.Contains(o.err.Error(), "panicked") {
						t.Errorf("Do(13) = %d, %v; want an error mentioning the panic", o.res, o.err)
					}
					continue
				}
				if o.err != nil || o.res != it*10 {
					t.Errorf("Do(%d) = %d, %v; want %d, nil", it, o.res, o.err, it*10)
				}
			}
		})
	})
}

func TestCancelWhileQueued(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var rec recorder[int]
		g := newGate()
		defer g.open()
		c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
			rec.add(items)
			g.wait()
			return times10(items)
		}, 8, 1)

		first := doAsync(t.Context(), c, 1)
		synctest.Wait()
		second := doAsync(t.Context(), c, 2)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		third := doAsync(ctx, c, 3)
		fourth := doAsync(t.Context(), c, 4)
		synctest.Wait() // 2, 3 and 4 are queued behind the blocked write

		cancel()
		// The write is still blocked: the cancelled Do must return anyway.
		if o := await(t, third); !errors.Is(o.err, context.Canceled) {
			t.Fatalf("cancelled Do(3) = %d, %v; want %v", o.res, o.err, context.Canceled)
		}

		g.open()
		for i, ch := range []chan outcome[int]{first, second, fourth} {
			item := []int{1, 2, 4}[i]
			if o := await(t, ch); o.err != nil || o.res != item*10 {
				t.Errorf("Do(%d) = %d, %v; want %d, nil", item, o.res, o.err, item*10)
			}
		}
		if o := await(t, doAsync(t.Context(), c, 5)); o.err != nil || o.res != 50 {
			t.Errorf("Do(5) = %d, %v; want 50, nil", o.res, o.err)
		}

		calls := rec.get()
		for _, call := range calls {
			if slices.Contains(call, 3) {
				t.Errorf("cancelled item 3 was written: %v", calls)
			}
		}
		if len(calls) != 3 || !slices.Equal(calls[0], []int{1}) ||
			!slices.Equal(slices.Sorted(slices.Values(calls[1])), []int{2, 4}) ||
			!slices.Equal(calls[2], []int{5}) {
			t.Errorf("write calls = %v; want [[1] [2 4] [5]] (2 and 4 in any order)", calls)
		}
	})
}

func TestCancelledHeadOfQueue(t *testing.T) {
	t.Parallel()
	// The oldest waiting caller is cancelled: the writer slot must still
	// pass to the next one.
	synctest.Test(t, func(t *testing.T) {
		var rec recorder[int]
		g := newGate()
		defer g.open()
		c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
			rec.add(items)
			g.wait()
			return times10(items)
		}, 8, 1)

		first := doAsync(t.Context(), c, 1)
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		head := doAsync(ctx, c, 2)
		synctest.Wait()
		tail := doAsync(t.Context(), c, 3)
		synctest.Wait()
		cancel()
		if o := await(t, head); !errors.Is(o.err, context.Canceled) {
			t.Fatalf("cancelled Do(2) = %d, %v; want %v", o.res, o.err, context.Canceled)
		}
		g.open()
		if o := await(t, first); o.err != nil || o.res != 10 {
			t.Errorf("Do(1) = %d, %v; want 10, nil", o.res, o.err)
		}
		if o := await(t, tail); o.err != nil || o.res != 30 {
			t.Errorf("Do(3) = %d, %v; want 30, nil", o.res, o.err)
		}
		if got, want := rec.get(), [][]int{{1}, {3}}; !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("write calls = %v; want %v", got, want)
		}
	})
}

func TestAlreadyCancelledContext(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
		calls.Add(1)
		return times10(items)
	}, 8, 1)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if o := await(t, doAsync(ctx, c, 1)); !errors.Is(o.err, context.Canceled) || o.res != 0 {
		t.Errorf("Do with a cancelled ctx = %d, %v; want 0, %v", o.res, o.err, context.Canceled)
	}
	ctx, cancel = context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancel()
	if o := await(t, doAsync(ctx, c, 2)); !errors.Is(o.err, context.DeadlineExceeded) || o.res != 0 {
		t.Errorf("Do with an expired ctx = %d, %v; want 0, %v", o.res, o.err, context.DeadlineExceeded)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("write called %d times for cancelled calls; want 0", n)
	}
	// The committer is left usable.
	if o := await(t, doAsync(t.Context(), c, 3)); o.err != nil || o.res != 30 {
		t.Errorf("Do(3) = %d, %v; want 30, nil", o.res, o.err)
	}
}

func TestCancelAfterTakenWaitsForOutcome(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g1, g2 := newGate(), newGate()
		defer g1.open()
		defer g2.open()
		var writeCtxErrs []error
		var mu sync.Mutex
		var n atomic.Int64
		c := groupcommit.New(func(ctx context.Context, items []int) ([]int, error) {
			switch n.Add(1) {
			case 1:
				g1.wait()
			case 2:
				g2.wait()
			}
			mu.Lock()
			writeCtxErrs = append(writeCtxErrs, ctx.Err())
			mu.Unlock()
			return times10(items)
		}, 8, 1)

		// The writer's own request is cancelled while its write runs.
		ctx1, cancel1 := context.WithCancel(t.Context())
		defer cancel1()
		first := doAsync(ctx1, c, 1)
		synctest.Wait()
		// Two followers queue; the first becomes the next writer, the other
		// is in its batch.
		second := doAsync(t.Context(), c, 2)
		synctest.Wait()
		ctx3, cancel3 := context.WithCancel(t.Context())
		defer cancel3()
		third := doAsync(ctx3, c, 3)
		synctest.Wait()

		cancel1()
		synctest.Wait()
		if returned(first) {
			t.Fatalf("Do(1) returned while its item was being written")
		}
		g1.open()
		synctest.Wait() // write 2 ([2 3]) is now blocked
		cancel3()
		synctest.Wait()
		if returned(third) {
			t.Fatalf("Do(3) returned while its item was being written")
		}
		g2.open()

		for i, ch := range []chan outcome[int]{first, second, third} {
			if o := await(t, ch); o.err != nil || o.res != (i+1)*10 {
				t.Errorf("Do(%d) = %d, %v; want %d, nil", i+1, o.res, o.err, (i+1)*10)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for i, err := range writeCtxErrs {
			if err != nil {
				t.Errorf("write %d saw ctx error %v; a caller's cancellation must not cancel the write", i+1, err)
			}
		}
	})
}

func TestWrongResultCount(t *testing.T) {
	t.Parallel()
	for _, extra := range []int{-1, 1} {
		t.Run(fmt.Sprintf("extra=%d", extra), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				g := newGate()
				defer g.open()
				c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
					g.wait()
					return make([]int, len(items)+extra), nil
				}, 8, 1)

				outs := []chan outcome[int]{doAsync(t.Context(), c, 0)}
				synctest.Wait()
				for i := 1; i <= 3; i++ {
					outs = append(outs, doAsync(t.Context(), c, i))
				}
				synctest.Wait()
				g.open()
				for i, ch := range outs {
					if o := await(t, ch); o.err == nil || !strings.Contains(o.err.Error(), "results") {
						t.Errorf("Do(%d) = %d, %v; want an error about the result count", i, o.res, o.err)
					}
				}
			})
		})
	}
}

func TestStress(t *testing.T) {
	t.Parallel()
	const (
		goroutines = 64
		perG       = 200
		writers    = 3
		maxBatch   = 16
	)
	var (
		mu      sync.Mutex
		written = make(map[int]int, goroutines*perG)
		cur     atomic.Int64
	)
	c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
		if n := cur.Add(1); n > writers {
			t.Errorf("%d concurrent writes; want at most %d", n, writers)
		}
		defer cur.Add(-1)
		if len(items) > maxBatch {
			t.Errorf("write got %d items; want at most %d", len(items), maxBatch)
		}
		if d := rand.IntN(4); d > 0 {
			time.Sleep(time.Duration(d*10) * time.Microsecond)
		}
		mu.Lock()
		for _, it := range items {
			written[it]++
		}
		mu.Unlock()
		res := make([]int, len(items))
		for i, it := range items {
			res[i] = it*3 + 1
		}
		return res, nil
	}, maxBatch, writers)

	runConcurrently(t, goroutines, func(g int) {
		for i := range perG {
			item := g*perG + i
			res, err := c.Do(t.Context(), item)
			if err != nil || res != item*3+1 {
				t.Errorf("Do(%d) = %d, %v; want %d, nil", item, res, err, item*3+1)
			}
		}
	})

	mu.Lock()
	defer mu.Unlock()
	if len(written) != goroutines*perG {
		t.Errorf("%d distinct items written; want %d", len(written), goroutines*perG)
	}
	for it, n := range written {
		if n != 1 {
			t.Errorf("item %d written %d times; want once", it, n)
		}
	}
}

// TestWriterSlotsNotLeaked checks that, after heavy contention, all writer
// slots are free again: two Do calls can still have a write in flight at
// the same time when writers is 2.
func TestWriterSlotsNotLeaked(t *testing.T) {
	t.Parallel()
	const writers = 2
	// meet, when set, makes two writes wait for each other.
	type meet struct {
		arrived     atomic.Int32
		first, both chan struct{}
	}
	var barrier atomic.Pointer[meet]
	c := groupcommit.New(func(_ context.Context, items []int) ([]int, error) {
		if m := barrier.Load(); m != nil {
			switch m.arrived.Add(1) {
			case 1:
				close(m.first)
				select {
				case <-m.both:
				case <-time.After(deadline / 2):
					return nil, errors.New("no second write started while this one was in flight")
				}
			case 2:
				close(m.both)
			}
		}
		return times10(items)
	}, 2, writers)

	for round := range 200 {
		// Contention: many short calls racing for the two slots.
		runConcurrently(t, 16, func(g int) {
			ctx, cancel := context.WithTimeout(t.Context(), deadline)
			defer cancel()
			for i := range 20 {
				item := g*20 + i
				if res, err := c.Do(ctx, item); err != nil || res != item*10 {
					t.Errorf("round %d: Do(%d) = %d, %v; want %d, nil", round, item, res, err, item*10)
				}
			}
		})
		if t.Failed() {
			return
		}

		// Now idle: both slots must be free.
		m := &meet{first: make(chan struct{}), both: make(chan struct{})}
		barrier.Store(m)
		a := doAsync(t.Context(), c, 1)
		select {
		case <-m.first:
		case <-time.After(deadline):
			t.Fatalf("round %d: idle committer: Do(1) did not start a write within %v", round, deadline)
		}
		b := doAsync(t.Context(), c, 2)
		o1 := await(t, a)
		o2 := await(t, b)
		barrier.Store(nil)
		if o1.err != nil || o2.err != nil {
			t.Fatalf("round %d: with %d writers and no load, two writes could not run at once "+
				"(a writer slot was lost): Do(1): %v, Do(2): %v", round, writers, o1.err, o2.err)
		}
	}
}
