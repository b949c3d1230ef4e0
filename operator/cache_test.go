package operator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

func TestCacheRevalidates(t *testing.T) {
	base := startHeadend(t)
	dir := t.TempDir()
	// A proxy in front of the head-end that counts 304s and can break.
	var notModified, broken atomic.Int32
	ts, _ := fakeServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		switch broken.Load() {
		case 1:
			jsonAnswer(w, 500, `{"error":"database down"}`)
			return
		case 2:
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>captive portal</html>"))
			return
		}
		req, _ := http.NewRequest(r.Method, base+r.URL.RequestURI(), r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode == 304 {
			notModified.Add(1)
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			w.Write(buf[:n])
			if err != nil {
				break
			}
		}
	})
	c := newClient(t, operator.ClientConfig{BaseURL: ts.URL, CacheDir: dir, Retries: -1})
	ctx := context.Background()
	if _, ok := c.CachedCategories(); ok {
		t.Error("cache hit before any request")
	}
	first, err := c.Categories(ctx)
	if err != nil || first.Stale || first.FetchedAt.IsZero() || len(first.Categories) != 3 {
		t.Fatalf("first: %+v, %v", first, err)
	}
	second, err := c.Categories(ctx)
	if err != nil || second.Stale || len(second.Categories) != 3 || notModified.Load() != 1 {
		t.Errorf("second: %+v, %v; %d 304s", second, err, notModified.Load())
	}
	page, err := c.Titles(ctx, "docs", 0, 10)
	if err != nil || page.Stale || len(page.Titles) != 1 {
		t.Fatalf("titles: %+v, %v", page, err)
	}
	chans, err := c.Channels(ctx)
	if err != nil || len(chans.Channels) != 2 {
		t.Fatalf("channels: %+v, %v", chans, err)
	}

	// At boot, the cache answers at once.
	boot := newClient(t, operator.ClientConfig{BaseURL: ts.URL, CacheDir: dir})
	if cached, ok := boot.CachedCategories(); !ok || !cached.Stale || len(cached.Categories) != 3 || !cached.FetchedAt.Equal(second.FetchedAt) {
		t.Errorf("CachedCategories = %+v, %v", cached, ok)
	}
	if p, ok := boot.CachedTitles("docs", 0, 10); !ok || len(p.Titles) != 1 || !p.Stale {
		t.Errorf("CachedTitles = %+v, %v", p, ok)
	}
	if _, ok := boot.CachedTitles("films", 0, 10); ok {
		t.Error("CachedTitles of a page never fetched")
	}
	if l, ok := boot.CachedChannels(); !ok || len(l.Channels) != 2 {
		t.Errorf("CachedChannels = %+v, %v", l, ok)
	}

	// A failing head-end: the kept answers, marked stale; errors for the rest.
	for _, mode := range []int32{1, 2} {
		broken.Store(mode)
		got, err := c.Categories(ctx)
		if err != nil || !got.Stale || len(got.Categories) != 3 || !got.FetchedAt.Equal(second.FetchedAt) {
			t.Errorf("broken %d: %+v, %v", mode, got, err)
		}
		if _, err := c.Titles(ctx, "films", 0, 10); err == nil {
			t.Errorf("broken %d: uncached page without error", mode)
		}
	}
	// And one that is gone.
	broken.Store(0)
	ts.Close()
	if got, err := c.Titles(ctx, "docs", 0, 10); err != nil || !got.Stale || len(got.Titles) != 1 {
		t.Errorf("head-end gone: %+v, %v", got, err)
	}
	// A damaged cache file is ignored.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.WriteFile(dir+"/"+e.Name(), []byte("{garbage"), 0o600)
	}
	if _, ok := boot.CachedCategories(); ok {
		t.Error("damaged cache used")
	}
}

func TestCacheBounded(t *testing.T) {
	ts, _ := fakeServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		jsonAnswer(w, 200, `{"titles":[],"total":0,"offset":0}`)
	})
	dir := t.TempDir()
	c := newClient(t, operator.ClientConfig{BaseURL: ts.URL, CacheDir: dir})
	for i := range 600 {
		if _, err := c.Titles(context.Background(), "", i, 1); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) > 512 || len(entries) < 100 {
		t.Errorf("%d cache files", len(entries))
	}
}

// TestCacheOfAnotherAddress starts a box against the head-end, then
// against a proxy of it at another address that holds every answer until
// released, as the warm-start bench does: the cache must answer at once
// all the same, and the requests through the proxy revalidate it.
func TestCacheOfAnotherAddress(t *testing.T) {
	base := startHeadend(t)
	dir := t.TempDir()
	ctx := context.Background()
	first := newClient(t, operator.ClientConfig{BaseURL: base, CacheDir: dir, Retries: -1})
	if _, err := first.Categories(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Titles(ctx, "docs", 0, 20); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Channels(ctx); err != nil {
		t.Fatal(err)
	}

	release := make(chan struct{})
	var revalidated atomic.Int32
	proxy, _ := fakeServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		if forward(t, base, w, r) == http.StatusNotModified {
			revalidated.Add(1)
		}
	})
	boot := newClient(t, operator.ClientConfig{BaseURL: proxy.URL + "/", CacheDir: dir, Retries: -1})
	// Before the proxy answers anything, the cache gives Home.
	if got, ok := boot.CachedCategories(); !ok || !got.Stale || len(got.Categories) != 3 {
		t.Errorf("CachedCategories through another address = %+v, %v", got, ok)
	}
	if got, ok := boot.CachedTitles("docs", 0, 20); !ok || !got.Stale || len(got.Titles) != 1 {
		t.Errorf("CachedTitles through another address = %+v, %v", got, ok)
	}
	if got, ok := boot.CachedChannels(); !ok || !got.Stale || len(got.Channels) != 2 {
		t.Errorf("CachedChannels through another address = %+v, %v", got, ok)
	}
	close(release)
	got, err := boot.Categories(ctx)
	if err != nil || got.Stale || len(got.Categories) != 3 {
		t.Fatalf("Categories through the proxy = %+v, %v", got, err)
	}
	if revalidated.Load() != 1 {
		t.Errorf("%d answers 304 Not Modified, want 1 (the categories kept)", revalidated.Load())
	}
	// The titles' poster URLs name the address asked: the answer through
	// the proxy replaces the one kept, and is what the next boot shows.
	fresh, err := boot.Titles(ctx, "docs", 0, 20)
	if err != nil || fresh.Stale || len(fresh.Titles) != 1 {
		t.Fatalf("Titles through the proxy = %+v, %v", fresh, err)
	}
	again := newClient(t, operator.ClientConfig{BaseURL: base, CacheDir: dir})
	if kept, ok := again.CachedTitles("docs", 0, 20); !ok || kept.Titles[0].PosterURL != fresh.Titles[0].PosterURL {
		t.Errorf("kept titles after the proxy's answer = %+v, %v; want poster %q", kept, ok, fresh.Titles[0].PosterURL)
	}
}

// TestCacheLeftovers checks that files a stopped process left half
// written are removed when the cache opens, and only those.
func TestCacheLeftovers(t *testing.T) {
	ts, _ := fakeServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		jsonAnswer(w, 200, `{"categories":[{"id":"a","name":{"en":"A"}}]}`)
	})
	dir := t.TempDir()
	c := newClient(t, operator.ClientConfig{BaseURL: ts.URL, CacheDir: dir})
	if _, err := c.Categories(context.Background()); err != nil {
		t.Fatal(err)
	}
	old, recent := filepath.Join(dir, ".tmp-old"), filepath.Join(dir, ".tmp-recent")
	for _, p := range []string{old, recent} {
		if err := os.WriteFile(p, []byte(`{"ref":`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	boot := newClient(t, operator.ClientConfig{BaseURL: ts.URL, CacheDir: dir})
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old leftover: %v, want it removed", err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("recent file being written: %v, want it kept", err)
	}
	if _, ok := boot.CachedCategories(); !ok {
		t.Error("the cache entry went with the leftovers")
	}
}

// forward sends r to the head-end at base, copies its answer to w and
// returns its status.
func forward(t *testing.T, base string, w http.ResponseWriter, r *http.Request) int {
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), r.Body)
	req.Header = r.Header.Clone()
	req.Host = r.Host // the head-end names the address the box asked
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		w.WriteHeader(http.StatusBadGateway)
		return http.StatusBadGateway
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
	return resp.StatusCode
}
