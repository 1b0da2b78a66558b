package published

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
)

// Cached is a response body ready to send: its bytes, its gzipped bytes
// and a strong ETag derived from the bytes, with their lengths formatted
// once for Content-Length. It is computed once per content change, so
// that a read costs a map lookup.
type Cached struct {
	Body        []byte
	Gzip        []byte // nil for small bodies, not worth compressing
	ETag        string
	GzipETag    string // a representation of its own (RFC 9110 §8.8.3)
	ContentType string
	BodyLength  string
	GzipLength  string
}

func newCached(body []byte, contentType string) *Cached {
	sum := sha256.Sum256(body)
	c := &Cached{Body: body, ETag: `"` + hex.EncodeToString(sum[:12]) + `"`, ContentType: contentType, BodyLength: strconv.Itoa(len(body))}
	if len(body) > 512 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		c.Gzip, c.GzipLength = buf.Bytes(), strconv.Itoa(buf.Len())
		c.GzipETag = strings.TrimSuffix(c.ETag, `"`) + `-gz"`
	}
	return c
}

// Cached answers key from the cache, building and storing the response
// on a miss. The response may show anything delivered: any change drops
// it. CachedShowing names what a response shows, so that a change
// elsewhere leaves it be.
func (s *Service) Cached(key string, build func() (body []byte, contentType string, err error)) (*Cached, error) {
	return s.CachedShowing(key, Shows{}, build)
}

// CachedShowing answers key from the cache, building and storing the
// response on a miss; shows says what the response shows, which decides
// the changes that drop it (Invalidate).
//
// Readers who miss the same key at once wait for one build (after a
// publish, hundreds of connections ask for the same list page, feed and
// sitemap). A build that failed because its own reader hung up is not
// handed to the others: each of them builds again.
//
// An entry a publish made stale is still served while one reader builds
// it again (stale-while-revalidate, inside the process): the others do
// not wait. What showed a document that left delivery is never served
// again (Invalidation.Removed).
func (s *Service) CachedShowing(key string, shows Shows, build func() (body []byte, contentType string, err error)) (*Cached, error) {
	v, gen, state := s.cache.get(key)
	switch state {
	case fresh, staleServe:
		s.cache.hits.Add(1)
		return v, nil
	case staleRefill:
		s.cache.hits.Add(1) // its reader builds, but from a held entry
		return s.refill(key, shows, gen, v, build)
	}
	s.cache.misses.Add(1)
	led := false // Do runs fill on the goroutine of the first reader
	fill := func() (any, error) {
		led = true
		// A reader who missed just before the last flight stored its
		// answer, and came to the flight after it ended, takes that
		// answer rather than building it again.
		if v, _, state := s.cache.get(key); state == fresh {
			return v, nil
		}
		body, contentType, err := build()
		if err != nil {
			return nil, err
		}
		v := newCached(body, contentType)
		s.cache.put(key, shows, v, gen)
		return v, nil
	}
	// The generation is part of the flight's name: a build that began
	// before a content change is never shared with a reader after it.
	r, err, _ := s.cache.flights.Do(strconv.FormatUint(gen, 10)+" "+key, fill)
	if !led && canceled(err) {
		r, err = fill()
	}
	if err != nil {
		return nil, err
	}
	return r.(*Cached), nil
}

// refill builds a stale entry again for the one reader who holds its
// refill, while others are served the stale one.
func (s *Service) refill(key string, shows Shows, gen uint64, stale *Cached, build func() ([]byte, string, error)) (*Cached, error) {
	body, contentType, err := build()
	if err != nil {
		// A reader who hung up leaves the refill to the next one; any
		// other failure (the document moved away) ends the stale entry.
		s.cache.refillFailed(key, stale, !canceled(err))
		return nil, err
	}
	v := newCached(body, contentType)
	s.cache.put(key, shows, v, gen)
	return v, nil
}

func canceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Shows is what a cached response shows, for Invalidate to tell whether
// a change touches it. The zero Shows may show anything (the site-wide
// lists, the sitemap, searches): every change touches it. Document names
// one document by its delivery path, "series/slug"; otherwise the
// response lists the documents matching every filter given (Series
// includes the series' children, as listings do).
type Shows struct {
	Document    string
	Series      string
	Type        string
	Topic       string
	Contributor string
}

// Invalidation is what a change to delivered content touched, before and
// after it: the cache drops only what may show it. Another instance told
// of a change (by LISTEN/NOTIFY, say) hands it to Invalidate as is; it
// has JSON names for that.
type Invalidation struct {
	// All drops everything: what changed is not known (another instance
	// moved the delivery version, a series or contributor was renamed).
	All bool `json:"all,omitempty"`
	// Removed says a document left delivery, or left an address: nothing
	// that may have shown it is served stale.
	Removed bool `json:"removed,omitempty"`
	// Documents are the delivery paths ("series/slug") the change
	// touched; Series the series (with their parents), Types, Topics and
	// Contributors what listings filter on, before and after.
	Documents    []string `json:"documents,omitempty"`
	Series       []string `json:"series,omitempty"`
	Types        []string `json:"types,omitempty"`
	Topics       []string `json:"topics,omitempty"`
	Contributors []string `json:"contributors,omitempty"`
}

// touches reports whether a response showing sh may show what inv changed.
func (inv Invalidation) touches(sh Shows) bool {
	if inv.All {
		return true
	}
	if sh.Document != "" {
		return slices.Contains(inv.Documents, sh.Document)
	}
	return (sh.Series == "" || slices.Contains(inv.Series, sh.Series)) &&
		(sh.Type == "" || slices.Contains(inv.Types, sh.Type)) &&
		(sh.Topic == "" || slices.Contains(inv.Topics, sh.Topic)) &&
		(sh.Contributor == "" || slices.Contains(inv.Contributors, sh.Contributor))
}

// merge is what inv and other touched together.
func (inv Invalidation) merge(other Invalidation) Invalidation {
	add := func(a, b []string) []string {
		for _, s := range b {
			a = appendOnce(a, s)
		}
		return a
	}
	return Invalidation{All: inv.All || other.All, Removed: inv.Removed || other.Removed,
		Documents: add(inv.Documents, other.Documents), Series: add(inv.Series, other.Series),
		Types: add(inv.Types, other.Types), Topics: add(inv.Topics, other.Topics),
		Contributors: add(inv.Contributors, other.Contributors)}
}

// InvalidateTouched drops from this instance's cache what a change touched:
// entries that may show a removed document are dropped outright, others
// turn stale and are built again by their next reader while the rest are
// served the stale bytes.
func (s *Service) InvalidateTouched(inv Invalidation) { s.cache.invalidate(inv) }

// cacheBudget bounds the bytes the cache holds. Readers choose the keys
// (filters, limits, cursors, search words), so without a bound a client
// walking every combination could fill the memory; past the budget the
// cache starts over, which costs a re-render, never a wrong answer.
const cacheBudget = 256 << 20

// invalidationLog is how many recent invalidations the cache remembers,
// to judge a fill that began before some of them.
const invalidationLog = 64

// cache holds rendered responses by key, each with what it shows.
type cache struct {
	mu     sync.RWMutex
	m      map[string]*entry
	bytes  int // held by m, roughly
	budget int
	// generation counts invalidations, so that a fill computed before
	// one is judged against what it touched (recent, the last ones).
	generation uint64
	recent     []logged
	flights    singleflight.Group
	// hits and misses count reads, for the metrics.
	hits, misses atomic.Uint64
}

// CacheStats are the delivery cache's counts since the start: reads
// answered from it, reads that built their response, and the bytes it
// holds now.
type CacheStats struct {
	Hits, Misses uint64
	Bytes        int
}

// CacheStats reports the cache's counts.
func (s *Service) CacheStats() CacheStats {
	s.cache.mu.RLock()
	b := s.cache.bytes
	s.cache.mu.RUnlock()
	return CacheStats{Hits: s.cache.hits.Load(), Misses: s.cache.misses.Load(), Bytes: b}
}

type entry struct {
	v     *Cached
	shows Shows
	// stale entries are served while refilling, the one reader
	// building them again, runs.
	stale, refilling bool
}

type logged struct {
	gen uint64
	inv Invalidation
}

type lookup int

const (
	miss        lookup = iota
	fresh              // served as is
	staleServe         // served while another reader refills it
	staleRefill        // served by building it again: this reader refills it
)

func newCache(budget int) *cache { return &cache{m: map[string]*entry{}, budget: budget} }

func (c *cache) get(key string) (*Cached, uint64, lookup) {
	c.mu.RLock()
	e, ok := c.m[key]
	gen := c.generation
	switch {
	case !ok:
		c.mu.RUnlock()
		return nil, gen, miss
	case !e.stale:
		c.mu.RUnlock()
		return e.v, gen, fresh
	}
	c.mu.RUnlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok = c.m[key]
	gen = c.generation
	switch {
	case !ok:
		return nil, gen, miss
	case !e.stale:
		return e.v, gen, fresh
	case e.refilling:
		return e.v, gen, staleServe
	}
	e.refilling = true
	return e.v, gen, staleRefill
}

func entrySize(key string, v *Cached) int {
	return len(key) + len(v.Body) + len(v.Gzip) + 256 // and the entry's own fields, roughly
}

// put stores v, computed from what was delivered at generation gen. When
// an invalidation since then touched it, v is stored stale, or not at all
// if that one removed a document. When v would take the cache past its
// budget, the cache empties first.
func (c *cache) put(key string, shows Shows, v *Cached, gen uint64) {
	size := entrySize(key, v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.budget {
		return
	}
	stale := false
	if gen != c.generation {
		if len(c.recent) == 0 || c.recent[0].gen > gen+1 {
			return // older than what the log remembers
		}
		for _, l := range c.recent {
			if l.gen > gen && l.inv.touches(shows) {
				if l.inv.All || l.inv.Removed {
					return
				}
				stale = true
			}
		}
	}
	if old, ok := c.m[key]; ok {
		c.bytes -= entrySize(key, old.v)
	}
	if c.bytes+size > c.budget {
		c.m, c.bytes = map[string]*entry{}, 0
	}
	c.m[key] = &entry{v: v, shows: shows, stale: stale}
	c.bytes += size
}

// refillFailed ends a refill that did not store anything: the entry is
// dropped when drop is set, or left for the next reader to refill.
func (c *cache) refillFailed(key string, stale *Cached, drop bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || e.v != stale {
		return
	}
	if drop {
		delete(c.m, key)
		c.bytes -= entrySize(key, e.v)
		return
	}
	e.refilling = false
}

func (c *cache) invalidate(inv Invalidation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	c.recent = append(c.recent, logged{gen: c.generation, inv: inv})
	if len(c.recent) > invalidationLog {
		c.recent = slices.Delete(c.recent, 0, len(c.recent)-invalidationLog)
	}
	if inv.All {
		c.m, c.bytes = map[string]*entry{}, 0
		return
	}
	for key, e := range c.m {
		if !inv.touches(e.shows) {
			continue
		}
		if inv.Removed {
			delete(c.m, key)
			c.bytes -= entrySize(key, e.v)
			continue
		}
		// A refill running now began before this change: its result is
		// stored stale (put), so the next reader refills again.
		e.stale = true
	}
}

func (c *cache) clear() { c.invalidate(Invalidation{All: true}) }

// Response prepares a body that is not kept in the cache (what changes
// without a delivery change, such as the content types), so that it is
// sent with the same validators and compression as a cached one.
func Response(body []byte, contentType string) *Cached { return newCached(body, contentType) }
