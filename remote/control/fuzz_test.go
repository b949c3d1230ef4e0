package control

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/pairing"
)

// FuzzKeysBody: whatever the body of POST /api/v1/keys, the endpoint
// answers 204 or a 4xx with an error, never panics, and sends only key
// events for a 204.
func FuzzKeysBody(f *testing.F) {
	for _, s := range []string{`{"key":"ok"}`, `{"keys":["down","down","back"]}`, `{"key":"launch"}`, `{}`, `not json`, `{"key":"ok","keys":["1"]}`, `{"keys":[1,2]}`, `[]`, `{"key":"` + strings.Repeat("a", 100) + `"}`, ""} {
		f.Add(s)
	}
	events := make(chan remote.Event, 1<<12)
	s := &Server{cfg: Config{Events: events, Source: "control"}, auth: AuthNone}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "http://127.0.0.1:1/api/v1/keys", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		n := len(events)
		for len(events) > 0 {
			<-events
		}
		switch {
		case w.Code == http.StatusNoContent:
			if n == 0 || n%2 != 0 {
				t.Errorf("204 with %d events", n)
			}
		case w.Code >= 400 && w.Code < 500:
			if n != 0 || !strings.Contains(w.Body.String(), `"error"`) {
				t.Errorf("%d with %d events, body %q", w.Code, n, w.Body)
			}
		default:
			t.Errorf("status %d", w.Code)
		}
	})
}

// FuzzKeyMessage: a WebSocket message parses to a known key and actions,
// or to an error; never a panic.
func FuzzKeyMessage(f *testing.F) {
	for _, s := range []string{`{"key":"ok","action":"press"}`, `{"key":"ok","action":"release"}`, `{"key":"down"}`, `{"key":"down","action":"TAP"}`, `{"key":"x"}`, `{"key":"ok","action":"hold"}`, `{`, `null`, `{"key":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, actions, ack, err := parseKeyMessage(data)
		if err != nil {
			if len(actions) != 0 {
				t.Errorf("error %v with actions %v", err, actions)
			}
			return
		}
		if k == remote.KeyNone || len(actions) == 0 || len(actions) > 2 || ack.Key != k.String() {
			t.Errorf("%q: key %v actions %v ack %+v", data, k, actions, ack)
		}
	})
}

// FuzzPairBody: whatever a client posts to /api/v1/pair, only the code on
// the TV pairs, the answer is JSON, and nothing panics.
func FuzzPairBody(f *testing.F) {
	for _, s := range []string{`{"code":"12345678"}`, `{"code":"12345678","name":"Ana's phone"}`, `{"code":`, `{"code":12345678}`, `{"name":"\u0000\u001b[31m"}`, `[]`, ``, `{"code":" 12345678 "}`} {
		f.Add(s)
	}
	p, err := pairing.New(pairing.Config{MaxWrong: 1 << 30, Backoff: 1, MaxBackoff: 1})
	if err != nil {
		f.Fatal(err)
	}
	s := &Server{cfg: Config{Pairer: p, Source: "network", Logger: slog.New(slog.DiscardHandler)}, auth: AuthPairing, limit: newLimiter(1e9, 1e9)}
	s.enabled.Store(true)
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		code, _, err := p.Arm()
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "http://192.0.2.1:1/api/v1/pair", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code == http.StatusOK && !strings.Contains(body, code) {
			t.Errorf("paired with %q; the code was %s", body, code)
		}
		if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Errorf("answer %d is not JSON: %q", w.Code, w.Body)
		}
	})
}

// FuzzTextRequest: a body of POST /api/v1/text parses to printable UTF-8
// of at most maxText runes, or to an error; never a panic.
func FuzzTextRequest(f *testing.F) {
	for _, s := range []string{`{"text":"news"}`, `{"text":"서울","submit":true}`, `{"text":"москва"}`, `{"text":""}`, `{"text":"a\u0000"}`, `{"text":"\ud800"}`, `{"text":1}`, `{"text":"` + strings.Repeat("가", 201) + `"}`, `{`, `null`, "{\"text\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := parseTextRequest(data)
		if err != nil {
			if req != (TextRequest{}) {
				t.Errorf("error %v with %+v", err, req)
			}
			return
		}
		if !utf8.ValidString(req.Text) || utf8.RuneCountInString(req.Text) > maxText || strings.ContainsFunc(req.Text, unicode.IsControl) {
			t.Errorf("%q accepted as %q", data, req.Text)
		}
	})
}

// FuzzAuthMessage: a WebSocket session's first message gives a token or
// an error; never a panic, never an empty token.
func FuzzAuthMessage(f *testing.F) {
	for _, s := range []string{`{"token":"abc"}`, `{"token":""}`, `{"key":"ok"}`, `{"token":1}`, `{`, `null`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := parseAuthMessage(data)
		if (err == nil) == (tok == "") {
			t.Errorf("%q: token %q, error %v", data, tok, err)
		}
	})
}
