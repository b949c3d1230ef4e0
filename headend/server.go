// Package headend is the reference operator server: it answers the box's
// requests (the API of docs/API.md: catalogue, guide, sessions, device
// registration, resume positions and favourites), serves the titles' HLS
// media and posters, exports its channels and guide as M3U and XMLTV for
// third-party players, and its metrics for Prometheus.
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
	"sync"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/devices"
	"github.com/manbang/manbang/operator"
)

// Config is what a Server serves.
type Config struct {
	// Store is the catalog. Required.
	Store *catalog.Store
	// Devices is the register of boxes. Default: a temporary register
	// that New creates and Close deletes, so boxes register again after a
	// restart.
	Devices *devices.Store
	// MediaDir holds the titles' media, laid out as package catalog says.
	// Required.
	MediaDir string
	// PublicURL is the base URL at which boxes reach this server, such as
	// "http://192.168.0.10:8080"; stream and poster URLs are built on it.
	// By default they are built on the Host of each request.
	PublicURL string
	// Logger gets one line per request. Default slog.Default().
	Logger *slog.Logger
	// Live streams channels to boxes that ask for unicast. If nil, such
	// requests are answered 503; multicast channels play without it.
	Live LiveStreamer
	// Multicast says the channels' multicast groups are being sent (by
	// the live engine on a chosen interface). Without it a box that asks
	// for a channel is told to ask for unicast, instead of being sent to
	// a group nobody feeds.
	Multicast bool
	// EnrolmentSecret, if set, must be sent by boxes that register.
	EnrolmentSecret string
	// RegisterBurst and RegisterEvery limit registrations per client
	// address (a token bucket): RegisterBurst at once, then one every
	// RegisterEvery; more are answered 429 with Retry-After. Defaults
	// DefaultRegisterBurst and DefaultRegisterEvery.
	RegisterBurst int
	RegisterEvery time.Duration
}

// Server is the head-end's HTTP server. Close releases it.
type Server struct {
	store    *catalog.Store
	devices  *devices.Store
	ownDevs  bool // devices was created by New
	media    *os.Root
	public   string // PublicURL without a trailing slash, or "" to use the request's Host
	log      *slog.Logger
	live     LiveStreamer
	mcast    bool
	secret   string
	regLimit *limiter
	sessions *sessions
	answers  *answerCache
	metrics  *metrics
	handler  http.Handler

	stop      chan struct{}
	reaper    sync.WaitGroup
	closeOnce sync.Once
}

// New returns a server for cfg, and starts the goroutine that ends
// sessions the boxes stopped keeping alive.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("headend: no catalog store")
	}
	if cfg.MediaDir == "" {
		return nil, errors.New("headend: no media directory")
	}
	s := &Server{
		store:    cfg.Store,
		devices:  cfg.Devices,
		log:      cfg.Logger,
		live:     cfg.Live,
		mcast:    cfg.Multicast,
		secret:   cfg.EnrolmentSecret,
		sessions: newSessions(),
		answers:  newAnswerCache(defaultAnswerBytes),
		stop:     make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return nil, fmt.Errorf("headend: public URL %q is not an http(s)://host[:port][/path] URL", cfg.PublicURL)
		}
		s.public = strings.TrimSuffix(cfg.PublicURL, "/")
	}
	media, err := os.OpenRoot(cfg.MediaDir)
	if err != nil {
		return nil, fmt.Errorf("headend: media directory: %w", err)
	}
	s.media = media
	if s.devices == nil {
		if s.devices, err = devices.Open(""); err != nil {
			media.Close()
			return nil, fmt.Errorf("headend: %w", err)
		}
		s.ownDevs = true
	}
	if cfg.RegisterBurst <= 0 {
		cfg.RegisterBurst = DefaultRegisterBurst
	}
	if cfg.RegisterEvery <= 0 {
		cfg.RegisterEvery = DefaultRegisterEvery
	}
	s.regLimit = newLimiter(cfg.RegisterBurst, cfg.RegisterEvery)
	s.metrics = newMetrics(s)
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		h := rt.handler
		if strings.HasPrefix(rt.pattern, "/api/") && !rt.open {
			h = s.authenticate(h)
		}
		mux.HandleFunc(rt.method+" "+rt.pattern, h)
	}
	s.handler = s.logRequests(recoverPanics(s.log, jsonErrors(mux)))
	s.reaper.Add(1)
	go s.reap()
	return s, nil
}

// Handler returns the HTTP handler of the API, the media, the exports
// and the metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Close ends every session (stopping their live streams), stops the
// session reaper and releases the media directory, and the device
// register if New created it.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.stop)
		s.reaper.Wait()
		for _, sub := range s.sessions.removeAll() {
			sub.Close()
		}
		err = s.media.Close()
		if s.ownDevs {
			err = errors.Join(err, s.devices.Close())
		}
	})
	return err
}

// reap ends, every reapEvery, the sessions whose box stopped sending
// keep-alives, until Close.
func (s *Server) reap() {
	defer s.reaper.Done()
	t := time.NewTicker(reapEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.expireSessions()
		}
	}
}

// expireSessions ends the sessions that expired by now.
func (s *Server) expireSessions() {
	for _, e := range s.sessions.expire(s.sessions.now()) {
		s.log.Info("session expired", "session", e.id, "device", e.device, "channel", e.channelID)
		if e.sub != nil {
			if err := e.sub.Close(); err != nil {
				s.log.Warn("close live stream", "session", e.id, "err", err)
			}
		}
	}
}

// route is one endpoint of the server.
type route struct {
	method  string
	pattern string // a net/http.ServeMux path pattern
	handler http.HandlerFunc
	open    bool // an /api/ route that needs no device token
}

// routes lists every endpoint; docs/API.md documents each of them.
func (s *Server) routes() []route {
	return []route{
		{"POST", "/api/v1/devices", s.regLimit.limit(s.postDevice), true},
		{"GET", "/api/v1/categories", s.getCategories, false},
		{"GET", "/api/v1/titles", s.getTitles, false},
		{"GET", "/api/v1/titles/{id}", s.getTitle, false},
		{"GET", "/api/v1/search", s.getSearch, false},
		{"GET", "/api/v1/series/{id}", s.getSeries, false},
		{"GET", "/api/v1/channels", s.getChannels, false},
		{"GET", "/api/v1/epg", s.getEPG, false},
		{"POST", "/api/v1/sessions", s.postSession, false},
		{"POST", "/api/v1/sessions/{id}/keepalive", s.postKeepalive, false},
		{"DELETE", "/api/v1/sessions/{id}", s.deleteSession, false},
		{"GET", "/api/v1/resume", s.listResume, false},
		{"DELETE", "/api/v1/resume", s.forgetResume, false},
		{"GET", "/api/v1/resume/{title}", s.getResume, false},
		{"PUT", "/api/v1/resume/{title}", s.putResume, false},
		{"GET", "/api/v1/favourites", s.getFavourites, false},
		{"PUT", "/api/v1/favourites/{title}", s.putFavourite, false},
		{"DELETE", "/api/v1/favourites/{title}", s.deleteFavourite, false},
		{"GET", "/media/{path...}", s.getMedia, true},
		{"GET", "/playlist.m3u", s.getPlaylist, true},
		{"GET", "/epg.xml", s.getXMLTV, true},
		{"GET", "/metrics", s.getMetrics, true},
		{"GET", "/healthz", s.getHealth, true},
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

// mediaURL is the absolute URL of a file of the media directory, or ref
// itself if it is an absolute URL already.
func (s *Server) mediaURL(r *http.Request, ref string) string {
	if ref == "" || strings.Contains(ref, "://") {
		return ref
	}
	return s.baseURL(r) + (&url.URL{Path: "/media/" + ref}).EscapedPath()
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
	h.Del("ETag")
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

// logRequests logs one line per request and counts it in the metrics.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		r = withInfo(r)
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		took := time.Since(start)
		s.metrics.observe(r, sw.status, took)
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", took),
			slog.String("remote", r.RemoteAddr),
		}
		if dev := infoOf(r).device; dev != "" {
			attrs = append(attrs, slog.String("device", dev))
		}
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}
