package benchkit

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// CPUSample is the CPU time used so far by this process and by the server,
// and the machine's idle time.
type CPUSample struct {
	at                           time.Time
	self, server, idle           time.Duration
	serverReadable, idleReadable bool
}

// SampleCPU reads the three CPU times; serverPID 0 means no server.
func SampleCPU(serverPID int) CPUSample {
	s := CPUSample{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if serverPID > 0 {
		s.server, s.serverReadable = procCPU(serverPID)
	}
	s.idle, s.idleReadable = idleCPU()
	return s
}

// Cores formats how many CPUs this process and the server kept busy between
// two samples, and how many the machine left idle; "-" when unknown.
func Cores(from, to CPUSample) (client, server, idle string) {
	client, server, idle = "-", "-", "-"
	wall := to.at.Sub(from.at).Seconds()
	if wall <= 0 {
		return client, server, idle
	}
	client = fmt.Sprintf("%.2f", (to.self-from.self).Seconds()/wall)
	if from.serverReadable && to.serverReadable {
		server = fmt.Sprintf("%.2f", (to.server-from.server).Seconds()/wall)
	}
	if from.idleReadable && to.idleReadable {
		idle = fmt.Sprintf("%.2f", (to.idle-from.idle).Seconds()/wall)
	}
	return client, server, idle
}

// Linux reports times in /proc in clock ticks of 1/100 s.
const tick = 10 * time.Millisecond

// procCPU reads a process's user and system time from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The fields after the command name, which is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * tick, true
}

// idleCPU reads the machine's idle and I/O wait time, summed over its CPUs,
// from /proc/stat.
func idleCPU() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	// cpu user nice system idle iowait …
	if len(f) < 6 || string(f[0]) != "cpu" {
		return 0, false
	}
	idle, err1 := strconv.ParseInt(string(f[4]), 10, 64)
	iowait, err2 := strconv.ParseInt(string(f[5]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(idle+iowait) * tick, true
}

// ServerTime is the CPU time the server used between two samples, and
// whether it could be read.
func ServerTime(from, to CPUSample) (time.Duration, bool) {
	if !from.serverReadable || !to.serverReadable {
		return 0, false
	}
	return to.server - from.server, true
}
