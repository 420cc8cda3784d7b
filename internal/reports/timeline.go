package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
)

// TimelineEventType is the kind of an event in a report's merged timeline.
type TimelineEventType string

const (
	TimelineNavigation     TimelineEventType = "NAVIGATION"
	TimelineClick          TimelineEventType = "CLICK"
	TimelineConsoleError   TimelineEventType = "CONSOLE_ERROR"
	TimelineNetworkFailure TimelineEventType = "NETWORK_FAILURE"
	TimelineOther          TimelineEventType = "OTHER"
)

func (t TimelineEventType) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(t)))
}

func (t *TimelineEventType) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("timeline event type must be a string")
	}
	switch e := TimelineEventType(s); e {
	case TimelineNavigation, TimelineClick, TimelineConsoleError, TimelineNetworkFailure, TimelineOther:
		*t = e
		return nil
	}
	return fmt.Errorf("%q is not a timeline event type", s)
}

// TimelineEvent is one event of a report's merged timeline: the captured
// document, its kind and, when the SDK recorded it, its time.
type TimelineEvent struct {
	Timestamp *time.Time
	Type      TimelineEventType
	Data      json.RawMessage
}

// MergedTimeline merges what the SDK captured into one chronological list:
// the timeline's navigations, clicks and other events, the console errors
// and the network failures. Each event's time is its timestamp, time or ts
// field, as an RFC 3339 string or epoch milliseconds; events without one go
// last. The sort is stable, so events of the same time, and all events
// without one, keep their captured order (timeline first, then console
// errors, then network failures). Data is each event's JSON as stored.
func MergedTimeline(r *ent.Report) ([]*TimelineEvent, error) {
	var events []*TimelineEvent
	for _, doc := range []struct {
		name  string
		raw   json.RawMessage
		fixed TimelineEventType // "" for the timeline, typed by each event
	}{
		{"timeline", r.Timeline, ""},
		{"console errors", r.ConsoleErrors, TimelineConsoleError},
		{"network failures", r.NetworkFailures, TimelineNetworkFailure},
	} {
		items, err := eventsOf(doc.raw)
		if err != nil {
			return nil, fmt.Errorf("report %s: %s: %w", r.ID, doc.name, err)
		}
		for _, item := range items {
			h := headOf(item)
			typ := doc.fixed
			if typ == "" {
				typ = timelineType(h.Type)
			}
			events = append(events, &TimelineEvent{Timestamp: h.time(), Type: typ, Data: item})
		}
	}
	slices.SortStableFunc(events, func(a, b *TimelineEvent) int {
		switch {
		case a.Timestamp == nil && b.Timestamp == nil:
			return 0
		case a.Timestamp == nil:
			return 1
		case b.Timestamp == nil:
			return -1
		}
		return a.Timestamp.Compare(*b.Timestamp)
	})
	return events, nil
}

// eventsOf splits a captured array into its events. A document never set
// (NULL) or JSON null has none; null items carry nothing and are skipped.
func eventsOf(raw json.RawMessage) ([]json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("not an array of events: %w", err)
	}
	return slices.DeleteFunc(items, func(item json.RawMessage) bool { return string(item) == "null" }), nil
}

// head is what the merge reads of an event. Items that are not objects
// (the door accepts only objects, but old rows are whatever they are) have
// no type and no time.
type head struct {
	Type      json.RawMessage `json:"type"`
	Timestamp json.RawMessage `json:"timestamp"`
	Time      json.RawMessage `json:"time"`
	TS        json.RawMessage `json:"ts"`
}

func headOf(item json.RawMessage) head {
	var h head
	if len(item) > 0 && item[0] == '{' {
		_ = json.Unmarshal(item, &h)
	}
	return h
}

// time is the first of the event's time fields that reads as a time.
func (h head) time() *time.Time {
	for _, raw := range []json.RawMessage{h.Timestamp, h.Time, h.TS} {
		if t, ok := parseEventTime(raw); ok {
			return &t
		}
	}
	return nil
}

// maxEpochMillis is the end of year 9999, the last instant RFC 3339 can
// write; larger numbers are not times.
const maxEpochMillis = 253402300799999

func parseEventTime(raw json.RawMessage) (time.Time, bool) {
	if len(raw) == 0 {
		return time.Time{}, false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
		return t.UTC(), err == nil
	}
	// Browsers give epoch milliseconds, from Date.now() or with a fraction
	// from performance.timeOrigin + performance.now().
	var ms float64
	if json.Unmarshal(raw, &ms) != nil || math.Abs(ms) > maxEpochMillis {
		return time.Time{}, false
	}
	whole := math.Floor(ms)
	frac := ms - whole
	return time.UnixMilli(int64(whole)).Add(time.Duration(math.Round(frac*1e6)) * time.Nanosecond).UTC(), true
}

func timelineType(raw json.RawMessage) TimelineEventType {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return TimelineOther
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "navigation":
		return TimelineNavigation
	case "click":
		return TimelineClick
	default:
		return TimelineOther
	}
}
