// Package control is the box's HTTP control endpoint, in two roles. On
// loopback it is the technicians' and the tests' endpoint: it presses
// keys, reports the current screen as JSON and takes screenshots, with no
// pairing. On the home network it is the network remote for a phone or a
// laptop: the same routes and a WebSocket key stream, for clients that
// have paired with the code on the TV and show their token.
package control

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/pairing"
)

// Auth says who may use the endpoint.
type Auth int

const (
	// AuthAuto: no pairing on a loopback address, pairing on any other.
	AuthAuto Auth = iota
	// AuthNone: anyone may; allowed on loopback only.
	AuthNone
	// AuthPairing: every route wants a paired client's token, except
	// pairing itself; requests are rate-limited per client.
	AuthPairing
)

// Config configures the endpoint.
type Config struct {
	// Addr to listen on ("127.0.0.1:0" picks a free port). An address
	// beyond loopback needs pairing.
	Addr string
	// Events receives the key events (a Press and a Release per key
	// pressed through POST /api/v1/keys): the hub's Input.
	Events chan<- remote.Event
	// State returns the UI's current state; it must be safe to call from
	// any goroutine and is encoded as JSON.
	State func() any
	// Screenshot returns what is on screen now.
	Screenshot func(ctx context.Context) (*image.RGBA, error)
	// Text gives text to the text field on screen (POST /api/v1/text),
	// replacing its text, and presses its Done when submit; typed is false
	// when no screen with a text field is on top. Nil: no text entry.
	Text   func(ctx context.Context, text string, submit bool) (typed bool, err error)
	Logger *slog.Logger

	// Auth decides whether clients must pair (default AuthAuto).
	Auth Auth
	// Pairer pairs clients and checks their tokens; needed with pairing.
	Pairer *pairing.Pairer
	// Rate (requests a second) and Burst limit each client under pairing
	// (defaults 20 and 40).
	Rate  float64
	Burst int
	// Disabled starts a pairing endpoint switched off (see SetEnabled).
	Disabled bool
	// Source names the events (default "control" without pairing,
	// "network" with).
	Source string
}

// Server is a running control endpoint.
type Server struct {
	cfg     Config
	auth    Auth
	ln      net.Listener
	srv     *http.Server
	limit   *limiter
	enabled atomic.Bool

	ctx    context.Context // ends at Close: ends WebSocket sessions
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // WebSocket sessions, which http.Server.Close leaves
}

// Listen starts the endpoint.
func Listen(cfg Config) (*Server, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("control: address %q: %w", cfg.Addr, err)
	}
	loopback := host == "localhost"
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		loopback = true
	}
	auth := cfg.Auth
	if auth == AuthAuto {
		auth = AuthPairing
		if loopback {
			auth = AuthNone
		}
	}
	switch {
	case auth == AuthNone && !loopback:
		return nil, fmt.Errorf("control: address %q is not loopback; beyond this box the endpoint needs pairing", cfg.Addr)
	case auth == AuthPairing && cfg.Pairer == nil:
		return nil, fmt.Errorf("control: address %q needs pairing, and no Pairer is configured", cfg.Addr)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Source == "" {
		cfg.Source = remote.SourceControl
		if auth == AuthPairing {
			cfg.Source = remote.SourceNetwork
		}
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 20
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 40
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("control: listen: %w", err)
	}
	s := &Server{cfg: cfg, auth: auth, ln: ln, limit: newLimiter(cfg.Rate, cfg.Burst)}
	s.enabled.Store(!cfg.Disabled)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Addr returns the address the endpoint listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// SetEnabled switches a pairing endpoint on or off (the box's settings):
// off, every route answers 403 and a WebSocket session ends at its next
// message. An
// endpoint without pairing is always on.
func (s *Server) SetEnabled(on bool) { s.enabled.Store(on) }

// PairingURL is what the QR code on the TV holds: the phone page at host
// (the box's address on the home network). It does not carry the code:
// the viewer types the code shown beside it, so the code is in no browser
// history or QR scanner's log, and whoever pairs can read the TV.
func (s *Server) PairingURL(host string) string {
	_, port, _ := net.SplitHostPort(s.Addr())
	return "http://" + net.JoinHostPort(host, port) + "/pair"
}

// Close stops the endpoint and ends its WebSocket sessions.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	err := s.srv.Close()
	s.wg.Wait()
	return err
}

// session counts a WebSocket session so that Close waits for it; it
// reports false once the server is closing.
func (s *Server) session() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// Handler returns the endpoint's routes, behind its pairing checks.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/keys", s.keys)
	mux.HandleFunc("POST /api/v1/text", s.text)
	mux.HandleFunc("GET /api/v1/state", s.state)
	mux.HandleFunc("GET /api/v1/screenshot.png", s.screenshot)
	mux.HandleFunc("GET /api/v1/ws", s.ws)
	mux.HandleFunc("POST /api/v1/pair", s.pair)
	mux.HandleFunc("DELETE /api/v1/pair", s.unpair)
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /pair", s.page)
	if s.auth == AuthNone {
		return sameSite(true, mux)
	}
	return sameSite(false, s.guard(mux))
}

// phonePage is the network remote's page for a phone's browser: the QR
// code on the TV opens it; it pairs with the code typed from the TV, then
// it is a remote (keys held over the WebSocket, text for the field on
// screen).
//
//go:embed phone.html
var phonePage []byte

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	// r.Host is an IP address and port here (sameSite checked it), so the
	// page may open its WebSocket to the box and nowhere else.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws://"+r.Host+"; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	w.Write(phonePage)
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
			if err := s.send(r.Context(), k, a); err != nil {
				if r.Context().Err() == nil {
					writeError(w, http.StatusServiceUnavailable, err)
				}
				return
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// send hands one key event to the UI, waiting a little for room.
func (s *Server) send(ctx context.Context, k remote.Key, a remote.Action) error {
	ev := remote.Event{Key: k, Action: a, Source: s.cfg.Source, Time: time.Now()}
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case s.cfg.Events <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errors.New("the UI is not taking keys")
	}
}

func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	if s.cfg.State == nil {
		writeError(w, http.StatusNotFound, errors.New("no state here"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.cfg.State())
}

func (s *Server) screenshot(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Screenshot == nil {
		writeError(w, http.StatusNotFound, errors.New("no screenshots here"))
		return
	}
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
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func retryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds()+0.999)))
}
