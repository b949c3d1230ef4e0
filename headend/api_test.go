package headend

import (
	"net/url"
	"strings"
	"testing"

	"github.com/manbang/manbang/operator"
)

func TestCategories(t *testing.T) {
	_, ts := startServer(t, Config{})
	var list operator.CategoryList
	do(t, "GET", ts.URL+"/api/v1/categories", "").decode(t, 200, &list)
	var ids []string
	for _, c := range list.Categories {
		ids = append(ids, c.ID)
		if c.Name["ko"] == "" || c.Name["en"] == "" || c.Name["ru"] == "" {
			t.Errorf("category %s: name %v", c.ID, c.Name)
		}
	}
	if strings.Join(ids, ",") != "docs,news,films" {
		t.Errorf("categories %v, want docs,news,films", ids)
	}
}

func TestTitles(t *testing.T) {
	_, ts := startServer(t, Config{})
	tests := []struct {
		query  string
		ids    string
		total  int
		offset int
	}{
		{"", "doc-kimchi,news-evening,film-last-train", 3, 0},
		{"?category=docs", "doc-kimchi", 1, 0},
		{"?category=news&offset=0&limit=5", "news-evening", 1, 0},
		{"?offset=1&limit=1", "news-evening", 3, 1},
		{"?offset=5", "", 3, 5},
		{"?limit=0", "", 3, 0},
	}
	for _, tt := range tests {
		var page operator.TitlePage
		do(t, "GET", ts.URL+"/api/v1/titles"+tt.query, "").decode(t, 200, &page)
		var ids []string
		for _, ti := range page.Titles {
			ids = append(ids, ti.ID)
		}
		if strings.Join(ids, ",") != tt.ids || page.Total != tt.total || page.Offset != tt.offset {
			t.Errorf("%s: titles %v total %d offset %d; want %s, %d, %d", tt.query, ids, page.Total, page.Offset, tt.ids, tt.total, tt.offset)
		}
		if page.Titles == nil {
			t.Errorf("%s: titles is null, want []", tt.query)
		}
	}
}

func TestTitlesBadRequests(t *testing.T) {
	_, ts := startServer(t, Config{})
	tests := []struct {
		query  string
		status int
		want   string
	}{
		{"?limit=abc", 400, `limit must be a whole number >= 0, not "abc"`},
		{"?limit=-1", 400, "limit"},
		{"?offset=1.5", 400, "offset"},
		{"?offset=", 400, "offset"},
		{"?offset=99999999999999999999", 400, "offset"},
		{"?category=nope", 404, `unknown category "nope"`},
	}
	for _, tt := range tests {
		do(t, "GET", ts.URL+"/api/v1/titles"+tt.query, "").wantError(t, tt.status, tt.want)
	}
}

func TestTitlesLimitCapped(t *testing.T) {
	_, ts := startServer(t, Config{Store: bigStore(t, 250), MediaDir: t.TempDir()})
	for _, tt := range []struct {
		query string
		n     int
	}{{"", DefaultLimit}, {"?limit=1000", MaxLimit}, {"?limit=200&offset=100", 150}} {
		var page operator.TitlePage
		do(t, "GET", ts.URL+"/api/v1/titles"+tt.query, "").decode(t, 200, &page)
		if len(page.Titles) != tt.n || page.Total != 250 {
			t.Errorf("%q: %d titles of %d, want %d of 250", tt.query, len(page.Titles), page.Total, tt.n)
		}
	}
	var page operator.TitlePage
	do(t, "GET", ts.URL+"/api/v1/search?q=title&limit=1000&offset=240", "").decode(t, 200, &page)
	if len(page.Titles) != 10 || page.Total != 250 || page.Offset != 240 {
		t.Errorf("search: %d titles of %d at %d, want 10 of 250 at 240", len(page.Titles), page.Total, page.Offset)
	}
}

func TestTitle(t *testing.T) {
	_, ts := startServer(t, Config{})
	var ti operator.Title
	do(t, "GET", ts.URL+"/api/v1/titles/doc-kimchi", "").decode(t, 200, &ti)
	if ti.ID != "doc-kimchi" || ti.CategoryID != "docs" || ti.Year == 0 || ti.DurationSec != 4 ||
		!strings.Contains(ti.Name["en"], `"Secrets"`) || ti.Description["ru"] == "" {
		t.Errorf("title %+v", ti)
	}
	if want := ts.URL + "/media/doc-kimchi/poster.jpg"; ti.PosterURL != want {
		t.Errorf("poster %q, want %q", ti.PosterURL, want)
	}
	poster := do(t, "GET", ti.PosterURL, "")
	if poster.status != 200 || poster.header.Get("Content-Type") != "image/jpeg" || len(poster.body) < 100 {
		t.Errorf("poster: %d %q %d bytes", poster.status, poster.header.Get("Content-Type"), len(poster.body))
	}
	do(t, "GET", ts.URL+"/api/v1/titles/nope", "").wantError(t, 404, `unknown title "nope"`)
}

func TestSearch(t *testing.T) {
	_, ts := startServer(t, Config{})
	tests := []struct{ query, ids string }{
		{"q=kimchi", "doc-kimchi"},
		{"q=" + url.QueryEscape("김치") + "&lang=ko", "doc-kimchi"},
		{"q=" + url.QueryEscape("ПОЕЗД") + "&lang=ru", "film-last-train"},
		{"q=" + url.QueryEscape(`"secrets",`), "doc-kimchi"},
		{"q=e&limit=1&offset=1", "news-evening"},
		{"q=zzzz", ""},
	}
	for _, tt := range tests {
		var page operator.TitlePage
		do(t, "GET", ts.URL+"/api/v1/search?"+tt.query, "").decode(t, 200, &page)
		var ids []string
		for _, ti := range page.Titles {
			ids = append(ids, ti.ID)
			if !strings.HasPrefix(ti.PosterURL, ts.URL+"/media/") {
				t.Errorf("%s: poster %q", tt.query, ti.PosterURL)
			}
		}
		if strings.Join(ids, ",") != tt.ids {
			t.Errorf("%s: %v, want %s", tt.query, ids, tt.ids)
		}
	}
	do(t, "GET", ts.URL+"/api/v1/search", "").wantError(t, 400, "missing query parameter q")
	do(t, "GET", ts.URL+"/api/v1/search?q=+", "").wantError(t, 400, "missing query parameter q")
	do(t, "GET", ts.URL+"/api/v1/search?q=a&limit=x", "").wantError(t, 400, "limit")
}

func TestHealthz(t *testing.T) {
	_, ts := startServer(t, Config{})
	var h struct {
		Status string `json:"status"`
		Titles int    `json:"titles"`
	}
	do(t, "GET", ts.URL+"/healthz", "").decode(t, 200, &h)
	if h.Status != "ok" || h.Titles != 3 {
		t.Errorf("healthz %+v", h)
	}
}

func TestUnknownRoutesAreJSON(t *testing.T) {
	_, ts := startServer(t, Config{})
	tests := []struct {
		method, path string
		status       int
		want, allow  string
	}{
		{"GET", "/nope", 404, "not found: GET /nope", ""},
		{"GET", "/api/v1/titles/", 404, "not found", ""},
		{"GET", "/api/v2/categories", 404, "not found", ""},
		{"PUT", "/api/v1/categories", 405, "method not allowed: PUT /api/v1/categories", "GET, HEAD"},
		{"GET", "/api/v1/sessions", 405, "method not allowed", "POST"},
		{"POST", "/api/v1/titles/x", 405, "method not allowed", "GET, HEAD"},
	}
	for _, tt := range tests {
		a := do(t, tt.method, ts.URL+tt.path, "")
		a.wantError(t, tt.status, tt.want)
		if got := a.header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
}
