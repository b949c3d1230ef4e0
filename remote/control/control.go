// Package control is the box's local control endpoint: an HTTP server that
// presses keys, reports the current screen as JSON and takes screenshots.
// Tests and technicians drive the box through it. It is off unless asked
// for, and binds only to loopback: the paired network remote that may listen
// beyond the box is a separate, authenticated server.
package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/manbang/manbang/remote"
)

// Config configures the endpoint.
type Config struct {
	// Addr to listen on; it must be a loopback address ("127.0.0.1:0"
	// picks a free port).
	Addr string
	// Events receives the key presses (a Press and a Release per key).
	Events chan<- remote.Event
	// State returns the UI's current state; it must be safe to call from
	// any goroutine and is encoded as JSON.
	State func() any
	// Screenshot returns what is on screen now.
	Screenshot func(ctx context.Context) (*image.RGBA, error)
	Logger     *slog.Logger
}

// Server is a running control endpoint.
type Server struct {
	cfg Config
	ln  net.Listener
	srv *http.Server
}

// Listen starts the endpoint.
func Listen(cfg Config) (*Server, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("control: address %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("control: address %q is not loopback; the control endpoint serves only this box", cfg.Addr)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("control: listen: %w", err)
	}
	s := &Server{cfg: cfg, ln: ln}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Addr returns the address the endpoint listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the endpoint.
func (s *Server) Close() error { return s.srv.Close() }

// Handler returns the endpoint's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/keys", s.keys)
	mux.HandleFunc("GET /api/v1/state", s.state)
	mux.HandleFunc("GET /api/v1/screenshot.png", s.screenshot)
	return mux
}

// KeysRequest is the body of POST /api/v1/keys: one key, or several pressed
// in order.
type KeysRequest struct {
	Key  string   `json:"key,omitempty"`
	Keys []string `json:"keys,omitempty"`
}

func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	var req KeysRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("malformed JSON: %w", err))
		return
	}
	names := req.Keys
	if req.Key != "" {
		names = append([]string{req.Key}, names...)
	}
	if len(names) == 0 {
		writeError(w, http.StatusBadRequest, errors.New(`no key given: send {"key":"ok"} or {"keys":["down","ok"]}`))
		return
	}
	keys := make([]remote.Key, len(names))
	for i, n := range names {
		k, err := remote.ParseKey(n)
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		keys[i] = k
	}
	for _, k := range keys {
		for _, a := range []remote.Action{remote.Press, remote.Release} {
			ev := remote.Event{Key: k, Action: a, Source: "control", Time: time.Now()}
			select {
			case s.cfg.Events <- ev:
			case <-r.Context().Done():
				return
			case <-time.After(2 * time.Second):
				writeError(w, http.StatusServiceUnavailable, errors.New("the UI is not taking keys"))
				return
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.cfg.State())
}

func (s *Server) screenshot(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	img, err := s.cfg.Screenshot(ctx)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("screenshot: %w", err))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(w, img); err != nil {
		s.cfg.Logger.Warn("control: send screenshot", "err", err)
	}
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}
