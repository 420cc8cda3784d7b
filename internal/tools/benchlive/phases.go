package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

// target is what the phases measure: Oopsie's replicas, or the baseline hub.
type target struct {
	name string
	eps  []endpoint  // subscribers connect to these, spread evenly
	pubs []publisher // events are sent through these, in turn
	pids []int       // the processes serving eps, in the same order
}

// publisher sends one event whose frames will carry marker m.
type publisher struct {
	name string
	send func(ctx context.Context, m string) error
}

// first is t reduced to its first endpoint and publisher: one replica.
func (t target) first() target {
	return target{name: t.name, eps: t.eps[:1], pubs: t.pubs[:1], pids: t.pids[:1]}
}

// ---- delivery checks ------------------------------------------------------

// check sends one event through each publisher of t and waits, up to wait,
// until every subscriber has received them all. An event a replica missed
// (its Redis subscription not yet up, a subscription not yet registered) is
// sent again while the deliveries stop short, every few seconds.
// missed[e][p] is how many subscribers on endpoint e received no event sent
// through publisher p.
func check(ctx context.Context, t target, subs []*sub, wait time.Duration) (missed [][]int, err error) {
	const (
		quiet     = 3 * time.Second
		maxRounds = 10
	)
	np := len(t.pubs)
	ph := newPhase(maxRounds * np)
	for _, s := range subs {
		s.arm(ph)
	}
	defer func() {
		for _, s := range subs {
			s.take()
		}
	}()
	deadline := time.Now().Add(wait)
	for r := 0; r < maxRounds; r++ {
		for i, pb := range t.pubs {
			seq := r*np + i
			ph.sentAt[seq].Store(clock())
			if err := pb.send(ctx, marker(ph.id, seq)); err != nil {
				return nil, fmt.Errorf("send a check event through %s: %w", pb.name, err)
			}
		}
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		waitFor(ctx, ph, int64((r+1)*len(subs)*np), min(quiet, left), left)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		missed = uncovered(t, subs, np)
		if total(missed) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if missed == nil {
		missed = uncovered(t, subs, np)
	}
	return missed, nil
}

// uncovered counts, by endpoint and publisher, the subscribers that have not
// received any of the publisher's check events.
func uncovered(t target, subs []*sub, np int) [][]int {
	missed := make([][]int, len(t.eps))
	for e := range missed {
		missed[e] = make([]int, np)
	}
	for _, s := range subs {
		s.mu.Lock()
		for i := range np {
			got := false
			for seq := i; seq < len(s.got); seq += np {
				got = got || s.got[seq]
			}
			if !got {
				missed[s.group][i]++
			}
		}
		s.mu.Unlock()
	}
	return missed
}

func total(m [][]int) int {
	n := 0
	for _, row := range m {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// waitFor waits until ph has delivered want frames, or none came for quiet,
// or limit has passed, and returns how long it waited.
func waitFor(ctx context.Context, ph *phase, want int64, quiet, limit time.Duration) time.Duration {
	start := time.Now()
	last, lastProgress := ph.delivered.Load(), start
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		now := time.Now()
		d := ph.delivered.Load()
		if d != last {
			last, lastProgress = d, now
		}
		if d >= want || now.Sub(lastProgress) >= quiet || now.Sub(start) >= limit {
			return now.Sub(start)
		}
		select {
		case <-ctx.Done():
			return time.Since(start)
		case <-tick.C:
		}
	}
}

// ---- latency --------------------------------------------------------------

// latency is what the latency phase measured of a target.
type latency struct {
	name                        string
	subs, sends, failedSends    int
	firstSendErr                string
	expected, delivered         int64
	dupes, strays               int64
	lats                        []time.Duration // sorted
	elapsed                     time.Duration   // from the first send to the last answer
	answers                     []time.Duration // from each send's schedule to its answer, sorted
	drain                       time.Duration   // then, until the last delivery
	ended                       int64           // subscribers lost meanwhile
	firstEnd                    string
	benchCPU, idleCPU           string
	serverCPU                   []string      // by process of the target
	serverTime                  time.Duration // CPU time of all of them
	serverTimeKnown             bool
	frameBytes                  int
	perEndpoint                 []endpointFigures
	deliveredWithin100msPercent float64
}

// endpointFigures are the latencies of the subscribers of one endpoint.
type endpointFigures struct {
	name     string
	p50, p99 time.Duration
}

func (l latency) missing() int64 { return max(0, l.expected-l.delivered) }

// cpuPerDelivery is the servers' CPU time per delivered frame, ingest or
// publish included: what one delivery costs, whether or not the servers
// kept up.
func (l latency) cpuPerDelivery() (time.Duration, bool) {
	if !l.serverTimeKnown || l.delivered == 0 {
		return 0, false
	}
	return l.serverTime / time.Duration(l.delivered), true
}

func (l latency) missingShare() float64 {
	if l.expected == 0 {
		return 0
	}
	return float64(l.missing()) / float64(l.expected)
}

func (l latency) sendRate() float64 {
	if l.elapsed <= 0 {
		return 0
	}
	return float64(l.sends) / l.elapsed.Seconds()
}

// measureLatency sends rate events per second for dur (open loop: each send
// in its own goroutine, on schedule whatever the answers) through t's
// publishers in turn, and records, for each event and subscriber, the time
// from the event's scheduled send to the subscriber's receiving it.
func measureLatency(ctx context.Context, p *pool, t target, subs []*sub, rate float64, dur time.Duration) (latency, error) {
	n := max(1, int(rate*dur.Seconds()))
	interval := time.Duration(float64(time.Second) / rate)
	ph := newPhase(n)
	for _, s := range subs {
		s.arm(ph)
	}
	endedBefore, _ := p.failures()

	var (
		wg        sync.WaitGroup
		failed    atomic.Int64
		mu        sync.Mutex
		firstErr  string
		lastDone  atomic.Int64 // clock of the last answer
		answers   = make([]time.Duration, 0, n)
		before    = make([]benchkit.CPUSample, len(t.pids))
		tickEvery = min(interval, time.Millisecond)
	)
	for i, pid := range t.pids {
		before[i] = benchkit.SampleCPU(pid)
	}
	ticker := time.NewTicker(tickEvery)
	start := time.Now()
	sent := 0
loop:
	for sent < n {
		select {
		case <-ctx.Done():
			break loop
		case now := <-ticker.C:
			// Ticks the runtime dropped are caught up here: everything due is sent.
			for sent < n {
				scheduled := start.Add(time.Duration(sent) * interval)
				if scheduled.After(now) {
					break
				}
				i := sent
				ph.sentAt[i].Store(int64(scheduled.Sub(clockStart)))
				pb := t.pubs[i%len(t.pubs)]
				wg.Go(func() {
					if err := pb.send(ctx, marker(ph.id, i)); err != nil {
						failed.Add(1)
						mu.Lock()
						if firstErr == "" {
							firstErr = pb.name + ": " + err.Error()
						}
						mu.Unlock()
					}
					answered := clock()
					mu.Lock()
					answers = append(answers, time.Duration(answered-ph.sentAt[i].Load()))
					mu.Unlock()
					for {
						done, last := answered, lastDone.Load()
						if done <= last || lastDone.CompareAndSwap(last, done) {
							break
						}
					}
				})
				sent++
			}
		}
	}
	ticker.Stop()
	wg.Wait()
	slices.Sort(answers)
	if err := ctx.Err(); err != nil {
		return latency{}, err
	}
	r := latency{
		name: t.name, subs: len(subs), sends: n, failedSends: int(failed.Load()), firstSendErr: firstErr,
		elapsed: time.Duration(lastDone.Load()) - start.Sub(clockStart), answers: answers,
	}
	r.expected = int64(n-r.failedSends) * int64(len(subs))
	// Slow deliveries are waited for while they keep coming.
	r.drain = waitFor(ctx, ph, r.expected, 5*time.Second, 30*time.Second+2*dur)
	r.serverTimeKnown = true
	for i, pid := range t.pids {
		var server string
		after := benchkit.SampleCPU(pid)
		r.benchCPU, server, r.idleCPU = benchkit.Cores(before[i], after)
		r.serverCPU = append(r.serverCPU, server)
		used, ok := benchkit.ServerTime(before[i], after)
		r.serverTime += used
		r.serverTimeKnown = r.serverTimeKnown && ok
	}
	if err := ctx.Err(); err != nil {
		return latency{}, err
	}

	r.delivered, r.dupes, r.strays = ph.delivered.Load(), ph.dupes.Load(), ph.strays.Load()
	byEndpoint := make([][]time.Duration, len(t.eps))
	for _, s := range subs {
		_, lats := s.take()
		r.lats = append(r.lats, lats...)
		byEndpoint[s.group] = append(byEndpoint[s.group], lats...)
	}
	slices.Sort(r.lats)
	within := 0
	for _, l := range r.lats {
		if l <= targetP99 {
			within++
		}
	}
	if r.expected > 0 {
		r.deliveredWithin100msPercent = 100 * float64(within) / float64(r.expected)
	}
	if len(t.eps) > 1 {
		for e, lats := range byEndpoint {
			slices.Sort(lats)
			r.perEndpoint = append(r.perEndpoint, endpointFigures{
				name: t.eps[e].name, p50: benchkit.Percentile(lats, 0.50), p99: benchkit.Percentile(lats, 0.99),
			})
		}
	}
	endedAfter, firstEnd := p.failures()
	r.ended, r.firstEnd = endedAfter-endedBefore, firstEnd
	return r, nil
}

// ---- memory ---------------------------------------------------------------

// memPoint is a process's RSS with conns idle subscribers.
type memPoint struct {
	conns   int
	kb      int64
	settled bool // the RSS was steady when read
}

// memory is what the memory phase measured of a target.
type memory struct {
	name   string
	points []memPoint // the first with 0 connections
	// The subscribers open at the end, and how many of them received the
	// event sent to check they were subscribed.
	checked, received int
}

// perConn is (RSS(n) − RSS(0)) / n in KB for the i-th point.
func (m memory) perConn(i int) float64 {
	pt := m.points[i]
	if pt.conns == 0 {
		return 0
	}
	return float64(pt.kb-m.points[0].kb) / float64(pt.conns)
}

// last is the point with the most connections.
func (m memory) last() int { return len(m.points) - 1 }

// measureMemory reads the RSS of t's first process with each count of idle
// subscribers connected to it, counts ascending from 0, then sends one event
// to check that they all were subscribed.
func measureMemory(ctx context.Context, stdout io.Writer, p *pool, t target, counts []int) (memory, error) {
	t = t.first()
	pid := t.pids[0]
	m := memory{name: t.name}

	// Warm-up: the code paths of a subscription are loaded before RSS(0).
	warm, err := p.openAll(ctx, t.eps, 1)
	if err != nil {
		return m, err
	}
	missed, err := check(ctx, t, warm, 15*time.Second)
	closeAll(warm)
	if err != nil {
		return m, err
	}
	if missed[0][0] > 0 {
		return m, fmt.Errorf("%s: a subscriber did not receive the event sent through %s within 15s", t.name, t.pubs[0].name)
	}

	var subs []*sub
	defer func() { closeAll(subs) }()
	for _, n := range counts {
		more, err := p.openAll(ctx, t.eps, n-len(subs))
		if err != nil {
			return m, err
		}
		subs = append(subs, more...)
		kb, settled, err := settleRSS(ctx, pid)
		if err != nil {
			return m, err
		}
		m.points = append(m.points, memPoint{conns: n, kb: kb, settled: settled})
		line := fmt.Sprintf("  %-8s %7s idle subscribers: RSS %s KB", t.name, benchkit.Thousands(float64(n)), benchkit.Thousands(float64(kb)))
		if n > 0 {
			line += fmt.Sprintf(", %.1f KB per subscriber", m.perConn(len(m.points)-1))
		}
		if !settled {
			line += " (still moving after 30s)"
		}
		fmt.Fprintln(stdout, line)
	}
	if len(subs) > 0 {
		missed, err := check(ctx, t, subs, 60*time.Second)
		if err != nil {
			return m, err
		}
		m.checked, m.received = len(subs), len(subs)-missed[0][0]
	}
	return m, nil
}

// settleRSS reads pid's RSS every 250 ms until it stays within 0.5% (and
// at least 64 KB) for 2 s, or 30 s have passed, and returns the last read.
func settleRSS(ctx context.Context, pid int) (kb int64, settled bool, err error) {
	const (
		every  = 250 * time.Millisecond
		window = 8
		limit  = 30 * time.Second
	)
	var reads []int64
	deadline := time.Now().Add(limit)
	for {
		kb, err := benchkit.RSS(pid)
		if err != nil {
			return 0, false, err
		}
		reads = append(reads, kb)
		if steady(reads, window) {
			return kb, true, nil
		}
		if time.Now().After(deadline) {
			return kb, false, nil
		}
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-time.After(every):
		}
	}
}

// steady says whether the last window reads stay within 0.5% of the last
// one, or 64 KB, whichever is more.
func steady(reads []int64, window int) bool {
	if len(reads) < window {
		return false
	}
	w := reads[len(reads)-window:]
	lo, hi := slices.Min(w), slices.Max(w)
	return hi-lo <= max(64, w[len(w)-1]/200)
}
