package main

// End-to-end tests of the box: the real binaries, the real head-end serving
// demo content made by the ffmpeg CLI, on 127.0.0.1. The UI test needs a
// display; `make test` provides Xvfb with Mesa's software GL.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/devices"
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
	stopServers()
	os.RemoveAll(dir)
	os.Exit(code)
}

// servers are the head-ends started for the whole test binary; TestMain
// stops them when the tests are done.
var servers struct {
	mu   sync.Mutex
	cmds []*exec.Cmd
}

// keepServer records a head-end to stop at the end.
func keepServer(cmd *exec.Cmd) {
	servers.mu.Lock()
	servers.cmds = append(servers.cmds, cmd)
	servers.mu.Unlock()
}

// stopServers interrupts every head-end kept, and kills those that do not
// end within five seconds.
func stopServers() {
	servers.mu.Lock()
	defer servers.mu.Unlock()
	for _, cmd := range servers.cmds {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() {
			cmd.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	servers.cmds = nil
}

// demo title geometry, as asked of the head-end below.
const (
	demoSeconds = 6
	demoFPS     = 25
	demoW       = 640
	demoH       = 360
)

// forgetDevices removes the devices register from a cached demo's
// directory: the media are worth keeping across runs, the boxes registered
// by an earlier run (perhaps by another version of the head-end, with
// another schema) are not.
func forgetDevices(dir string) error {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if err := os.Remove(filepath.Join(dir, devices.FileName+suffix)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("forget the last run's devices: %w", err)
		}
	}
	return nil
}

// startHeadend runs one head-end with a small demo catalogue for the whole
// test binary. Its content is cached across runs in the temp directory.
func startHeadend(t *testing.T) string {
	t.Helper()
	headend.once.Do(func() {
		data := filepath.Join(os.TempDir(), "manbang-e2e-demo")
		if err := forgetDevices(filepath.Join(data, "demo")); err != nil {
			headend.err = err
			return
		}
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
		keepServer(cmd) // TestMain stops it
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

// walk is the head-end of the walk-through: the demo catalogue with three
// titles and three channels, plus a title ingested at test time whose
// Korean name starts with 다큐, served from its data directory.
var walk struct {
	once sync.Once
	url  string
	err  error
}

// walkTitle is the ingested title's ID.
const walkTitle = "doc-sea"

func startWalkHeadend(t testing.TB) string {
	t.Helper()
	walk.once.Do(func() { walk.url, walk.err = buildWalkHeadend() })
	if walk.err != nil {
		t.Fatal(walk.err)
	}
	return walk.url
}

func buildWalkHeadend() (string, error) {
	data := filepath.Join(os.TempDir(), "manbang-e2e-walk")
	headend := filepath.Join(binDir, "manbang-headend")
	if err := forgetDevices(filepath.Join(data, "demo")); err != nil {
		return "", err
	}
	// The demo catalogue: built once, its media cached across runs.
	demo := exec.Command(headend, "--demo", "--demo-titles", "3", "--demo-channels", "3", "--demo-duration", fmt.Sprintf("%ds", demoSeconds),
		"--addr", "127.0.0.1:0", "--data", data)
	if _, err := serveUntil(demo); err != nil {
		return "", fmt.Errorf("demo head-end: %w", err)
	}
	demo.Process.Signal(os.Interrupt)
	demo.Wait()
	// A title to find by searching 다큐.
	tmp, err := os.MkdirTemp("", "manbang-e2e-clip")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	clip := filepath.Join(tmp, "sea.ts")
	ffmpeg := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000", "-t", "4",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "mp2", "-f", "mpegts", clip)
	if out, err := ffmpeg.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ffmpeg: %v\n%s", err, out)
	}
	ingest := exec.Command(headend, "ingest", clip, "--data", filepath.Join(data, "demo"), "--id", walkTitle, "--replace",
		"--title", "The Sea, a documentary", "--title-ko", "다큐 바다", "--title-ru", "Море, документальный фильм",
		"--category", "docs", "--rungs", "1", "--audio", "mp3", "--year", "2025", "--rating", "ALL", "--language", "ko")
	if out, err := ingest.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ingest: %v\n%s", err, out)
	}
	serve := exec.Command(headend, "--data", filepath.Join(data, "demo"), "--addr", "127.0.0.1:0")
	url, err := serveUntil(serve)
	if err != nil {
		return "", fmt.Errorf("head-end: %w", err)
	}
	keepServer(serve) // TestMain stops it
	return url, nil
}

// serveUntil starts a head-end and returns its URL once it serves.
func serveUntil(cmd *exec.Cmd) (string, error) {
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	line := waitLine(stderr, regexp.MustCompile(`serving .* on (http://\S+)`), 5*time.Minute)
	if line == nil {
		cmd.Process.Kill()
		cmd.Wait()
		return "", errors.New("it did not report that it was serving")
	}
	return line[1], nil
}

// runningBox is a running `manbang` UI with its control endpoint.
type runningBox struct {
	t       testing.TB
	control string
	started time.Time
	stop    func() // interrupts the box and waits for it to end
}

// startBox runs the box against operatorURL with a fresh state, its
// remotes limited to the control endpoint, live channels as unicast (no
// multicast on the test machine's network).
func startBox(t testing.TB, operatorURL string, lang string) *runningBox {
	t.Helper()
	return startBoxIn(t, t.TempDir(), operatorURL, lang)
}

// startBoxIn is startBox with the state and caches in dir.
func startBoxIn(t testing.TB, dir, operatorURL string, lang string) *runningBox {
	t.Helper()
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		t.Skip("no display: run under xvfb-run (make test does)")
	}
	started := time.Now()
	cmd := exec.Command(filepath.Join(binDir, "manbang"), "--operator", operatorURL, "--control", "127.0.0.1:0", "--lang", lang,
		"--state", filepath.Join(dir, "state"), "--cache", filepath.Join(dir, "cache"),
		"--evdev", "none", "--lirc", "none", "--cec", "none", "--live-unicast")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Error("manbang did not exit within 10 s of SIGINT")
		}
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(stop) })
	m := waitLine(stderr, regexp.MustCompile(`control endpoint on (http://\S+)`), time.Minute)
	if m == nil {
		t.Fatal("manbang did not start its control endpoint")
	}
	return &runningBox{t: t, control: m[1], started: started, stop: func() { once.Do(stop) }}
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

// uiState is the part of the control endpoint's state the tests read:
// every screen's report shares these names.
type uiState struct {
	Frames  uint64   `json:"frames"`
	Lang    string   `json:"lang"`
	Stack   []string `json:"stack"`
	Current struct {
		Screen    string        `json:"screen"`
		Status    string        `json:"status"`
		Rows      int           `json:"rows"`
		RowIDs    []string      `json:"row_ids"`
		State     string        `json:"state"`
		Error     string        `json:"error"`
		Stats     *player.Stats `json:"stats"`
		OSD       bool          `json:"osd"`
		TitleID   string        `json:"title_id"`
		ChannelID string        `json:"channel_id"`
		Number    int           `json:"number"`
		Programme string        `json:"programme"`
		Loaded    int           `json:"loaded"`
		Channels  int           `json:"channels"`
		// Search.
		Query   string   `json:"query"`
		Layout  string   `json:"layout"`
		Focus   any      `json:"focus"`
		KeyRow  int      `json:"key_row"`
		KeyCol  int      `json:"key_col"`
		Results []string `json:"results"`
		Pick    int      `json:"pick"`
		// The guide.
		Programmes int `json:"programmes"`
	} `json:"current"`
}

// homeFocus is Home's focus, when Home is on screen.
type homeFocus struct {
	Row     int    `json:"row"`
	Kind    string `json:"kind"`
	TitleID string `json:"title_id"`
}

func (s uiState) homeFocus() *homeFocus {
	b, _ := json.Marshal(s.Current.Focus)
	var f homeFocus
	if json.Unmarshal(b, &f) != nil || f.Kind == "" {
		return nil
	}
	return &f
}

func (b *runningBox) state() uiState {
	b.t.Helper()
	resp, err := http.Get(b.control + "/api/v1/state")
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var s uiState
	json.NewDecoder(resp.Body).Decode(&s)
	return s
}

// waitFor reads the UI state until ok accepts it, within a minute.
func (b *runningBox) waitFor(what string, ok func(s uiState) bool) uiState {
	b.t.Helper()
	deadline := time.After(time.Minute)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var s uiState
	for {
		s = b.state()
		if ok(s) {
			return s
		}
		select {
		case <-tick.C:
		case <-deadline:
			b.t.Fatalf("timed out waiting for %s; last state %+v", what, s)
		}
	}
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

// playing waits until the player shows frames, failing on an error.
func (b *runningBox) playing(what string) uiState {
	b.t.Helper()
	return b.waitFor(what, func(s uiState) bool {
		if s.Current.Screen == "player" && s.Current.State == "error" {
			b.t.Fatalf("%s: playback failed: %s", what, s.Current.Error)
		}
		return s.Current.Screen == "player" && s.Current.Stats != nil && s.Current.Stats.PresentedFrames >= 25
	})
}

// checkVideo checks that decoded pictures fill the middle of the screen.
func (b *runningBox) checkVideo(name string) {
	b.t.Helper()
	shot := b.screenshot(name)
	bnd := shot.Bounds()
	mid := image.Rect(bnd.Dx()/4, bnd.Dy()/8, bnd.Dx()*3/4, bnd.Dy()/2)
	if n := colours(shot, mid); n < 16 {
		b.t.Errorf("%s: the video area has %d colours; no decoded frame is on screen", name, n)
	}
}

// typeOnKeyboard types text on the search screen's on-screen keyboard,
// moving the focus key by key as a viewer does with the arrows.
func (b *runningBox) typeOnKeyboard(keys [][2]int) {
	b.t.Helper()
	for _, k := range keys {
		s := b.state()
		var moves []string
		for r := s.Current.KeyRow; r < k[0]; r++ {
			moves = append(moves, "down")
		}
		for r := s.Current.KeyRow; r > k[0]; r-- {
			moves = append(moves, "up")
		}
		col := s.Current.KeyCol
		if s.Current.KeyRow != k[0] { // moving between rows keeps the column in range
			col = min(col, 6)
		}
		for c := col; c < k[1]; c++ {
			moves = append(moves, "right")
		}
		for c := col; c > k[1]; c-- {
			moves = append(moves, "left")
		}
		b.press(append(moves, "ok")...)
		b.waitFor(fmt.Sprintf("key %v typed", k), func(s uiState) bool { return s.Current.KeyRow == k[0] && s.Current.KeyCol == k[1] })
	}
}

// TestWalkThrough drives the whole box as a viewer would, by key presses
// through the control endpoint, against the real head-end on 127.0.0.1:
// Home, a category, a title's page, playing it with the OSD, back; a
// search typed on the on-screen Hangul keyboard, its result played; live
// TV, channel 3 dialled by digits, the programme guide.
func TestWalkThrough(t *testing.T) {
	base := startWalkHeadend(t)
	b := startBox(t, base, "ko")
	home := b.waitFor("Home", func(s uiState) bool {
		return s.Current.Screen == "home" && s.Current.Status == "ready" && s.homeFocus() != nil
	})
	if n := colours(b.screenshot("walk-home"), image.Rect(0, 0, 1280, 720)); n < 8 {
		t.Errorf("Home has %d colours; it looks blank", n)
	}
	docs := -1
	for i, id := range home.Current.RowIDs {
		if id == "cat:docs" {
			docs = i
		}
	}
	if docs < 0 {
		t.Fatalf("Home rows %v lack the documentaries", home.Current.RowIDs)
	}

	// Home -> the category -> a title's page -> play -> OSD -> back.
	for i := 0; i < docs; i++ {
		b.press("down")
	}
	for b.state().homeFocus().Kind != "see_all" {
		b.press("right")
	}
	b.press("ok")
	b.waitFor("the category", func(s uiState) bool { return s.Current.Screen == "grid" && s.Current.Loaded >= 2 })
	b.press("ok")
	detail := b.waitFor("the title's page", func(s uiState) bool { return s.Current.Screen == "detail" })
	b.press("ok")
	played := b.playing("the title")
	if played.Current.TitleID != detail.Current.TitleID {
		t.Errorf("played %s, the page was %s", played.Current.TitleID, detail.Current.TitleID)
	}
	b.press("ok") // pause: the OSD stays
	b.waitFor("paused with the OSD", func(s uiState) bool { return s.Current.State == "paused" && s.Current.OSD })
	b.checkVideo("walk-osd")
	b.press("back")
	b.waitFor("the title's page again", func(s uiState) bool { return s.Current.Screen == "detail" })

	// Search 다큐, typed on the Hangul keyboard, and play what it finds.
	b.press("home", "blue")
	b.waitFor("search", func(s uiState) bool { return s.Current.Screen == "search" && s.Current.Layout == "한글" })
	// 다 = ㄷ (row 0, col 2), ㅏ (row 1, col 7); 큐 = ㅋ (row 2, col 0), ㅠ (row 2, col 4).
	b.typeOnKeyboard([][2]int{{0, 2}, {1, 7}, {2, 0}, {2, 4}})
	found := b.waitFor("results", func(s uiState) bool {
		return s.Current.Screen == "search" && s.Current.Query == "다큐" && len(s.Current.Results) > 0
	})
	b.screenshot("walk-search")
	pick := -1
	for i, id := range found.Current.Results {
		if id == walkTitle {
			pick = i
		}
	}
	if pick < 0 {
		t.Fatalf("searching 다큐 found %v, not %s", found.Current.Results, walkTitle)
	}
	for range 7 { // to the keyboard's right edge, then over to the results
		b.press("right")
	}
	b.waitFor("the results", func(s uiState) bool { return s.Current.Focus == "results" })
	for i := 0; i < pick; i++ {
		b.press("down")
	}
	b.press("ok")
	b.waitFor("the found title's page", func(s uiState) bool { return s.Current.Screen == "detail" && s.Current.TitleID == walkTitle })
	b.press("ok")
	b.playing("the found title")
	b.checkVideo("walk-found")

	// Live TV: channel 3 by its digit, then the guide.
	b.press("home", "red")
	b.waitFor("the channel list", func(s uiState) bool { return s.Current.Screen == "live" && s.Current.Channels >= 3 })
	b.press("3")
	live := b.waitFor("channel 3", func(s uiState) bool {
		return s.Current.Screen == "player" && s.Current.Number == 3 && (s.Current.State == "playing" || s.Current.State == "error")
	})
	if live.Current.Programme == "" {
		t.Errorf("channel 3's banner has no programme: %+v", live.Current)
	}
	if live.Current.State == "error" {
		// The reference head-end streams live channels by multicast (not
		// joined on a test machine's network), or by unicast when it runs a
		// live streamer; without one it answers 503.
		if !strings.Contains(live.Current.Error, "unicast") {
			t.Errorf("channel 3 failed: %s", live.Current.Error)
		}
		t.Logf("channel 3 not played: %s", live.Current.Error)
		b.screenshot("walk-channel3")
	} else {
		b.playing("channel 3")
		b.checkVideo("walk-channel3")
	}
	b.press("ch+")
	next := b.waitFor("the next channel", func(s uiState) bool { return s.Current.Screen == "player" && s.Current.Number != 3 })
	b.press("last")
	b.waitFor("channel 3 again", func(s uiState) bool { return s.Current.Screen == "player" && s.Current.Number == 3 })
	if len(next.Stack) != len(live.Stack) {
		t.Errorf("zapping changed the screens from %v to %v", live.Stack, next.Stack)
	}
	b.press("green")
	g := b.waitFor("the guide", func(s uiState) bool { return s.Current.Screen == "guide" && s.Current.Programmes > 0 })
	if g.Current.ChannelID != live.Current.ChannelID {
		t.Errorf("the guide opened on %s, not the channel watched, %s", g.Current.ChannelID, live.Current.ChannelID)
	}
	b.press("right", "ff")
	b.screenshot("walk-guide")
	b.press("home")
	b.waitFor("Home again", func(s uiState) bool { return s.Current.Screen == "home" && len(s.Stack) == 1 })
}

// BenchmarkStartToHome measures from starting `manbang` to a Home that
// takes keys, with its rows from a running head-end: "cold" on a new box
// (no device token, no caches), "warm" as a box starts every day, with
// the token and the catalogue and posters kept from the last run.
func BenchmarkStartToHome(b *testing.B) {
	base := startWalkHeadend(b)
	for _, warm := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "warm"}[warm]
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			if warm {
				box := startBoxIn(b, dir, base, "en")
				box.waitHome()
				box.stop()
			}
			var total time.Duration
			n := 0
			for b.Loop() {
				run := dir
				if !warm {
					run = filepath.Join(dir, strconv.Itoa(n))
				}
				box := startBoxIn(b, run, base, "en")
				box.waitHome()
				total += time.Since(box.started)
				n++
				box.stop()
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(n), "ms-to-home")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// waitHome waits for Home with its rows, taking keys.
func (b *runningBox) waitHome() uiState {
	b.t.Helper()
	return b.waitFor("Home", func(s uiState) bool {
		return s.Current.Screen == "home" && s.Current.Status == "ready" && s.homeFocus() != nil
	})
}
