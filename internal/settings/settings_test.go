package settings

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

func adminCtx() context.Context {
	return viewer.NewContext(context.Background(), viewer.ForUser("usr_admin"))
}

func ptr[T any](v T) *T { return &v }

func TestGetCreatesTheRowOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := New(db.Client, "1.0.0")
		// Concurrent first reads race to create the row; all must succeed.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				row, err := s.Get(adminCtx())
				if err == nil && (row.ID != InstanceID || row.InstanceName != "Oopsie" || row.DefaultRetentionDays != nil) {
					err = errors.New("unexpected defaults")
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
		}
		n, err := db.Client.Settings.Query().Count(viewer.SystemContext(context.Background(), "test"))
		if err != nil || n != 1 {
			t.Fatalf("%d settings rows, %v; want 1", n, err)
		}
	})
}

func TestSettingsNeedAnAdmin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := New(db.Client, "1.0.0")
		if _, err := s.Get(context.Background()); !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous Get: %v, want ErrUnauthenticated", err)
		}
		if _, err := s.Update(context.Background(), UpdateInput{InstanceName: ptr("Mine")}); !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Errorf("anonymous Update: %v, want ErrUnauthenticated", err)
		}
		row, err := s.Get(adminCtx())
		if err != nil || row.InstanceName != "Oopsie" {
			t.Fatalf("after anonymous update: %+v, %v", row, err)
		}
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		s := New(db.Client, "1.0.0")
		row, err := s.Update(adminCtx(), UpdateInput{InstanceName: ptr("  Acme bugs "), DefaultRetentionDays: ptr(30)})
		if err != nil {
			t.Fatal(err)
		}
		if row.InstanceName != "Acme bugs" || row.DefaultRetentionDays == nil || *row.DefaultRetentionDays != 30 {
			t.Fatalf("updated row: name %q retention %v", row.InstanceName, row.DefaultRetentionDays)
		}
		row, err = s.Update(adminCtx(), UpdateInput{DefaultRetentionDays: ptr(36500)})
		if err != nil || row.InstanceName != "Acme bugs" || *row.DefaultRetentionDays != 36500 {
			t.Fatalf("partial update: %+v, %v", row, err)
		}

		for name, tc := range map[string]struct {
			in    UpdateInput
			field string
		}{
			"empty name":     {UpdateInput{InstanceName: ptr("  ")}, "instanceName"},
			"long name":      {UpdateInput{InstanceName: ptr(strings.Repeat("x", 101))}, "instanceName"},
			"zero days":      {UpdateInput{DefaultRetentionDays: ptr(0)}, "defaultRetentionDays"},
			"negative days":  {UpdateInput{DefaultRetentionDays: ptr(-1)}, "defaultRetentionDays"},
			"too many days":  {UpdateInput{DefaultRetentionDays: ptr(36501)}, "defaultRetentionDays"},
			"bad name first": {UpdateInput{InstanceName: ptr(""), DefaultRetentionDays: ptr(5)}, "instanceName"},
		} {
			_, err := s.Update(adminCtx(), tc.in)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Kind != apperr.Invalid || ae.Fields[tc.field] == "" {
				t.Errorf("%s: %v, want an invalid %s field", name, err, tc.field)
			}
		}
		row, err = s.Get(adminCtx())
		if err != nil || row.InstanceName != "Acme bugs" || *row.DefaultRetentionDays != 36500 {
			t.Fatalf("an invalid update changed the row: %+v, %v", row, err)
		}
	})
}

func TestVersion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		sys := viewer.SystemContext(context.Background(), "test")
		// Public: an anonymous caller may ask, before the row even exists.
		info, err := New(db.Client, "1.2.0").Version(context.Background())
		if err != nil || info != (VersionInfo{Current: "1.2.0"}) {
			t.Fatalf("no row: %+v, %v", info, err)
		}
		err = db.Client.Settings.Create().SetID(InstanceID).
			SetLatestVersion("v1.10.0").SetLatestReleaseURL("https://example.com/r/v1.10.0").Exec(sys)
		if err != nil {
			t.Fatal(err)
		}
		for current, want := range map[string]bool{"1.2.0": true, "v1.9.9": true, "1.10.0": false, "v1.10.1": false, "dev": false, "2.0.0-rc.1": false} {
			info, err := New(db.Client, current).Version(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if info.UpdateAvailable != want || info.Current != current || info.Latest != "v1.10.0" || info.ReleaseURL != "https://example.com/r/v1.10.0" {
				t.Errorf("current %s: %+v, want updateAvailable %v", current, info, want)
			}
		}
	})
}

func TestNewer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		latest, current string
		want            bool
	}{
		{"1.0.1", "1.0.0", true},
		{"v2.0.0", "1.99.99", true},
		{"1.10.0", "1.9.0", true}, // numeric, not lexical
		{"1.0.0", "1.0.0", false},
		{"v1.0.0", "1.0.0", false},
		{"1.0.0", "1.0.1", false},
		{"1.0.0", "1.0.0-rc.1", true},
		{"1.0.0-rc.1", "1.0.0", false},
		{"1.0.0-rc.10", "1.0.0-rc.9", true},
		{"1.0.0-beta", "1.0.0-alpha", true},
		{"1.0.0-alpha.1", "1.0.0-alpha", true},
		{"1.0.0-alpha.beta", "1.0.0-alpha.1", true},
		{"1.0.0+build.5", "1.0.0+build.4", false},
		{"1.1", "1.0.9", true},
		{"1.0.0", "dev", false},
		{"", "1.0.0", false},
		{"garbage", "1.0.0", false},
		{"1.0.0", "", false},
		{"1.2.3.4", "1.0.0", false},
		{"1.0.0-", "0.9.0", false},
	} {
		if got := newer(tc.latest, tc.current); got != tc.want {
			t.Errorf("newer(%q, %q) = %v, want %v", tc.latest, tc.current, got, tc.want)
		}
	}
}
