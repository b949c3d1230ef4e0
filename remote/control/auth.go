package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/manbang/manbang/remote/pairing"
)

type clientKey struct{}

// guard puts the pairing endpoint's checks before its routes: the switch
// in the settings, the per-client rate limit, and the token.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.enabled.Load() {
			writeError(w, http.StatusForbidden, errors.New("the network remote is off in the box's settings"))
			return
		}
		if wait := s.limit.take(clientIP(r), time.Now()); wait > 0 {
			retryAfter(w, wait)
			writeError(w, http.StatusTooManyRequests, errors.New("too many requests; slow down"))
			return
		}
		if open(r) {
			next.ServeHTTP(w, r)
			return
		}
		c, ok := s.cfg.Pairer.Check(token(r))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="manbang"`)
			writeError(w, http.StatusUnauthorized, errors.New("pair first: POST /api/v1/pair with the code on the TV, then send the token"))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
	})
}

// open reports whether r may come without a token: pairing itself, the
// phone page, and the WebSocket, whose first message carries the token
// when its header does not (a browser's WebSocket cannot set one).
func open(r *http.Request) bool {
	switch r.URL.Path {
	case "/api/v1/pair":
		return r.Method == http.MethodPost
	case "/", "/pair", "/api/v1/ws":
		return r.Method == http.MethodGet
	}
	return false
}

// token is the bearer token of a request, from its Authorization header
// only: a token in the URL would end up in browser histories, proxies'
// logs and Referer headers.
func token(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// PairRequest is the body of POST /api/v1/pair.
type PairRequest struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"` // shown in the box's list of paired clients
}

// PairResponse answers a right code.
type PairResponse struct {
	Token string `json:"token"`
	ID    string `json:"id"`
}

func (s *Server) pair(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Pairer == nil {
		writeError(w, http.StatusNotFound, errors.New("this endpoint does no pairing"))
		return
	}
	var req PairRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("malformed JSON: %w", err))
		return
	}
	if req.Name == "" {
		req.Name = r.UserAgent()
	}
	tok, c, err := s.cfg.Pairer.Pair(clientIP(r), strings.TrimSpace(req.Code), req.Name)
	var wait *pairing.WaitError
	var wrong *pairing.WrongCodeError
	switch {
	case errors.As(err, &wait):
		retryAfter(w, time.Until(wait.Until))
		writeError(w, http.StatusTooManyRequests, err)
	case errors.Is(err, pairing.ErrNotArmed):
		writeError(w, http.StatusForbidden, err)
	case errors.As(err, &wrong):
		retryAfter(w, time.Until(wrong.Retry))
		writeError(w, http.StatusForbidden, err)
	case err != nil:
		writeError(w, http.StatusInternalServerError, err)
	default:
		s.cfg.Logger.Info("control: client paired", "id", c.ID, "name", c.Name, "from", clientIP(r))
		writeJSON(w, http.StatusOK, PairResponse{Token: tok, ID: c.ID})
	}
}

// unpair forgets the client that asks.
func (s *Server) unpair(w http.ResponseWriter, r *http.Request) {
	c, ok := r.Context().Value(clientKey{}).(pairing.Client)
	if !ok {
		writeError(w, http.StatusBadRequest, errors.New("no pairing to forget here"))
		return
	}
	if err := s.cfg.Pairer.Revoke(c.ID); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// limiter is a token bucket per client address.
type limiter struct {
	rate, burst float64
	mu          sync.Mutex
	clients     map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), clients: map[string]*bucket{}}
}

// take spends a token of client's bucket; it returns 0, or how long until
// there is one.
func (l *limiter) take(client string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.clients[client]
	if !ok {
		if len(l.clients) >= 1024 {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.clients[client] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return 0
}

// prune forgets the clients whose buckets have filled up again.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.clients {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.clients, k)
		}
	}
}
