package search

import (
	"container/list"
	"encoding/json"
	"sync"
)

// resultCache keeps the answers of recent public searches, so that the
// searches readers repeat (a common word, a topic page's search, the next
// page of a list) cost a map lookup. An entry is good only for the
// delivery version it was computed at: every change to what is live (a
// publish, an unpublish, an import batch, a reindex, on any instance)
// moves that version in its own transaction, so no answer outlives the
// index it came from, and totals stay exact. Invalidate drops everything
// at once, for callers that know of a change before the version moves.
// The cache is bounded by an estimate of the bytes it holds, least
// recently used first out.
type resultCache struct {
	mu      sync.Mutex
	budget  int
	size    int
	entries map[string]*list.Element
	order   *list.List // front: most recently used
}

type cacheEntry struct {
	key     string
	version int64
	res     Result
	size    int
}

// resultCacheBudget bounds the bytes of cached answers.
const resultCacheBudget = 16 << 20

func newResultCache(budget int) *resultCache {
	return &resultCache{budget: budget, entries: map[string]*list.Element{}, order: list.New()}
}

// cacheKey is the request's identity: its parsed query and parameters.
func cacheKey(r Request) string {
	b, _ := json.Marshal(r) // a Request always marshals
	return string(b)
}

// get returns a copy of the answer cached for key at version.
func (c *resultCache) get(key string, version int64) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return Result{}, false
	}
	e := el.Value.(*cacheEntry)
	if e.version != version {
		c.remove(el)
		return Result{}, false
	}
	c.order.MoveToFront(el)
	return e.res.clone(), true
}

// put caches a copy of res for key at version.
func (c *resultCache) put(key string, version int64, res Result) {
	size := res.size() + len(key)
	if size > c.budget/8 {
		return // one answer may not crowd out the rest
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, version: version, res: res.clone(), size: size})
	c.size += size
	for c.size > c.budget {
		c.remove(c.order.Back())
	}
}

func (c *resultCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.size -= e.size
}

// clear drops every entry.
func (c *resultCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries, c.size = map[string]*list.Element{}, 0
	c.order.Init()
}

// clone copies what a caller could change: the hits, the cursor and the
// facet lists.
func (r Result) clone() Result {
	out := r
	out.Data = copyOf(r.Data)
	if r.NextCursor != nil {
		next := *r.NextCursor
		out.NextCursor = &next
	}
	if r.Facets != nil {
		out.Facets = &Facets{Series: copyOf(r.Facets.Series), Topics: copyOf(r.Facets.Topics), Years: copyOf(r.Facets.Years)}
	}
	return out
}

// copyOf copies a list, nil staying nil and empty staying empty (JSON
// tells null from []).
func copyOf[T any](list []T) []T {
	if list == nil {
		return nil
	}
	return append(make([]T, 0, len(list)), list...)
}

// size estimates the bytes an answer holds.
func (r Result) size() int {
	n := 256
	for _, h := range r.Data {
		n += 200 + len(h.ID) + len(h.URL) + len(h.Title) + len(h.Summary) + len(h.Snippet) + len(h.Slug) + len(h.Series.Slug) + len(h.Series.Name) + len(h.Type)
	}
	if r.Facets != nil {
		for _, l := range [][]FacetCount{r.Facets.Series, r.Facets.Topics, r.Facets.Years} {
			for _, f := range l {
				n += 40 + len(f.Value)
			}
		}
	}
	return n
}
