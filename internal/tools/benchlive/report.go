package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

// printLatencyLine prints a latency phase's main figures as it ends.
func printLatencyLine(w io.Writer, l latency) {
	fmt.Fprintf(w, "  %-8s %s of %s delivered, p50 %s p99 %s max %s, %d sends failed, %d subscribers lost\n",
		l.name, benchkit.Thousands(float64(l.delivered)), benchkit.Thousands(float64(l.expected)),
		benchkit.Ms(benchkit.Percentile(l.lats, 0.50)), benchkit.Ms(benchkit.Percentile(l.lats, 0.99)),
		benchkit.Ms(maxLat(l.lats)), l.failedSends, l.ended)
}

func maxLat(sorted []time.Duration) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[len(sorted)-1]
}

func printReport(w io.Writer, o options, names []string, lat, hubLat latency, mem, hubMem memory) {
	setup := "one replica"
	if len(names) > 1 {
		setup = "two replicas (A, B) sharing Redis"
	}
	fmt.Fprintf(w, "\nOopsie live-updates benchmark: %d CPUs (%s/%s), %s; %s subscribers, %s reports/s for %s; frames of %d bytes\n\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, setup, benchkit.Thousands(float64(o.subscribers)),
		benchkit.Thousands(o.rate), o.duration, lat.frameBytes)

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "latency, send → next\tsends\tfailed\tdelivered\texpected\tmissing\tdupes\tlost subs\tp50\tp99\tmax\t≤ 100 ms\tbench\tserver\tidle")
	for _, l := range []latency{lat, hubLat} {
		name := l.name
		if l.name == "Oopsie" {
			name = "Oopsie (" + strings.Join(names, "+") + ")"
		} else {
			name = "bare gorilla hub"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%.1f%%\t%s\t%s\t%s\n", name,
			benchkit.Thousands(float64(l.sends)), l.failedSends, benchkit.Thousands(float64(l.delivered)),
			benchkit.Thousands(float64(l.expected)), benchkit.Thousands(float64(l.missing())), l.dupes, l.ended,
			benchkit.Ms(benchkit.Percentile(l.lats, 0.50)), benchkit.Ms(benchkit.Percentile(l.lats, 0.99)), benchkit.Ms(maxLat(l.lats)),
			l.deliveredWithin100msPercent, l.benchCPU, strings.Join(l.serverCPU, "+"), l.idleCPU)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "(latency: from an event's scheduled send, an ingest request to Oopsie or a POST /publish to the hub,\n to a subscriber's receiving its frame, over every (event, subscriber); ≤ 100 ms: share of the expected\n deliveries that arrived within 100 ms; bench, server, idle: CPUs kept busy by this tool, by each server\n process, and left idle, of the %d that PostgreSQL and Redis share)\n", runtime.NumCPU())
	if c, ok := lat.cpuPerDelivery(); ok {
		if hc, ok := hubLat.cpuPerDelivery(); ok {
			fmt.Fprintf(w, "server CPU per delivery: Oopsie %.1f µs, bare hub %.1f µs (×%.1f)\n",
				float64(c)/1e3, float64(hc)/1e3, benchkit.Ratio(float64(c), float64(hc)))
		}
	}
	for _, l := range []latency{lat, hubLat} {
		// The answer is the part of the latency spent before the fan-out:
		// Oopsie's ingest request, the hub's publish.
		fmt.Fprintf(w, "%s: %s sends over %s (%s/s achieved), answered p50 %s p99 %s, deliveries drained %s after the last answer",
			l.name, benchkit.Thousands(float64(l.sends)), l.elapsed.Round(time.Millisecond),
			benchkit.Thousands(l.sendRate()), benchkit.Ms(benchkit.Percentile(l.answers, 0.50)), benchkit.Ms(benchkit.Percentile(l.answers, 0.99)),
			l.drain.Round(time.Millisecond))
		for _, e := range l.perEndpoint {
			fmt.Fprintf(w, "; on %s p50 %s p99 %s", e.name, benchkit.Ms(e.p50), benchkit.Ms(e.p99))
		}
		fmt.Fprintln(w)
		if l.failedSends > 0 {
			fmt.Fprintf(w, "  first failed send: %s\n", l.firstSendErr)
		}
		if l.ended > 0 {
			fmt.Fprintf(w, "  %d subscribers lost; the first: %s\n", l.ended, l.firstEnd)
		}
		if l.strays > 0 {
			fmt.Fprintf(w, "  %d frames matched no send\n", l.strays)
		}
	}

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "idle RSS"
	for _, pt := range mem.points {
		head += "\t" + benchkit.Thousands(float64(pt.conns)) + " subs"
	}
	fmt.Fprintln(tw, head+"\tcheck event")
	for _, m := range []memory{mem, hubMem} {
		name := "Oopsie (replica " + names[0] + ")"
		if m.name != "Oopsie" {
			name = "bare gorilla hub"
		}
		row := name
		for i, pt := range m.points {
			row += "\t" + benchkit.Thousands(float64(pt.kb)) + " KB"
			if i > 0 {
				row += fmt.Sprintf(" (%.1f/sub)", m.perConn(i))
			}
			if !pt.settled {
				row += "*"
			}
		}
		fmt.Fprintf(tw, "%s\t%s of %s received\n", row, benchkit.Thousands(float64(m.received)), benchkit.Thousands(float64(m.checked)))
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "(KB per subscriber: (RSS(n) − RSS(0)) / n, the server's VmRSS with n idle subscribers, subscribed to reportCreated;\n * the RSS was still moving after 30 s; check event: one event sent to the idle subscribers at the end)")

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tOopsie\tbare hub\tOopsie / hub\tresult")
	p99, hubP99 := benchkit.Percentile(lat.lats, 0.99), benchkit.Percentile(hubLat.lats, 0.99)
	load := ""
	atLoad := o.subscribers >= targetSubscribers && o.rate >= targetRate
	if !atLoad {
		load = fmt.Sprintf(" (at %s subs, %s/s: below the target's load)", benchkit.Thousands(float64(o.subscribers)), benchkit.Thousands(o.rate))
	}
	fmt.Fprintf(tw, "p99 ≤ %s ingest → delivery, %s subs at %s/s\t%s%s\t%s\t×%.1f\t%s\n",
		benchkit.Ms(targetP99), benchkit.Thousands(targetSubscribers), benchkit.Thousands(targetRate),
		benchkit.Ms(p99), load, benchkit.Ms(hubP99), benchkit.Ratio(float64(p99), float64(hubP99)),
		benchkit.Verdict(atLoad && p99 <= targetP99 && lat.missingShare() <= maxMissing))
	i, hi := mem.last(), hubMem.last()
	kb, hubKB := mem.perConn(i), hubMem.perConn(hi)
	conns := mem.points[i].conns
	load = ""
	if conns < targetIdle {
		load = fmt.Sprintf(" (at %s subs: below the target's)", benchkit.Thousands(float64(conns)))
	}
	fmt.Fprintf(tw, "≤ %.0f KB RSS per idle subscriber, %s subs\t%.1f KB%s\t%.1f KB\t×%.1f\t%s\n",
		targetKBPerConn, benchkit.Thousands(targetIdle), kb, load, hubKB, benchkit.Ratio(kb, hubKB),
		benchkit.Verdict(conns >= targetIdle && kb <= targetKBPerConn))
	_ = tw.Flush()
}
