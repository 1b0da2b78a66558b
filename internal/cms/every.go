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
//
// When ctx comes from Draining, fn runs with the work context instead,
// so that a call under way when ctx ends finishes what it leased (a
// batch of mail, a webhook delivery, a due publish) instead of being cut
// off; no call starts after ctx ended.
func Every(ctx context.Context, interval time.Duration, fn func(ctx context.Context)) {
	work := ctx
	if w, ok := ctx.Value(drainKey{}).(context.Context); ok {
		work = context.WithValue(w, stopKey{}, ctx)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if ctx.Err() != nil {
				return
			}
			fn(work)
		}
	}
}

type drainKey struct{}
type stopKey struct{}

// Draining returns stop carrying work: the background loops started
// with it stop starting calls when stop ends, while the calls under way
// run on with work, which the caller ends when its shutdown grace is
// over.
func Draining(stop, work context.Context) context.Context {
	return context.WithValue(stop, drainKey{}, work)
}

// Stopping reports whether the loop that passed ctx to its call is
// shutting down: the call should finish what it holds and take no more.
func Stopping(ctx context.Context) bool {
	stop, ok := ctx.Value(stopKey{}).(context.Context)
	return ok && stop.Err() != nil
}
