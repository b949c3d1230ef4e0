package headend

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/firmware"
	"github.com/manbang/manbang/operator"
)

func TestSessions(t *testing.T) {
	h := startServer(t, Config{})
	var sess operator.Session
	a := h.do(t, "POST", "/api/v1/sessions", `{"title_id":"doc-kimchi"}`)
	a.decode(t, 201, &sess)
	if sess.Kind != operator.StreamHLS || sess.ID == "" || sess.URL != h.url+"/media/doc-kimchi/index.m3u8" || sess.KeepaliveSec != 0 {
		t.Errorf("session %+v", sess)
	}
	if loc := a.header.Get("Location"); loc != "/api/v1/sessions/"+sess.ID {
		t.Errorf("Location %q", loc)
	}
	if h.sessions.len() != 1 {
		t.Errorf("%d sessions, want 1", h.sessions.len())
	}

	// The stream plays over HTTP from 127.0.0.1.
	out, err := exec.Command("ffprobe", "-v", "error", "-of", "json", "-show_streams", sess.URL).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", sess.URL, err)
	}
	var probe struct {
		Streams []struct {
			CodecName string `json:"codec_name"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &probe); err != nil || len(probe.Streams) != 2 ||
		probe.Streams[0].CodecName != "h264" || probe.Streams[1].CodecName != "mp3" {
		t.Errorf("ffprobe: %s, %v", out, err)
	}

	if a := h.do(t, "POST", "/api/v1/sessions/"+sess.ID+"/keepalive", ""); a.status != 204 {
		t.Errorf("keepalive: %d %s", a.status, a.body)
	}
	// Another box can neither keep alive nor end this session.
	other, _ := h.register(t, "TEST-0002")
	h.doToken(t, other, "POST", "/api/v1/sessions/"+sess.ID+"/keepalive", "").wantError(t, 404, "unknown session")
	h.doToken(t, other, "DELETE", "/api/v1/sessions/"+sess.ID, "").wantError(t, 404, "unknown session")

	if a := h.do(t, "DELETE", "/api/v1/sessions/"+sess.ID, ""); a.status != 204 || len(a.body) != 0 {
		t.Errorf("DELETE: %d %s", a.status, a.body)
	}
	h.do(t, "DELETE", "/api/v1/sessions/"+sess.ID, "").wantError(t, 404, "unknown session")
	h.do(t, "POST", "/api/v1/sessions/"+sess.ID+"/keepalive", "").wantError(t, 404, "unknown session")
}

func TestSessionErrors(t *testing.T) {
	h := startServer(t, Config{})
	tests := []struct {
		body   string
		status int
		want   string
	}{
		{`{"title_id":`, 400, "bad play request"},
		{`<html>`, 400, "bad play request"},
		{``, 400, "bad play request"},
		{`{}`, 400, "neither title_id nor channel_id"},
		{`{"title_id":"a","channel_id":"b"}`, 400, "both"},
		{`{"title_id":"nope"}`, 404, `unknown title "nope"`},
		{`{"title_id":"doc-kimchi","rtp_port":5004}`, 400, "rtp_port, start and stop are for channels"},
		{`{"channel_id":"mb-news","rtp_port":70000}`, 400, "not a UDP port"},
		{`{"channel_id":"kbs1"}`, 404, `unknown channel "kbs1"`},
		{`{"channel_id":"mb-news","start":"2026-11-23T20:00:00Z"}`, 404, "no catch-up"},
		{`{"title_id":"` + strings.Repeat("x", maxRequestBody) + `"}`, 400, "too large"},
	}
	for _, tt := range tests {
		h.do(t, "POST", "/api/v1/sessions", tt.body).wantError(t, tt.status, tt.want)
	}
}

func TestSessionStreamMissing(t *testing.T) {
	h := startServer(t, Config{Store: bigStore(t, 1), MediaDir: t.TempDir()})
	h.do(t, "POST", "/api/v1/sessions", `{"title_id":"t000"}`).wantError(t, 404, `stream missing for title "t000"`)
}

func TestPublicURL(t *testing.T) {
	h := startServer(t, Config{PublicURL: "http://box-gw.example:8080/iptv/"})
	var sess operator.Session
	h.do(t, "POST", "/api/v1/sessions", `{"title_id":"news-evening"}`).decode(t, 201, &sess)
	if want := "http://box-gw.example:8080/iptv/media/news-evening/index.m3u8"; sess.URL != want {
		t.Errorf("URL %q, want %q", sess.URL, want)
	}
	var ti operator.Title
	h.do(t, "GET", "/api/v1/titles/news-evening", "").decode(t, 200, &ti)
	if want := "http://box-gw.example:8080/iptv/media/news-evening/poster.jpg"; ti.PosterURL != want {
		t.Errorf("poster %q, want %q", ti.PosterURL, want)
	}
}

func TestSessionsExpire(t *testing.T) {
	ss := newSessions()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ss.now = func() time.Time { return now }
	old := ss.add(&session{device: "d", ttl: time.Hour})
	kept := ss.add(&session{device: "d", ttl: time.Hour})
	now = now.Add(50 * time.Minute)
	if !ss.keepalive(kept, "d") || ss.keepalive(kept, "e") {
		t.Fatal("keepalive")
	}
	now = now.Add(20 * time.Minute)
	gone := ss.expire(now)
	if len(gone) != 1 || gone[0].id != old || ss.len() != 1 || ss.remove(old, "d") != nil {
		t.Errorf("expired %v, %d sessions left", gone, ss.len())
	}
}

func TestMedia(t *testing.T) {
	h := startServer(t, Config{})
	for _, tt := range []struct{ path, ctype string }{
		{"/media/doc-kimchi/index.m3u8", "application/vnd.apple.mpegurl"},
		{"/media/doc-kimchi/seg_000.ts", "video/mp2t"},
		{"/media/doc-kimchi/poster.jpg", "image/jpeg"},
	} {
		a := h.doToken(t, "", "GET", tt.path, "")
		if a.status != 200 || a.header.Get("Content-Type") != tt.ctype || len(a.body) == 0 {
			t.Errorf("%s: %d %q %d bytes", tt.path, a.status, a.header.Get("Content-Type"), len(a.body))
		}
	}
	seg := h.doToken(t, "", "GET", "/media/doc-kimchi/seg_000.ts", "")
	if len(seg.body) < 188 || seg.body[0] != 0x47 || seg.body[188] != 0x47 {
		t.Errorf("segment is not MPEG-TS")
	}
	// Hidden, unknown, escaping and directory paths are all JSON 404s.
	hiddenDir := filepath.Join(demoDir, "media", ".tmp-x")
	os.MkdirAll(hiddenDir, 0o755)
	t.Cleanup(func() { os.RemoveAll(hiddenDir) })
	os.WriteFile(filepath.Join(hiddenDir, "index.m3u8"), []byte("#EXTM3U\n"), 0o644)
	for _, p := range []string{
		"/media/nope/index.m3u8",
		"/media/doc-kimchi/build.json",
		"/media/doc-kimchi",
		"/media/doc-kimchi/",
		"/media/.tmp-x/index.m3u8",
		"/media/%2e%2e/catalog.json",
		"/media/..%2fcatalog.json",
		"/media/doc-kimchi/..%2f..%2fcatalog.json",
	} {
		a := h.doToken(t, "", "GET", p, "")
		if a.status != 404 || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %q %s", p, a.status, a.header.Get("Content-Type"), a.body)
		}
	}
	// Errors that http.ServeContent writes by itself are JSON too.
	req, _ := http.NewRequest("GET", h.url+"/media/doc-kimchi/poster.jpg", nil)
	req.Header.Set("Range", "bytes=99999999-")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var e operator.Error
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != 416 || e.Error == "" {
		t.Errorf("bad range: %d, error %q", resp.StatusCode, e.Error)
	}
}

func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	h := startServer(t, Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	buf.Reset()
	h.do(t, "GET", "/api/v1/titles/nope", "")
	var line struct {
		Msg      string `json:"msg"`
		Method   string `json:"method"`
		Path     string `json:"path"`
		Status   int    `json:"status"`
		Duration *int64 `json:"duration"`
		Device   string `json:"device"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	if line.Msg != "request" || line.Method != "GET" || line.Path != "/api/v1/titles/nope" || line.Status != 404 ||
		line.Duration == nil || line.Device != h.dev {
		t.Errorf("log line %s", buf.String())
	}
}

func TestPanicIsJSON500(t *testing.T) {
	var buf bytes.Buffer
	h := recoverPanics(slog.New(slog.NewTextHandler(&buf, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	var e operator.Error
	if rec.Code != 500 || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error != "internal error" {
		t.Errorf("answer %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(buf.String(), "boom") {
		t.Errorf("panic not logged: %s", buf.String())
	}
}

func TestNewRejects(t *testing.T) {
	media := t.TempDir()
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{MediaDir: media}, "no catalog store"},
		{Config{Store: demoStore}, "no media directory"},
		{Config{Store: demoStore, MediaDir: filepath.Join(media, "nope")}, "media directory"},
		{Config{Store: demoStore, MediaDir: media, PublicURL: "box:8080"}, "public URL"},
		{Config{Store: demoStore, MediaDir: media, PublicURL: "ftp://x"}, "public URL"},
	} {
		if s, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			if s != nil {
				s.Close()
			}
			t.Errorf("New(%+v): error %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

// TestDocsListRoutes keeps docs/API.md true to the code: every route must
// appear there as "METHOD pattern".
func TestDocsListRoutes(t *testing.T) {
	doc, err := os.ReadFile("../docs/API.md")
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	var all []string
	for _, rt := range (&Server{}).routes() {
		all = append(all, rt.method+" "+rt.pattern)
	}
	// The firmware routes, which manbang-headend serve mounts beside the
	// API when its data directory has firmware.
	all = append(all, firmware.Routes...)
	for _, want := range all {
		routes[want] = true
		if !bytes.Contains(doc, []byte("### "+want+"\n")) {
			t.Errorf("docs/API.md has no section \"### %s\"", want)
		}
	}
	// And every endpoint section is a route.
	for _, line := range strings.Split(string(doc), "\n") {
		h, ok := strings.CutPrefix(line, "### ")
		if ok && strings.Contains(h, " /") && !routes[h] {
			t.Errorf("docs/API.md documents %q, which the server does not have", h)
		}
	}
}
