package headend

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/demo"
	"github.com/manbang/manbang/operator"
)

// demoDir holds the tiny demo catalog that all tests of the package share,
// built once by TestMain: 3 titles and 2 channels.
var (
	demoDir   string
	demoStore *catalog.Store
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		fmt.Fprintln(os.Stderr, "headend tests need ffmpeg:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "headend-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	demoStore, err = demo.Build(ctx, dir, demo.Options{Titles: 3, Channels: 2, Duration: 4 * time.Second, Width: 320, Height: 180})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer demoStore.Close()
	demoDir = dir
	return m.Run()
}

// testServer is a head-end on 127.0.0.1 and the token of a box
// registered with it.
type testServer struct {
	*Server
	ts    *httptest.Server
	url   string
	token string
	dev   string
}

// startServer serves cfg (the demo catalog by default) on 127.0.0.1 until
// the test ends, and registers a box.
func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = demoStore
		cfg.MediaDir = filepath.Join(demoDir, catalog.MediaDirName)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	h := &testServer{Server: s, ts: ts, url: ts.URL}
	h.token, h.dev = h.register(t, "TEST-0001")
	return h
}

// register registers a box with serial, and a device key of its own, and
// returns its token and ID.
func (h *testServer) register(t *testing.T, serial string) (token, id string) {
	t.Helper()
	body := `{"serial":"` + serial + `","model":"test","firmware":"0.1","enrolment_secret":"` + h.secret +
		`","device_key":"key-of-` + serial + strings.Repeat("k", 32) + `"}`
	var d operator.Device
	h.doToken(t, "", "POST", "/api/v1/devices", body).decode(t, 201, &d)
	return d.Token, d.ID
}

// answer is an HTTP answer read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with the box's token to path of the server.
func (h *testServer) do(t *testing.T, method, path, body string) answer {
	t.Helper()
	return h.doToken(t, h.token, method, path, body)
}

// doToken sends a request with token, if not "", to path of the server.
func (h *testServer) doToken(t *testing.T, token, method, path, body string, header ...string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	url := path
	if strings.HasPrefix(path, "/") {
		url = h.url + path
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// decode checks that a is JSON with the given status and decodes it into v.
func (a answer) decode(t *testing.T, status int, v any) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON", ct)
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("body %s: %v", a.body, err)
	}
}

// wantError checks that a is an operator.Error with the given status whose
// message contains want.
func (a answer) wantError(t *testing.T, status int, want string) {
	t.Helper()
	var e operator.Error
	a.decode(t, status, &e)
	if !strings.Contains(e.Error, want) {
		t.Errorf("error %q does not contain %q", e.Error, want)
	}
}

// bigStore is a catalog of n titles in one category, without media.
func bigStore(t *testing.T, n int) *catalog.Store {
	t.Helper()
	cats := []operator.Category{{ID: "c", Name: operator.Text{"en": "C"}}}
	var titles []operator.Title
	for i := range n {
		titles = append(titles, operator.Title{
			ID: fmt.Sprintf("t%03d", i), CategoryID: "c",
			Name: operator.Text{"en": fmt.Sprintf("Title %d", i)},
		})
	}
	s, err := catalog.New(cats, titles)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// catalogChannel is a channel without multicast group.
func catalogChannel(id string, number int) catalog.Channel {
	return catalog.Channel{Channel: operator.Channel{ID: id, Number: number, Name: operator.Text{"en": id}}}
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
