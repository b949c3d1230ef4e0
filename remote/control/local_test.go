package control

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/manbang/manbang/remote"
)

// TestLoopbackRefusesWebPages: a web page in the box's browser (or one
// that rebinds its DNS name to 127.0.0.1) must not press keys. The
// endpoint takes only a loopback Host, no Origin but its own, and JSON
// bodies only, so a text/plain form POST fails.
func TestLoopbackRefusesWebPages(t *testing.T) {
	events := make(chan remote.Event, 16)
	s := start(t, events)
	_, port, _ := strings.Cut(s.Addr(), ":")
	cases := []struct {
		name        string
		method      string
		host        string
		origin      string
		contentType string
		status      int
	}{
		{"json from a tool", "POST", "", "", "application/json", http.StatusNoContent},
		{"json with charset", "POST", "", "", "application/json; charset=utf-8", http.StatusNoContent},
		{"localhost", "POST", "localhost:" + port, "", "application/json", http.StatusNoContent},
		{"ipv6 loopback", "POST", "[::1]:" + port, "", "application/json", http.StatusNoContent},
		{"its own origin", "POST", "", "http://" + s.Addr(), "application/json", http.StatusNoContent},
		{"a text/plain form post", "POST", "", "", "text/plain", http.StatusUnsupportedMediaType},
		{"a urlencoded form post", "POST", "", "", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"no content type", "POST", "", "", "", http.StatusUnsupportedMediaType},
		{"a rebound DNS name", "POST", "evil.example:" + port, "", "application/json", http.StatusForbidden},
		{"a rebound name reading state", "GET", "evil.example:" + port, "", "", http.StatusForbidden},
		{"a LAN address", "GET", "192.0.2.1:" + port, "", "", http.StatusForbidden},
		{"a foreign origin", "POST", "", "http://evil.example", "application/json", http.StatusForbidden},
		{"a foreign origin reading state", "GET", "", "http://evil.example", "", http.StatusForbidden},
		{"a null origin", "POST", "", "null", "application/json", http.StatusForbidden},
		{"another port's origin", "POST", "", "http://127.0.0.1:1", "application/json", http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := "/api/v1/state"
			var body io.Reader
			if c.method == "POST" {
				path, body = "/api/v1/keys", strings.NewReader(`{"key":"ok"}`)
			}
			req, _ := http.NewRequest(c.method, "http://"+s.Addr()+path, body)
			if c.host != "" {
				req.Host = c.host
			}
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := c.status
			if c.method == "GET" && want == http.StatusNoContent {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Errorf("status %d (%s), want %d", resp.StatusCode, b, want)
			}
			if want >= 400 && !strings.Contains(string(b), `"error"`) {
				t.Errorf("error body %q has no error field", b)
			}
			for len(events) > 0 {
				<-events
			}
		})
	}
}
