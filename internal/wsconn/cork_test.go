package wsconn

import (
	"bytes"
	"net"
	"testing"
	"time"
)

// recordingConn records each write the network connection is asked for.
type recordingConn struct {
	net.Conn
	writes    [][]byte
	deadlines []time.Time
}

func (c *recordingConn) SetWriteDeadline(t time.Time) error {
	c.deadlines = append(c.deadlines, t)
	return nil
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

func TestCorkedConnGathersWrites(t *testing.T) {
	t.Parallel()
	rec := &recordingConn{}
	c := &corkedConn{Conn: rec}
	write := func(s string) {
		t.Helper()
		if n, err := c.Write([]byte(s)); err != nil || n != len(s) {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	write("a")
	c.setCorked(true)
	write("b")
	write("c")
	if len(rec.writes) != 1 {
		t.Fatalf("corked writes reached the network: %q", rec.writes)
	}
	c.setCorked(false)
	write("d")
	write("e")
	c.setCorked(true)
	write("f")
	c.setCorked(false)
	write("g")
	want := []string{"a", "bcd", "e", "fg"}
	if len(rec.writes) != len(want) {
		t.Fatalf("network writes %q, want %q", rec.writes, want)
	}
	for i, w := range want {
		if string(rec.writes[i]) != w {
			t.Errorf("network write %d is %q, want %q", i, rec.writes[i], w)
		}
	}
}

// A short write reports only the caller's bytes that left.
func TestCorkedConnShortWrite(t *testing.T) {
	t.Parallel()
	c := &corkedConn{Conn: shortConn{limit: 4}, buf: []byte("abc")}
	n, err := c.Write([]byte("defg"))
	if n != 1 || err == nil {
		t.Errorf("Write after 3 held bytes, 4 accepted: %d, %v; want 1 and an error", n, err)
	}
}

type shortConn struct {
	net.Conn
	limit int
}

func (c shortConn) Write(p []byte) (int, error) {
	if len(p) > c.limit {
		return c.limit, net.ErrClosed
	}
	return len(p), nil
}

// A write deadline reaches the network connection when it is later than
// the one in force by deadlineSlack or more, or is cleared; never sooner
// than the write that needs it.
func TestCorkedConnDeadlines(t *testing.T) {
	t.Parallel()
	rec := &recordingConn{}
	c := &corkedConn{Conn: rec}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		deadline time.Time
		corked   bool
		applied  bool
	}{
		{t0, false, true},
		{t0.Add(deadlineSlack / 2), false, false}, // close enough
		{t0.Add(deadlineSlack), true, false},      // corked: not written yet
		{t0.Add(deadlineSlack), false, true},
		{time.Time{}, false, true}, // cleared
	}
	for i, s := range steps {
		before := len(rec.deadlines)
		_ = c.SetWriteDeadline(s.deadline)
		if s.corked {
			c.setCorked(true)
		} else {
			c.setCorked(false)
		}
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		got := len(rec.deadlines) > before
		if got != s.applied {
			t.Errorf("step %d: deadline applied %v, want %v", i, got, s.applied)
		}
		if got && !rec.deadlines[len(rec.deadlines)-1].Equal(s.deadline) {
			t.Errorf("step %d: applied %v, want %v", i, rec.deadlines[len(rec.deadlines)-1], s.deadline)
		}
	}
}
