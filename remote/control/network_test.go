package control

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/pairing"
)

// network starts the endpoint as the network remote (pairing required) on
// loopback, as it runs on the home network.
func network(t *testing.T, cfg Config) (*Server, *pairing.Pairer, chan remote.Event) {
	t.Helper()
	p, err := pairing.New(pairing.Config{})
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan remote.Event, 64)
	cfg.Addr, cfg.Auth, cfg.Pairer, cfg.Events = "127.0.0.1:0", AuthPairing, p, events
	cfg.State = func() any { return map[string]string{"screen": "home"} }
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p, events
}

// call makes a request from the client address from (127.0.0.x) and
// returns the status and the body.
func call(t *testing.T, from, method, url, token, body string) (int, http.Header, string) {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}, Timeout: 10 * time.Second}
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func pair(t *testing.T, s *Server, code string) (int, PairResponse, string) {
	t.Helper()
	status, _, body := call(t, "127.0.0.1", "POST", "http://"+s.Addr()+"/api/v1/pair", "", `{"code":"`+code+`","name":"test phone"}`)
	var pr PairResponse
	json.Unmarshal([]byte(body), &pr)
	return status, pr, body
}

func wrong(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestPairingAndTokens(t *testing.T) {
	s, p, events := network(t, Config{})
	base := "http://" + s.Addr()

	status, h, body := call(t, "127.0.0.1", "GET", base+"/api/v1/state", "", "")
	if status != http.StatusUnauthorized || h.Get("WWW-Authenticate") == "" || !strings.Contains(body, "pair first") {
		t.Errorf("unpaired: %d %q", status, body)
	}
	for _, route := range []string{"POST /api/v1/keys", "GET /api/v1/screenshot.png", "GET /api/v1/ws", "DELETE /api/v1/pair"} {
		method, path, _ := strings.Cut(route, " ")
		if status, _, _ := call(t, "127.0.0.1", method, base+path, "", `{"key":"ok"}`); status != http.StatusUnauthorized {
			t.Errorf("unpaired %s: %d", route, status)
		}
	}

	status, _, body = pair(t, s, wrong(p.Code()))
	if status != http.StatusForbidden || !strings.Contains(body, `"tries_left":4`) {
		t.Errorf("wrong code: %d %s", status, body)
	}
	if status, _, body := call(t, "127.0.0.1", "POST", base+"/api/v1/pair", "", `{"code":`); status != http.StatusBadRequest {
		t.Errorf("malformed pairing: %d %s", status, body)
	}
	status, pr, body := pair(t, s, p.Code())
	if status != http.StatusOK || pr.Token == "" || pr.ID == "" {
		t.Fatalf("right code: %d %s", status, body)
	}

	if status, _, body := call(t, "127.0.0.1", "GET", base+"/api/v1/state", pr.Token, ""); status != http.StatusOK || !strings.Contains(body, `"screen":"home"`) {
		t.Errorf("paired: %d %s", status, body)
	}
	if status, _, _ := call(t, "127.0.0.1", "GET", base+"/api/v1/state?token="+pr.Token, "", ""); status != http.StatusOK {
		t.Errorf("token in the query: %d", status)
	}
	if status, _, _ := call(t, "127.0.0.1", "GET", base+"/api/v1/state", pr.Token+"x", ""); status != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", status)
	}
	if status, _, _ := call(t, "127.0.0.1", "GET", base+"/api/v1/screenshot.png", pr.Token, ""); status != http.StatusNotFound {
		t.Errorf("screenshot without a screen: %d", status)
	}
	if status, _, body := call(t, "127.0.0.1", "POST", base+"/api/v1/keys", pr.Token, `{"key":"red"}`); status != http.StatusNoContent {
		t.Fatalf("keys: %d %s", status, body)
	}
	for _, a := range []remote.Action{remote.Press, remote.Release} {
		if ev := <-events; ev.Key != remote.KeyRed || ev.Action != a || ev.Source != "network" {
			t.Errorf("got %v %v from %s", ev.Key, ev.Action, ev.Source)
		}
	}

	// Revoked on the box, the token stops working.
	if err := p.Revoke(pr.ID); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := call(t, "127.0.0.1", "GET", base+"/api/v1/state", pr.Token, ""); status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", status)
	}
	// A client can forget its own pairing.
	_, pr2, _ := pair(t, s, p.Code())
	if status, _, _ := call(t, "127.0.0.1", "DELETE", base+"/api/v1/pair", pr2.Token, ""); status != http.StatusNoContent {
		t.Errorf("unpair: %d", status)
	}
	if status, _, _ := call(t, "127.0.0.1", "GET", base+"/api/v1/state", pr2.Token, ""); status != http.StatusUnauthorized {
		t.Errorf("token after unpairing: %d", status)
	}
}

func TestWrongCodesLockPairing(t *testing.T) {
	s, p, _ := network(t, Config{})
	code := p.Code()
	for i := 0; i < 4; i++ {
		if status, _, _ := pair(t, s, wrong(code)); status != http.StatusForbidden {
			t.Fatalf("wrong code %d: %d", i+1, status)
		}
	}
	status, h, body := call(t, "127.0.0.1", "POST", "http://"+s.Addr()+"/api/v1/pair", "", `{"code":"`+wrong(code)+`"}`)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "60" || !strings.Contains(body, "locked") {
		t.Errorf("fifth wrong code: %d %q %s", status, h.Get("Retry-After"), body)
	}
	if status, _, _ := pair(t, s, code); status != http.StatusTooManyRequests {
		t.Errorf("the right code while locked: %d", status)
	}
}

func TestRateLimitPerClient(t *testing.T) {
	s, _, _ := network(t, Config{Rate: 0.5, Burst: 3})
	url := "http://" + s.Addr() + "/api/v1/state"
	for i := 0; i < 3; i++ {
		if status, _, _ := call(t, "127.0.0.1", "GET", url, "", ""); status != http.StatusUnauthorized {
			t.Fatalf("request %d: %d", i+1, status)
		}
	}
	status, h, _ := call(t, "127.0.0.1", "GET", url, "", "")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("fourth request: %d, Retry-After %q", status, h.Get("Retry-After"))
	}
	// Pairing attempts count too: no guessing codes at speed.
	if status, _, _ := call(t, "127.0.0.1", "POST", "http://"+s.Addr()+"/api/v1/pair", "", `{"code":"1"}`); status != http.StatusTooManyRequests {
		t.Errorf("pairing past the limit: %d", status)
	}
	// Another client has its own allowance.
	if status, _, _ := call(t, "127.0.0.2", "GET", url, "", ""); status != http.StatusUnauthorized {
		t.Errorf("another client: %d", status)
	}
}

func TestSwitchedOff(t *testing.T) {
	s, p, _ := network(t, Config{Disabled: true})
	if status, _, body := pair(t, s, p.Code()); status != http.StatusForbidden || !strings.Contains(body, "off") {
		t.Errorf("pairing while off: %d %s", status, body)
	}
	s.SetEnabled(true)
	if status, _, _ := pair(t, s, p.Code()); status != http.StatusOK {
		t.Errorf("pairing once on: %d", status)
	}
}

func dial(t *testing.T, s *Server, token string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := &websocket.DialOptions{}
	if token != "" {
		opts.HTTPHeader = http.Header{"Authorization": {"Bearer " + token}}
	}
	return websocket.Dial(ctx, "ws://"+s.Addr()+"/api/v1/ws", opts)
}

func roundTrip(t *testing.T, c *websocket.Conn, msg string) KeyMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("%s: %v", msg, err)
	}
	var m KeyMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("answer %q: %v", b, err)
	}
	return m
}

func expectEvents(t *testing.T, events chan remote.Event, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case ev := <-events:
			if got := ev.Key.String() + " " + ev.Action.String(); got != w {
				t.Errorf("event %q; want %q", got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event; want %q", w)
		}
	}
	select {
	case ev := <-events:
		t.Errorf("unexpected event %v %v", ev.Key, ev.Action)
	default:
	}
}

func TestWebSocketKeyStream(t *testing.T) {
	s, p, events := network(t, Config{})
	if _, resp, err := dial(t, s, ""); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unpaired WebSocket: %v, %v", resp, err)
	}
	_, pr, _ := pair(t, s, p.Code())
	c, _, err := dial(t, s, pr.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()

	if m := roundTrip(t, c, `{"key":"ok","action":"press"}`); m.Key != "ok" || m.Action != "press" || m.Error != "" {
		t.Errorf("press answered %+v", m)
	}
	if m := roundTrip(t, c, `{"key":"ok","action":"release"}`); m.Action != "release" {
		t.Errorf("release answered %+v", m)
	}
	if m := roundTrip(t, c, `{"key":"down"}`); m.Action != "tap" {
		t.Errorf("tap answered %+v", m)
	}
	expectEvents(t, events, "ok press", "ok release", "down press", "down release")

	for _, bad := range []string{`{"key":"launch"}`, `{"key":"ok","action":"wiggle"}`, `not json`} {
		if m := roundTrip(t, c, bad); m.Error == "" {
			t.Errorf("%s answered %+v; want an error", bad, m)
		}
	}
	// A key held when the client goes away is released.
	roundTrip(t, c, `{"key":"up","action":"press"}`)
	c.Close(websocket.StatusNormalClosure, "")
	expectEvents(t, events, "up press", "up release")

	// Revoked, an open session ends at its next message.
	c2, _, err := dial(t, s, pr.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.CloseNow()
	roundTrip(t, c2, `{"key":"1"}`)
	expectEvents(t, events, "1 press", "1 release")
	p.Revoke(pr.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c2.Write(ctx, websocket.MessageText, []byte(`{"key":"2"}`))
	if _, _, err := c2.Read(ctx); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Errorf("after revoking: %v; want a policy-violation close", err)
	}
	expectEvents(t, events)
}

func TestWebSocketOnLoopbackNeedsNoPairingAndCloseEndsIt(t *testing.T) {
	events := make(chan remote.Event, 16)
	s := start(t, events)
	c, _, err := dial(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	roundTrip(t, c, `{"key":"back"}`)
	expectEvents(t, events, "back press", "back release")
	roundTrip(t, c, `{"key":"left","action":"press"}`)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("session still open after Close: %v", err)
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	expectEvents(t, events, "left press", "left release")
}

func TestListenPolicy(t *testing.T) {
	p, _ := pairing.New(pairing.Config{})
	for _, c := range []struct {
		cfg Config
		ok  bool
	}{
		{Config{Addr: "127.0.0.1:0"}, true},
		{Config{Addr: "localhost:0"}, true},
		{Config{Addr: "127.0.0.1:0", Auth: AuthPairing}, false}, // pairing without a Pairer
		{Config{Addr: "127.0.0.1:0", Auth: AuthPairing, Pairer: p}, true},
		{Config{Addr: "192.0.2.1:0", Auth: AuthNone, Pairer: p}, false},
	} {
		s, err := Listen(c.cfg)
		if (err == nil) != c.ok {
			t.Errorf("Listen(%+v): %v", c.cfg, err)
		}
		if err == nil {
			s.Close()
		}
	}
	s, _ := Listen(Config{Addr: "127.0.0.1:0", Auth: AuthPairing, Pairer: p})
	defer s.Close()
	_, port, _ := net.SplitHostPort(s.Addr())
	if u := s.PairingURL("192.0.2.10", "123456"); u != "http://192.0.2.10:"+port+"/?code=123456" {
		t.Errorf("PairingURL = %s", u)
	}
}

func TestPhonePageNeedsNoToken(t *testing.T) {
	s, _, _ := network(t, Config{})
	status, h, body := call(t, "127.0.0.1", "GET", "http://"+s.Addr()+"/?code=123456", "", "")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(body, "/api/v1/ws") {
		t.Errorf("phone page: %d %s", status, h.Get("Content-Type"))
	}
	if status, _, _ := call(t, "127.0.0.1", "GET", "http://"+s.Addr()+"/other", "", ""); status != http.StatusUnauthorized {
		t.Errorf("another path without a token: %d", status)
	}
}
