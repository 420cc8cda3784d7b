package wsconn

// Aside runs f on a goroutine of its own and waits for it; a panic in f is
// raised again in the caller.
//
// A WebSocket connection keeps its goroutines for as long as it is open
// (gqlgen's reader, its closer and each subscription's), and a goroutine
// keeps the largest stack it ever needed until collections halve it again,
// one halving each. A database query (authentication, checking a project)
// needs a deep stack once; run aside, that stack is freed as soon as the
// query is done, and the idle connection keeps only what waiting needs.
func Aside[T any](f func() T) T {
	type result struct {
		v     T
		panic any
		ok    bool
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if !r.ok {
				r.panic = recover()
			}
			done <- r
		}()
		r.v = f()
		r.ok = true
	}()
	r := <-done
	if !r.ok {
		panic(r.panic)
	}
	return r.v
}
