// Package stats computes the aggregates the dashboard shows: crash
// statistics over a period and the home page's counters.
package stats

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
)

// Period is a statistics window ending now.
type Period string

const (
	Day     Period = "DAY"     // 24 hours, hourly buckets
	Week    Period = "WEEK"    // 7 days, daily buckets
	Month   Period = "MONTH"   // 30 days, daily buckets
	Quarter Period = "QUARTER" // 90 days, daily buckets
)

func (p Period) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(p))) }

func (p *Period) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("period must be a string")
	}
	switch e := Period(s); e {
	case Day, Week, Month, Quarter:
		*p = e
		return nil
	}
	return fmt.Errorf("%q is not a period", s)
}

// CrashStats are a project's crash statistics over a period.
type CrashStats struct {
	TotalOccurrences int
	NewGroups        int
	AffectedUsers    int
	Buckets          []Bucket
	ByVersion        []Count
	ByPlatform       []Count
	TopGroups        []GroupCount
}

// Bucket is the number of crashes in the bucket starting at Start.
type Bucket struct {
	Start       time.Time
	Occurrences int
}

// Count is a number of crashes for a key (a version, a platform).
type Count struct {
	Key   string
	Count int
}

// GroupBreakdown is how one crash group's crashes in a period split.
type GroupBreakdown struct {
	Total      int
	ByVersion  []Count
	ByPlatform []Count
}

// GroupCount is a group's number of crashes in the period.
type GroupCount struct {
	Group       *ent.CrashGroup
	Occurrences int
}

// Dashboard are the home page's counters.
type Dashboard struct {
	NewReportsToday   int
	UnresolvedReports int
	OpenFeedback      int
	NewCrashGroups    int
}
