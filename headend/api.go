package headend

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

// Paging of GET /api/v1/titles and /api/v1/search.
const (
	DefaultLimit = 50  // titles per page when the request gives no limit
	MaxLimit     = 200 // larger limits are lowered to this
)

func (s *Server) getCategories(w http.ResponseWriter, r *http.Request) {
	cats, err := s.store.Categories(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "categories: %v", err)
		return
	}
	if cats == nil {
		cats = []operator.Category{}
	}
	writeJSON(w, http.StatusOK, operator.CategoryList{Categories: cats})
}

func (s *Server) getTitles(w http.ResponseWriter, r *http.Request) {
	offset, limit, ok := paging(w, r)
	if !ok {
		return
	}
	cat := r.URL.Query().Get("category")
	if cat != "" {
		if _, err := s.store.Category(r.Context(), cat); err != nil {
			s.storeError(w, err, "unknown category %q", cat)
			return
		}
	}
	titles, total, err := s.store.Titles(r.Context(), cat, offset, limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "titles: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, s.page(r, titles, total, offset))
}

func (s *Server) getTitle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, err := s.store.Title(r.Context(), id)
	if err != nil {
		s.storeError(w, err, "unknown title %q", id)
		return
	}
	writeJSON(w, http.StatusOK, s.publicTitle(r, t))
}

func (s *Server) getSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if strings.TrimSpace(q.Get("q")) == "" {
		writeError(w, http.StatusBadRequest, "missing query parameter q")
		return
	}
	offset, limit, ok := paging(w, r)
	if !ok {
		return
	}
	found, err := s.store.Search(r.Context(), q.Get("q"), q.Get("lang"))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "search: %v", err)
		return
	}
	total := len(found)
	start := min(offset, total)
	found = found[start : start+min(limit, total-start)]
	writeJSON(w, http.StatusOK, s.page(r, found, total, offset))
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
	if t.PosterURL != "" && !strings.Contains(t.PosterURL, "://") {
		t.PosterURL = s.mediaURL(r, t.PosterURL)
	}
	return t
}

// mediaURL is the absolute URL of a file of the media directory.
func (s *Server) mediaURL(r *http.Request, file string) string {
	return s.baseURL(r) + (&url.URL{Path: "/media/" + file}).EscapedPath()
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

// maxRequestBody bounds the body of POST /api/v1/sessions.
const maxRequestBody = 64 << 10

func (s *Server) postSession(w http.ResponseWriter, r *http.Request) {
	var req operator.PlayRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad play request: %v", err)
		return
	}
	switch {
	case req.TitleID == "" && req.ChannelID == "":
		writeError(w, http.StatusBadRequest, "bad play request: neither title_id nor channel_id")
		return
	case req.TitleID != "" && req.ChannelID != "":
		writeError(w, http.StatusBadRequest, "bad play request: both title_id and channel_id")
		return
	case req.ChannelID != "":
		writeError(w, http.StatusNotFound, "unknown channel %q: this head-end has no live channels", req.ChannelID)
		return
	}
	t, err := s.store.Title(r.Context(), req.TitleID)
	if err != nil {
		s.storeError(w, err, "unknown title %q", req.TitleID)
		return
	}
	playlist := path.Join(t.ID, catalog.PlaylistName)
	if _, err := s.media.Stat(playlist); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			writeError(w, http.StatusNotFound, "stream missing for title %q", t.ID)
		} else {
			writeError(w, http.StatusInternalServerError, "stream of title %q: %v", t.ID, err)
		}
		return
	}
	sess := operator.Session{
		ID:   s.sessions.add(t.ID),
		URL:  s.mediaURL(r, playlist),
		Kind: operator.StreamHLS,
	}
	w.Header().Set("Location", "/api/v1/sessions/"+sess.ID)
	writeJSON(w, http.StatusCreated, sess)
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.sessions.remove(id) {
		writeError(w, http.StatusNotFound, "unknown session %q", id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
		Titles int    `json:"titles"`
	}{"ok", s.store.Len()})
}
