package diskcache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }
func (c *fakeClock) tick()          { c.t = c.t.Add(time.Second) }

func TestPutGet(t *testing.T) {
	clock := &fakeClock{time.Unix(1000, 0)}
	c, err := Open(Config{Dir: t.TempDir(), MaxBytes: 1000, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get("http://x/a.jpg"); ok {
		t.Fatal("an empty cache had an entry")
	}
	want := []byte("poster bytes")
	if err := c.Put("http://x/a.jpg", want); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get("http://x/a.jpg")
	if !ok || !bytes.Equal(got, want) {
		t.Fatalf("got %q, %v", got, ok)
	}
	// Replacing an entry does not count it twice.
	c.Put("http://x/a.jpg", []byte("new"))
	if n, entries := c.Size(); n != 3 || entries != 1 {
		t.Errorf("size %d in %d entries, want 3 in 1", n, entries)
	}
}

// The cache stays within MaxBytes by dropping the least recently used.
func TestEvictsLeastRecentlyUsed(t *testing.T) {
	clock := &fakeClock{time.Unix(1000, 0)}
	dir := t.TempDir()
	c, _ := Open(Config{Dir: dir, MaxBytes: 300, Now: clock.now})
	for i := 0; i < 3; i++ {
		c.Put(fmt.Sprint(i), bytes.Repeat([]byte{'x'}, 100))
		clock.tick()
	}
	c.Get("0") // 0 is now more recent than 1
	clock.tick()
	c.Put("3", bytes.Repeat([]byte{'y'}, 100))
	for key, want := range map[string]bool{"0": true, "1": false, "2": true, "3": true} {
		if _, ok := c.Get(key); ok != want {
			t.Errorf("entry %s present %v, want %v", key, ok, want)
		}
	}
	if n, _ := c.Size(); n > 300 {
		t.Errorf("cache holds %d bytes, over its 300", n)
	}
	if err := c.Put("big", make([]byte, 301)); err == nil {
		t.Error("an entry larger than the cache was taken")
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 3 {
		t.Errorf("%d files in the cache directory, want 3", len(files))
	}
}

func TestExpires(t *testing.T) {
	clock := &fakeClock{time.Unix(1000, 0)}
	c, _ := Open(Config{Dir: t.TempDir(), MaxAge: time.Hour, Now: clock.now})
	c.Put("k", []byte("v"))
	clock.t = clock.t.Add(2 * time.Hour)
	if _, ok := c.Get("k"); ok {
		t.Error("an entry older than MaxAge was served")
	}
	if n, entries := c.Size(); n != 0 || entries != 0 {
		t.Errorf("expired entry still counted: %d bytes, %d entries", n, entries)
	}
}

// A new Cache finds the entries of the last run, drops unfinished writes
// and leaves foreign files alone.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(Config{Dir: dir})
	c.Put("k", []byte("kept"))
	os.WriteFile(filepath.Join(dir, "abc.bin.123.tmp"), []byte("half"), 0o600)
	os.WriteFile(filepath.Join(dir, "README"), []byte("not ours"), 0o600)
	c2, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := c2.Get("k"); !ok || string(b) != "kept" {
		t.Errorf("after reopening: %q, %v", b, ok)
	}
	if _, err := os.Stat(filepath.Join(dir, "abc.bin.123.tmp")); !os.IsNotExist(err) {
		t.Error("an unfinished write was left behind")
	}
	if _, err := os.Stat(filepath.Join(dir, "README")); err != nil {
		t.Error("a foreign file was removed")
	}
	// Reopening with a smaller bound trims the cache.
	c3, _ := Open(Config{Dir: dir, MaxBytes: 2})
	if n, _ := c3.Size(); n > 2 {
		t.Errorf("reopened with 2 bytes, holds %d", n)
	}
}

// A file removed behind the cache's back is a miss, not an error.
func TestVanishedFile(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(Config{Dir: dir})
	c.Put("k", []byte("v"))
	os.Remove(filepath.Join(dir, fileName("k")))
	if _, ok := c.Get("k"); ok {
		t.Error("a vanished entry was served")
	}
	if _, entries := c.Size(); entries != 0 {
		t.Errorf("%d entries after the file vanished", entries)
	}
}
