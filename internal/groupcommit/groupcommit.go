// Package groupcommit writes concurrent requests' items in shared
// transactions: group commit. Under load, one commit (one WAL flush, one
// lock on a busy row) then serves many requests, and multi-row statements
// replace per-item round trips. When the load is light, an item is written
// at once, alone: nothing waits for a batch to fill.
//
// There is no background goroutine. The callers themselves write: a caller
// that finds a free writer slot becomes a writer and writes the items queued
// so far, its own among them; the others wait. A writer whose own item is
// written hands its slot to the oldest waiting caller (or frees it), so no
// request writes for others longer than it takes to write its own batch.
package groupcommit

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// WriteFunc writes items, all or nothing, and returns one result per item.
// An error means nothing was written.
type WriteFunc[T, R any] func(ctx context.Context, items []T) ([]R, error)

// Committer batches the items of concurrent Do calls into calls of write.
type Committer[T, R any] struct {
	write    WriteFunc[T, R]
	maxBatch int
	writers  int

	mu     sync.Mutex
	queue  []*call[T, R]
	active int // writer slots taken
}

type call[T, R any] struct {
	item T
	res  R
	err  error
	// wake is signalled when the call is done or made a writer; the state
	// below, guarded by Committer.mu, says which.
	wake   chan struct{}
	queued bool
	done   bool
	writer bool
}

// New returns a committer that writes at most maxBatch items per call of
// write, with at most writers calls of write at a time. On SQLite, which
// has one writer, writers should be 1; on PostgreSQL a few let one batch
// be built while another commits.
func New[T, R any](write WriteFunc[T, R], maxBatch, writers int) *Committer[T, R] {
	return &Committer[T, R]{write: write, maxBatch: max(maxBatch, 1), writers: max(writers, 1)}
}

// Do writes item, in a batch with whatever other items are waiting, and
// returns its result once the batch's transaction is over.
//
// If ctx ends while the item is still queued, it is dropped and ctx's error
// returned. Once a write has taken it, Do waits for the outcome: the item
// may be committed, and the caller must not be told otherwise.
//
// A batch that fails is written again one item at a time, so one item the
// database refuses cannot fail the others; its own error is its caller's.
func (c *Committer[T, R]) Do(ctx context.Context, item T) (R, error) {
	if err := ctx.Err(); err != nil {
		var zero R
		return zero, err
	}
	cl := &call[T, R]{item: item, wake: make(chan struct{}, 1), queued: true}
	c.mu.Lock()
	c.queue = append(c.queue, cl)
	if c.active < c.writers {
		c.active++
		cl.writer = true
	}
	c.mu.Unlock()

	cancelled := ctx.Done()
	for {
		c.mu.Lock()
		done, writer := cl.done, cl.writer
		c.mu.Unlock()
		switch {
		case writer:
			// Even when done (another writer took the item): the slot
			// must be passed on or freed.
			c.lead(ctx, cl)
			continue
		case done:
			return cl.res, cl.err
		}
		select {
		case <-cl.wake:
		case <-cancelled:
			c.mu.Lock()
			if cl.queued && !cl.writer {
				c.remove(cl)
				c.mu.Unlock()
				var zero R
				return zero, ctx.Err()
			}
			c.mu.Unlock()
			// Taken into a batch, or just made a writer: see it through.
			cancelled = nil
		}
	}
}

// lead writes batches from the head of the queue until own is done, then
// passes the writer slot on. The writes do not stop when the caller's
// request is cancelled: they carry other callers' items.
func (c *Committer[T, R]) lead(ctx context.Context, own *call[T, R]) {
	ctx = context.WithoutCancel(ctx)
	for {
		c.mu.Lock()
		if own.done || len(c.queue) == 0 {
			// Done, or in another writer's batch (Do waits for it).
			own.writer = false
			if next := c.nextWriter(); next != nil {
				next.writer = true
				signal(next)
			} else {
				c.active--
			}
			c.mu.Unlock()
			return
		}
		n := min(len(c.queue), c.maxBatch)
		batch := make([]*call[T, R], n)
		copy(batch, c.queue)
		clear(c.queue[:n])
		c.queue = c.queue[n:]
		for _, b := range batch {
			b.queued = false
		}
		c.mu.Unlock()
		c.flush(ctx, batch)
	}
}

// flush writes a batch and gives every call its outcome.
func (c *Committer[T, R]) flush(ctx context.Context, batch []*call[T, R]) {
	items := make([]T, len(batch))
	for i, b := range batch {
		items[i] = b.item
	}
	res, err := c.safeWrite(ctx, items)
	if err != nil && len(batch) > 1 {
		for i, b := range batch {
			r, err := c.safeWrite(ctx, items[i:i+1])
			var one R
			if err == nil {
				one = r[0]
			}
			c.finish(b, one, err)
		}
		return
	}
	for i, b := range batch {
		var one R
		if err == nil {
			one = res[i]
		}
		c.finish(b, one, err)
	}
}

// safeWrite turns a panic into an error: the callers waiting on the batch
// would otherwise wait forever.
func (c *Committer[T, R]) safeWrite(ctx context.Context, items []T) (res []R, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("group commit: write panicked: %v\n%s", p, debug.Stack())
		}
	}()
	res, err = c.write(ctx, items)
	if err == nil && len(res) != len(items) {
		err = fmt.Errorf("group commit: write returned %d results for %d items", len(res), len(items))
	}
	return res, err
}

func (c *Committer[T, R]) finish(cl *call[T, R], res R, err error) {
	c.mu.Lock()
	cl.res, cl.err, cl.done = res, err, true
	signal(cl)
	c.mu.Unlock()
}

// nextWriter is the oldest queued call without a writer slot, or nil;
// c.mu is held.
func (c *Committer[T, R]) nextWriter() *call[T, R] {
	for _, q := range c.queue {
		if !q.writer {
			return q
		}
	}
	return nil
}

// remove takes a queued call out of the queue; c.mu is held.
func (c *Committer[T, R]) remove(cl *call[T, R]) {
	for i, q := range c.queue {
		if q == cl {
			c.queue = append(c.queue[:i], c.queue[i+1:]...)
			break
		}
	}
	cl.queued = false
}

// signal wakes cl's caller without blocking; a pending signal already does.
func signal[T, R any](cl *call[T, R]) {
	select {
	case cl.wake <- struct{}{}:
	default:
	}
}
