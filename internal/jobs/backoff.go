package jobs

import (
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// backoff spaces retries exponentially: 5 s × 4^(n−1), at most 12 h, with
// ±10% jitter so that many jobs failing together (a receiver down) do not
// retry together. Over the 10 attempts that is 5 s, 20 s, 80 s, 5 min,
// 21 min, 85 min, 5.7 h, then 12 h twice: about a day and a half, enough to
// ride out an outage. River's default (n⁴ s) would give up within hours.
type backoff struct{}

const (
	backoffBase = 5 * time.Second
	backoffMax  = 12 * time.Hour
)

// NextRetry is when the job that just failed its Attempt-th try runs again.
func (backoff) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(retryDelay(job.Attempt, rand.Float64()))
}

// retryDelay is the delay after the n-th failure; r in [0, 1) picks the jitter.
func retryDelay(n int, r float64) time.Duration {
	d := backoffBase
	for i := 1; i < n && d < backoffMax; i++ {
		d *= 4
	}
	d = min(d, backoffMax)
	return time.Duration(float64(d) * (0.9 + 0.2*r))
}
