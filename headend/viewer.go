package headend

import (
	"errors"
	"net/http"

	"github.com/manbang/manbang/headend/devices"
	"github.com/manbang/manbang/operator"
)

// knownTitle answers 404 and returns false unless the title of the
// request's {title} exists.
func (s *Server) knownTitle(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("title")
	if _, err := s.store.Title(r.Context(), id); err != nil {
		s.storeError(w, err, "unknown title %q", id)
		return "", false
	}
	return id, true
}

func (s *Server) getResume(w http.ResponseWriter, r *http.Request) {
	id, ok := s.knownTitle(w, r)
	if !ok {
		return
	}
	res, err := s.devices.Resume(r.Context(), deviceOf(r), id)
	switch {
	case errors.Is(err, devices.ErrNotFound):
		writeError(w, http.StatusNotFound, "no resume position for title %q", id)
	case err != nil:
		writeError(w, http.StatusInternalServerError, "%v", err)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

func (s *Server) listResume(w http.ResponseWriter, r *http.Request) {
	list, err := s.devices.ResumeList(r.Context(), deviceOf(r))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, operator.ResumeList{Positions: list})
}

func (s *Server) forgetResume(w http.ResponseWriter, r *http.Request) {
	if err := s.devices.ForgetResume(r.Context(), deviceOf(r)); err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) putResume(w http.ResponseWriter, r *http.Request) {
	id, ok := s.knownTitle(w, r)
	if !ok {
		return
	}
	var res operator.Resume
	if !readBody(w, r, "resume position", &res) {
		return
	}
	if res.TitleID != "" && res.TitleID != id {
		writeError(w, http.StatusBadRequest, "bad resume position: title_id %q is not %q", res.TitleID, id)
		return
	}
	res.TitleID = id
	res, err := s.devices.SetResume(r.Context(), deviceOf(r), res)
	switch {
	case errors.Is(err, devices.ErrInvalid):
		writeError(w, http.StatusBadRequest, "bad resume position: position_sec must be a number >= 0")
	case err != nil:
		writeError(w, http.StatusInternalServerError, "%v", err)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

func (s *Server) getFavourites(w http.ResponseWriter, r *http.Request) {
	offset, limit, ok := paging(w, r)
	if !ok {
		return
	}
	ids, err := s.devices.Favourites(r.Context(), deviceOf(r))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	// Titles removed from the catalogue since are left out.
	titles, err := s.store.TitlesByID(r.Context(), ids)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	total := len(titles)
	start := min(offset, total)
	writeCached(w, r, s.page(r, titles[start:start+min(limit, total-start)], total, offset))
}

func (s *Server) putFavourite(w http.ResponseWriter, r *http.Request) {
	id, ok := s.knownTitle(w, r)
	if !ok {
		return
	}
	err := s.devices.AddFavourite(r.Context(), deviceOf(r), id)
	switch {
	case errors.Is(err, devices.ErrInvalid):
		writeError(w, http.StatusConflict, "too many favourites: at most %d", devices.MaxFavourites)
	case err != nil:
		writeError(w, http.StatusInternalServerError, "%v", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) deleteFavourite(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("title")
	err := s.devices.RemoveFavourite(r.Context(), deviceOf(r), id)
	switch {
	case errors.Is(err, devices.ErrNotFound):
		writeError(w, http.StatusNotFound, "title %q is not a favourite", id)
	case err != nil:
		writeError(w, http.StatusInternalServerError, "%v", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
