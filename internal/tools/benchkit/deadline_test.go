package benchkit

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDeadlineExplainsWhyARunFailed(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")

	_, cancel, explain := Deadline(context.Background(), time.Hour)
	if err := explain(boom); err != boom {
		t.Errorf("a plain failure became %v", err)
	}
	if explain(nil) != nil {
		t.Error("success became a failure")
	}
	cancel()

	bounded, cancel, explain := Deadline(context.Background(), time.Nanosecond)
	defer cancel()
	<-bounded.Done()
	if err := explain(boom); !errors.Is(err, boom) || !strings.Contains(err.Error(), "longer than -timeout 1ns") {
		t.Errorf("a timed-out run: %v", err)
	}

	parent, stop := context.WithCancel(context.Background())
	_, cancel2, explain := Deadline(parent, time.Hour)
	defer cancel2()
	stop()
	if err := explain(boom); !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "interrupted") {
		t.Errorf("an interrupted run: %v", err)
	}
}
