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
