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
	tx, err := c.Tx(ctx)
	if errors.Is(err, ent.ErrTxStarted) {
		// ctx carries a transaction's client without the transaction.
		return false, fn(ctx, c)
	}
	if err != nil {
		return false, fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	c = tx.Client()
	if err := fn(ent.NewTxContext(ent.NewContext(ctx, c), tx), c); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return false, errors.Join(err, fmt.Errorf("roll back: %w", rerr))
		}
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	return true, nil
}
