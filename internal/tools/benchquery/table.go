package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

// figures is what was measured of one query.
type figures struct {
	name   string
	target time.Duration // at p95
	// Latencies of the timed runs, in run order.
	server, baseline []time.Duration
	// The server's CPU time per run, formatted.
	serverCPU string
	// What the server's first answer says of the data, if anything.
	counted string
	// More about the figures, if anything.
	note string
}

// p is the q-quantile of lats.
func (f figures) p(lats []time.Duration, q float64) time.Duration {
	sorted := slices.Clone(lats)
	slices.Sort(sorted)
	return benchkit.Percentile(sorted, q)
}

// printTable prints a row per query: the server's p50 and p95, the
// baseline's, how many times slower the server is, and the target.
func printTable(w io.Writer, rows []figures) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "query\tp50\tp95\tpgx p50\tpgx p95\tratio p50\tratio p95\ttarget\tresult")
	for _, f := range rows {
		p50, p95 := f.p(f.server, 0.50), f.p(f.server, 0.95)
		b50, b95 := f.p(f.baseline, 0.50), f.p(f.baseline, 0.95)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\tp95 ≤ %s\t%s\n", f.name,
			benchkit.Ms(p50), benchkit.Ms(p95), benchkit.Ms(b50), benchkit.Ms(b95),
			times(p50, b50), times(p95, b95), benchkit.Ms(f.target),
			benchkit.Verdict(len(f.server) > 0 && p95 <= f.target))
	}
	_ = tw.Flush()
}

// times formats how many times the baseline's latency the server's is.
func times(server, baseline time.Duration) string {
	if baseline <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f×", benchkit.Ratio(float64(server), float64(baseline)))
}

// describe says what was measured on what: the machine, the data, the runs.
func describe(o options, p project, rows []figures) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("%d CPUs (%s/%s)", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH))
	data := fmt.Sprintf("project %q: %s crash reports", p.name, benchkit.Thousands(float64(p.crashes)))
	for _, f := range rows {
		if f.counted != "" {
			data += ", " + f.counted
		}
	}
	parts = append(parts, data)
	parts = append(parts, fmt.Sprintf("%d runs per query after %d warm-up runs, one at a time", o.runs, o.warmup))
	return strings.Join(parts, "; ")
}
