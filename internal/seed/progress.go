package seed

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/logging"
)

// Kinds of rows the progress counts.
const (
	kindReports = iota
	kindCrashes
	kindFeedback
	kinds
)

var kindNames = [kinds]string{"reports", "crashes", "feedback"}

// progress reports inserted rows: a bar redrawn in place on a terminal, a
// line every 10% elsewhere (a log file or CI output has no use for
// carriage returns).
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time

	mu       sync.Mutex
	done     [kinds]int
	total    [kinds]int
	next     int // the percentage of the next line, off a terminal
	lastDraw time.Time
}

func newProgress(w io.Writer, total [kinds]int) *progress {
	return &progress{w: w, tty: logging.IsTerminal(w), start: time.Now(), total: total, next: 10}
}

func (p *progress) add(kind, n int) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done[kind] += n
	pct := p.percent()
	switch {
	case p.tty:
		// Redrawing for every batch would cost more than the batches.
		if time.Since(p.lastDraw) >= 100*time.Millisecond || pct == 100 {
			p.draw(pct)
		}
	case pct >= p.next:
		p.line(pct)
		p.next = pct/10*10 + 10
	}
}

// finish ends the bar's line, or prints 100% if no line said it.
func (p *progress) finish() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.tty:
		p.draw(p.percent())
		fmt.Fprintln(p.w)
	case p.next <= 100 && p.sum(p.total) > 0:
		p.line(p.percent())
		p.next = 110
	}
}

func (p *progress) sum(counts [kinds]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func (p *progress) percent() int {
	total := p.sum(p.total)
	if total == 0 {
		return 100
	}
	return p.sum(p.done) * 100 / total
}

func (p *progress) counts() string {
	parts := make([]string, 0, kinds)
	for k := range kinds {
		if p.total[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d/%d", kindNames[k], p.done[k], p.total[k]))
		}
	}
	return strings.Join(parts, "  ")
}

func (p *progress) rate() int {
	elapsed := time.Since(p.start).Seconds()
	if elapsed <= 0 {
		return 0
	}
	return int(float64(p.sum(p.done)) / elapsed)
}

func (p *progress) draw(pct int) {
	// Padded so a shorter line fully covers the previous one.
	fmt.Fprintf(p.w, "\r%s %3d%%  %s  %d rows/s   ", logging.Bar(pct), pct, p.counts(), p.rate())
	p.lastDraw = time.Now()
}

func (p *progress) line(pct int) {
	fmt.Fprintf(p.w, "seeded %3d%%: %s (%d rows/s)\n", pct, p.counts(), p.rate())
}
