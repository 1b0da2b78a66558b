package published

import (
	"bytes"
	"fmt"
	"testing"
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
