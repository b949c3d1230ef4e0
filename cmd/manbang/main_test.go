package main

// End-to-end tests of the box: the real binaries, the real head-end serving
// demo content made by the ffmpeg CLI, on 127.0.0.1. The UI test needs a
// display; `make test` provides Xvfb with Mesa's software GL.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player"
)

var (
	binDir  string
	headend struct {
		once sync.Once
		url  string
		err  error
	}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "manbang-e2e-bin")
	if err != nil {
		panic(err)
	}
	binDir = dir
	build := exec.Command("go", "build", "-o", binDir+"/", "github.com/manbang/manbang/cmd/manbang", "github.com/manbang/manbang/cmd/manbang-headend")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build binaries:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// demo title geometry, as asked of the head-end below.
const (
	demoSeconds = 6
	demoFPS     = 25
	demoW       = 640
	demoH       = 360
)

// startHeadend runs one head-end with a small demo catalogue for the whole
// test binary. Its content is cached across runs in the temp directory.
func startHeadend(t *testing.T) string {
	t.Helper()
	headend.once.Do(func() {
		data := filepath.Join(os.TempDir(), "manbang-e2e-demo")
		cmd := exec.Command(filepath.Join(binDir, "manbang-headend"), "--demo", "--demo-titles", "3",
			"--demo-duration", fmt.Sprintf("%ds", demoSeconds), "--addr", "127.0.0.1:0", "--data", data)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			headend.err = err
			return
		}
		if err := cmd.Start(); err != nil {
			headend.err = err
			return
		}
		line := waitLine(stderr, regexp.MustCompile(`serving .* on (http://\S+)`), 5*time.Minute)
		if line == nil {
			cmd.Process.Kill()
			headend.err = fmt.Errorf("head-end did not report it was serving")
			return
		}
		headend.url = line[1]
		// The process ends with the test binary.
	})
	if headend.err != nil {
		t.Fatal(headend.err)
	}
	return headend.url
}

// waitLine reads r until a line matches re, and keeps draining r afterwards
// so the writer never blocks.
func waitLine(r io.Reader, re *regexp.Regexp, timeout time.Duration) []string {
	found := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sent := false
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case m := <-found:
		return m
	case <-time.After(timeout):
		return nil
	}
}

// firstTitleURL asks the head-end for a session and returns its stream URL.
func firstTitleURL(t *testing.T, base string) string {
	t.Helper()
	c, err := operator.NewClient(operator.ClientConfig{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cats, err := c.Categories(ctx)
	if err != nil || len(cats.Categories) == 0 {
		t.Fatalf("categories: %v (%d)", err, len(cats.Categories))
	}
	page, err := c.Titles(ctx, cats.Categories[0].ID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Titles) == 0 {
		t.Fatal("head-end has no titles")
	}
	s, err := c.StartSession(ctx, operator.PlayRequest{TitleID: page.Titles[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	return s.URL
}

// runPlay runs `manbang play --headless --json ARGS` and returns its stats,
// stderr and exit error.
func runPlay(t *testing.T, args ...string) (player.Stats, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "manbang"), append([]string{"play", "--headless", "--json"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("manbang play %v did not end within 2 minutes", args)
	}
	var st player.Stats
	if stdout.Len() > 0 {
		if jerr := json.Unmarshal(stdout.Bytes(), &st); jerr != nil {
			t.Fatalf("stdout is not one JSON object: %v\n%s", jerr, stdout.String())
		}
	}
	if strings.Contains(stderr.String(), "panic") || strings.Contains(stderr.String(), "goroutine ") {
		t.Fatalf("manbang play %v crashed:\n%s", args, stderr.String())
	}
	return st, stderr.String(), err
}

func TestHeadlessPlaysHLS(t *testing.T) {
	url := firstTitleURL(t, startHeadend(t))
	for _, mode := range []struct {
		name string
		args []string
	}{
		{"fast", []string{"--fast"}},
		{"paced", nil},
	} {
		t.Run(mode.name, func(t *testing.T) {
			st, stderr, err := runPlay(t, append(mode.args, url)...)
			if err != nil {
				t.Fatalf("play failed: %v\n%s", err, stderr)
			}
			want := demoSeconds * demoFPS
			if st.VideoFrames != want || st.Width != demoW || st.Height != demoH {
				t.Errorf("got %d frames of %dx%d, want %d of %dx%d", st.VideoFrames, st.Width, st.Height, want, demoW, demoH)
			}
			if st.PresentedFrames+st.DroppedFrames != st.VideoFrames {
				t.Errorf("presented %d + dropped %d != decoded %d", st.PresentedFrames, st.DroppedFrames, st.VideoFrames)
			}
			if st.VideoCodec != "h264" || st.AudioCodec != "mp3" || st.DecodeErrors != 0 {
				t.Errorf("codecs %q/%q, %d decode errors; want h264/mp3, 0", st.VideoCodec, st.AudioCodec, st.DecodeErrors)
			}
			if st.FirstFrameMS <= 0 || st.AudioMS < (demoSeconds-0.5)*1000 {
				t.Errorf("first frame %v ms, audio %v ms", st.FirstFrameMS, st.AudioMS)
			}
		})
	}
}

func TestHeadlessPlaysTSFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "clip.ts")
	ffmpeg := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "mp2", "-f", "mpegts", file)
	if out, err := ffmpeg.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	st, stderr, err := runPlay(t, "--fast", file)
	if err != nil {
		t.Fatalf("play failed: %v\n%s", err, stderr)
	}
	if st.VideoFrames != 50 || st.Width != 320 || st.Height != 240 || st.AudioCodec != "mp2" {
		t.Errorf("got %d frames of %dx%d, audio %q; want 50 of 320x240, mp2", st.VideoFrames, st.Width, st.Height, st.AudioCodec)
	}
}

func TestHeadlessRefusesWhatItCannotPlay(t *testing.T) {
	base := startHeadend(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, bytes.Repeat([]byte("this is not a video stream\n"), 2000), 0o644)
	pngFile := filepath.Join(dir, "picture.png")
	f, _ := os.Create(pngFile)
	png.Encode(f, image.NewRGBA(image.Rect(0, 0, 64, 64)))
	f.Close()
	down := "http://127.0.0.1:1/stream.m3u8" // nothing listens on port 1
	cases := []struct {
		name, url, want string
	}{
		{"bad URL", "htp:/nowhere", "htp"},
		{"404", base + "/media/no-such-title/index.m3u8", "404"},
		{"server down", down, "refused"},
		{"missing file", filepath.Join(dir, "missing.ts"), "no such file"},
		{"text file", text, "not an MPEG-TS"},
		{"PNG file", pngFile, "not an MPEG-TS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, err := runPlay(t, "--stall-timeout", "10s", c.url)
			if err == nil {
				t.Fatalf("exit status 0 for %s; want a failure", c.url)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("stderr = %q; want one line mentioning %q", stderr, c.want)
			}
		})
	}
}

// runningBox is a running `manbang` UI with its control endpoint.
type runningBox struct {
	t       *testing.T
	control string
}

func startBox(t *testing.T, operatorURL string, lang string) *runningBox {
	t.Helper()
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		t.Skip("no display: run under xvfb-run (make test does)")
	}
	cmd := exec.Command(filepath.Join(binDir, "manbang"), "--operator", operatorURL, "--control", "127.0.0.1:0", "--lang", lang)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Error("manbang did not exit within 10 s of SIGINT")
		}
	})
	m := waitLine(stderr, regexp.MustCompile(`control endpoint on (http://\S+)`), time.Minute)
	if m == nil {
		t.Fatal("manbang did not start its control endpoint")
	}
	return &runningBox{t: t, control: m[1]}
}

func (b *runningBox) press(keys ...string) {
	b.t.Helper()
	body, _ := json.Marshal(map[string][]string{"keys": keys})
	resp, err := http.Post(b.control+"/api/v1/keys", "application/json", bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		b.t.Fatalf("press %v: %s", keys, resp.Status)
	}
}

// uiState is the part of the control endpoint's state the tests read.
type uiState struct {
	Frames  uint64 `json:"frames"`
	Current struct {
		Screen string        `json:"screen"`
		Status string        `json:"status"`
		Rows   int           `json:"rows"`
		State  string        `json:"state"`
		Error  string        `json:"error"`
		Stats  *player.Stats `json:"stats"`
		Focus  *struct {
			TitleID string `json:"title_id"`
		} `json:"focus"`
	} `json:"current"`
}

// waitFor polls the UI state until ok accepts it.
func (b *runningBox) waitFor(what string, ok func(s uiState) bool) uiState {
	b.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var s uiState
	for time.Now().Before(deadline) {
		resp, err := http.Get(b.control + "/api/v1/state")
		if err == nil {
			s = uiState{}
			json.NewDecoder(resp.Body).Decode(&s)
			resp.Body.Close()
			if ok(s) {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("timed out waiting for %s; last state %+v", what, s)
	return s
}

func (b *runningBox) screenshot(name string) *image.RGBA {
	b.t.Helper()
	resp, err := http.Get(b.control + "/api/v1/screenshot.png")
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	img, err := png.Decode(resp.Body)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if dir := os.Getenv("MANBANG_SCREENSHOTS"); dir != "" {
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err == nil {
			png.Encode(f, img)
			f.Close()
		}
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(img.Bounds())
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				rgba.Set(x, y, img.At(x, y))
			}
		}
	}
	return rgba
}

// colours counts the distinct colours (quantised to 5 bits a channel) in r.
func colours(img *image.RGBA, r image.Rectangle) int {
	seen := map[uint32]bool{}
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			c := img.RGBAAt(x, y)
			seen[uint32(c.R>>3)<<10|uint32(c.G>>3)<<5|uint32(c.B>>3)] = true
		}
	}
	return len(seen)
}

// TestBoxListsAndPlays drives the whole box: Home lists the head-end's
// titles, OK plays the focused one with its picture on screen, Back returns.
func TestBoxListsAndPlays(t *testing.T) {
	base := startHeadend(t)
	b := startBox(t, base, "en")
	home := b.waitFor("the title list", func(s uiState) bool {
		return s.Current.Screen == "home" && s.Current.Status == "ready" && s.Current.Focus != nil
	})
	if home.Current.Rows == 0 {
		t.Fatal("Home shows no rows")
	}
	shot := b.screenshot("home")
	if n := colours(shot, shot.Bounds()); n < 8 {
		t.Errorf("Home screenshot has %d colours; it looks blank", n)
	}
	b.press("ok")
	b.waitFor("video on screen", func(s uiState) bool {
		if s.Current.Screen == "player" && s.Current.State == "error" {
			t.Fatalf("playback failed: %s", s.Current.Error)
		}
		return s.Current.Screen == "player" && s.Current.Stats != nil && s.Current.Stats.PresentedFrames >= 25
	})
	// The OSD covers the bottom; the test pattern fills the middle.
	shot = b.screenshot("player")
	bnd := shot.Bounds()
	mid := image.Rect(bnd.Dx()/4, bnd.Dy()/8, bnd.Dx()*3/4, bnd.Dy()/2)
	if n := colours(shot, mid); n < 16 {
		t.Errorf("the video area has %d colours; no decoded frame is on screen", n)
	}
	b.press("back")
	b.waitFor("Home again", func(s uiState) bool { return s.Current.Screen == "home" })
}
