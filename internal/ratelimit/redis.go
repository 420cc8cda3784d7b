package ratelimit

import (
	"context"
	"fmt"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Redis is a GCRA limiter whose state lives in Redis, so every replica
// draws on the same budget. The arithmetic runs in one Lua script on the
// server, with the server's clock, so replicas with skewed clocks agree.
type Redis struct {
	limiter *redis_rate.Limiter
	prefix  string
}

// NewRedis returns a limiter storing its state in client under keys that
// start with "rate:" and prefix, so that several instances (or tests) can
// share one Redis without sharing budgets.
func NewRedis(client *redis.Client, prefix string) *Redis {
	return &Redis{limiter: redis_rate.NewLimiter(client), prefix: prefix}
}

// Allow counts one request under key if l allows it. It returns Redis's
// error as is; see the package documentation for why callers fail open.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	if err := l.valid(); err != nil {
		return Result{}, err
	}
	res, err := r.limiter.Allow(ctx, r.prefix+key, redis_rate.Limit{Rate: l.Rate, Burst: l.Rate, Period: l.Period})
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	out := Result{
		Allowed:    res.Allowed > 0,
		Limit:      l.Rate,
		Remaining:  res.Remaining,
		ResetAfter: max(res.ResetAfter, 0),
	}
	if !out.Allowed {
		// redis_rate says -1 for "no wait"; ours is zero.
		out.RetryAfter = max(res.RetryAfter, 0)
	}
	return out, nil
}
