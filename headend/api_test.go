package headend

import (
	"net/url"
	"strings"
	"testing"

	"github.com/manbang/manbang/operator"
)

func TestCategories(t *testing.T) {
	h := startServer(t, Config{})
	var list operator.CategoryList
	a := h.do(t, "GET", "/api/v1/categories", "")
	a.decode(t, 200, &list)
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
	// Revalidation: the same ETag gets 304 without a body.
	etag := a.header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || a.header.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, a.header.Get("Cache-Control"))
	}
	for _, inm := range []string{etag, `"x", ` + etag, "W/" + etag, "*"} {
		nm := h.doToken(t, h.token, "GET", "/api/v1/categories", "", "If-None-Match", inm)
		if nm.status != 304 || len(nm.body) != 0 || nm.header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d %q, ETag %q", inm, nm.status, nm.body, nm.header.Get("ETag"))
		}
	}
	if a := h.doToken(t, h.token, "GET", "/api/v1/categories", "", "If-None-Match", `"other"`); a.status != 200 {
		t.Errorf("other ETag: %d", a.status)
	}
}

func TestTitles(t *testing.T) {
	h := startServer(t, Config{})
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
		h.do(t, "GET", "/api/v1/titles"+tt.query, "").decode(t, 200, &page)
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
	h := startServer(t, Config{})
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
		h.do(t, "GET", "/api/v1/titles"+tt.query, "").wantError(t, tt.status, tt.want)
	}
}

func TestTitlesLimitCapped(t *testing.T) {
	h := startServer(t, Config{Store: bigStore(t, 250), MediaDir: t.TempDir()})
	for _, tt := range []struct {
		query string
		n     int
	}{{"", DefaultLimit}, {"?limit=1000", MaxLimit}, {"?limit=200&offset=100", 150}} {
		var page operator.TitlePage
		h.do(t, "GET", "/api/v1/titles"+tt.query, "").decode(t, 200, &page)
		if len(page.Titles) != tt.n || page.Total != 250 {
			t.Errorf("%q: %d titles of %d, want %d of 250", tt.query, len(page.Titles), page.Total, tt.n)
		}
	}
	var page operator.TitlePage
	h.do(t, "GET", "/api/v1/search?q=title&limit=1000&offset=240", "").decode(t, 200, &page)
	if len(page.Titles) != 10 || page.Total != 250 || page.Offset != 240 {
		t.Errorf("search: %d titles of %d at %d, want 10 of 250 at 240", len(page.Titles), page.Total, page.Offset)
	}
}

func TestTitle(t *testing.T) {
	h := startServer(t, Config{})
	var ti operator.Title
	h.do(t, "GET", "/api/v1/titles/doc-kimchi", "").decode(t, 200, &ti)
	if ti.ID != "doc-kimchi" || ti.CategoryID != "docs" || ti.Year == 0 || ti.DurationSec != 4 ||
		!strings.Contains(ti.Name["en"], `"Secrets"`) || ti.Description["ru"] == "" {
		t.Errorf("title %+v", ti)
	}
	if want := h.url + "/media/doc-kimchi/poster.jpg"; ti.PosterURL != want {
		t.Errorf("poster %q, want %q", ti.PosterURL, want)
	}
	poster := h.doToken(t, "", "GET", ti.PosterURL, "")
	if poster.status != 200 || poster.header.Get("Content-Type") != "image/jpeg" || len(poster.body) < 100 {
		t.Errorf("poster: %d %q %d bytes", poster.status, poster.header.Get("Content-Type"), len(poster.body))
	}
	h.do(t, "GET", "/api/v1/titles/nope", "").wantError(t, 404, `unknown title "nope"`)
}

func TestSearch(t *testing.T) {
	h := startServer(t, Config{})
	tests := []struct{ query, ids string }{
		{"q=kimchi", "doc-kimchi"},
		{"q=" + url.QueryEscape("김치") + "&lang=ko", "doc-kimchi"},
		{"q=" + url.QueryEscape("ПОЕЗД") + "&lang=ru", "film-last-train"},
		{"q=" + url.QueryEscape(`"secrets",`), "doc-kimchi"},
		{"q=" + url.QueryEscape("last tr"), "film-last-train"},
		{"q=e&lang=en", "news-evening"}, // one character: the start of a word
		{"q=zzzz", ""},
	}
	for _, tt := range tests {
		var page operator.TitlePage
		h.do(t, "GET", "/api/v1/search?"+tt.query, "").decode(t, 200, &page)
		var ids []string
		for _, ti := range page.Titles {
			ids = append(ids, ti.ID)
			if !strings.HasPrefix(ti.PosterURL, h.url+"/media/") {
				t.Errorf("%s: poster %q", tt.query, ti.PosterURL)
			}
		}
		if strings.Join(ids, ",") != tt.ids {
			t.Errorf("%s: %v, want %s", tt.query, ids, tt.ids)
		}
	}
	h.do(t, "GET", "/api/v1/search", "").wantError(t, 400, "missing query parameter q")
	h.do(t, "GET", "/api/v1/search?q=+", "").wantError(t, 400, "missing query parameter q")
	h.do(t, "GET", "/api/v1/search?q=a&limit=x", "").wantError(t, 400, "limit")
	h.do(t, "GET", "/api/v1/search?q="+strings.Repeat("a", 300), "").wantError(t, 400, "longer than")
}

func TestSeries(t *testing.T) {
	store := bigStore(t, 1)
	ctx := t.Context()
	store.PutSeries(ctx, operator.Series{ID: "s1", CategoryID: "c", Name: operator.Text{"en": "Rivers"}, PosterURL: "s1/poster.jpg"})
	store.PutTitle(ctx, operator.Title{ID: "e2", CategoryID: "c", SeriesID: "s1", Season: 1, Episode: 2, Name: operator.Text{"en": "Two"}})
	store.PutTitle(ctx, operator.Title{ID: "e1", CategoryID: "c", SeriesID: "s1", Season: 1, Episode: 1, Name: operator.Text{"en": "One"}, PosterURL: "e1/poster.jpg"})
	h := startServer(t, Config{Store: store, MediaDir: t.TempDir()})
	var se operator.Series
	h.do(t, "GET", "/api/v1/series/s1", "").decode(t, 200, &se)
	if se.Name["en"] != "Rivers" || se.PosterURL != h.url+"/media/s1/poster.jpg" || len(se.Episodes) != 2 ||
		se.Episodes[0].ID != "e1" || se.Episodes[0].PosterURL != h.url+"/media/e1/poster.jpg" || se.Episodes[1].Episode != 2 {
		t.Errorf("series %+v", se)
	}
	h.do(t, "GET", "/api/v1/series/nope", "").wantError(t, 404, `unknown series "nope"`)
}

func TestHealthz(t *testing.T) {
	h := startServer(t, Config{})
	var hl operator.Health
	h.doToken(t, "", "GET", "/healthz", "").decode(t, 200, &hl)
	if hl.Status != "ok" || hl.Titles != 3 || hl.Channels != 2 {
		t.Errorf("healthz %+v", hl)
	}
}

func TestUnknownRoutesAreJSON(t *testing.T) {
	h := startServer(t, Config{})
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
		a := h.do(t, tt.method, tt.path, "")
		a.wantError(t, tt.status, tt.want)
		if got := a.header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
}

func TestAuthentication(t *testing.T) {
	h := startServer(t, Config{})
	for _, tt := range []struct {
		method, path, body string
	}{
		{"GET", "/api/v1/categories", ""},
		{"GET", "/api/v1/titles", ""},
		{"GET", "/api/v1/titles/doc-kimchi", ""},
		{"GET", "/api/v1/search?q=a", ""},
		{"GET", "/api/v1/series/s", ""},
		{"GET", "/api/v1/channels", ""},
		{"GET", "/api/v1/epg", ""},
		{"POST", "/api/v1/sessions", `{"title_id":"doc-kimchi"}`},
		{"POST", "/api/v1/sessions/x/keepalive", ""},
		{"DELETE", "/api/v1/sessions/x", ""},
		{"GET", "/api/v1/resume", ""},
		{"DELETE", "/api/v1/resume", ""},
		{"GET", "/api/v1/resume/doc-kimchi", ""},
		{"PUT", "/api/v1/resume/doc-kimchi", `{"position_sec":1}`},
		{"GET", "/api/v1/favourites", ""},
		{"PUT", "/api/v1/favourites/doc-kimchi", ""},
		{"DELETE", "/api/v1/favourites/doc-kimchi", ""},
	} {
		a := h.doToken(t, "", tt.method, tt.path, tt.body)
		a.wantError(t, 401, "missing device token")
		if a.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: no WWW-Authenticate", tt.method, tt.path)
		}
		h.doToken(t, "not-a-token", tt.method, tt.path, tt.body).wantError(t, 401, "unknown device token")
	}
	a := h.doToken(t, "", "GET", "/api/v1/categories", "", "Authorization", "Basic "+h.token)
	a.wantError(t, 401, "missing device token")

	// A box that registers again gets a new token; the old one stops working.
	old := h.token
	h.token, _ = h.register(t, "TEST-0001")
	h.doToken(t, old, "GET", "/api/v1/categories", "").wantError(t, 401, "unknown device token")
	if a := h.do(t, "GET", "/api/v1/categories", ""); a.status != 200 {
		t.Errorf("new token: %d", a.status)
	}
	// Open endpoints need no token.
	for _, p := range []string{"/healthz", "/metrics", "/playlist.m3u", "/epg.xml", "/media/doc-kimchi/poster.jpg"} {
		if a := h.doToken(t, "", "GET", p, ""); a.status != 200 {
			t.Errorf("%s without token: %d", p, a.status)
		}
	}
}

func TestRegistration(t *testing.T) {
	h := startServer(t, Config{})
	for _, tt := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"serial":"","model":"m","firmware":"f"}`, 400, "bad device registration"},
		{`{"serial":"x","model":"m"}`, 400, "firmware"},
		{`{"serial":`, 400, "bad device registration"},
		{`<html>`, 400, "bad device registration"},
		{`{"serial":"` + strings.Repeat("x", maxRequestBody) + `"}`, 400, "too large"},
	} {
		h.doToken(t, "", "POST", "/api/v1/devices", tt.body).wantError(t, tt.status, tt.want)
	}

	g := startServer(t, Config{EnrolmentSecret: "s3cret"})
	for _, body := range []string{
		`{"serial":"x","model":"m","firmware":"f"}`,
		`{"serial":"x","model":"m","firmware":"f","enrolment_secret":"guess"}`,
	} {
		g.doToken(t, "", "POST", "/api/v1/devices", body).wantError(t, 403, "wrong enrolment secret")
	}
	var d operator.Device
	g.doToken(t, "", "POST", "/api/v1/devices", `{"serial":"x","model":"m","firmware":"f","enrolment_secret":"s3cret"}`).decode(t, 201, &d)
	if d.Token == "" || d.ID == "" {
		t.Errorf("device %+v", d)
	}
}
