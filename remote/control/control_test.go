package control

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/manbang/manbang/remote"
)

func start(t *testing.T, events chan remote.Event) *Server {
	t.Helper()
	s, err := Listen(Config{
		Addr:   "127.0.0.1:0",
		Events: events,
		State:  func() any { return map[string]string{"screen": "home"} },
		Screenshot: func(ctx context.Context) (*image.RGBA, error) {
			img := image.NewRGBA(image.Rect(0, 0, 4, 3))
			img.Set(1, 1, color.RGBA{255, 0, 0, 255})
			return img, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestKeys(t *testing.T) {
	events := make(chan remote.Event, 16)
	s := start(t, events)
	cases := []struct {
		body   string
		status int
		keys   []remote.Key
	}{
		{`{"key":"ok"}`, http.StatusNoContent, []remote.Key{remote.KeyOK}},
		{`{"keys":["down","down","back"]}`, http.StatusNoContent, []remote.Key{remote.KeyDown, remote.KeyDown, remote.KeyBack}},
		{`{"key":"launch"}`, http.StatusBadRequest, nil},
		{`{}`, http.StatusBadRequest, nil},
		{`not json`, http.StatusBadRequest, nil},
	}
	for _, c := range cases {
		resp, err := http.Post("http://"+s.Addr()+"/api/v1/keys", "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d (%s), want %d", c.body, resp.StatusCode, body, c.status)
		}
		if c.status != http.StatusNoContent && !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s: error body %q has no error field", c.body, body)
		}
		for _, k := range c.keys {
			for _, a := range []remote.Action{remote.Press, remote.Release} {
				ev := <-events
				if ev.Key != k || ev.Action != a || ev.Source != "control" {
					t.Errorf("%s: got %v %v from %s, want %v %v", c.body, ev.Key, ev.Action, ev.Source, k, a)
				}
			}
		}
		if len(events) != 0 {
			t.Errorf("%s: %d unexpected events", c.body, len(events))
		}
	}
}

func TestStateAndScreenshot(t *testing.T) {
	s := start(t, make(chan remote.Event, 1))
	resp, err := http.Get("http://" + s.Addr() + "/api/v1/state")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"screen":"home"`) {
		t.Errorf("state = %s", body)
	}
	resp, err = http.Get("http://" + s.Addr() + "/api/v1/screenshot.png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if r, _, _, _ := img.At(1, 1).RGBA(); r>>8 != 255 || img.Bounds().Dx() != 4 {
		t.Errorf("screenshot content wrong: %v at (1,1), %v", img.At(1, 1), img.Bounds())
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:80", "nonsense"} {
		if s, err := Listen(Config{Addr: addr}); err == nil {
			s.Close()
			t.Errorf("Listen(%q) succeeded; want a refusal", addr)
		}
	}
}
