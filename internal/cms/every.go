package cms

import (
	"context"
	"time"
)

// Every calls fn every interval until ctx ends. It waits one interval
// before the first call (it does not run immediately): the background
// loops built on it start with the server, which has just done the same
// work, or has nothing due yet. A call that outlasts the interval delays
// the next one rather than overlapping it.
func Every(ctx context.Context, interval time.Duration, fn func(ctx context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}
