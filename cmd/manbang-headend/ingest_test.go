package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

// client registers with the head-end at base and returns a client of it.
func client(t *testing.T, base string) *operator.Client {
	t.Helper()
	c, err := operator.NewClient(operator.ClientConfig{BaseURL: base,
		Device: operator.DeviceRegistration{Serial: "CMD-TEST", Model: "test", Firmware: "0"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestIngest(t *testing.T) {
	for _, c := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s not installed", c)
		}
	}
	data := t.TempDir()
	clip := filepath.Join(t.TempDir(), "My Holiday.mp4")
	if out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=426x240:rate=25", "-f", "lavfi", "-i", "sine",
		"-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", clip).CombinedOutput(); err != nil {
		t.Fatalf("make clip: %v: %s", err, out)
	}
	var stderr strings.Builder
	err := run(context.Background(), []string{"ingest", clip, "--data", data, "--title", "My Holiday",
		"--title-ko", "나의 휴가", "--description", "Sea and sun.", "--category", "home", "--category-name", "Home videos",
		"--year", "2025", "--rating", "ALL", "--language", "ko"}, &stderr)
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr.String())
	}
	out := stderr.String()
	if !strings.Contains(out, "[########################################] 100% 0:02/0:02") ||
		!strings.Contains(out, `added "my-holiday"`) || !strings.Contains(out, "renditions 240p") {
		t.Errorf("output:\n%s", out)
	}
	// The same again is refused without --replace.
	if err := run(context.Background(), []string{"ingest", clip, "--data", data, "--title", "My Holiday"}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "exists") {
		t.Errorf("second ingest: %v", err)
	}

	s := start(t, "--addr", "127.0.0.1:0", "--data", data)
	c := client(t, s.url)
	ctx := context.Background()
	ti, err := c.Title(ctx, "my-holiday")
	if err != nil || ti.Name["ko"] != "나의 휴가" || ti.Name["en"] != "My Holiday" || ti.Description["en"] != "Sea and sun." ||
		ti.CategoryID != "home" || ti.DurationSec != 2 || ti.Year != 2025 || ti.PosterURL != s.url+"/media/my-holiday/poster.jpg" {
		t.Errorf("title %+v, %v", ti, err)
	}
	cats, _ := c.Categories(ctx)
	if len(cats.Categories) != 1 || cats.Categories[0].Name["en"] != "Home videos" {
		t.Errorf("categories %+v", cats)
	}
	sess, err := c.StartSession(ctx, operator.PlayRequest{TitleID: "my-holiday"})
	if err != nil || sess.URL != s.url+"/media/my-holiday/index.m3u8" {
		t.Fatalf("session %+v, %v", sess, err)
	}
	probe, err := exec.Command("ffprobe", "-v", "error", "-of", "json", "-show_streams", sess.URL).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", sess.URL, err)
	}
	if !strings.Contains(string(probe), `"codec_name": "h264"`) || !strings.Contains(string(probe), `"codec_name": "aac"`) {
		t.Errorf("ffprobe: %s", probe)
	}
}

func TestImportEPG(t *testing.T) {
	data := t.TempDir()
	store, err := catalog.Open(filepath.Join(data, catalog.FileName))
	if err != nil {
		t.Fatal(err)
	}
	store.PutChannel(context.Background(), catalog.Channel{Channel: operator.Channel{ID: "kbs1", Number: 9, Name: operator.Text{"ko": "KBS 1TV"}}})
	store.Close()
	now := time.Now().Truncate(time.Hour)
	guide := `<tv><channel id="kbs1"/>` +
		`<programme start="` + now.Format("20060102150405 -0700") + `" stop="` + now.Add(time.Hour).Format("20060102150405 -0700") + `" channel="kbs1"><title lang="ko">뉴스</title></programme>` +
		`<programme start="bad" channel="kbs1"><title>x</title></programme></tv>`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/guide.xml" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, guide)
	}))
	defer ts.Close()
	var stderr strings.Builder
	if err := run(context.Background(), []string{"import-epg", "--data", data, ts.URL + "/guide.xml"}, &stderr); err != nil {
		t.Fatalf("import-epg: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "imported 1 programmes of 1 channels (1 skipped)") || !strings.Contains(stderr.String(), "skipped: line 1") {
		t.Errorf("output:\n%s", stderr.String())
	}
	file := filepath.Join(t.TempDir(), "guide.xml")
	os.WriteFile(file, []byte(guide), 0o644)
	if err := run(context.Background(), []string{"import-epg", file, "--data", data}, io.Discard); err != nil {
		t.Errorf("from a file: %v", err)
	}
	if err := run(context.Background(), []string{"import-epg", "--data", data, ts.URL + "/nope"}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "404") {
		t.Errorf("missing URL: %v", err)
	}

	s := start(t, "--addr", "127.0.0.1:0", "--data", data)
	g, err := client(t, s.url).Guide(context.Background(), []string{"kbs1"}, now, now.Add(time.Hour))
	if err != nil || len(g.Programmes) != 1 || g.Programmes[0].Title["ko"] != "뉴스" {
		t.Errorf("guide %+v, %v", g, err)
	}
}

func TestMigrateJSON(t *testing.T) {
	data := t.TempDir()
	js := `{"categories":[{"id":"docs","name":{"en":"Docs"}}],"titles":[{"id":"a","category_id":"docs","name":{"en":"A"}}]}`
	if err := os.WriteFile(filepath.Join(data, catalog.JSONFileName), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	s := start(t, "--addr", "127.0.0.1:0", "--data", data)
	if n := healthz(t, s.url); n != 1 {
		t.Errorf("%d titles, want 1", n)
	}
	if !strings.Contains(strings.Join(s.lines, "\n"), "migrated 1 titles from") {
		t.Errorf("output:\n%s", strings.Join(s.lines, "\n"))
	}
	s.stop(t)
	if _, err := os.Stat(filepath.Join(data, catalog.FileName)); err != nil {
		t.Errorf("no database after migration: %v", err)
	}
	// The database is used from now on, not the JSON file.
	os.WriteFile(filepath.Join(data, catalog.JSONFileName), []byte(`garbage`), 0o644)
	s = start(t, "--addr", "127.0.0.1:0", "--data", data)
	var h struct{ Titles int }
	resp, err := http.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if h.Titles != 1 {
		t.Errorf("after migration: %d titles", h.Titles)
	}
}
