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
		c.put(key, Shows{}, newCached(body, "application/json"), gen)
		if c.bytes > budget {
			t.Fatalf("after %d puts the cache holds %d bytes, over its budget of %d", i+1, c.bytes, budget)
		}
		if _, _, l := c.get(key); l != fresh {
			t.Fatalf("put %s is not there", key)
		}
	}
	if len(c.m) == 0 || len(c.m) >= 100 {
		t.Errorf("%d entries after 100 puts of 4 KB into 64 KB", len(c.m))
	}

	_, stale, _ := c.get("k")
	c.clear()
	c.put("late", Shows{}, newCached(body, "application/json"), stale)
	if _, _, l := c.get("late"); l != miss {
		t.Error("a page computed before a clear was stored after it")
	}
	_, gen, _ := c.get("k")
	c.put("huge", Shows{}, newCached(bytes.Repeat([]byte("y"), budget+1), "application/json"), gen)
	if _, _, l := c.get("huge"); l != miss || c.bytes != 0 {
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

// TestInvalidateDropsWhatAChangeTouched: a publish in one series leaves
// another series' document, list and feed alone, turns what it touched
// stale (served, while one reader builds it again), and a document's
// removal drops at once everything that may have shown it.
func TestInvalidateDropsWhatAChangeTouched(t *testing.T) {
	t.Parallel()
	s := &Service{cache: newCache(1 << 20)}
	builds := map[string]int{}
	var mu sync.Mutex
	fill := func(key string, shows Shows) string {
		v, err := s.CachedShowing(key, shows, func() ([]byte, string, error) {
			mu.Lock()
			builds[key]++
			n := builds[key]
			mu.Unlock()
			return fmt.Appendf(nil, `{"key":%q,"build":%d}`, key, n), "application/json", nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return string(v.Body)
	}
	entries := map[string]Shows{
		"doc-a":        {Document: "korea-view/a"},
		"doc-b":        {Document: "other/b"},
		"list-korea":   {Series: "korea-view"},
		"list-parent":  {Series: "the-peninsula"},
		"list-other":   {Series: "other"},
		"list-topic":   {Topic: "china"},
		"list-topic-2": {Topic: "trade"},
		"list-both":    {Series: "other", Topic: "china"},
		"contributor":  {Contributor: "yong-kwon"},
		"sitemap":      {},
	}
	for key, shows := range entries {
		fill(key, shows)
	}
	publishA := Invalidation{Documents: []string{"korea-view/a"}, Series: []string{"korea-view", "the-peninsula"},
		Types: []string{"briefing"}, Topics: []string{"china"}, Contributors: []string{"yong-kwon"}}
	s.InvalidateTouched(publishA)
	for key, shows := range entries {
		_, _, state := s.cache.get(key)
		want := fresh
		if publishA.touches(shows) {
			want = staleRefill
		}
		if state != want {
			t.Errorf("after a publish of korea-view/a, %s (%+v) is %v, want %v", key, shows, state, want)
		}
		if state == staleRefill {
			// This reader holds the refill: others are served the stale entry meanwhile.
			if v, _, again := s.cache.get(key); again != staleServe || v == nil {
				t.Errorf("%s while refilling: %v, want the stale entry served", key, again)
			}
			s.cache.refillFailed(key, s.cache.m[key].v, false)
		}
	}
	for _, key := range []string{"doc-b", "list-other", "list-topic-2", "list-both"} {
		if got := fill(key, entries[key]); got != fmt.Sprintf(`{"key":%q,"build":1}`, key) {
			t.Errorf("%s was built again (%s) for a publish that does not show in it", key, got)
		}
	}
	// The next reader of a stale entry builds it again and gets the new bytes.
	if got := fill("list-korea", entries["list-korea"]); got != `{"key":"list-korea","build":2}` {
		t.Errorf("the first reader after a publish got %s, want a new build", got)
	}

	// A removal is never served stale, not even to a reader while another refills.
	s.InvalidateTouched(publishA)
	if _, _, state := s.cache.get("doc-a"); state != staleRefill {
		t.Fatalf("doc-a is %v after a publish, want stale", state)
	}
	unpublishA := publishA
	unpublishA.Removed = true
	s.InvalidateTouched(unpublishA)
	for key, shows := range entries {
		_, _, state := s.cache.get(key)
		if publishA.touches(shows) && state != miss {
			t.Errorf("after an unpublish of korea-view/a, %s is %v, want gone", key, state)
		}
	}
	// A refill that began before the unpublish does not store its result.
	s.cache.put("doc-a", entries["doc-a"], newCached([]byte(`{"old":true}`), "application/json"), s.cache.generation-1)
	if _, _, state := s.cache.get("doc-a"); state != miss {
		t.Errorf("a build that began before the unpublish was stored (%v)", state)
	}
}
