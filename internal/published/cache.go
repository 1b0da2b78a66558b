package published

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
// on a miss. The cache is dropped whenever delivered content changes,
// here or (through Watch) on another instance.
//
// Readers who miss the same key at once wait for one build (after a
// publish, hundreds of connections ask for the same list page, feed and
// sitemap). A build that failed because its own reader hung up is not
// handed to the others: each of them builds again.
func (s *Service) Cached(key string, build func() (body []byte, contentType string, err error)) (*Cached, error) {
	v, gen, ok := s.cache.get(key)
	if ok {
		s.cache.hits.Add(1)
		return v, nil
	}
	s.cache.misses.Add(1)
	led := false // Do runs fill on the goroutine of the first reader
	fill := func() (any, error) {
		led = true
		body, contentType, err := build()
		if err != nil {
			return nil, err
		}
		v := newCached(body, contentType)
		s.cache.put(key, v, gen)
		return v, nil
	}
	// The generation is part of the flight's name: a build that began
	// before a content change is never shared with a reader after it.
	r, err, _ := s.cache.flights.Do(strconv.FormatUint(gen, 10)+" "+key, fill)
	if !led && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		r, err = fill()
	}
	if err != nil {
		return nil, err
	}
	return r.(*Cached), nil
}

// cacheBudget bounds the bytes the cache holds. Readers choose the keys
// (filters, limits, cursors, search words), so without a bound a client
// walking every combination could fill the memory; past the budget the
// cache starts over, which costs a re-render, never a wrong answer.
const cacheBudget = 256 << 20

// cache holds rendered responses by key. Any change to delivered content
// clears all of it: publishing is rare next to reading, and a clear is
// always correct.
type cache struct {
	mu     sync.RWMutex
	m      map[string]*Cached
	bytes  int // held by m, roughly
	budget int
	// generation counts clears for content changes, so that a fill
	// computed before such a clear is not stored after it.
	generation uint64
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

func newCache(budget int) *cache { return &cache{m: map[string]*Cached{}, budget: budget} }

func (c *cache) get(key string) (*Cached, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[key]
	return v, c.generation, ok
}

// put stores v unless the cache was cleared since gen was read. When v
// would take the cache past its budget, the cache empties first.
func (c *cache) put(key string, v *Cached, gen uint64) {
	size := len(key) + len(v.Body) + len(v.Gzip) + 256 // and the entry's own fields, roughly
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.generation || size > c.budget {
		return
	}
	if old, ok := c.m[key]; ok {
		c.bytes -= len(key) + len(old.Body) + len(old.Gzip) + 256
	}
	if c.bytes+size > c.budget {
		c.m, c.bytes = map[string]*Cached{}, 0
	}
	c.m[key] = v
	c.bytes += size
}

func (c *cache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.bytes = map[string]*Cached{}, 0
	c.generation++
}

// Response prepares a body that is not kept in the cache (what changes
// without a delivery change, such as the content types), so that it is
// sent with the same validators and compression as a cached one.
func Response(body []byte, contentType string) *Cached { return newCached(body, contentType) }
