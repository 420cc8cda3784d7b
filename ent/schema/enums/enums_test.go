package enums

import (
	"bytes"
	"testing"
)

func TestGraphQLRoundTripIsUpperCase(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	ReportStatusInProgress.MarshalGQL(&buf)
	if got := buf.String(); got != `"IN_PROGRESS"` {
		t.Fatalf("MarshalGQL = %s, want \"IN_PROGRESS\"", got)
	}
	var s ReportStatus
	if err := s.UnmarshalGQL("IN_PROGRESS"); err != nil || s != ReportStatusInProgress {
		t.Fatalf("UnmarshalGQL(IN_PROGRESS) = %q, %v", s, err)
	}
}

func TestUnmarshalRejectsUnknownAndLowerCase(t *testing.T) {
	t.Parallel()
	for _, in := range []any{"in_progress", "DONE", "", 3, nil} {
		var s ReportStatus
		if err := s.UnmarshalGQL(in); err == nil {
			t.Errorf("UnmarshalGQL(%#v) accepted %q", in, s)
		}
	}
}

func TestValuesAreStoredLowerCase(t *testing.T) {
	t.Parallel()
	got := CrashGroupStatus("").Values()
	want := []string{"new", "investigating", "resolved", "ignored", "regressed"}
	if len(got) != len(want) {
		t.Fatalf("Values() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Values() = %v, want %v", got, want)
		}
	}
	if !FeedbackCategoryFeature.Valid() || FeedbackCategory("FEATURE").Valid() {
		t.Fatal("Valid must accept stored values only")
	}
}
