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

// cache keeps answers of catalogue requests on disk, one file per
// request. Entries are keyed by the request's path and query relative to
// the operator's base URL (its ref), not by the whole URL: the cache is the
// box's operator's, as the device token is, and survives the operator's
// address changing (a host name for an address, https for http, a proxy
// in front). A box that started once against one address and then against
// another otherwise missed its cache and waited for the network at boot.
type cache struct {
	dir  string
	base string // the client's base URL, cut from URLs to make refs
	now  func() time.Time
}

// cacheEntry is one answer kept.
type cacheEntry struct {
	// Ref is the request's path and query without the base URL: the
	// entry's key. Put fills it in from URL.
	Ref string `json:"ref"`
	// URL is where the answer came from.
	URL       string          `json:"url"`
	ETag      string          `json:"etag,omitempty"`
	FetchedAt time.Time       `json:"fetched_at"`
	Body      json.RawMessage `json:"body"`
}

// tmpPrefix starts the names of files being written.
const tmpPrefix = ".tmp-"

// staleTmp is the age after which a file being written is taken for one
// left by a process that was stopped before it renamed it.
const staleTmp = time.Minute

func openCache(dir, base string) (*cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("operator: cache: %w", err)
	}
	c := &cache{dir: dir, base: base, now: time.Now}
	c.removeLeftovers()
	return c, nil
}

// ref is the key of the request to u: u without the base URL.
func (c *cache) ref(u string) string {
	if r, ok := strings.CutPrefix(u, c.base); ok {
		return r
	}
	return u
}

func (c *cache) path(ref string) string {
	sum := sha256.Sum256([]byte(ref))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:12])+".json")
}

// get returns the entry of the request to u, or nil.
func (c *cache) get(u string) *cacheEntry {
	ref := c.ref(u)
	b, err := os.ReadFile(c.path(ref))
	if err != nil || len(b) > 2*maxCacheEntry {
		return nil
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.Ref != ref || len(e.Body) == 0 {
		return nil // damaged, or another request with the same hash
	}
	return &e
}

// put keeps an entry, atomically; failures only cost the cache.
func (c *cache) put(e *cacheEntry) {
	if len(e.Body) > maxCacheEntry || !json.Valid(e.Body) {
		return
	}
	e.Ref = c.ref(e.URL)
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(c.dir, tmpPrefix+"*")
	if err != nil {
		return
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.path(e.Ref))
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

// removeLeftovers removes the files being written that a process stopped
// before it renamed them; they would never be trimmed.
func (c *cache) removeLeftovers() {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && c.now().Sub(info.ModTime()) > staleTmp {
			os.Remove(filepath.Join(c.dir, e.Name()))
		}
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
