package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMarkers(t *testing.T) {
	frame := []byte(`{"payload":{"data":{"reportCreated":{"message":"bench-live ` + marker(12, 3456) + ` froze"}}},"id":"1","type":"next"}`)
	if p, s, ok := parseMarker(frame); !ok || p != 12 || s != 3456 {
		t.Errorf("parseMarker = %d, %d, %v", p, s, ok)
	}
	again := remark(frame, marker(7, 0))
	if p, s, ok := parseMarker(again); !ok || p != 7 || s != 0 {
		t.Errorf("parseMarker(remark) = %d, %d, %v in %s", p, s, ok, again)
	}
	if len(remark([]byte(syntheticFrame), marker(1, 99))) != len(syntheticFrame)+1 {
		t.Error("remark changed more than the marker")
	}
	for _, bad := range []string{`no marker`, `[bl:1]`, `[bl:x:1]`, `[bl:1:2`, `[bl:-1:2]`} {
		if _, _, ok := parseMarker([]byte(bad)); ok {
			t.Errorf("parseMarker(%q) found a marker", bad)
		}
	}
}

func TestFrameType(t *testing.T) {
	for frame, want := range map[string]string{
		syntheticFrame:                          "next",
		`{"type":"next","id":"1","payload":{}}`: "next", // another field order
		`{"type":"ping"}`:                       "ping",
		`{"payload":[{"message":"boom"}],"id":"1","type":"error"}`: "error",
	} {
		if got, err := frameType([]byte(frame)); err != nil || got != want {
			t.Errorf("frameType(%s) = %q, %v; want %q", frame, got, err, want)
		}
	}
	if _, err := frameType([]byte("not json")); err == nil {
		t.Error("frameType accepted a frame that is not JSON")
	}
}

func TestParseCounts(t *testing.T) {
	got, err := parseCounts(" 10000,1000, 1000,,")
	if err != nil || !slices.Equal(got, []int{0, 1000, 10000}) {
		t.Errorf("parseCounts = %v, %v", got, err)
	}
	for _, bad := range []string{"1k", "-1", "20001"} {
		if _, err := parseCounts(bad); err == nil {
			t.Errorf("parseCounts(%q) accepted it", bad)
		}
	}
}

func TestSteady(t *testing.T) {
	if steady([]int64{100_000, 100_100}, 8) {
		t.Error("steady after two reads of eight")
	}
	if !steady([]int64{1, 2, 100_000, 100_100, 100_200, 100_100, 100_300, 100_400, 100_450, 100_499}, 8) {
		t.Error("not steady within 0.5%")
	}
	if steady([]int64{100_000, 100_000, 100_000, 100_000, 100_000, 100_000, 100_000, 101_000}, 8) {
		t.Error("steady while growing by 1%")
	}
	if !steady([]int64{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1060}, 8) {
		t.Error("not steady within 64 KB")
	}
}

func TestMemoryPerConn(t *testing.T) {
	m := memory{points: []memPoint{{0, 50_000, true}, {1000, 60_000, true}, {10_000, 150_000, true}}}
	if got := m.perConn(m.last()); got != 10 {
		t.Errorf("perConn = %v, want 10", got)
	}
	if got := m.perConn(0); got != 0 {
		t.Errorf("perConn(0) = %v", got)
	}
}

func TestCheckProblemsTellsCrossReplicaFailures(t *testing.T) {
	tg := target{name: "Oopsie", eps: []endpoint{{name: "A"}, {name: "B"}}, pubs: []publisher{{name: "A"}, {name: "B"}}}
	if err := checkProblems(tg, [][]int{{0, 0}, {0, 0}}, 5, time.Second); err != nil {
		t.Errorf("no misses: %v", err)
	}
	err := checkProblems(tg, [][]int{{0, 3}, {2, 0}}, 5, time.Second)
	if err == nil || !strings.Contains(err.Error(), "3 of the 3 subscribers on A did not receive the event sent through B") ||
		!strings.Contains(err.Error(), "2 of the 2 subscribers on B") || !strings.Contains(err.Error(), "do not cross replicas") {
		t.Errorf("error = %v", err)
	}
	err = checkProblems(tg, [][]int{{1, 0}, {0, 0}}, 5, time.Second)
	if err == nil || strings.Contains(err.Error(), "cross") {
		t.Errorf("a same-replica miss: %v", err)
	}
}
