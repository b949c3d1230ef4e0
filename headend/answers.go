package headend

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// encoded is the encoded body of a GET answer and its ETag.
type encoded struct {
	body []byte
	etag string
}

// encodeAnswer encodes v as the JSON body of an answer.
func encodeAnswer(v any) (*encoded, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return &encoded{body: b, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}, nil
}

// serve answers r with a, or with 304 Not Modified when the box has it
// already (If-None-Match).
func (a *encoded) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "private, no-cache")
	if etagMatch(r.Header.Get("If-None-Match"), a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", jsonType)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(http.StatusOK)
	w.Write(a.body)
}

// defaultAnswerBytes bounds the bodies an answerCache keeps.
const defaultAnswerBytes = 32 << 20

// answerCache keeps the encoded answers of catalogue reads (pages of
// titles, searches) for the catalogue generation they were read under
// (catalog.Store.Generation): every write to the catalogue empties it.
// When full, it forgets answers at random to make room. It is safe for
// concurrent use.
type answerCache struct {
	mu    sync.Mutex
	gen   uint64
	m     map[string]*encoded
	bytes int // of the bodies in m
	max   int
}

func newAnswerCache(maxBytes int) *answerCache {
	return &answerCache{m: map[string]*encoded{}, max: maxBytes}
}

// get returns the answer kept under key for generation gen.
func (c *answerCache) get(gen uint64, key string) (*encoded, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return nil, false
	}
	a, ok := c.m[key]
	return a, ok
}

// put keeps a under key for generation gen, forgetting the answers of
// older generations. An answer of an older generation than the cache's
// is not kept.
func (c *answerCache) put(gen uint64, key string, a *encoded) {
	if len(a.body) > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return
	case gen > c.gen:
		clear(c.m)
		c.gen, c.bytes = gen, 0
	}
	if old, ok := c.m[key]; ok {
		c.bytes -= len(old.body)
	}
	for k, v := range c.m { // in Go's random order
		if c.bytes+len(a.body) <= c.max {
			break
		}
		delete(c.m, k)
		c.bytes -= len(v.body)
	}
	c.m[key] = a
	c.bytes += len(a.body)
}

// answerKey joins the parts of a cache key.
func answerKey(parts ...string) string { return strings.Join(parts, "\x00") }
