package cms_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// TestEveryWaitsThenRepeatsUntilCancelled: no call before the first
// interval, calls after it, none once the context ends.
func TestEveryWaitsThenRepeatsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	done := make(chan struct{})
	go func() {
		cms.Every(ctx, 200*time.Millisecond, func(context.Context) { calls.Add(1) })
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d calls before the first interval", n)
	}
	time.Sleep(500 * time.Millisecond)
	if n := calls.Load(); n < 1 {
		t.Fatal("no call after more than two intervals")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Every did not return when its context ended")
	}
	n := calls.Load()
	time.Sleep(300 * time.Millisecond)
	if calls.Load() != n {
		t.Error("called after its context ended")
	}
}

// A call under way when a Draining loop's stop context ends finishes on
// the work context, told that the loop is stopping; no call starts after.
func TestEveryDraining(t *testing.T) {
	t.Parallel()
	stop, cancelStop := context.WithCancel(context.Background())
	work, cancelWork := context.WithCancel(context.Background())
	defer cancelWork()
	inCall, release := make(chan context.Context), make(chan struct{})
	var calls atomic.Int32
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		cms.Every(cms.Draining(stop, work), time.Millisecond, func(ctx context.Context) {
			if calls.Add(1) == 1 {
				inCall <- ctx
				<-release
			}
		})
	}()
	ctx := <-inCall
	if cms.Stopping(ctx) {
		t.Error("Stopping before the stop context ended")
	}
	cancelStop()
	if ctx.Err() != nil || !cms.Stopping(ctx) {
		t.Errorf("after stop: ctx.Err() = %v, Stopping = %v; want nil, true", ctx.Err(), cms.Stopping(ctx))
	}
	close(release)
	<-returned
	if n := calls.Load(); n != 1 {
		t.Errorf("%d calls, want 1: none starts after stop", n)
	}
	if cms.Stopping(context.Background()) {
		t.Error("Stopping on a context of no loop")
	}
}
