package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/screen"
)

// holdingProxy is the operator behind a proxy that can hold every API
// answer until released, as a slow network at boot.
type holdingProxy struct {
	*httptest.Server
	mu   sync.Mutex
	gate chan struct{} // closed when answers go through
}

// startHoldingProxy starts a proxy of target on loopback, letting answers
// through.
func startHoldingProxy(t *testing.T, target string) *holdingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &holdingProxy{gate: make(chan struct{})}
	close(p.gate)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			p.mu.Lock()
			gate := p.gate
			p.mu.Unlock()
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	t.Cleanup(p.release) // before Close: nothing stays held
	return p
}

// hold holds the API answers from now on.
func (p *holdingProxy) hold() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
		p.gate = make(chan struct{})
	default:
	}
}

// release lets the answers held, and those to come, through.
func (p *holdingProxy) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
}

// A box started once fills its catalogue cache; started again while the
// operator does not answer yet, it shows Home from the cache at once,
// marked stale, and clears the mark when the operator answers. The
// operator may have another address the second time (the bench's slow
// proxy; a host name for an address): the cache is the same operator's.
func TestHomeFromCacheBeforeTheOperatorAnswers(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	for _, tc := range []struct {
		name    string
		sameURL bool
		lose    string // a category whose kept row is lost before the second start
	}{
		{"same address", true, ""},
		{"another address", false, ""},
		{"a row lost", true, "news"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cacheDir, stateDir := t.TempDir(), t.TempDir()
			first := startHoldingProxy(t, op.URL)
			second := first
			if !tc.sameURL {
				second = startHoldingProxy(t, op.URL)
			}
			config := func(p *holdingProxy) func(*Config) {
				return func(cfg *Config) { cfg.Operator, cfg.CacheDir, cfg.StateDir = p.URL, cacheDir, stateDir }
			}
			var fresh screen.HomeState
			t.Run("first start", func(t *testing.T) {
				ta := startApp(t, op, config(first))
				ta.settle("Home", func() bool {
					st, ok := ta.state().(screen.HomeState)
					return ok && st.Status == screen.HomeReady && st.Titles > 0
				})
				if fresh = ta.state().(screen.HomeState); fresh.Stale {
					t.Errorf("Home from the operator marked stale: %+v", fresh)
				}
			})
			if t.Failed() {
				return
			}
			want := fresh
			if tc.lose != "" {
				loseRow(t, filepath.Join(cacheDir, "operator"), tc.lose)
				want.RowIDs = slices.DeleteFunc(slices.Clone(want.RowIDs), func(id string) bool { return id == "cat:"+tc.lose })
			}

			second.hold()
			ta := startApp(t, op, config(second))
			// The first frame, before any answer came through the proxy.
			ta.step()
			st := ta.state().(screen.HomeState)
			if st.Status != screen.HomeReady || !st.Stale || st.Titles == 0 || (tc.lose == "" && st.Titles != fresh.Titles) || st.Error != "" {
				t.Fatalf("Home at start = %+v; want ready and stale with %d titles", st, fresh.Titles)
			}
			if got, want := strings.Join(st.RowIDs, " "), strings.Join(want.RowIDs, " "); got != want {
				t.Errorf("rows from the cache %q, from the operator %q", got, want)
			}
			second.release()
			ta.settle("Home from the operator", func() bool {
				st, ok := ta.state().(screen.HomeState)
				return ok && !st.Stale
			})
			if st := ta.state().(screen.HomeState); st.Status != screen.HomeReady || st.Titles != fresh.Titles || st.Error != "" {
				t.Errorf("Home once the operator answered = %+v", st)
			}
		})
	}
}

// loseRow removes the cached first page of a category's titles from the
// operator client's cache in dir, as a run stopped before it came.
func loseRow(t *testing.T, dir, category string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Ref string `json:"ref"`
		}
		if json.Unmarshal(b, &e) == nil && strings.HasPrefix(e.Ref, "/api/v1/titles?") && strings.Contains(e.Ref, "category="+category+"&") {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no cached titles of %s in %s", category, dir)
}

// A changed operator does not start from the answers the old one gave:
// the client keeps them by path, not by address, so Apply removes them.
func TestOperatorChangeDropsTheCache(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	cacheDir := t.TempDir()
	ta := startApp(t, op, func(cfg *Config) { cfg.CacheDir = cacheDir })
	ta.settle("Home", func() bool {
		st, ok := ta.state().(screen.HomeState)
		return ok && st.Status == screen.HomeReady && st.Titles > 0
	})
	kept := filepath.Join(cacheDir, "operator")
	if files, _ := filepath.Glob(filepath.Join(kept, "*.json")); len(files) == 0 {
		t.Fatalf("nothing kept in %s after Home", kept)
	}
	other := startHoldingProxy(t, op.URL)
	other.hold() // the new operator's answers would be kept again
	s := ta.st.Settings
	s.Operator = other.URL
	ta.Apply(s)
	if files, _ := filepath.Glob(filepath.Join(kept, "*.json")); len(files) != 0 {
		t.Errorf("%d answers of the old operator still kept after the change", len(files))
	}
}
