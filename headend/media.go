package headend

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// mediaTypes are the files served under /media/ and their types; the
// media directory holds nothing else worth serving.
var mediaTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".ts":   "video/mp2t",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
}

// getMedia serves a file of the media directory. Hidden files (such as
// the demo builder's temporary directories), directories and files of
// other types are not found.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	ctype, ok := mediaTypes[strings.ToLower(path.Ext(name))]
	if !ok || !fs.ValidPath(name) || hidden(name) {
		writeError(w, http.StatusNotFound, "no media %q", name)
		return
	}
	f, err := s.media.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			writeError(w, http.StatusNotFound, "no media %q", name)
		} else {
			writeError(w, http.StatusInternalServerError, "media %q: %v", name, err)
		}
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		writeError(w, http.StatusNotFound, "no media %q", name)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	if ctype == mediaTypes[".m3u8"] {
		h.Set("Cache-Control", "no-cache")
	} else {
		h.Set("Cache-Control", "public, max-age=86400")
	}
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// hidden reports whether a path element of name starts with a dot.
func hidden(name string) bool {
	for _, el := range strings.Split(name, "/") {
		if strings.HasPrefix(el, ".") {
			return true
		}
	}
	return false
}
