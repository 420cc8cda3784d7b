package accounts

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/settings"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

func TestSetup(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		st, err := e.svc.SetupStatus(context.Background())
		if err != nil || st != (SetupStatus{NeedsSetup: true, InstanceName: "Oopsie"}) {
			t.Fatalf("fresh status: %+v, %v", st, err)
		}

		u, tokens, err := e.svc.Setup(context.Background(), SetupInput{
			Email: "  Admin@Example.COM ", Password: "a long password", Name: " Ada ", InstanceName: " Acme bugs ",
		}, "setup agent")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "admin@example.com" || u.Name != "Ada" {
			t.Errorf("user: email %q name %q", u.Email, u.Name)
		}
		v, err := e.auth.Authenticate(context.Background(), "Bearer "+tokens.AccessToken)
		if err != nil || v != viewer.ForUser(u.ID) {
			t.Fatalf("setup's access token: %+v, %v", v, err)
		}
		if _, _, err := e.auth.Refresh(context.Background(), tokens.RefreshToken, ""); err != nil {
			t.Fatalf("setup's refresh token: %v", err)
		}
		row, err := db.Client.Settings.Get(sysCtx(), settings.InstanceID)
		if err != nil || row.SetupCompletedAt == nil || row.InstanceName != "Acme bugs" {
			t.Fatalf("settings row: %+v, %v", row, err)
		}

		st, err = e.svc.SetupStatus(context.Background())
		if err != nil || st != (SetupStatus{NeedsSetup: false, InstanceName: "Acme bugs"}) {
			t.Fatalf("status after setup: %+v, %v", st, err)
		}
		_, _, err = e.svc.Setup(context.Background(), SetupInput{
			Email: "other@example.com", Password: "a long password", InstanceName: "Mine",
		}, "")
		if ae := wantKind(t, err, apperr.Conflict); ae.Message != "Oopsie is already set up" {
			t.Errorf("message %q", ae.Message)
		}
		if n := e.userCount(t); n != 1 {
			t.Fatalf("%d users, want 1", n)
		}
	})
}

// The claim on the settings row, not the user count, decides: setup stays
// closed even if the users table were emptied behind its back.
func TestSetupIsClaimedOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		e.setUp(t)
		if _, err := db.Client.User.Delete().Exec(sysCtx()); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.Setup(context.Background(), SetupInput{
			Email: "late@example.com", Password: "a long password", InstanceName: "Mine",
		}, "")
		wantKind(t, err, apperr.Conflict)
		if n := e.userCount(t); n != 0 {
			t.Fatalf("%d users, want 0", n)
		}
	})
}

func TestSetupRefusesWhenUsersExist(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		if _, err := db.Client.User.Create().SetEmail("x@example.com").SetPasswordHash("x").Save(sysCtx()); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.Setup(context.Background(), SetupInput{
			Email: "a@example.com", Password: "a long password", InstanceName: "Mine",
		}, "")
		wantKind(t, err, apperr.Conflict)
	})
}

func TestConcurrentSetupsMakeOneAdmin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		const n = 4
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  [n]error
		)
		for i := range n {
			wg.Go(func() {
				<-start
				_, _, errs[i] = e.svc.Setup(context.Background(), SetupInput{
					Email: "admin" + string(rune('a'+i)) + "@example.com", Password: "a long password", InstanceName: "Race",
				}, "")
			})
		}
		close(start)
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case apperr.KindOf(err) == apperr.Conflict:
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || conflicts != n-1 {
			t.Fatalf("%d successes and %d conflicts, want 1 and %d", ok, conflicts, n-1)
		}
		if got := e.userCount(t); got != 1 {
			t.Fatalf("%d users, want exactly 1", got)
		}
	})
}

// In a caller's transaction (a GraphQL mutation), setup is undone with it.
func TestSetupJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		txCtx, tx, err := db.Client.OpenTx(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Setup(txCtx, SetupInput{
			Email: "a@example.com", Password: "a long password", InstanceName: "Mine",
		}, ""); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		st, err := e.svc.SetupStatus(context.Background())
		if err != nil || !st.NeedsSetup {
			t.Fatalf("after rollback: %+v, %v; want setup still needed", st, err)
		}
		e.setUp(t) // and the claim was rolled back too
	})
}

func TestSetupValidates(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(db)
		good := SetupInput{Email: "a@example.com", Password: "a long password", Name: "Ada", InstanceName: "Acme"}
		for name, tc := range map[string]struct {
			mutate func(*SetupInput)
			field  string
		}{
			"no email":         {func(in *SetupInput) { in.Email = " " }, "email"},
			"bad email":        {func(in *SetupInput) { in.Email = "not an email" }, "email"},
			"display name":     {func(in *SetupInput) { in.Email = "Ada <a@example.com>" }, "email"},
			"long email":       {func(in *SetupInput) { in.Email = strings.Repeat("a", 310) + "@example.com" }, "email"},
			"short password":   {func(in *SetupInput) { in.Password = "1234567" }, "password"},
			"long password":    {func(in *SetupInput) { in.Password = strings.Repeat("p", 257) }, "password"},
			"long name":        {func(in *SetupInput) { in.Name = strings.Repeat("n", 201) }, "name"},
			"no instance name": {func(in *SetupInput) { in.InstanceName = "" }, "instanceName"},
			"long instance":    {func(in *SetupInput) { in.InstanceName = strings.Repeat("i", 101) }, "instanceName"},
		} {
			in := good
			tc.mutate(&in)
			_, _, err := e.svc.Setup(context.Background(), in, "")
			t.Run(name, func(t *testing.T) { wantField(t, err, tc.field) })
		}
		// Several problems are reported together.
		_, _, err := e.svc.Setup(context.Background(), SetupInput{Email: "x", Password: "short"}, "")
		ae := wantKind(t, err, apperr.Invalid)
		for _, f := range []string{"email", "password", "instanceName"} {
			if ae.Fields[f] == "" {
				t.Errorf("no error on %s: %v", f, ae.Fields)
			}
		}
		if n := e.userCount(t); n != 0 {
			t.Fatalf("invalid setups made %d users", n)
		}
		// Exactly 8 and 256 characters are fine; the length counts characters.
		in := good
		in.Password = strings.Repeat("é", 256)
		if _, _, err := e.svc.Setup(context.Background(), in, ""); err != nil {
			t.Fatalf("256-character password: %v", err)
		}
	})
}
