package stats

import (
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/internal/dbtest"
)

// The SQLite driver's way of writing times is a setting of the DSN, so
// sqliteUnix must read both what it writes by default and SQLite's own
// format, in any time zone.
func TestSQLiteUnix(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, dialect.SQLite)
	base := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC).Unix()
	for _, tt := range []struct {
		stored string
		want   int64 // whole seconds: buckets need no more
	}{
		{"2026-03-15 10:30:00 +0000 UTC", base},
		{"2026-03-15 10:30:00.123456789 +0000 UTC m=+0.128080893", base},
		{"2026-03-15 12:30:00.5 +0200 CEST", base},
		{"2026-03-15 05:00:00 -0530 -0530", base},
		{"2026-03-15 16:00:59.999999999 +0530 IST m=+3600.000000001", base + 59},
		{"2026-03-15 12:30:00.5+02:00", base},
		{"2026-03-15 10:30:00", base},
		{"2026-03-15T10:30:00Z", base},
	} {
		var got *int64
		err := db.SQL.QueryRowContext(t.Context(), "WITH t(v) AS (SELECT ?) SELECT "+sqliteUnix("v")+" FROM t", tt.stored).Scan(&got)
		if err != nil {
			t.Fatalf("%q: %v", tt.stored, err)
		}
		if got == nil || *got != tt.want {
			t.Errorf("%q: Unix time = %v, want %d", tt.stored, got, tt.want)
		}
	}
}
