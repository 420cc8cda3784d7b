package wsconn

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// corkedConn is the network connection under gorilla. While it is corked,
// what gorilla writes gathers in a buffer, and leaves with the next write
// made uncorked, in one system call: a subscriber that fell behind catches
// up with one write for all its waiting frames instead of one per frame.
// Under live load that write is the largest part of a delivery's cost, and
// the reader on the other end is spared as many reads.
type corkedConn struct {
	net.Conn

	// gorilla writes from the connection's writers, serialised by Conn.mu,
	// and from its reader, which answers pings and closes.
	mu     sync.Mutex
	corked bool
	buf    []byte

	// gorilla sets a write deadline for every frame; see SetWriteDeadline.
	deadline, applied time.Time
}

// deadlineSlack is how much sooner than asked a write deadline may be.
const deadlineSlack = time.Second

// SetWriteDeadline records t, to apply before the next write that reaches
// the network. Re-arming the runtime's timer for every frame cost more than
// writing some frames; a deadline that is sooner than t by less than
// deadlineSlack is kept instead.
func (c *corkedConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	return nil
}

// SetDeadline sets both deadlines at once, as the handshake does.
func (c *corkedConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline, c.applied = t, t
	return c.Conn.SetDeadline(t)
}

func (c *corkedConn) applyDeadlineLocked() error {
	d, a := c.deadline, c.applied
	if d.Equal(a) || (!d.IsZero() && !a.IsZero() && !d.Before(a) && d.Sub(a) < deadlineSlack) {
		return nil
	}
	if err := c.Conn.SetWriteDeadline(d); err != nil {
		return err
	}
	c.applied = d
	return nil
}

// maxKeptCork is the largest buffer kept between runs of corked writes;
// a larger one, from a long run, goes back to the collector.
const maxKeptCork = 16 << 10

func (c *corkedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked {
		c.buf = append(c.buf, p...)
		return len(p), nil
	}
	if err := c.applyDeadlineLocked(); err != nil {
		return 0, err
	}
	if len(c.buf) == 0 {
		return c.Conn.Write(p)
	}
	c.buf = append(c.buf, p...)
	written, err := c.Conn.Write(c.buf)
	mine := max(0, written-(len(c.buf)-len(p))) // of p's bytes
	if cap(c.buf) > maxKeptCork {
		c.buf = nil
	} else {
		c.buf = c.buf[:0]
	}
	return mine, err
}

// setCorked makes the writes that follow gather (true), or lets the next
// write send what gathered (false).
func (c *corkedConn) setCorked(on bool) {
	c.mu.Lock()
	c.corked = on
	c.mu.Unlock()
}

// corkingWriter hands gorilla's upgrader a corkedConn when it takes over
// the connection.
type corkingWriter struct {
	http.ResponseWriter
	conn *corkedConn
}

func (w *corkingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkedConn{Conn: nc}
	return w.conn, brw, nil
}
