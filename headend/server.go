// Package headend is the reference operator server: it answers the box's
// catalog and session requests (the API of docs/API.md) and serves the
// titles' HLS media and posters.
package headend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

// Config is what a Server serves.
type Config struct {
	// Store is the catalog. Required.
	Store *catalog.Store
	// MediaDir holds the titles' media, laid out as package catalog says.
	// Required.
	MediaDir string
	// PublicURL is the base URL at which boxes reach this server, such as
	// "http://192.168.0.10:8080"; stream and poster URLs are built on it.
	// By default they are built on the Host of each request.
	PublicURL string
	// Logger gets one line per request. Default slog.Default().
	Logger *slog.Logger
}

// Server is the head-end's HTTP server.
type Server struct {
	store    *catalog.Store
	media    *os.Root
	public   string // PublicURL without a trailing slash, or "" to use the request's Host
	log      *slog.Logger
	sessions *sessions
	handler  http.Handler
}

// New returns a server for cfg. Close releases it.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("headend: no catalog store")
	}
	if cfg.MediaDir == "" {
		return nil, errors.New("headend: no media directory")
	}
	media, err := os.OpenRoot(cfg.MediaDir)
	if err != nil {
		return nil, fmt.Errorf("headend: media directory: %w", err)
	}
	s := &Server{
		store:    cfg.Store,
		media:    media,
		log:      cfg.Logger,
		sessions: newSessions(sessionTTL),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			media.Close()
			return nil, fmt.Errorf("headend: public URL %q is not an http(s)://host[:port][/path] URL", cfg.PublicURL)
		}
		s.public = strings.TrimSuffix(cfg.PublicURL, "/")
	}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.HandleFunc(rt.method+" "+rt.pattern, rt.handler)
	}
	s.handler = s.logRequests(recoverPanics(s.log, jsonErrors(mux)))
	return s, nil
}

// Handler returns the HTTP handler of the API and the media.
func (s *Server) Handler() http.Handler { return s.handler }

// Close releases the media directory.
func (s *Server) Close() error { return s.media.Close() }

// route is one endpoint of the server.
type route struct {
	method  string
	pattern string // a net/http.ServeMux path pattern
	handler http.HandlerFunc
}

// routes lists every endpoint; docs/API.md documents each of them.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/api/v1/categories", s.getCategories},
		{"GET", "/api/v1/titles", s.getTitles},
		{"GET", "/api/v1/titles/{id}", s.getTitle},
		{"GET", "/api/v1/search", s.getSearch},
		{"POST", "/api/v1/sessions", s.postSession},
		{"DELETE", "/api/v1/sessions/{id}", s.deleteSession},
		{"GET", "/media/{path...}", s.getMedia},
		{"GET", "/healthz", s.getHealth},
	}
}

// baseURL is the URL prefix of links in answers to r.
func (s *Server) baseURL(r *http.Request) string {
	if s.public != "" {
		return s.public
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

const jsonType = "application/json; charset=utf-8"

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode answer: %v", err)
		return
	}
	w.Header().Set("Content-Type", jsonType)
	w.WriteHeader(status)
	w.Write(b)
}

// writeError answers with status and an operator.Error.
func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	b, _ := marshal(operator.Error{Error: fmt.Sprintf(format, args...)})
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", jsonType)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
}

// marshal encodes v as one line of JSON, leaving <, > and & as they are.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return b.Bytes(), err
}

// jsonErrors turns the plain-text errors that net/http writes by itself
// (unknown path, method not allowed, bad range...) into operator.Error
// bodies, so that every error of the server is JSON.
func jsonErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&jsonErrorWriter{ResponseWriter: w, r: r}, r)
	})
}

type jsonErrorWriter struct {
	http.ResponseWriter
	r       *http.Request
	swallow bool // the body written by the handler is being replaced
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	if code >= 400 && !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		writeError(w.ResponseWriter, code, "%s: %s %s", strings.ToLower(http.StatusText(code)), w.r.Method, w.r.URL.Path)
		w.swallow = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *jsonErrorWriter) Write(p []byte) (int, error) {
	if w.swallow {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

func (w *jsonErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverPanics answers 500 instead of dropping the connection when a
// handler panics.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // net/http's way to abort a response quietly
			}
			log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			writeError(w, http.StatusInternalServerError, "internal error")
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and size of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
		)
	})
}
