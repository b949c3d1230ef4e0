package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/catalog"
)

func TestTable(t *testing.T) {
	cats, titles, err := Table()
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) < 6 || len(titles) < 40 {
		t.Fatalf("table has %d categories and %d titles, want at least 6 and 40", len(cats), len(titles))
	}
	if _, err := catalog.New(cats, titles); err != nil {
		t.Fatalf("table is not a valid catalog: %v", err)
	}
	perCat := map[string]int{}
	for _, ti := range titles {
		perCat[ti.CategoryID]++
		for _, lang := range []string{"ko", "en", "ru"} {
			if ti.Name[lang] == "" || ti.Description[lang] == "" {
				t.Errorf("title %s: no name or description in %s", ti.ID, lang)
			}
		}
		if ti.Year < 1900 || ti.Language == "" {
			t.Errorf("title %s: year %d, language %q", ti.ID, ti.Year, ti.Language)
		}
		switch ti.Rating {
		case "ALL", "12", "15", "19":
		default:
			t.Errorf("title %s: rating %q", ti.ID, ti.Rating)
		}
	}
	tab, _ := loadTable()
	for _, c := range tab.Categories {
		if perCat[c.ID] == 0 || c.Pattern == "" {
			t.Errorf("category %s: %d titles, pattern %q", c.ID, perCat[c.ID], c.Pattern)
		}
		for _, lang := range []string{"ko", "en", "ru"} {
			if c.Name[lang] == "" {
				t.Errorf("category %s: no name in %s", c.ID, lang)
			}
		}
	}
}

func TestSelectTitles(t *testing.T) {
	tab, err := loadTable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ n, want, cats int }{
		{0, len(tab.Titles), len(tab.Categories)},
		{1, 1, 1},
		{3, 3, 3},
		{len(tab.Categories) + 2, len(tab.Categories) + 2, len(tab.Categories)},
		{1000, len(tab.Titles), len(tab.Categories)},
	}
	for _, tt := range tests {
		jobs := selectTitles(tab, tt.n)
		cats := map[string]bool{}
		last := -1
		for _, j := range jobs {
			cats[j.cat.ID] = true
			if j.index <= last {
				t.Errorf("n=%d: jobs not in table order", tt.n)
			}
			last = j.index
		}
		if len(jobs) != tt.want || len(cats) != tt.cats {
			t.Errorf("n=%d: %d titles in %d categories, want %d in %d", tt.n, len(jobs), len(cats), tt.want, tt.cats)
		}
	}
}

func TestEscapeFilterArg(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a:b", `a\\:b`},
		{"it's", `it\\\'s`},
		{"one, two", `one\, two`},
		{"[x];y", `\[x\]\;y`},
		{`back\slash`, `back\\\\slash`},
		{"100% 한글", "100% 한글"},
		{"/usr/share/fonts/a.ttf", "/usr/share/fonts/a.ttf"},
	}
	for _, tt := range tests {
		if got := escapeFilterArg(tt.in); got != tt.want {
			t.Errorf("escapeFilterArg(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, cmd := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(cmd); err != nil {
			t.Skipf("%s not installed", cmd)
		}
	}
}

// TestDrawtextKeepsText checks that escaped names reach drawtext intact: a
// frame drawn from the escaped text must equal one drawn from the same text
// read from a file, which involves no escaping at all.
func TestDrawtextKeepsText(t *testing.T) {
	needFFmpeg(t)
	font := findFont()
	dir := t.TempDir()
	render := func(filter string) []byte {
		t.Helper()
		out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
			"-f", "lavfi", "-i", "color=black:size=480x48:rate=1", "-vf", filter,
			"-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-").Output()
		if err != nil {
			t.Fatalf("ffmpeg -vf %s: %v", filter, err)
		}
		return out
	}
	blank := render("null")
	names := []string{
		`Grandma's Kimchi: "Secrets", Stories, and Recipes`,
		`할머니의 김치: "비밀", 이야기, 그리고 레시피`,
		`a\b [x];y=1 %{pts} 100% 'q'`,
		`Бабушкино кимчи: «секреты»`,
	}
	for i, name := range names {
		file := filepath.Join(dir, strings.Repeat("n", i+1)+".txt")
		if err := os.WriteFile(file, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		got := render(drawtext(font, name, 20, "white", "4", "12"))
		want := render(strings.Replace(drawtext(font, "x", 20, "white", "4", "12"),
			"text=x", "textfile="+escapeFilterArg(file), 1))
		if bytes.Equal(want, blank) {
			t.Fatalf("%q: reference frame is blank", name)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%q: drawn text differs from the text itself", name)
		}
	}
}

// probe is what ffprobe says about a playlist.
type probe struct {
	Streams []struct {
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
		SampleHz  string `json:"sample_rate"`
		Channels  int    `json:"channels"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func ffprobe(t *testing.T, path string) probe {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-of", "json", "-show_streams", "-show_format", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildAndCache(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	opts := Options{Titles: 2, Channels: -1, Duration: 4 * time.Second, Width: 320, Height: 180}
	var progress bytes.Buffer
	opts.Progress = &progress
	store, err := Build(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if store.Len() != 2 {
		t.Fatalf("store has %d titles, want 2", store.Len())
	}
	titles, _, _ := store.Titles(context.Background(), "", 0, 10)
	cats, _ := store.Categories(context.Background())
	if len(cats) != 2 {
		t.Errorf("store has %d categories, want the 2 of its titles", len(cats))
	}
	for _, ti := range titles {
		if ti.DurationSec != 4 || ti.PosterURL != ti.ID+"/poster.jpg" {
			t.Errorf("title %s: duration %d, poster %q", ti.ID, ti.DurationSec, ti.PosterURL)
		}
		media := filepath.Join(dir, "media", ti.ID)
		p := ffprobe(t, filepath.Join(media, catalog.PlaylistName))
		if len(p.Streams) != 2 || p.Streams[0].CodecName != "h264" || p.Streams[0].Width != 320 ||
			p.Streams[0].Height != 180 || p.Streams[1].CodecName != "mp3" ||
			p.Streams[1].SampleHz != "48000" || p.Streams[1].Channels != 2 {
			t.Errorf("title %s: streams %+v", ti.ID, p.Streams)
		}
		if !strings.HasPrefix(p.Format.Duration, "4.") && !strings.HasPrefix(p.Format.Duration, "3.9") {
			t.Errorf("title %s: duration %s, want about 4s", ti.ID, p.Format.Duration)
		}
		f, err := os.Open(filepath.Join(media, catalog.PosterName))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != posterWidth || cfg.Height != posterHeight {
			t.Errorf("title %s: poster %dx%d, %v", ti.ID, cfg.Width, cfg.Height, err)
		}
	}
	// The tricky name is the first title of the table, so it was built.
	if ti, err := store.Title(context.Background(), "doc-kimchi"); err != nil || !strings.Contains(ti.Name["en"], `"Secrets",`) {
		t.Errorf("doc-kimchi: %+v, %v", ti, err)
	}
	if lines := strings.Split(strings.TrimSpace(progress.String()), "\n"); len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "[1/2] ") || !strings.HasPrefix(lines[1], "[2/2] ") || strings.Contains(progress.String(), "cached") {
		t.Errorf("progress:\n%s", progress.String())
	}
	if saved, err := catalog.Open(filepath.Join(dir, catalog.FileName)); err != nil || saved.Len() != 2 {
		t.Errorf("saved catalog: %v", err)
	} else {
		saved.Close()
	}

	// A second build runs no ffmpeg: it would fail with this one.
	progress.Reset()
	opts.FFmpeg = filepath.Join(dir, "no-such-ffmpeg")
	if s, err := Build(context.Background(), dir, opts); err != nil {
		t.Fatalf("cached build: %v", err)
	} else {
		s.Close()
	}
	if n := strings.Count(progress.String(), "cached\n"); n != 2 {
		t.Errorf("cached build progress:\n%s", progress.String())
	}

	// A title whose media is stale is built again, and only that one.
	stale := filepath.Join(dir, "media", titles[1].ID, stampName)
	if err := os.Remove(stale); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), dir, opts); err == nil || !strings.Contains(err.Error(), titles[1].ID) {
		t.Errorf("stale title with no ffmpeg: error %v, want one naming %s", err, titles[1].ID)
	}
	progress.Reset()
	opts.FFmpeg = ""
	if s, err := Build(context.Background(), dir, opts); err != nil {
		t.Fatal(err)
	} else {
		s.Close()
	}
	if n := strings.Count(progress.String(), "cached\n"); n != 1 {
		t.Errorf("rebuild progress:\n%s", progress.String())
	}
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("rebuilt title has no stamp: %v", err)
	}
}

func TestBuildFFmpegFails(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "ffmpeg")
	script := "#!/bin/sh\necho 'early noise' >&2\necho '[Parsed_drawtext_2] Could not load font' >&2\necho 'Error initializing filter' >&2\nexit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Build(context.Background(), dir, Options{Titles: 1, Channels: -1, FFmpeg: fake})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`"doc-kimchi"`, "Grandma's Kimchi", "exit status 1", "Could not load font", "Error initializing filter"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "media"))
	if len(entries) != 0 {
		t.Errorf("failed build left %d entries in media", len(entries))
	}
}

func TestBuildIgnoresIncompleteMedia(t *testing.T) {
	dir := t.TempDir()
	media := filepath.Join(dir, "media", "doc-kimchi")
	if err := os.MkdirAll(media, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(media, catalog.PlaylistName), []byte("#EXTM3U\n"), 0o644)
	old := filepath.Join(dir, "media", tempPrefix+"doc-kimchi-123")
	os.MkdirAll(old, 0o755)
	hourAgo := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, hourAgo, hourAgo)

	_, err := Build(context.Background(), dir, Options{Titles: 1, Channels: -1, FFmpeg: filepath.Join(dir, "no-such-ffmpeg")})
	if err == nil || !strings.Contains(err.Error(), "doc-kimchi") {
		t.Errorf("error %v, want one naming doc-kimchi", err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stale temporary directory not removed: %v", err)
	}
}

func TestBuildCanceled(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Build(ctx, dir, Options{Titles: 3})
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("error %v, want interrupted", err)
	}
	if _, err := os.Stat(filepath.Join(dir, catalog.FileName)); !os.IsNotExist(err) {
		t.Errorf("canceled build wrote a catalog")
	}
}

func TestOptionsRejected(t *testing.T) {
	for _, o := range []Options{
		{Width: 321, Height: 180},
		{Width: 32, Height: 32},
		{Duration: time.Millisecond},
		{Titles: -1},
	} {
		if s, err := Build(context.Background(), t.TempDir(), o); err == nil {
			s.Close()
			t.Errorf("Build with %+v: no error", o)
		}
	}
}
