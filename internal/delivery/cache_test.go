package delivery

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
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
		c.put(key, newCached(body, jsonType), gen)
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
	c.put("late", newCached(body, jsonType), stale)
	if _, _, ok := c.get("late"); ok {
		t.Error("a page computed before a clear was stored after it")
	}
	_, gen, _ := c.get("k")
	c.put("huge", newCached(bytes.Repeat([]byte("y"), budget+1), jsonType), gen)
	if _, _, ok := c.get("huge"); ok || c.bytes != 0 {
		t.Errorf("an entry larger than the budget was stored (%d bytes held)", c.bytes)
	}
}

// TestListingKeysIgnoreUnknownParameters: parameters the API does not
// read, and the order of those it does, do not make new cache entries.
func TestListingKeysIgnoreUnknownParameters(t *testing.T) {
	t.Parallel()
	s := &Service{}
	key := func(query string) string {
		t.Helper()
		c := echo.New().NewContext(httptest.NewRequest("GET", "/delivery/v1/documents?"+query, nil), httptest.NewRecorder())
		q, err := s.listQuery(c)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return q.cacheKey()
	}
	base := key("series=korea-view&limit=25")
	for _, same := range []string{"limit=25&series=korea-view", "series=korea-view&limit=25&junk=1", "series=korea-view&utm_source=x"} {
		if key(same) != base {
			t.Errorf("%q has a key of its own", same)
		}
	}
	for _, other := range []string{"series=korea-view&limit=24", "series=korea-view&include=fields", "series=korea-view&topic=china"} {
		if key(other) == base {
			t.Errorf("%q shares the key of series=korea-view&limit=25", other)
		}
	}
}
