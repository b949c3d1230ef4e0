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
	// A back-off of a minute: no test waits it out, however slow the
	// machine.
	p, err := pairing.New(pairing.Config{Backoff: time.Minute, MaxBackoff: time.Hour})
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
	if code == "00000000" {
		return "00000001"
	}
	return "00000000"
}

// armed arms pairing, as the TV's phone remote screen does, and returns
// the code it shows.
func armed(t *testing.T, p *pairing.Pairer) string {
	t.Helper()
	code, _, err := p.Arm()
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestPairingAndTokens(t *testing.T) {
	s, p, events := network(t, Config{})
	base := "http://" + s.Addr()

	status, h, body := call(t, "127.0.0.1", "GET", base+"/api/v1/state", "", "")
	if status != http.StatusUnauthorized || h.Get("WWW-Authenticate") == "" || !strings.Contains(body, "pair first") {
		t.Errorf("unpaired: %d %q", status, body)
	}
	for _, route := range []string{"POST /api/v1/keys", "GET /api/v1/screenshot.png", "POST /api/v1/text", "DELETE /api/v1/pair"} {
		method, path, _ := strings.Cut(route, " ")
		if status, _, _ := call(t, "127.0.0.1", method, base+path, "", `{"key":"ok"}`); status != http.StatusUnauthorized {
			t.Errorf("unpaired %s: %d", route, status)
		}
	}

	if status, _, body := pair(t, s, "12345678"); status != http.StatusForbidden || !strings.Contains(body, "not open") {
		t.Errorf("a code while pairing is not armed: %d %s", status, body)
	}
	code := armed(t, p)
	status, h, body = call(t, "127.0.0.2", "POST", base+"/api/v1/pair", "", `{"code":"`+wrong(code)+`"}`)
	if status != http.StatusForbidden || h.Get("Retry-After") == "" || !strings.Contains(body, "wrong code") {
		t.Errorf("wrong code: %d %s", status, body)
	}
	if status, _, body := call(t, "127.0.0.1", "POST", base+"/api/v1/pair", "", `{"code":`); status != http.StatusBadRequest {
		t.Errorf("malformed pairing: %d %s", status, body)
	}
	status, pr, body := pair(t, s, code)
	if status != http.StatusOK || pr.Token == "" || pr.ID == "" {
		t.Fatalf("right code: %d %s", status, body)
	}

	if status, _, body := call(t, "127.0.0.1", "GET", base+"/api/v1/state", pr.Token, ""); status != http.StatusOK || !strings.Contains(body, `"screen":"home"`) {
		t.Errorf("paired: %d %s", status, body)
	}
	if status, _, _ := call(t, "127.0.0.1", "GET", base+"/api/v1/state?token="+pr.Token, "", ""); status != http.StatusUnauthorized {
		t.Errorf("token in the query: %d; want it refused (tokens go in the Authorization header only)", status)
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
	_, pr2, _ := pair(t, s, armed(t, p))
	if status, _, _ := call(t, "127.0.0.1", "DELETE", base+"/api/v1/pair", pr2.Token, ""); status != http.StatusNoContent {
		t.Errorf("unpair: %d", status)
	}
	if status, _, _ := call(t, "127.0.0.1", "GET", base+"/api/v1/state", pr2.Token, ""); status != http.StatusUnauthorized {
		t.Errorf("token after unpairing: %d", status)
	}
}

// TestWrongCodesSlowOnlyTheGuesser: a client that sends wrong codes is
// made to wait, and the viewer's phone still pairs at once.
func TestWrongCodesSlowOnlyTheGuesser(t *testing.T) {
	s, p, _ := network(t, Config{})
	code := armed(t, p)
	url := "http://" + s.Addr() + "/api/v1/pair"
	if status, h, body := call(t, "127.0.0.9", "POST", url, "", `{"code":"`+wrong(code)+`"}`); status != http.StatusForbidden || h.Get("Retry-After") != "60" {
		t.Fatalf("wrong code: %d %q %s", status, h.Get("Retry-After"), body)
	}
	status, h, body := call(t, "127.0.0.9", "POST", url, "", `{"code":"`+code+`"}`)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "wait") {
		t.Errorf("the guesser's next try: %d %q %s", status, h.Get("Retry-After"), body)
	}
	if status, _, body := pair(t, s, code); status != http.StatusOK {
		t.Errorf("another client with the right code: %d %s", status, body)
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
	if status, _, body := pair(t, s, armed(t, p)); status != http.StatusForbidden || !strings.Contains(body, "off") {
		t.Errorf("pairing while off: %d %s", status, body)
	}
	s.SetEnabled(true)
	if status, _, _ := pair(t, s, armed(t, p)); status != http.StatusOK {
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
	_, pr, _ := pair(t, s, armed(t, p))
	bad, _, err := dial(t, s, pr.Token+"x")
	if err != nil {
		t.Fatal(err)
	}
	if st := readClose(t, bad); st != websocket.StatusPolicyViolation {
		t.Errorf("WebSocket with a wrong token: closed with %v; want 1008", st)
	}
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
	if u := s.PairingURL("192.0.2.10"); u != "http://192.0.2.10:"+port+"/pair" {
		t.Errorf("PairingURL = %s", u)
	}
}

func TestPhonePageNeedsNoToken(t *testing.T) {
	s, _, _ := network(t, Config{})
	for _, path := range []string{"/", "/pair"} {
		status, h, body := call(t, "127.0.0.1", "GET", "http://"+s.Addr()+path, "", "")
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(body, "/api/v1/keys") {
			t.Errorf("phone page %s: %d %s", path, status, h.Get("Content-Type"))
		}
		// The page sends its token in a header, never in a URL, and no
		// other site may frame it.
		if !strings.Contains(body, `"Authorization"`) || strings.Contains(body, "token=") {
			t.Errorf("phone page %s puts its token in a URL", path)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("phone page %s headers: %v", path, h)
		}
	}
	if status, _, _ := call(t, "127.0.0.1", "GET", "http://"+s.Addr()+"/other", "", ""); status != http.StatusUnauthorized {
		t.Errorf("another path without a token: %d", status)
	}
}

// readClose reads from c until the server closes it, and returns the
// close status.
func readClose(t *testing.T, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

// TestWebSocketTokenInFirstMessage: a browser's WebSocket cannot send an
// Authorization header, so it sends its token as its first message; a
// session that sends a wrong token, a key first, or its token in the URL
// presses nothing and is closed.
func TestWebSocketTokenInFirstMessage(t *testing.T) {
	s, p, events := network(t, Config{})
	_, pr, _ := pair(t, s, armed(t, p))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, c := range []struct{ url, first string }{
		{"/api/v1/ws", `{"key":"ok"}`},
		{"/api/v1/ws", `{"token":"` + pr.Token + `x"}`},
		{"/api/v1/ws", `not json`},
		{"/api/v1/ws?token=" + pr.Token, `{"key":"ok"}`},
	} {
		conn, _, err := websocket.Dial(ctx, "ws://"+s.Addr()+c.url, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		conn.Write(ctx, websocket.MessageText, []byte(c.first))
		if st := readClose(t, conn); st != websocket.StatusPolicyViolation {
			t.Errorf("%s first %s: closed with %v; want 1008", c.url, c.first, st)
		}
		conn.CloseNow()
	}
	expectEvents(t, events)

	conn, _, err := websocket.Dial(ctx, "ws://"+s.Addr()+"/api/v1/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	conn.Write(ctx, websocket.MessageText, []byte(`{"token":"`+pr.Token+`"}`))
	if _, b, err := conn.Read(ctx); err != nil || string(b) != `{"paired":true}` {
		t.Fatalf("answer to the token: %q, %v", b, err)
	}
	if m := roundTrip(t, conn, `{"key":"ok","action":"press"}`); m.Action != "press" {
		t.Errorf("press answered %+v", m)
	}
	roundTrip(t, conn, `{"key":"ok","action":"release"}`)
	expectEvents(t, events, "ok press", "ok release")
}

// TestTokenOnlyInTheHeader: a token in the URL is not a token, for any
// route.
func TestTokenOnlyInTheHeader(t *testing.T) {
	s, p, events := network(t, Config{})
	_, pr, _ := pair(t, s, armed(t, p))
	base := "http://" + s.Addr()
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/v1/state", ""},
		{"POST", "/api/v1/keys", `{"key":"ok"}`},
		{"DELETE", "/api/v1/pair", ""},
	} {
		if status, _, _ := call(t, "127.0.0.1", r.method, base+r.path+"?token="+pr.Token, "", r.body); status != http.StatusUnauthorized {
			t.Errorf("%s %s?token=: %d; want 401", r.method, r.path, status)
		}
		if status, _, _ := call(t, "127.0.0.1", r.method, base+r.path+"?access_token="+pr.Token, "", r.body); status != http.StatusUnauthorized {
			t.Errorf("%s %s?access_token=: %d; want 401", r.method, r.path, status)
		}
	}
	expectEvents(t, events)
	if _, ok := p.Check(pr.Token); !ok {
		t.Error("DELETE with the token in the URL unpaired the phone")
	}
}

// TestText: text for the field on screen, checked before the UI gets it.
func TestText(t *testing.T) {
	type typed struct {
		text   string
		submit bool
	}
	got := make(chan typed, 8)
	field := true
	s, p, _ := network(t, Config{Text: func(ctx context.Context, text string, submit bool) (bool, error) {
		if !field {
			return false, nil
		}
		got <- typed{text, submit}
		return true, nil
	}})
	_, pr, _ := pair(t, s, armed(t, p))
	url := "http://" + s.Addr() + "/api/v1/text"
	if status, _, _ := call(t, "127.0.0.1", "POST", url, "", `{"text":"news"}`); status != http.StatusUnauthorized {
		t.Errorf("text without a token: %d", status)
	}
	for _, c := range []struct {
		body   string
		status int
		want   *typed
	}{
		{`{"text":"서울 뉴스"}`, http.StatusNoContent, &typed{"서울 뉴스", false}},
		{`{"text":"https://tv.example/api","submit":true}`, http.StatusNoContent, &typed{"https://tv.example/api", true}},
		{`{"text":""}`, http.StatusNoContent, &typed{"", false}},
		{`{"text":"a\u0000b"}`, http.StatusBadRequest, nil},
		{`{"text":"a\nb"}`, http.StatusBadRequest, nil},
		{`{"text":"` + strings.Repeat("я", 201) + `"}`, http.StatusBadRequest, nil},
		{`{"text":1}`, http.StatusBadRequest, nil},
		{`{"text":`, http.StatusBadRequest, nil},
	} {
		status, _, body := call(t, "127.0.0.1", "POST", url, pr.Token, c.body)
		if status != c.status {
			t.Errorf("%.40s: %d %s; want %d", c.body, status, body, c.status)
		}
		if c.want != nil {
			select {
			case g := <-got:
				if g != *c.want {
					t.Errorf("%.40s: typed %+v; want %+v", c.body, g, *c.want)
				}
			default:
				t.Errorf("%.40s: nothing typed", c.body)
			}
		}
	}
	if len(got) != 0 {
		t.Errorf("bad bodies were typed: %d", len(got))
	}
	field = false
	if status, _, body := call(t, "127.0.0.1", "POST", url, pr.Token, `{"text":"x"}`); status != http.StatusConflict || !strings.Contains(body, "no text field") {
		t.Errorf("text with no field on screen: %d %s", status, body)
	}
}
