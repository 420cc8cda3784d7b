package dbtx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
)

// Driver wraps ent's SQL driver so that a transaction opened through Begin
// (or RunNew) makes its *sql.Tx known: the job engine enqueues jobs on that
// very transaction, so a job exists exactly when the write that caused it
// committed. ent itself keeps the *sql.Tx out of reach.
type Driver struct{ *entsql.Driver }

// NewDriver wraps d.
func NewDriver(d *entsql.Driver) Driver { return Driver{d} }

// Tx begins a transaction; see BeginTx.
func (d Driver) Tx(ctx context.Context) (dialect.Tx, error) { return d.BeginTx(ctx, nil) }

// BeginTx begins a transaction and hands its *sql.Tx to the slot Begin put in
// ctx, if any.
func (d Driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	tx, err := d.Driver.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if slot, ok := ctx.Value(slotKey{}).(*sqlTxSlot); ok {
		if t, ok := tx.(*entsql.Tx); ok {
			slot.tx, _ = t.Tx.(*sql.Tx)
		}
	}
	return tx, nil
}

type slotKey struct{}

type sqlTxSlot struct{ tx *sql.Tx }

type sqlTxKey struct{}

// Begin opens a transaction of c and returns a context carrying it: its
// client (ent.FromContext), the ent.Tx (ent.TxFromContext) and, when c runs
// on Driver, its *sql.Tx (SQLTx). It has entgql.TxOpener's shape, so GraphQL
// mutations open their transactions through it.
func Begin(ctx context.Context, c *ent.Client) (context.Context, *ent.Tx, error) {
	slot := &sqlTxSlot{}
	tx, err := c.Tx(context.WithValue(ctx, slotKey{}, slot))
	if err != nil {
		return ctx, nil, err
	}
	txCtx := ent.NewTxContext(ent.NewContext(ctx, tx.Client()), tx)
	if slot.tx != nil {
		txCtx = context.WithValue(txCtx, sqlTxKey{}, slot.tx)
	}
	return txCtx, tx, nil
}

// ErrNoSQLTx is returned by work that must join the caller's transaction
// when ctx carries none opened through Begin.
var ErrNoSQLTx = errors.New("no database transaction in the context")

// SQLTx is the *sql.Tx under the transaction ctx carries, opened by Begin.
func SQLTx(ctx context.Context) (*sql.Tx, error) {
	if tx, ok := ctx.Value(sqlTxKey{}).(*sql.Tx); ok {
		return tx, nil
	}
	return nil, fmt.Errorf("join transaction: %w", ErrNoSQLTx)
}
