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
// built once by TestMain.
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
	demoStore, err = demo.Build(ctx, dir, demo.Options{Titles: 3, Duration: 4 * time.Second, Width: 320, Height: 180})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	demoDir = dir
	return m.Run()
}

// startServer serves cfg (the demo catalog by default) on 127.0.0.1 until
// the test ends.
func startServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
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
	return s, ts
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
	return s
}

// answer is an HTTP answer read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request to the test server and reads the answer.
func do(t *testing.T, method, url, body string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
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
