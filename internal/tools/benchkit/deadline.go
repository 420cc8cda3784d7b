package benchkit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Deadline bounds a benchmark run by timeout (its -timeout flag). explain
// says why a run failed when it was interrupted (Ctrl-C) or ran out of time,
// which the error itself often does not.
func Deadline(ctx context.Context, timeout time.Duration) (bounded context.Context, cancel context.CancelFunc, explain func(error) error) {
	bounded, cancel = context.WithTimeout(ctx, timeout)
	explain = func(err error) error {
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("interrupted: %w", err)
		case errors.Is(bounded.Err(), context.DeadlineExceeded):
			return fmt.Errorf("the run took longer than -timeout %s: %w", timeout, err)
		}
		return err
	}
	return bounded, cancel, explain
}
