package benchkit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// RSS is a process's resident set size in KB (VmRSS of /proc/<pid>/status).
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("read the RSS of process %d: %w", pid, err)
	}
	kb, err := ParseVmRSS(b)
	if err != nil {
		return 0, fmt.Errorf("read the RSS of process %d: %w", pid, err)
	}
	return kb, nil
}

// ParseVmRSS reads the VmRSS line of a /proc/<pid>/status file, in KB:
// "VmRSS:	   12345 kB".
func ParseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Bytes())
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Bytes())
		}
		return kb, nil
	}
	// Kernel threads and zombies have no VmRSS.
	return 0, errors.New("no VmRSS line (has the process exited?)")
}
