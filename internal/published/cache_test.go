package published

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCacheStaysWithinItsBudget fills a small cache with more than it may
// hold: it never holds more than its budget, keeps the newest entry, and
// refuses what was computed before a content change.
func TestCacheStaysWithinItsBudget(t *testing.T) {
	t.Parallel()
	const budget = 64 << 10
	c := newCache(budget)
	body := bytes.Repeat([]byte("x"), 4<<10)
	for i := range 100 {
		_, gen, _ := c.get("k")
		key := fmt.Sprintf("page-%d", i)
		c.put(key, newCached(body, "application/json"), gen)
		if c.bytes > budget {
			t.Fatalf("after %d puts the cache holds %d bytes, over its budget of %d", i+1, c.bytes, budget)
		}
		if _, _, ok := c.get(key); !ok {
			t.Fatalf("put %s is not there", key)
		}
	}
	if len(c.m) == 0 || len(c.m) >= 100 {
		t.Errorf("%d entries after 100 puts of 4 KB into 64 KB", len(c.m))
	}

	_, stale, _ := c.get("k")
	c.clear()
	c.put("late", newCached(body, "application/json"), stale)
	if _, _, ok := c.get("late"); ok {
		t.Error("a page computed before a clear was stored after it")
	}
	_, gen, _ := c.get("k")
	c.put("huge", newCached(bytes.Repeat([]byte("y"), budget+1), "application/json"), gen)
	if _, _, ok := c.get("huge"); ok || c.bytes != 0 {
		t.Errorf("an entry larger than the budget was stored (%d bytes held)", c.bytes)
	}
}

// TestCachedBuildsOnceForReadersWhoMissTogether: readers who miss one key
// at once share one build; when that build failed because its reader hung
// up, the others build for themselves instead of failing too.
func TestCachedBuildsOnceForReadersWhoMissTogether(t *testing.T) {
	t.Parallel()
	s := &Service{cache: newCache(1 << 20)}
	var builds atomic.Int32
	release := make(chan struct{})
	build := func() ([]byte, string, error) {
		builds.Add(1)
		<-release
		return []byte(`{"ok":true}`), "application/json", nil
	}
	const readers = 50
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for range readers {
		wg.Go(func() {
			v, err := s.Cached("page", build)
			if err == nil && string(v.Body) != `{"ok":true}` {
				err = fmt.Errorf("body %s", v.Body)
			}
			errs <- err
		})
	}
	for builds.Load() == 0 {
		runtime.Gosched()
	}
	time.Sleep(20 * time.Millisecond) // let the others join the flight
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := builds.Load(); n != 1 {
		t.Errorf("%d readers missing together built %d times, want 1", readers, n)
	}

	// A hung-up reader's failed build is not everyone's answer.
	s.cache.clear()
	started, fail := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = s.Cached("page", func() ([]byte, string, error) {
			close(started)
			<-fail
			return nil, "", fmt.Errorf("store: %w", context.Canceled)
		})
	}()
	<-started
	other := make(chan error, 1)
	go func() {
		_, err := s.Cached("page", func() ([]byte, string, error) { return []byte("{}"), "application/json", nil })
		other <- err
	}()
	time.Sleep(20 * time.Millisecond)
	close(fail)
	if err := <-other; err != nil {
		t.Errorf("a reader who shared a hung-up build got %v", err)
	}
}
