package operator_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/headend"
	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/headend/demo"
	"github.com/manbang/manbang/operator"
)

// The real head-end of the tests serves a tiny demo catalog. It is started
// by the first test that needs it and stopped by TestMain.
var (
	headendOnce    sync.Once
	headendAddr    string // its base URL
	headendErr     error
	headendCleanup []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range slices.Backward(headendCleanup) {
		f()
	}
	os.Exit(code)
}

// startHeadend starts the shared head-end, or fails the test if it cannot.
func startHeadend(t *testing.T) string {
	t.Helper()
	headendOnce.Do(func() { headendAddr, headendErr = newHeadend() })
	if headendErr != nil {
		t.Fatalf("start the demo head-end: %v", headendErr)
	}
	return headendAddr
}

func newHeadend() (string, error) {
	dir, err := os.MkdirTemp("", "operator-test-")
	if err != nil {
		return "", err
	}
	headendCleanup = append(headendCleanup, func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store, err := demo.Build(ctx, dir, demo.Options{Titles: 3, Channels: 2, Duration: 2 * time.Second, Width: 320, Height: 180})
	if err != nil {
		return "", err
	}
	headendCleanup = append(headendCleanup, func() { store.Close() })
	srv, err := headend.New(headend.Config{
		Store:    store,
		MediaDir: filepath.Join(dir, catalog.MediaDirName),
		Logger:   slog.New(slog.DiscardHandler),
		// The session answers name the channels' groups; nothing is sent.
		Multicast: true,
	})
	if err != nil {
		return "", err
	}
	ts := httptest.NewServer(srv.Handler())
	headendCleanup = append(headendCleanup, func() { srv.Close() }, ts.Close)
	return ts.URL, nil
}

func newClient(t *testing.T, cfg operator.ClientConfig) *operator.Client {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = startHeadend(t)
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	c, err := operator.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func titleIDs(p operator.TitlePage) string {
	var ids []string
	for _, t := range p.Titles {
		ids = append(ids, t.ID)
	}
	return strings.Join(ids, ",")
}

func TestClientCatalog(t *testing.T) {
	c := newClient(t, operator.ClientConfig{})
	ctx := context.Background()

	list, err := c.Categories(ctx)
	cats := list.Categories
	if err != nil || len(cats) != 3 || cats[0].ID != "docs" || cats[0].Name.In("ko") != "다큐멘터리" {
		t.Errorf("Categories = %+v, %v", cats, err)
	}

	tests := []struct {
		cat           string
		offset, limit int
		ids           string
		total         int
	}{
		{"", 0, 0, "doc-kimchi,news-evening,film-last-train", 3},
		{"films", 0, 0, "film-last-train", 1},
		{"", 1, 1, "news-evening", 3},
		{"", 10, 5, "", 3},
	}
	for _, tt := range tests {
		p, err := c.Titles(ctx, tt.cat, tt.offset, tt.limit)
		if err != nil || titleIDs(p) != tt.ids || p.Total != tt.total || p.Offset != tt.offset || p.Titles == nil {
			t.Errorf("Titles(%q, %d, %d) = %s total %d offset %d, %v", tt.cat, tt.offset, tt.limit, titleIDs(p), p.Total, p.Offset, err)
		}
	}

	ti, err := c.Title(ctx, "doc-kimchi")
	if err != nil || ti.Name.In("en") != `Grandma's Kimchi: "Secrets", Stories, and Recipes` ||
		ti.PosterURL != startHeadend(t)+"/media/doc-kimchi/poster.jpg" {
		t.Errorf("Title = %+v, %v", ti, err)
	}

	for _, tt := range []struct{ q, lang, ids string }{
		{"kimchi", "en", "doc-kimchi"},
		{"김치", "ko", "doc-kimchi"},
		{"новости", "ru", "news-evening"},
		{"nothing like it", "", ""},
	} {
		p, err := c.Search(ctx, tt.q, tt.lang)
		if err != nil || titleIDs(p) != tt.ids {
			t.Errorf("Search(%q, %q) = %s, %v", tt.q, tt.lang, titleIDs(p), err)
		}
	}
}

func TestClientNotFound(t *testing.T) {
	c := newClient(t, operator.ClientConfig{})
	_, err := c.Title(context.Background(), "no such/title")
	var apiErr *operator.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || !operator.IsNotFound(err) {
		t.Fatalf("error %v, want a 404 APIError", err)
	}
	want := `operator: GET ` + startHeadend(t) + `/api/v1/titles/no%20such%2Ftitle: unknown title "no such/title" (404 Not Found)`
	if err.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", err, want)
	}
	if _, err := c.Titles(context.Background(), "nope", 0, 0); !operator.IsNotFound(err) {
		t.Errorf("unknown category: %v", err)
	}
}

func TestClientSessions(t *testing.T) {
	c := newClient(t, operator.ClientConfig{})
	ctx := context.Background()
	s, err := c.StartSession(ctx, operator.PlayRequest{TitleID: "news-evening"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != operator.StreamHLS || s.URL != startHeadend(t)+"/media/news-evening/index.m3u8" {
		t.Errorf("session %+v", s)
	}
	resp, err := http.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "#EXTM3U") {
		t.Errorf("playlist: %d %q", resp.StatusCode, body)
	}
	if err := c.EndSession(ctx, s.ID); err != nil {
		t.Errorf("EndSession: %v", err)
	}
	if err := c.EndSession(ctx, s.ID); !operator.IsNotFound(err) {
		t.Errorf("second EndSession: %v, want 404", err)
	}

	for _, tt := range []struct {
		req    operator.PlayRequest
		status int
		want   string
	}{
		{operator.PlayRequest{TitleID: "nope"}, 404, `unknown title "nope"`},
		{operator.PlayRequest{}, 400, "neither title_id nor channel_id"},
		{operator.PlayRequest{ChannelID: "kbs1"}, 404, `unknown channel "kbs1"`},
	} {
		_, err := c.StartSession(ctx, tt.req)
		var apiErr *operator.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != tt.status || !strings.Contains(apiErr.Message, tt.want) {
			t.Errorf("StartSession(%+v): %v, want %d %q", tt.req, err, tt.status, tt.want)
		}
	}
}

func TestNewClientRejects(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8080", "ftp://127.0.0.1", "http://", "http://127.0.0.1/?a=b", ":"} {
		if _, err := operator.NewClient(operator.ClientConfig{BaseURL: u}); err == nil {
			t.Errorf("NewClient(%q): no error", u)
		}
	}
}

func TestClientBasePath(t *testing.T) {
	var got string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.String()
		w.Write([]byte(`{"categories":[]}`))
	}))
	defer ts.Close()
	c := newClient(t, operator.ClientConfig{BaseURL: ts.URL + "/iptv/"})
	list, err := c.Categories(context.Background())
	if err != nil || list.Categories == nil || got != "/iptv/api/v1/categories" {
		t.Errorf("Categories = %v, %v; request %q", list, err, got)
	}
}

// The device token goes only over TLS, or to a head-end on this machine.
func TestNewClientRefusesPlainHTTP(t *testing.T) {
	tests := []struct {
		url      string
		insecure bool
	}{
		{"http://10.0.0.1:8080", true},
		{"http://operator.example.net", true},
		{"http://127.0.0.1:8080", false},
		{"http://127.8.9.10:8080/api", false},
		{"http://[::1]:8080", false},
		{"http://localhost:8080", false},
		{"https://operator.example.net", false},
		{"https://10.0.0.1:8443", false},
	}
	for _, tt := range tests {
		_, err := operator.NewClient(operator.ClientConfig{BaseURL: tt.url})
		if got := errors.Is(err, operator.ErrInsecure); got != tt.insecure {
			t.Errorf("NewClient(%q) = %v, want insecure %v", tt.url, err, tt.insecure)
		}
		if !tt.insecure && err != nil {
			t.Errorf("NewClient(%q) = %v", tt.url, err)
		}
	}
}
