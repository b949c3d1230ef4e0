package operator_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/manbang/manbang/operator"
)

func TestFileTokenStore(t *testing.T) {
	dir := t.TempDir()
	s := operator.FileTokenStore{Path: filepath.Join(dir, "sub", "token")}
	if tok, err := s.Load(); tok != "" || err != nil {
		t.Errorf("Load before Save = %q, %v", tok, err)
	}
	for _, tok := range []string{"first", "second"} {
		if err := s.Save(tok); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Load(); got != tok || err != nil {
			t.Errorf("Load = %q, %v; want %q", got, err, tok)
		}
	}
	info, err := os.Stat(s.Path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, %v", info.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(s.Path))
	if len(entries) != 1 {
		t.Errorf("%d files beside the token, want none", len(entries)-1)
	}
	big := operator.FileTokenStore{Path: filepath.Join(dir, "big")}
	os.WriteFile(big.Path, make([]byte, 10<<10), 0o600)
	if _, err := big.Load(); err == nil {
		t.Error("huge token file: no error")
	}
	if err := (operator.FileTokenStore{Path: filepath.Join(s.Path, "x", "token")}).Save("t"); err == nil {
		t.Error("Save under a file: no error")
	}
}

// authServer answers like a head-end that wants a token: it registers
// boxes (counting registrations) and answers 401 to unknown tokens.
type authServer struct {
	registrations atomic.Int32
	mu            sync.Mutex
	tokens        map[string]bool
	secret        string
}

func (a *authServer) handler(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/v1/devices" {
		var reg operator.DeviceRegistration
		decodeBody(r, &reg)
		if a.secret != "" && reg.EnrolmentSecret != a.secret {
			jsonAnswer(w, 403, `{"error":"wrong enrolment secret"}`)
			return
		}
		n := a.registrations.Add(1)
		tok := "tok-" + reg.Serial + "-" + string(rune('a'+n))
		a.mu.Lock()
		a.tokens[tok] = true
		a.mu.Unlock()
		jsonAnswer(w, 201, `{"device_id":"d1","token":"`+tok+`"}`)
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	ok := a.tokens[tok]
	a.mu.Unlock()
	if !ok {
		jsonAnswer(w, 401, `{"error":"unknown device token"}`)
		return
	}
	jsonAnswer(w, 200, `{"categories":[{"id":"docs"}]}`)
}

// revoke forgets every token.
func (a *authServer) revoke() {
	a.mu.Lock()
	clear(a.tokens)
	a.mu.Unlock()
}

func TestClientRegistersOnce(t *testing.T) {
	as := &authServer{tokens: map[string]bool{}}
	ts, calls := fakeServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { as.handler(w, r) })
	store := operator.FileTokenStore{Path: filepath.Join(t.TempDir(), "token")}
	dev := operator.DeviceRegistration{Serial: "SN1", Model: "m", Firmware: "1"}
	c := newClient(t, operator.ClientConfig{BaseURL: ts.URL, Tokens: store, Device: dev})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.Categories(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := as.registrations.Load(); n != 1 {
		t.Errorf("%d registrations, want 1", n)
	}
	if tok, _ := store.Load(); !strings.HasPrefix(tok, "tok-SN1-") {
		t.Errorf("token kept %q", tok)
	}
	// A new client (the box restarted) uses the kept token.
	before := calls.Load()
	c2 := newClient(t, operator.ClientConfig{BaseURL: ts.URL, Tokens: store, Device: dev})
	if _, err := c2.Categories(context.Background()); err != nil || as.registrations.Load() != 1 || calls.Load() != before+1 {
		t.Errorf("restart: %v, %d registrations, %d requests", err, as.registrations.Load(), calls.Load()-before)
	}
	// A revoked token is replaced.
	as.revoke()
	if _, err := c2.Categories(context.Background()); err != nil || as.registrations.Load() != 2 {
		t.Errorf("after revocation: %v, %d registrations", err, as.registrations.Load())
	}
	// Explicit registration.
	if d, err := c2.Register(context.Background()); err != nil || !strings.HasPrefix(d.Token, "tok-SN1-") {
		t.Errorf("Register = %+v, %v", d, err)
	}
}

func TestClientRegistrationRefused(t *testing.T) {
	as := &authServer{tokens: map[string]bool{}, secret: "s3cret"}
	ts, _ := fakeServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { as.handler(w, r) })
	c := newClient(t, operator.ClientConfig{BaseURL: ts.URL})
	_, err := c.Categories(context.Background())
	var apiErr *operator.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || !strings.Contains(err.Error(), "POST "+ts.URL+"/api/v1/devices: wrong enrolment secret") {
		t.Errorf("error %v", err)
	}
	dev := operator.DefaultDevice()
	dev.EnrolmentSecret = "s3cret"
	c = newClient(t, operator.ClientConfig{BaseURL: ts.URL, Device: dev})
	if _, err := c.Categories(context.Background()); err != nil {
		t.Errorf("with the secret: %v", err)
	}
	// A server that keeps answering 401 gets one registration per request.
	ts2, calls := fakeServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/devices" {
			jsonAnswer(w, 201, `{"device_id":"d","token":"t"}`)
			return
		}
		jsonAnswer(w, 401, `{"error":"no"}`)
	})
	c = newClient(t, operator.ClientConfig{BaseURL: ts2.URL})
	if _, err := c.Categories(context.Background()); !errors.As(err, &apiErr) || apiErr.Status != 401 || calls.Load() != 3 {
		t.Errorf("endless 401: %v after %d requests", err, calls.Load())
	}
}

func TestDefaultDevice(t *testing.T) {
	d := operator.DefaultDevice()
	if d.Serial == "" || d.Model == "" || d.Firmware == "" {
		t.Errorf("DefaultDevice = %+v", d)
	}
}
