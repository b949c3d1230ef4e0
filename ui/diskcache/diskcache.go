// Package diskcache keeps downloaded files (posters, channel logos) in a
// directory bounded in size, so that the box shows them without the network
// after a restart. Entries are named by a hash of their key, written
// atomically, and the least recently used go first when the cache is full.
package diskcache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Config configures a Cache.
type Config struct {
	// Dir holds the entries; it is created if missing.
	Dir string
	// MaxBytes bounds the entries' total size (default 64 MiB).
	MaxBytes int64
	// MaxAge is how long an entry is served after it was written
	// (default 7 days); older entries are fetched again.
	MaxAge time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// entrySuffix marks the cache's files; anything else in Dir is left alone.
const entrySuffix = ".bin"

type entry struct {
	size    int64
	written time.Time
	used    time.Time
}

// Cache is a directory of cached files. It is safe for concurrent use.
type Cache struct {
	cfg     Config
	mu      sync.Mutex
	entries map[string]*entry // by file name
	total   int64
}

// Open returns the cache in cfg.Dir, indexing the entries already there.
func Open(cfg Config) (*Cache, error) {
	if cfg.Dir == "" {
		return nil, errors.New("diskcache: no directory")
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 64 << 20
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 7 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("diskcache: %w", err)
	}
	c := &Cache{cfg: cfg, entries: map[string]*entry{}}
	list, err := os.ReadDir(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("diskcache: %w", err)
	}
	for _, de := range list {
		name := de.Name()
		if !de.Type().IsRegular() {
			continue
		}
		if strings.HasSuffix(name, ".tmp") { // a write cut short
			os.Remove(filepath.Join(cfg.Dir, name))
			continue
		}
		if !strings.HasSuffix(name, entrySuffix) {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue
		}
		c.entries[name] = &entry{size: info.Size(), written: info.ModTime(), used: info.ModTime()}
		c.total += info.Size()
	}
	c.mu.Lock()
	c.evictLocked(0)
	c.mu.Unlock()
	return c, nil
}

func fileName(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:16]) + entrySuffix
}

// Get returns the cached bytes of key, if present and fresh.
func (c *Cache) Get(key string) ([]byte, bool) {
	name := fileName(key)
	c.mu.Lock()
	e, ok := c.entries[name]
	now := c.cfg.Now()
	if ok && now.Sub(e.written) > c.cfg.MaxAge {
		c.removeLocked(name)
		ok = false
	}
	if ok {
		e.used = now
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	b, err := os.ReadFile(filepath.Join(c.cfg.Dir, name))
	if err != nil {
		c.mu.Lock()
		c.removeLocked(name)
		c.mu.Unlock()
		return nil, false
	}
	return b, true
}

// Put stores b as key's bytes, evicting the least recently used entries
// to stay within MaxBytes. Data larger than MaxBytes is not kept.
func (c *Cache) Put(key string, b []byte) error {
	size := int64(len(b))
	if size > c.cfg.MaxBytes {
		return fmt.Errorf("diskcache: %d bytes do not fit in %d", size, c.cfg.MaxBytes)
	}
	name := fileName(key)
	tmp, err := os.CreateTemp(c.cfg.Dir, name+".*.tmp")
	if err != nil {
		return fmt.Errorf("diskcache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("diskcache: write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("diskcache: write: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeLocked(name)
	c.evictLocked(size)
	if err := os.Rename(tmp.Name(), filepath.Join(c.cfg.Dir, name)); err != nil {
		return fmt.Errorf("diskcache: %w", err)
	}
	now := c.cfg.Now()
	c.entries[name] = &entry{size: size, written: now, used: now}
	c.total += size
	return nil
}

// Size returns the entries' total size in bytes and their number.
func (c *Cache) Size() (bytes int64, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total, len(c.entries)
}

// evictLocked removes least recently used entries until room more bytes
// fit. Callers hold c.mu.
func (c *Cache) evictLocked(room int64) {
	if c.total+room <= c.cfg.MaxBytes {
		return
	}
	names := make([]string, 0, len(c.entries))
	for n := range c.entries {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return c.entries[names[i]].used.Before(c.entries[names[j]].used) })
	for _, n := range names {
		if c.total+room <= c.cfg.MaxBytes {
			return
		}
		c.removeLocked(n)
	}
}

func (c *Cache) removeLocked(name string) {
	e, ok := c.entries[name]
	if !ok {
		return
	}
	if err := os.Remove(filepath.Join(c.cfg.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return // keep counting it: it is still there
	}
	c.total -= e.size
	delete(c.entries, name)
}
