package benchkit

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"
)

// DefaultPostgresURL is the PostgreSQL server the benchmarks create their
// throwaway databases on, unless OOPSIE_TEST_POSTGRES_URL or -postgres says
// otherwise.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresURL is the default of the -postgres flag: OOPSIE_TEST_POSTGRES_URL,
// as for the tests, else DefaultPostgresURL.
func PostgresURL(getenv func(string) string) string {
	if u := getenv("OOPSIE_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// Percentile is the q-quantile (0 < q ≤ 1) of sorted, by the nearest-rank
// method: the smallest value that at least q of them do not exceed; 0 for
// none.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Verdict says whether a target was met.
func Verdict(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

// Ratio is a/b, or 0 when b is 0.
func Ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Ms formats a latency in milliseconds.
func Ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 10 {
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}

// Thousands formats a rounded number with thousands separators: 1,500.
func Thousands(v float64) string {
	n := int64(v + 0.5)
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Drop runs a throwaway database's drop function, and warns on stdout when
// it fails: the figures are printed by then.
func Drop(ctx context.Context, stdout io.Writer, drop func(context.Context) error) {
	if err := drop(ctx); err != nil {
		fmt.Fprintln(stdout, "warning:", err)
	}
}
