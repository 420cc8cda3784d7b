package reports_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/reports"
)

// brief describes merged events as text: type, time (or "-") and
// data as stored.
func brief(t *testing.T, events []*reports.TimelineEvent) []string {
	t.Helper()
	var out []string
	for _, e := range events {
		at := "-"
		if e.Timestamp != nil {
			at = e.Timestamp.Format(time.RFC3339Nano)
		}
		out = append(out, fmt.Sprintf("%s %s %s", e.Type, at, e.Data))
	}
	return out
}

func raw(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

func TestMergedTimeline(t *testing.T) {
	t.Parallel()
	// 2026-03-01T12:00:00Z is 1772366400000 ms.
	for _, tc := range []struct {
		name                                     string
		timeline, consoleErrors, networkFailures string
		want                                     []string
	}{
		{
			name: "nothing captured",
			want: nil,
		},
		{
			name:            "JSON null documents",
			timeline:        `null`,
			consoleErrors:   `null`,
			networkFailures: `[]`,
			want:            nil,
		},
		{
			name:            "merged in time order across the three documents",
			timeline:        `[{"type":"navigation","url":"/cart","timestamp":1772366400000},{"type":"click","selector":"#pay","timestamp":"2026-03-01T12:00:03Z"}]`,
			consoleErrors:   `[{"message":"TypeError","stack":"at pay","timestamp":"2026-03-01T12:00:04.5Z"}]`,
			networkFailures: `[{"url":"/api/pay","status":500,"timestamp":1772366402000}]`,
			want: []string{
				`NAVIGATION 2026-03-01T12:00:00Z {"type":"navigation","url":"/cart","timestamp":1772366400000}`,
				`NETWORK_FAILURE 2026-03-01T12:00:02Z {"url":"/api/pay","status":500,"timestamp":1772366402000}`,
				`CLICK 2026-03-01T12:00:03Z {"type":"click","selector":"#pay","timestamp":"2026-03-01T12:00:03Z"}`,
				`CONSOLE_ERROR 2026-03-01T12:00:04.5Z {"message":"TypeError","stack":"at pay","timestamp":"2026-03-01T12:00:04.5Z"}`,
			},
		},
		{
			name:     "types by the type field, in any case; anything else is OTHER",
			timeline: `[{"type":"Navigation","ts":1},{"type":"CLICK","ts":2},{"type":"scroll","ts":3},{"type":42,"ts":4},{"ts":5}]`,
			want: []string{
				`NAVIGATION 1970-01-01T00:00:00.001Z {"type":"Navigation","ts":1}`,
				`CLICK 1970-01-01T00:00:00.002Z {"type":"CLICK","ts":2}`,
				`OTHER 1970-01-01T00:00:00.003Z {"type":"scroll","ts":3}`,
				`OTHER 1970-01-01T00:00:00.004Z {"type":42,"ts":4}`,
				`OTHER 1970-01-01T00:00:00.005Z {"ts":5}`,
			},
		},
		{
			name:          "time, ts and fractional milliseconds; offsets become UTC",
			timeline:      `[{"type":"click","time":"2026-03-01T14:00:01+02:00"},{"type":"click","ts":1772366400000.25}]`,
			consoleErrors: `[{"message":"x","timestamp":"not a time","time":1772366400500}]`,
			want: []string{
				`CLICK 2026-03-01T12:00:00.00025Z {"type":"click","ts":1772366400000.25}`,
				`CONSOLE_ERROR 2026-03-01T12:00:00.5Z {"message":"x","timestamp":"not a time","time":1772366400500}`,
				`CLICK 2026-03-01T12:00:01Z {"type":"click","time":"2026-03-01T14:00:01+02:00"}`,
			},
		},
		{
			name:            "events without a time go last, in captured order",
			timeline:        `[{"type":"click","selector":"#a"},{"type":"click","ts":1772366409000},{"type":"click","timestamp":"yesterday"}]`,
			consoleErrors:   `[{"message":"no time"},{"message":"late","ts":1772366410000}]`,
			networkFailures: `[{"url":"/x","timestamp":true},{"url":"/y","timestamp":1e300}]`,
			want: []string{
				`CLICK 2026-03-01T12:00:09Z {"type":"click","ts":1772366409000}`,
				`CONSOLE_ERROR 2026-03-01T12:00:10Z {"message":"late","ts":1772366410000}`,
				`CLICK - {"type":"click","selector":"#a"}`,
				`CLICK - {"type":"click","timestamp":"yesterday"}`,
				`CONSOLE_ERROR - {"message":"no time"}`,
				`NETWORK_FAILURE - {"url":"/x","timestamp":true}`,
				`NETWORK_FAILURE - {"url":"/y","timestamp":1e300}`,
			},
		},
		{
			name:          "equal times keep captured order",
			timeline:      `[{"type":"click","ts":5},{"type":"navigation","ts":5}]`,
			consoleErrors: `[{"message":"same","ts":5}]`,
			want: []string{
				`CLICK 1970-01-01T00:00:00.005Z {"type":"click","ts":5}`,
				`NAVIGATION 1970-01-01T00:00:00.005Z {"type":"navigation","ts":5}`,
				`CONSOLE_ERROR 1970-01-01T00:00:00.005Z {"message":"same","ts":5}`,
			},
		},
		{
			name:          "items that are not objects are kept, untyped and untimed; nulls are skipped",
			timeline:      `["page loaded", null, 7]`,
			consoleErrors: `["Uncaught TypeError"]`,
			want: []string{
				`OTHER - "page loaded"`,
				`OTHER - 7`,
				`CONSOLE_ERROR - "Uncaught TypeError"`,
			},
		},
	} {
		r := &ent.Report{ID: "rep_1", Timeline: raw(tc.timeline), ConsoleErrors: raw(tc.consoleErrors), NetworkFailures: raw(tc.networkFailures)}
		events, err := reports.MergedTimeline(r)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := brief(t, events); !slices.Equal(got, tc.want) {
			t.Errorf("%s: merged =\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

func TestMergedTimelineRefusesADocumentThatIsNotAnArray(t *testing.T) {
	t.Parallel()
	_, err := reports.MergedTimeline(&ent.Report{ID: "rep_1", NetworkFailures: json.RawMessage(`{"url":"/x"}`)})
	if err == nil || !strings.Contains(err.Error(), "network failures") {
		t.Errorf("error = %v, want one naming the network failures", err)
	}
}
