package operator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Bounds of the catalogue cache.
const (
	maxCacheEntry   = 1 << 20 // larger answers are not kept
	maxCacheEntries = 512     // the oldest entries beyond are removed
)

// cache keeps answers of catalogue requests on disk, one file per URL.
type cache struct {
	dir string
	now func() time.Time
}

// cacheEntry is one answer kept.
type cacheEntry struct {
	URL       string          `json:"url"`
	ETag      string          `json:"etag,omitempty"`
	FetchedAt time.Time       `json:"fetched_at"`
	Body      json.RawMessage `json:"body"`
}

func openCache(dir string) (*cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("operator: cache: %w", err)
	}
	return &cache{dir: dir, now: time.Now}, nil
}

func (c *cache) path(u string) string {
	sum := sha256.Sum256([]byte(u))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:12])+".json")
}

// get returns the entry of u, or nil.
func (c *cache) get(u string) *cacheEntry {
	b, err := os.ReadFile(c.path(u))
	if err != nil || len(b) > 2*maxCacheEntry {
		return nil
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.URL != u || len(e.Body) == 0 {
		return nil // damaged, or another URL with the same hash
	}
	return &e
}

// put keeps an entry, atomically; failures only cost the cache.
func (c *cache) put(e *cacheEntry) {
	if len(e.Body) > maxCacheEntry || !json.Valid(e.Body) {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.path(e.URL))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return
	}
	c.trim()
}

// trim removes the least recently written entries beyond maxCacheEntries.
func (c *cache) trim() {
	entries, err := os.ReadDir(c.dir)
	if err != nil || len(entries) <= maxCacheEntries {
		return
	}
	type file struct {
		name string
		mod  time.Time
	}
	var files []file
	for _, e := range entries {
		if info, err := e.Info(); err == nil && strings.HasSuffix(e.Name(), ".json") {
			files = append(files, file{e.Name(), info.ModTime()})
		}
	}
	slices.SortFunc(files, func(a, b file) int { return a.mod.Compare(b.mod) })
	for _, f := range files[:max(0, len(files)-maxCacheEntries*3/4)] {
		os.Remove(filepath.Join(c.dir, f.name))
	}
}

// cachedAnswer is an answer type that says whether it came from the cache.
type cachedAnswer interface{ setCached(Cached) }

func (c *Cached) setCached(v Cached) { *c = v }

// peek decodes the cached answer of a GET of path into out, marked stale,
// and reports whether there was one.
func (c *Client) peek(path string, q map[string][]string, out cachedAnswer) bool {
	if c.cache == nil {
		return false
	}
	e := c.cache.get(c.url(path, q))
	if e == nil || json.Unmarshal(e.Body, out) != nil {
		return false
	}
	out.setCached(Cached{Stale: true, FetchedAt: e.FetchedAt})
	return true
}
