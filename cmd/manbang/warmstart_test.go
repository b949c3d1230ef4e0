package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"
)

// homeCache is what the warm-start test reads of Home's state.
type homeCache struct {
	Current struct {
		Screen string `json:"screen"`
		Status string `json:"status"`
		Stale  bool   `json:"stale"`
		Titles int    `json:"titles"`
	} `json:"current"`
}

// waitHomeCache reads Home's state until ok accepts it, within a minute.
func (b *runningBox) waitHomeCache(what string, ok func(homeCache) bool) homeCache {
	b.t.Helper()
	deadline := time.After(time.Minute)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var s homeCache
	for {
		s = homeCache{}
		if resp, err := http.Get(b.control + "/api/v1/state"); err == nil {
			json.NewDecoder(resp.Body).Decode(&s)
			resp.Body.Close()
		}
		if s.Current.Screen == "home" && ok(s) {
			return s
		}
		select {
		case <-tick.C:
		case <-deadline:
			b.t.Fatalf("timed out waiting for %s; last state %+v", what, s)
		}
	}
}

// The bench's warm start (build/bench, headend/coldstart): the box starts
// once against the head-end, then against a proxy of it at another
// address that holds every API answer. Home must come from the catalogue
// cache before any answer, marked stale, and lose the mark when the
// head-end answers.
func TestWarmStartShowsHomeBeforeTheOperatorAnswers(t *testing.T) {
	base := startHeadend(t)
	dir := t.TempDir()
	box := startBoxIn(t, dir, base, "en")
	fresh := box.waitHomeCache("Home from the head-end", func(s homeCache) bool { return s.Current.Status == "ready" })
	box.stop()
	if fresh.Current.Stale || fresh.Current.Titles == 0 {
		t.Fatalf("first start: %+v", fresh)
	}

	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	release := make(chan struct{})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()

	box = startBoxIn(t, dir, proxy.URL, "en")
	defer box.stop()
	cached := box.waitHomeCache("Home from the cache", func(s homeCache) bool { return s.Current.Status != "loading" })
	if cached.Current.Status != "ready" || !cached.Current.Stale || cached.Current.Titles != fresh.Current.Titles {
		t.Fatalf("before the head-end answered: %+v; want ready and stale with %d titles", cached, fresh.Current.Titles)
	}
	close(release)
	released = true
	box.waitHomeCache("Home from the head-end", func(s homeCache) bool { return s.Current.Status == "ready" && !s.Current.Stale })
}
