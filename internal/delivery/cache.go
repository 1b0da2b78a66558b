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

// cache holds rendered responses by key. Any change to delivered content
// clears all of it: publishing is rare next to reading, and a clear is
// always correct.
type cache struct {
	mu sync.RWMutex
	m  map[string]*cached
	// generation counts clears, so that a fill computed before a clear is
	// not stored after it.
	generation uint64
}

func newCache() *cache { return &cache{m: map[string]*cached{}} }

func (c *cache) get(key string) (*cached, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[key]
	return v, c.generation, ok
}

// put stores v unless the cache was cleared since gen was read.
func (c *cache) put(key string, v *cached, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.generation && len(c.m) < 100_000 {
		c.m[key] = v
	}
}

func (c *cache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = map[string]*cached{}
	c.generation++
}
