package headend

import (
	"context"
	"strings"
	"testing"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

func TestAnswerCache(t *testing.T) {
	body := func(n int) *encoded { return &encoded{body: make([]byte, n), etag: `"x"`} }
	type step struct {
		op   string // put or get
		gen  uint64
		key  string
		size int
		hit  bool // for get
	}
	tests := []struct {
		name  string
		max   int
		steps []step
	}{
		{"same generation", 1600, []step{{"put", 1, "a", 10, false}, {"get", 1, "a", 0, true}, {"get", 1, "b", 0, false}}},
		{"a newer generation empties it", 1600, []step{{"put", 1, "a", 10, false}, {"put", 2, "b", 10, false}, {"get", 2, "a", 0, false}, {"get", 2, "b", 0, true}, {"get", 1, "a", 0, false}}},
		{"a read under a newer generation misses", 1600, []step{{"put", 1, "a", 10, false}, {"get", 2, "a", 0, false}}},
		{"an older generation is not kept", 1600, []step{{"put", 2, "a", 10, false}, {"put", 1, "b", 10, false}, {"get", 1, "b", 0, false}, {"get", 2, "a", 0, true}}},
		{"full: room is made", 1600, []step{{"put", 1, "a", 100, false}, {"put", 1, "b", 100, false}, {"put", 1, "c", 100, false},
			{"put", 1, "d", 100, false}, {"put", 1, "e", 100, false}, {"put", 1, "f", 100, false}, {"put", 1, "g", 100, false},
			{"put", 1, "h", 100, false}, {"put", 1, "i", 100, false}, {"put", 1, "j", 100, false}, {"put", 1, "k", 100, false},
			{"put", 1, "l", 100, false}, {"put", 1, "m", 100, false}, {"put", 1, "n", 100, false}, {"put", 1, "o", 100, false},
			{"put", 1, "p", 100, false}, {"put", 1, "q", 100, false}, {"get", 1, "q", 0, true}}},
		{"an answer over a sixteenth is not kept", 1600, []step{{"put", 1, "a", 101, false}, {"get", 1, "a", 0, false}}},
		{"replacing a key", 1600, []step{{"put", 1, "a", 100, false}, {"put", 1, "a", 50, false}, {"get", 1, "a", 0, true}}},
	}
	for _, tt := range tests {
		c := newAnswerCache(tt.max)
		for i, st := range tt.steps {
			switch st.op {
			case "put":
				c.put(st.gen, st.key, body(st.size))
			case "get":
				if _, ok := c.get(st.gen, st.key); ok != st.hit {
					t.Errorf("%s: step %d: get(%d, %q) hit %v, want %v", tt.name, i, st.gen, st.key, ok, st.hit)
				}
			}
			if c.bytes > c.max {
				t.Errorf("%s: step %d: %d bytes kept, more than %d", tt.name, i, c.bytes, c.max)
			}
			sum := 0
			for _, a := range c.m {
				sum += len(a.body)
			}
			if sum != c.bytes {
				t.Errorf("%s: step %d: bodies of %d bytes, counted %d", tt.name, i, sum, c.bytes)
			}
		}
	}
}

// TestCachedAnswersFollowWrites checks that pages of titles and searches
// answered from the answer cache change as soon as the catalogue does,
// and that answers to different hosts keep their own poster URLs.
func TestCachedAnswersFollowWrites(t *testing.T) {
	ctx := context.Background()
	store, err := catalog.New([]operator.Category{{ID: "docs"}},
		[]operator.Title{{ID: "a", CategoryID: "docs", Name: operator.Text{"en": "Night Train"}, PosterURL: "a/poster.jpg"}})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := startServer(t, Config{Store: store, MediaDir: t.TempDir()})
	get := func(path string, header ...string) (operator.TitlePage, string) {
		t.Helper()
		var p operator.TitlePage
		a := h.doToken(t, h.token, "GET", path, "", header...)
		a.decode(t, 200, &p)
		return p, a.header.Get("ETag")
	}
	for _, path := range []string{"/api/v1/titles?category=docs", "/api/v1/search?q=train&lang=en"} {
		p1, etag1 := get(path)
		p2, etag2 := get(path) // from the cache
		if len(p1.Titles) != 1 || len(p2.Titles) != 1 || etag1 != etag2 {
			t.Fatalf("%s: %v (ETag %s) then %v (ETag %s)", path, p1, etag1, p2, etag2)
		}
		if other, _ := get(path, "Host", "box.example"); !strings.HasPrefix(other.Titles[0].PosterURL, "http://box.example/") {
			t.Errorf("%s asked of box.example: poster %q", path, other.Titles[0].PosterURL)
		}
		if again, _ := get(path); again.Titles[0].PosterURL != p1.Titles[0].PosterURL {
			t.Errorf("%s: poster %q after another host's, want %q", path, again.Titles[0].PosterURL, p1.Titles[0].PosterURL)
		}
	}
	if err := store.PutTitle(ctx, operator.Title{ID: "b", CategoryID: "docs", Name: operator.Text{"en": "Train of Stars"}}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/titles?category=docs", "/api/v1/search?q=train&lang=en"} {
		if p, _ := get(path); len(p.Titles) != 2 || p.Total != 2 {
			t.Errorf("%s after a write: %d titles of %d, want 2 of 2", path, len(p.Titles), p.Total)
		}
	}
	// A category added after the first answers is known at once.
	if err := store.PutCategory(ctx, operator.Category{ID: "kids"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := get("/api/v1/titles?category=kids"); len(p.Titles) != 0 {
		t.Errorf("new category: %v", p.Titles)
	}
}
