// Package dbtx lets a service join the transaction its caller put in the
// context (every GraphQL mutation runs in one), or open its own.
package dbtx

import (
	"context"
	"errors"
	"fmt"

	"github.com/yoanbernabeu/oopsie/ent"
)

// Client is the transaction's client when ctx carries one, else root.
func Client(ctx context.Context, root *ent.Client) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return root
}

// Run runs fn in the caller's transaction, or in a new one when there is
// none; either way the ctx fn gets carries the transaction, so hooks such
// as OnCommit reach it. opened tells the caller whether entities it got from
// fn must be unwrapped from a transaction that is over.
func Run(ctx context.Context, root *ent.Client, fn func(ctx context.Context, c *ent.Client) error) (opened bool, err error) {
	if ent.TxFromContext(ctx) != nil {
		return false, fn(ctx, Client(ctx, root))
	}
	c := Client(ctx, root)
	err = RunNew(ctx, c, fn)
	if errors.Is(err, ent.ErrTxStarted) {
		// ctx carries a transaction's client without the transaction.
		return false, fn(ctx, c)
	}
	return err == nil, err
}

// AfterCommit runs fn once the transaction ctx carries has committed (it
// may be the caller's: a GraphQL mutation commits after its resolvers ran),
// and never when it rolls back: publishing a change or deleting the files of
// deleted rows before then could announce or lose what did not happen.
// Without a transaction in ctx, the write is already committed and fn runs
// at once. fn's context is not cancelled with the request's.
func AfterCommit(ctx context.Context, fn func(ctx context.Context)) {
	after := context.WithoutCancel(ctx)
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		fn(after)
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(cctx context.Context, tx *ent.Tx) error {
			if err := next.Commit(cctx, tx); err != nil {
				return err
			}
			fn(after)
			return nil
		})
	})
}

// RunNew runs fn in a new transaction of c, whatever ctx carries: for work
// that is not the caller's, such as a batch of several callers' writes. The
// ctx fn gets carries the transaction. A panic in fn rolls it back and goes
// on. When c is already a transaction's client, RunNew returns an error
// wrapping ent.ErrTxStarted.
func RunNew(ctx context.Context, c *ent.Client, fn func(ctx context.Context, c *ent.Client) error) error {
	txCtx, tx, err := Begin(ctx, c)
	if errors.Is(err, ent.ErrTxStarted) {
		return err
	}
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(txCtx, tx.Client()); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("roll back: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// RunNewUndoing is RunNew for work with effects outside the database, such
// as attachment blobs written to storage: fn appends to undo how to take
// them back, and they are taken back when the transaction does not commit
// or fn panics, after the rollback (blob deletes can be slow, and the
// transaction holds locks: on SQLite, the one write lock).
//
// They are taken back when the commit fails too: should it have landed
// after all (a connection lost while acknowledging it), rows would point at
// deleted blobs; the alternative, blobs no row points at, would escape
// retention and keep user files forever.
func RunNewUndoing(ctx context.Context, c *ent.Client, fn func(ctx context.Context, c *ent.Client, undo *[]func()) error) error {
	var undo []func()
	takeBack := func() {
		for _, f := range undo {
			f()
		}
	}
	defer func() {
		if p := recover(); p != nil {
			takeBack()
			panic(p)
		}
	}()
	err := RunNew(ctx, c, func(ctx context.Context, c *ent.Client) error {
		return fn(ctx, c, &undo)
	})
	if err != nil {
		takeBack()
	}
	return err
}
