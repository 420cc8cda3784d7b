package accounts

import (
	"context"
	"errors"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

func TestCreateAndUpdateUser(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		admin := e.setUp(t)
		ctx := userCtx(admin.ID)

		bob, err := e.svc.CreateUser(ctx, CreateUserInput{Email: " Bob@Example.com", Password: "bob's password", Name: ptr(" Bob ")})
		if err != nil {
			t.Fatal(err)
		}
		if bob.Email != "bob@example.com" || bob.Name != "Bob" {
			t.Errorf("created: email %q name %q", bob.Email, bob.Name)
		}
		if _, _, err := e.svc.Login(context.Background(), "bob@example.com", "bob's password", "ip", ""); err != nil {
			t.Fatalf("new user cannot log in: %v", err)
		}
		noName, err := e.svc.CreateUser(ctx, CreateUserInput{Email: "anon@example.com", Password: "password!"})
		if err != nil || noName.Name != "" {
			t.Fatalf("user without a name: %+v, %v", noName, err)
		}

		_, err = e.svc.CreateUser(ctx, CreateUserInput{Email: "BOB@example.com", Password: "another password"})
		if ae := wantKind(t, err, apperr.Conflict); ae.Message != "a user with this email already exists" {
			t.Errorf("message %q", ae.Message)
		}
		_, err = e.svc.UpdateUser(ctx, admin.ID, UpdateUserInput{Email: ptr("bob@EXAMPLE.com")})
		wantKind(t, err, apperr.Conflict)

		updated, err := e.svc.UpdateUser(ctx, bob.ID, UpdateUserInput{Email: ptr("Robert@Example.com"), Name: ptr("Robert")})
		if err != nil {
			t.Fatal(err)
		}
		if updated.Email != "robert@example.com" || updated.Name != "Robert" {
			t.Errorf("updated: email %q name %q", updated.Email, updated.Name)
		}
		same, err := e.svc.UpdateUser(ctx, bob.ID, UpdateUserInput{})
		if err != nil || same.Email != "robert@example.com" {
			t.Fatalf("empty update: %+v, %v", same, err)
		}

		_, err = e.svc.UpdateUser(ctx, "usr_unknown", UpdateUserInput{Name: ptr("x")})
		wantKind(t, err, apperr.NotFound)
		_, err = e.svc.UpdateUser(ctx, bob.ID, UpdateUserInput{Email: ptr("nope")})
		wantField(t, err, "email")
		_, err = e.svc.UpdateUser(ctx, bob.ID, UpdateUserInput{Password: ptr("short")})
		wantField(t, err, "password")
		_, err = e.svc.CreateUser(ctx, CreateUserInput{Email: "new@example.com"})
		wantField(t, err, "password")
	})
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		admin := e.setUp(t)
		bob, err := e.svc.CreateUser(userCtx(admin.ID), CreateUserInput{Email: "bob@example.com", Password: "old password"})
		if err != nil {
			t.Fatal(err)
		}
		_, bobSession, err := e.svc.Login(context.Background(), "bob@example.com", "old password", "ip", "")
		if err != nil {
			t.Fatal(err)
		}
		_, adminSession, err := e.svc.Login(context.Background(), "admin@example.com", "first password", "ip", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateUser(userCtx(admin.ID), bob.ID, UpdateUserInput{Password: ptr("new password")}); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.auth.Refresh(context.Background(), bobSession.RefreshToken, "")
		wantKind(t, err, apperr.Unauthenticated)
		if _, _, err := e.auth.Refresh(context.Background(), adminSession.RefreshToken, ""); err != nil {
			t.Fatalf("another user's session ended: %v", err)
		}
		_, _, err = e.svc.Login(context.Background(), "bob@example.com", "old password", "ip2", "")
		wantKind(t, err, apperr.Unauthenticated)
		if _, _, err := e.svc.Login(context.Background(), "bob@example.com", "new password", "ip2", ""); err != nil {
			t.Fatalf("new password: %v", err)
		}
	})
}

func TestUserManagementNeedsAnAdmin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		admin := e.setUp(t)
		anon := context.Background()
		_, err := e.svc.CreateUser(anon, CreateUserInput{Email: "x@example.com", Password: "password!"})
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous CreateUser: %v", err)
		}
		_, err = e.svc.UpdateUser(anon, admin.ID, UpdateUserInput{Name: ptr("pwned")})
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous UpdateUser: %v", err)
		}
		if err := e.svc.DeleteUser(anon, admin.ID); !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous DeleteUser: %v", err)
		}
		pk := viewer.NewContext(anon, viewer.ForPublicKey("prj_1", "key_1"))
		if _, err := e.svc.CreateUser(pk, CreateUserInput{Email: "x@example.com", Password: "password!"}); !errors.Is(err, viewer.ErrForbidden) {
			t.Errorf("public key CreateUser: %v", err)
		}
		got, err := db.Client.User.Get(sysCtx(), admin.ID)
		if err != nil || got.Name != "Admin" {
			t.Fatalf("admin after anonymous attempts: %+v, %v", got, err)
		}
		if n := e.userCount(t); n != 1 {
			t.Fatalf("%d users, want 1", n)
		}
	})
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		admin := e.setUp(t)
		ctx := userCtx(admin.ID)

		err := e.svc.DeleteUser(ctx, admin.ID)
		if ae := wantKind(t, err, apperr.Conflict); ae.Message != "the last user cannot be deleted" {
			t.Errorf("message %q", ae.Message)
		}
		wantKind(t, e.svc.DeleteUser(ctx, "usr_unknown"), apperr.NotFound)

		bob, err := e.svc.CreateUser(ctx, CreateUserInput{Email: "bob@example.com", Password: "password!"})
		if err != nil {
			t.Fatal(err)
		}
		_, bobSession, err := e.svc.Login(context.Background(), "bob@example.com", "password!", "ip", "")
		if err != nil {
			t.Fatal(err)
		}
		// Deleting oneself is fine while others remain.
		if err := e.svc.DeleteUser(userCtx(bob.ID), bob.ID); err != nil {
			t.Fatal(err)
		}
		if n := e.userCount(t); n != 1 {
			t.Fatalf("%d users, want 1", n)
		}
		if _, err := e.auth.Authenticate(context.Background(), "Bearer "+bobSession.AccessToken); apperr.KindOf(err) != apperr.Unauthenticated {
			t.Errorf("deleted user's access token: %v", err)
		}
		wantKind(t, e.svc.DeleteUser(ctx, bob.ID), apperr.NotFound)
		wantKind(t, e.svc.DeleteUser(ctx, admin.ID), apperr.Conflict)
	})
}

// Two admins deleting each other at once must not leave the instance
// without users. The first deletion is held open in a transaction while the
// second starts; the second must wait for it and then see one user left.
func TestConcurrentDeletesKeepOneUser(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		admin := e.setUp(t)
		bob, err := e.svc.CreateUser(userCtx(admin.ID), CreateUserInput{Email: "bob@example.com", Password: "password!"})
		if err != nil {
			t.Fatal(err)
		}

		txCtx, tx, err := db.Client.OpenTx(userCtx(bob.ID))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteUser(txCtx, admin.ID); err != nil {
			t.Fatal(err)
		}
		second := make(chan error, 1)
		go func() { second <- e.svc.DeleteUser(userCtx(admin.ID), bob.ID) }()

		var (
			finished bool
			err2     error
		)
		if db.Dialect == dialect.Postgres {
			// Without the lock the second deletion would finish now, not
			// seeing the first one's uncommitted delete: two users left.
			var waiting bool
			waiting, err2 = waitForLockWait(t, db, second)
			finished = !waiting
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if !finished {
			err2 = <-second
		}
		err = err2
		wantKind(t, err, apperr.Conflict)
		if n := e.userCount(t); n != 1 {
			t.Fatalf("%d users left, want 1", n)
		}
	})
}

// waitForLockWait waits until a session of the test database waits for a
// lock (true), or the operation in done finishes first (false, its error).
func waitForLockWait(t *testing.T, db *database.DB, done <-chan error) (bool, error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			return false, err
		default:
		}
		var n int
		err := db.SQL.QueryRowContext(context.Background(),
			`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return true, nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the second deletion neither finished nor waited for a lock")
	return false, nil
}
