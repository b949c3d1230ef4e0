package headend

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

// Paging of GET /api/v1/titles, /api/v1/search and /api/v1/favourites.
const (
	DefaultLimit = 50  // titles per page when the request gives no limit
	MaxLimit     = 200 // larger limits are lowered to this
)

// writeCached answers a GET with v as JSON, with an ETag of its bytes,
// or with 304 Not Modified when the box has them already (If-None-Match).
func writeCached(w http.ResponseWriter, r *http.Request, v any) {
	a, err := encodeAnswer(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode answer: %v", err)
		return
	}
	a.serve(w, r)
}

// catalogueAnswer answers a GET with the answer kept in the answer cache
// under key for the catalogue's generation, or else with what read
// returns, keeping it. read answers errors itself and returns nil.
func (s *Server) catalogueAnswer(w http.ResponseWriter, r *http.Request, key string, read func() any) {
	gen := s.store.Generation() // before reading the store
	if a, ok := s.answers.get(gen, key); ok {
		a.serve(w, r)
		return
	}
	v := read()
	if v == nil {
		return
	}
	a, err := encodeAnswer(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode answer: %v", err)
		return
	}
	s.answers.put(gen, key, a)
	a.serve(w, r)
}

// etagMatch reports whether an If-None-Match header lists etag (weakly).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

func (s *Server) getCategories(w http.ResponseWriter, r *http.Request) {
	cats, err := s.store.Categories(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "categories: %v", err)
		return
	}
	writeCached(w, r, operator.CategoryList{Categories: cats})
}

func (s *Server) getTitles(w http.ResponseWriter, r *http.Request) {
	offset, limit, ok := paging(w, r)
	if !ok {
		return
	}
	cat := r.URL.Query().Get("category")
	if cat != "" && !s.store.HasCategory(cat) {
		writeError(w, http.StatusNotFound, "unknown category %q", cat)
		return
	}
	key := answerKey("titles", s.baseURL(r), cat, strconv.Itoa(offset), strconv.Itoa(limit))
	s.catalogueAnswer(w, r, key, func() any {
		titles, total, err := s.store.Titles(r.Context(), cat, offset, limit)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "titles: %v", err)
			return nil
		}
		return s.page(r, titles, total, offset)
	})
}

func (s *Server) getTitle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, err := s.store.Title(r.Context(), id)
	if err != nil {
		s.storeError(w, err, "unknown title %q", id)
		return
	}
	writeCached(w, r, s.publicTitle(r, t))
}

func (s *Server) getSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if strings.TrimSpace(q.Get("q")) == "" {
		writeError(w, http.StatusBadRequest, "missing query parameter q")
		return
	}
	if len(q.Get("q")) > 200 {
		writeError(w, http.StatusBadRequest, "query parameter q longer than 200 bytes")
		return
	}
	offset, limit, ok := paging(w, r)
	if !ok {
		return
	}
	key := answerKey("search", s.baseURL(r), q.Get("q"), q.Get("lang"), strconv.Itoa(offset), strconv.Itoa(limit))
	s.catalogueAnswer(w, r, key, func() any {
		found, total, err := s.store.SearchPage(r.Context(), q.Get("q"), q.Get("lang"), offset, limit)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "search: %v", err)
			return nil
		}
		return s.page(r, found, total, offset)
	})
}

func (s *Server) getSeries(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	se, err := s.store.Series(r.Context(), id)
	if err != nil {
		s.storeError(w, err, "unknown series %q", id)
		return
	}
	se.PosterURL = s.mediaURL(r, se.PosterURL)
	for i, t := range se.Episodes {
		se.Episodes[i] = s.publicTitle(r, t)
	}
	writeCached(w, r, se)
}

// paging reads the offset and limit query parameters, or answers 400.
func paging(w http.ResponseWriter, r *http.Request) (offset, limit int, ok bool) {
	q := r.URL.Query()
	offset, limit = 0, DefaultLimit
	for _, p := range []struct {
		name string
		v    *int
	}{{"offset", &offset}, {"limit", &limit}} {
		if !q.Has(p.name) {
			continue
		}
		n, err := strconv.Atoi(q.Get(p.name))
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "%s must be a whole number >= 0, not %q", p.name, q.Get(p.name))
			return 0, 0, false
		}
		*p.v = n
	}
	return offset, min(limit, MaxLimit), true
}

// page is a TitlePage of titles as the box sees them.
func (s *Server) page(r *http.Request, titles []operator.Title, total, offset int) operator.TitlePage {
	p := operator.TitlePage{Titles: make([]operator.Title, len(titles)), Total: total, Offset: offset}
	for i, t := range titles {
		p.Titles[i] = s.publicTitle(r, t)
	}
	return p
}

// publicTitle returns t with its poster as an absolute URL. The catalog
// keeps posters as paths in the media directory.
func (s *Server) publicTitle(r *http.Request, t operator.Title) operator.Title {
	t.PosterURL = s.mediaURL(r, t.PosterURL)
	return t
}

// storeError answers 404 for a catalog.ErrNotFound, with the message
// format and args, and 500 for anything else.
func (s *Server) storeError(w http.ResponseWriter, err error, format string, args ...any) {
	if errors.Is(err, catalog.ErrNotFound) {
		writeError(w, http.StatusNotFound, format, args...)
		return
	}
	writeError(w, http.StatusInternalServerError, "catalog: %v", err)
}

func (s *Server) getHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, operator.Health{Status: "ok", Titles: s.store.Len(), Channels: s.store.ChannelCount()})
}
