package benchkit

import (
	"os"
	"testing"
)

func TestParseVmRSS(t *testing.T) {
	status := "Name:\toopsie\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 1300000 kB\nVmHWM:\t   60000 kB\nVmRSS:\t   51234 kB\nRssAnon:\t   40000 kB\nThreads:\t9\n"
	kb, err := ParseVmRSS([]byte(status))
	if err != nil || kb != 51234 {
		t.Errorf("ParseVmRSS = %d, %v; want 51234", kb, err)
	}
	for _, bad := range []string{
		"Name:\tkthreadd\nState:\tS (sleeping)\n", // a kernel thread: no VmRSS
		"VmRSS:\t12 MB\n",
		"VmRSS:\tlots kB\n",
		"VmRSS:\n",
	} {
		if kb, err := ParseVmRSS([]byte(bad)); err == nil {
			t.Errorf("ParseVmRSS(%q) = %d, want an error", bad, kb)
		}
	}
}

func TestRSSOfThisProcess(t *testing.T) {
	kb, err := RSS(os.Getpid())
	if err != nil {
		t.Skip("no /proc here:", err)
	}
	if kb <= 0 {
		t.Errorf("RSS = %d KB", kb)
	}
}
