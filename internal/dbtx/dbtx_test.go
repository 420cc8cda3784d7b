package dbtx_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

func TestRunOwnsOrJoinsATransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := viewer.SystemContext(context.Background(), "test")
		create := func(ctx context.Context, c *ent.Client, slug string) error {
			return c.Project.Create().SetName(slug).SetSlug(slug).Exec(ctx)
		}
		count := func() int { return db.Client.Project.Query().CountX(ctx) }

		// Alone, Run opens, commits, and says so.
		opened, err := dbtx.Run(ctx, db.Client, func(ctx context.Context, c *ent.Client) error { return create(ctx, c, "one") })
		if err != nil || !opened || count() != 1 {
			t.Fatalf("own transaction: opened %v, err %v, %d projects", opened, err, count())
		}
		// A failing fn leaves nothing.
		boom := errors.New("boom")
		_, err = dbtx.Run(ctx, db.Client, func(ctx context.Context, c *ent.Client) error {
			if err := create(ctx, c, "two"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || count() != 1 {
			t.Fatalf("failed fn: err %v, %d projects", err, count())
		}
		// Inside the caller's transaction, Run joins it: the caller's rollback
		// undoes fn's work.
		tx, err := db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		txctx := ent.NewTxContext(ent.NewContext(ctx, tx.Client()), tx)
		opened, err = dbtx.Run(txctx, db.Client, func(ctx context.Context, c *ent.Client) error { return create(ctx, c, "three") })
		if err != nil || opened {
			t.Fatalf("joined transaction: opened %v, err %v", opened, err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if count() != 1 {
			t.Fatalf("the caller's rollback kept fn's work: %d projects", count())
		}
	})
}

// RunNew opens a transaction of its own even when ctx carries the caller's
// (on PostgreSQL, where a second writer may run beside the first), and
// refuses a transaction's client.
func TestRunNewOwnsItsTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := viewer.SystemContext(context.Background(), "test")
		count := func() int { return db.Client.Project.Query().CountX(ctx) }
		create := func(ctx context.Context, c *ent.Client) error {
			return c.Project.Create().SetName("own").SetSlug("own").Exec(ctx)
		}
		if err := dbtx.RunNew(ctx, db.Client, create); err != nil || count() != 1 {
			t.Fatalf("err %v, %d projects, want 1", err, count())
		}

		tx, err := db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := dbtx.RunNew(ctx, tx.Client(), create); !errors.Is(err, ent.ErrTxStarted) {
			t.Errorf("on a transaction's client: err %v, want ErrTxStarted", err)
		}
		if db.Dialect != dialect.Postgres {
			return // SQLite's one writer is taken by tx
		}
		txctx := ent.NewTxContext(ent.NewContext(ctx, tx.Client()), tx)
		err = dbtx.RunNew(txctx, db.Client, func(ctx context.Context, c *ent.Client) error {
			return c.Project.Create().SetName("apart").SetSlug("apart").Exec(ctx)
		})
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err != nil || count() != 2 {
			t.Errorf("err %v, %d projects after the caller's rollback; want RunNew's project kept, 2", err, count())
		}
	})
}

// RunNewUndoing takes back what fn did outside the database when the
// transaction does not commit, or fn panics, and keeps it when it commits.
func TestRunNewUndoingTakesBackOnFailure(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := viewer.SystemContext(context.Background(), "test")
		run := func(slug string, outcome func() error) (undone bool, err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			err = dbtx.RunNewUndoing(ctx, db.Client, func(ctx context.Context, c *ent.Client, undo *[]func()) error {
				if err := c.Project.Create().SetName(slug).SetSlug(slug).Exec(ctx); err != nil {
					return err
				}
				*undo = append(*undo, func() { undone = true })
				return outcome()
			})
			return undone, err
		}
		exists := func(slug string) bool {
			return db.Client.Project.Query().Where(project.Slug(slug)).ExistX(ctx)
		}
		if undone, err := run("kept", func() error { return nil }); err != nil || undone || !exists("kept") {
			t.Errorf("commit: err %v, undone %v, row kept %v", err, undone, exists("kept"))
		}
		if undone, err := run("failed", func() error { return errors.New("refused") }); err == nil || !undone || exists("failed") {
			t.Errorf("error: err %v, undone %v, row kept %v", err, undone, exists("failed"))
		}
		if undone, err := run("panicked", func() error { panic("boom") }); err == nil || !undone || exists("panicked") {
			t.Errorf("panic: err %v, undone %v, row kept %v", err, undone, exists("panicked"))
		}
	})
}

func TestAfterCommitRunsOnlyOnceCommitted(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := viewer.SystemContext(context.Background(), "test")
		var ran []string
		// It sees the committed row: it runs after the commit, not before.
		_, err := dbtx.Run(ctx, db.Client, func(ctx context.Context, c *ent.Client) error {
			dbtx.AfterCommit(ctx, func(ctx context.Context) {
				ran = append(ran, fmt.Sprintf("committed, %d visible", db.Client.Project.Query().CountX(ctx)))
			})
			if len(ran) != 0 {
				t.Error("ran before the commit")
			}
			return c.Project.Create().SetName("a").SetSlug("a").Exec(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = dbtx.Run(ctx, db.Client, func(ctx context.Context, c *ent.Client) error {
			dbtx.AfterCommit(ctx, func(context.Context) { ran = append(ran, "rolled back") })
			return errors.New("boom")
		})
		if err == nil {
			t.Fatal("the failing transaction succeeded")
		}
		dbtx.AfterCommit(ctx, func(context.Context) { ran = append(ran, "no transaction") })
		if want := []string{"committed, 1 visible", "no transaction"}; fmt.Sprint(ran) != fmt.Sprint(want) {
			t.Errorf("ran %q, want %q", ran, want)
		}
	})
}
