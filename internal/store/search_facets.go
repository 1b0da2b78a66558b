package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/masthead-cms/masthead/internal/search"
)

// Facets are counted in Go from the list of matching rowids, with what
// each rowid's row says about its series, type, year and topics held in
// memory. A rowid's row never changes (a publish replaces the row under a
// new rowid, and neither engine reuses a rowid that ever committed), so
// the cache only ever grows: a rowid it has not seen is read once, and a
// rowid no longer live simply stops appearing in match lists. Counting
// 100,000 matches this way takes about a millisecond; asking the database
// to group them takes tens.

// facetCaches holds one cache per connection pool: every DB handle on
// one database shares it (a transaction gets a fresh one, see
// facetCacheFor).
var facetCaches sync.Map // *sql.DB → *facetCache

type facetEntry struct {
	series, typ uint32 // ids in facetCache.values
	year        int32
	topicOff    uint32
	topicN      uint16
	ok          bool
}

type facetCache struct {
	mu      sync.RWMutex
	entries []facetEntry         // by rowid, below denseRowids
	sparse  map[int64]facetEntry // rowids from denseRowids on
	topics  []uint32             // topic ids, by facetEntry.topicOff
	values  []string             // id → value; values[0] = ""
	ids     map[string]uint32
	loaded  bool // every row that existed at some point has been read
}

func newFacetCache() *facetCache {
	return &facetCache{values: []string{""}, ids: map[string]uint32{"": 0}, sparse: map[int64]facetEntry{}}
}

// denseRowids bounds the slice (20 bytes a rowid, so at most 80 MB);
// rowids beyond it, after millions of publishes, go to a map, a little
// slower to read.
const denseRowids = 1 << 22

func (c *facetCache) entry(id int64) facetEntry {
	if id >= 0 && id < int64(len(c.entries)) {
		return c.entries[id]
	}
	if id >= denseRowids {
		return c.sparse[id]
	}
	return facetEntry{}
}

// facetCacheFor returns the shared cache of db's pool, or a fresh one
// for a transaction (whose rows may yet roll back, and SQLite would then
// reuse their rowids).
func (db *DB) facetCacheFor() *facetCache {
	if db.inTx() {
		return newFacetCache()
	}
	sqlDB, err := db.g.DB()
	if err != nil {
		return newFacetCache()
	}
	c, _ := facetCaches.LoadOrStore(sqlDB, newFacetCache())
	return c.(*facetCache)
}

// inTx reports whether db is bound to a transaction.
func (db *DB) inTx() bool {
	_, ok := db.g.Statement.ConnPool.(*sql.Tx)
	return ok
}

func (c *facetCache) id(v string) uint32 {
	if id, ok := c.ids[v]; ok {
		return id
	}
	id := uint32(len(c.values))
	c.values = append(c.values, v)
	c.ids[v] = id
	return id
}

type facetRow struct {
	Rowid      int64
	SeriesSlug string
	Type       string
	Year       int
	TopicList  string
}

func (c *facetCache) add(rows []facetRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range rows {
		if r.Rowid < 0 {
			continue
		}
		e := facetEntry{series: c.id(r.SeriesSlug), typ: c.id(r.Type), year: int32(r.Year), ok: true}
		var topics []string
		_ = json.Unmarshal([]byte(r.TopicList), &topics)
		e.topicOff, e.topicN = uint32(len(c.topics)), uint16(min(len(topics), 1<<16-1))
		for _, t := range topics[:e.topicN] {
			c.topics = append(c.topics, c.id(t))
		}
		if r.Rowid >= denseRowids {
			c.sparse[r.Rowid] = e
			continue
		}
		if int(r.Rowid) >= len(c.entries) {
			grown := make([]facetEntry, min(max(int(r.Rowid)+1, 2*len(c.entries)), denseRowids))
			copy(grown, c.entries)
			c.entries = grown
		}
		c.entries[r.Rowid] = e
	}
}

// missing returns the rowids of list the cache has not read.
func (c *facetCache) missing(list []int64) []int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []int64
	for _, id := range list {
		if !c.entry(id).ok {
			out = append(out, id)
		}
	}
	return out
}

const facetColumns = "rowid, series_slug, type, year, topic_list"

// fill reads what the cache lacks for list: everything on first use (a
// scan of the narrow columns), then only the rows it has not seen.
func (c *facetCache) fill(ctx context.Context, db *DB, list []int64) error {
	miss := c.missing(list)
	if len(miss) == 0 {
		return nil
	}
	c.mu.RLock()
	loaded := c.loaded
	c.mu.RUnlock()
	if !loaded && len(miss) > 1000 {
		var rows []facetRow
		if err := db.q(ctx).Raw("SELECT " + facetColumns + " FROM search_documents").Scan(&rows).Error; err != nil {
			return wrap(err)
		}
		c.add(rows)
		c.mu.Lock()
		c.loaded = true
		c.mu.Unlock()
		miss = c.missing(list)
	}
	for len(miss) > 0 {
		n := min(len(miss), 500)
		var rows []facetRow
		if err := db.q(ctx).Raw("SELECT "+facetColumns+" FROM search_documents WHERE rowid IN ?", miss[:n]).Scan(&rows).Error; err != nil {
			return wrap(err)
		}
		c.add(rows)
		miss = miss[n:]
	}
	return nil
}

// count tallies the facets of list.
func (c *facetCache) count(list []int64) *search.Facets {
	c.mu.RLock()
	defer c.mu.RUnlock()
	series := make([]int, len(c.values))
	topics := make([]int, len(c.values))
	years := map[int32]int{}
	for _, id := range list {
		e := c.entry(id)
		if !e.ok {
			continue
		}
		series[e.series]++
		years[e.year]++
		for _, t := range c.topics[e.topicOff : e.topicOff+uint32(e.topicN)] {
			topics[t]++
		}
	}
	f := &search.Facets{Series: c.counts(series), Topics: c.counts(topics), Years: []search.FacetCount{}}
	for y, n := range years {
		f.Years = append(f.Years, search.FacetCount{Value: strconv.Itoa(int(y)), Count: n})
	}
	sortFacets(f)
	return f
}

// counts lists the non-zero counts by value.
func (c *facetCache) counts(counts []int) []search.FacetCount {
	out := []search.FacetCount{}
	for id, n := range counts {
		if n > 0 {
			out = append(out, search.FacetCount{Value: c.values[id], Count: n})
		}
	}
	return out
}

// parseRowids reads a comma-separated list of rowids (what group_concat
// and string_agg return).
func parseRowids(s string) []int64 {
	if s == "" {
		return []int64{}
	}
	out := make([]int64, 0, strings.Count(s, ",")+1)
	var n int64
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == ',' {
			out = append(out, n)
			n = 0
			continue
		}
		n = n*10 + int64(ch-'0')
	}
	return append(out, n)
}
