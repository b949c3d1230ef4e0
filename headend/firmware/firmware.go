// Package firmware is the head-end's side of firmware distribution: it
// tells a box whether a newer signed image exists for its model and
// channel, and serves the images with HTTP Range support so that boxes
// resume interrupted downloads.
//
// The directory given to New holds one folder per model and channel:
//
//	DIR/MODEL/CHANNEL/NAME-VERSION.manifest.json       signed manifest
//	DIR/MODEL/CHANNEL/NAME-VERSION.manifest.json.sig   its signature
//	DIR/MODEL/CHANNEL/<the manifest's update file>     the root filesystem
//
// Releases are found when asked for, so copying a new release in (manifest
// last) publishes it without a restart. A release is offered only on the
// model and channel its signed manifest names, and only until its
// manifest expires. The head-end does not need the signing key: boxes
// verify the signature, the model, the channel and the expiry themselves.
package firmware

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/update/manifest"
)

// FilesPrefix is the URL path under which release files are served.
const FilesPrefix = "/firmware/"

// ManifestSuffix names manifest files; the signature adds ".sig".
const ManifestSuffix = ".manifest.json"

// Routes are the method and path patterns (net/http.ServeMux patterns)
// of the handler New returns, as docs/API.md documents them.
var Routes = []string{
	"GET /api/v1/firmware",
	"GET " + FilesPrefix + "{model}/{channel}/{file}",
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$`)

type handler struct {
	root *os.Root
	log  *slog.Logger
	mux  *http.ServeMux
}

// New returns the handler of GET /api/v1/firmware and of the files under
// FilesPrefix, serving the releases in dir.
func New(dir string, logger *slog.Logger) (http.Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("firmware: %w", err)
	}
	if logger == nil {
		logger = slog.Default()
	}
	h := &handler{root: root, log: logger, mux: http.NewServeMux()}
	h.mux.HandleFunc(Routes[0], h.getFirmware)
	h.mux.HandleFunc(Routes[1], h.getFile)
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *handler) getFirmware(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	model, channel, current := q.Get("model"), q.Get("channel"), q.Get("current")
	if !safeName.MatchString(model) || !safeName.MatchString(channel) {
		writeError(w, http.StatusBadRequest, "want query parameters model and channel (letters, digits, ._+~-)")
		return
	}
	m, file, err := h.newest(model, channel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		writeError(w, http.StatusNotFound, "no images for model %q channel %q", model, channel)
		return
	case err != nil:
		h.log.Error("firmware: list releases", "model", model, "channel", channel, "err", err)
		writeError(w, http.StatusInternalServerError, "list releases: %v", err)
		return
	case m == nil || (current != "" && manifest.CompareVersions(m.Version, current) <= 0):
		w.WriteHeader(http.StatusNoContent)
		return
	}
	base := baseURL(r) + FilesPrefix + model + "/" + channel + "/"
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, manifest.Release{
		Version:      m.Version,
		URL:          base + m.Update.Path,
		Size:         m.Update.Size,
		SHA256:       m.Update.SHA256,
		ManifestURL:  base + file,
		SignatureURL: base + file + ".sig",
	})
}

// newest finds the highest version among the complete releases of model
// and channel; a release whose files are missing, whose manifest does not
// parse, names another model or channel, or has expired is skipped with a
// warning.
func (h *handler) newest(model, channel string) (*manifest.Manifest, string, error) {
	dir := path.Join(model, channel)
	f, err := h.root.Open(dir)
	if err != nil {
		return nil, "", err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, "", err
	}
	var best *manifest.Manifest
	var bestFile string
	now := time.Now()
	for _, name := range names {
		if !strings.HasSuffix(name, ManifestSuffix) {
			continue
		}
		m, err := h.release(dir, name)
		if err != nil {
			h.log.Warn("firmware: skipping release", "dir", dir, "manifest", name, "err", err)
			continue
		}
		switch {
		case m.Model != model || m.Channel != channel:
			h.log.Warn("firmware: skipping release signed for another model or channel", "dir", dir, "manifest", name, "model", m.Model, "channel", m.Channel)
			continue
		case m.Expired(now):
			h.log.Warn("firmware: skipping expired release: sign it again to offer it", "dir", dir, "manifest", name, "expires", m.Expires)
			continue
		}
		if best == nil || manifest.CompareVersions(m.Version, best.Version) > 0 {
			best, bestFile = m, name
		}
	}
	return best, bestFile, nil
}

func (h *handler) release(dir, name string) (*manifest.Manifest, error) {
	b, err := h.root.ReadFile(path.Join(dir, name))
	if err != nil {
		return nil, err
	}
	m, err := manifest.Parse(b)
	if err != nil {
		return nil, err
	}
	if _, err := h.root.Stat(path.Join(dir, name+".sig")); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	st, err := h.root.Stat(path.Join(dir, m.Update.Path))
	if err != nil {
		return nil, fmt.Errorf("update file: %w", err)
	}
	if st.Size() != m.Update.Size {
		return nil, fmt.Errorf("update file %s has %d bytes, the manifest says %d", m.Update.Path, st.Size(), m.Update.Size)
	}
	return m, nil
}

func (h *handler) getFile(w http.ResponseWriter, r *http.Request) {
	parts := []string{r.PathValue("model"), r.PathValue("channel"), r.PathValue("file")}
	for _, p := range parts {
		if !safeName.MatchString(p) {
			writeError(w, http.StatusNotFound, "no such file")
			return
		}
	}
	f, err := h.root.Open(path.Join(parts...))
	if err != nil {
		writeError(w, http.StatusNotFound, "no such file")
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		writeError(w, http.StatusNotFound, "no such file")
		return
	}
	ctype := "application/octet-stream"
	if strings.HasSuffix(parts[2], ".json") {
		ctype = "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	http.ServeContent(w, r, parts[2], st.ModTime(), f)
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	b, _ := json.Marshal(operator.Error{Error: fmt.Sprintf(format, args...)})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(bytes.TrimSpace(b), '\n'))
}
