package delivery

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
)

// cached is a response body ready to send: its bytes, its gzipped bytes
// and a strong ETag derived from the bytes, with their lengths formatted
// once for Content-Length.
type cached struct {
	body        []byte
	gz          []byte
	etag        string
	gzETag      string // a representation of its own (RFC 9110 §8.8.3)
	contentType string
	bodyLength  string
	gzLength    string
}

func newCached(body []byte, contentType string) *cached {
	sum := sha256.Sum256(body)
	c := &cached{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, contentType: contentType, bodyLength: strconv.Itoa(len(body))}
	if len(body) > 512 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		c.gz, c.gzLength = buf.Bytes(), strconv.Itoa(buf.Len())
		c.gzETag = strings.TrimSuffix(c.etag, `"`) + `-gz"`
	}
	return c
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
	m      map[string]*cached
	bytes  int // held by m, roughly
	budget int
	// generation counts clears for content changes, so that a fill
	// computed before such a clear is not stored after it.
	generation uint64
}

func newCache(budget int) *cache { return &cache{m: map[string]*cached{}, budget: budget} }

func (c *cache) get(key string) (*cached, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[key]
	return v, c.generation, ok
}

// put stores v unless the cache was cleared since gen was read. When v
// would take the cache past its budget, the cache empties first.
func (c *cache) put(key string, v *cached, gen uint64) {
	size := len(key) + len(v.body) + len(v.gz) + 256 // and the entry's own fields, roughly
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.generation || size > c.budget {
		return
	}
	if old, ok := c.m[key]; ok {
		c.bytes -= len(key) + len(old.body) + len(old.gz) + 256
	}
	if c.bytes+size > c.budget {
		c.m, c.bytes = map[string]*cached{}, 0
	}
	c.m[key] = v
	c.bytes += size
}

func (c *cache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.bytes = map[string]*cached{}, 0
	c.generation++
}
