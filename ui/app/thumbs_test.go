package app

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/mounts"
	"github.com/manbang/manbang/ui/screen"
)

// lockedBuffer is a log every goroutine may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// writePhoto encodes a photo of one colour at path, as PNG or JPEG by its
// ending.
func writePhoto(t *testing.T, path string, w, h int, col color.RGBA) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = col.R, col.G, col.B, 255
	}
	var buf bytes.Buffer
	var err error
	if strings.HasSuffix(path, ".png") {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// thumbOf returns the thumbnail made of the file at path, nil if none.
func (ta *testApp) thumbOf(path string) *draw.Image {
	for _, te := range ta.thumbs.entries {
		if te.path == path && te.img != nil {
			return te.img
		}
	}
	return nil
}

// centre returns the colour at the middle of a picture.
func centre(img *draw.Image) color.RGBA {
	src := img.Source()
	b := src.Bounds()
	r, g, bl, _ := src.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) int { return max(int(x), int(y)) - min(int(x), int(y)) }
	return d(a.R, b.R) < 12 && d(a.G, b.G) < 12 && d(a.B, b.B) < 12
}

// onMedium reports whether Home's focus is on a medium.
func onMedium(ta *testApp) bool {
	st, ok := ta.state().(screen.HomeState)
	return ok && st.Focus != nil && st.Focus.Kind == "medium"
}

// listed steps frames until the browser has the listing of dir, and
// returns its state in that first frame, before anything else came.
func (ta *testApp) listed(dir string) screen.BrowserState {
	ta.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ta.step()
		if st := ta.browser(); st.Loaded && st.Dir == dir {
			return st
		}
		select {
		case <-ta.woken:
		case <-time.After(20 * time.Millisecond):
		}
	}
	ta.t.Fatalf("no listing of %q", dir)
	return screen.BrowserState{}
}

// images counts the pictures a frame draws.
func images(rec *draw.Recorder) int {
	n := 0
	for _, op := range rec.Ops() {
		if op.Kind == draw.OpImage {
			n++
		}
	}
	return n
}

// A stick's videos and photos show thumbnails: the icons first, then the
// pictures, made from the files once; after a restart they come from the
// box's disk cache with no decode, and a file changed since gets a new one.
func TestAppThumbs(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is needed to make the stick's videos")
	}
	root := filepath.Join(t.TempDir(), "THUMBS")
	if err := os.MkdirAll(filepath.Join(root, "Папка"), 0o755); err != nil {
		t.Fatal(err)
	}
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-t", "4", "-c:v", "libx264", "-preset", "ultrafast",
		"-pix_fmt", "yuv420p", filepath.Join(root, "a 여행.mp4"))
	ffmpeg(t, "-f", "lavfi", "-i", "color=c=blue:size=320x240:rate=25", "-t", "3", "-c:v", "mpeg4",
		filepath.Join(root, "b синий.avi"))
	ffmpeg(t, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "1", "-c:a", "libmp3lame",
		filepath.Join(root, "c song.mp3"))
	red, green := color.RGBA{220, 20, 20, 255}, color.RGBA{20, 200, 40, 255}
	writePhoto(t, filepath.Join(root, "d red.png"), 64, 48, red)
	writePhoto(t, filepath.Join(root, "e green.jpg"), 400, 300, green)
	m := mounts.Medium{Path: root, Label: "THUMBS", FSType: "vfat", Size: 1 << 30, ReadOnly: true}
	cache := t.TempDir()
	op := apptest.NewFakeOperator(t)
	open := func() *testApp {
		ta := startApp(t, op, func(c *Config) { c.MediaWatcher = newMountTable(m); c.CacheDir = cache })
		homeReady(ta)
		for i := 0; i < 5 && !onMedium(ta); i++ {
			ta.press(remote.KeyUp) // the media's row is Home's first
		}
		if !onMedium(ta) {
			t.Fatalf("Home's focus is not on the stick: %+v", ta.state())
		}
		return ta
	}

	ta := open()
	ta.press(remote.KeyOK)
	// The first frame of the folder shows every row with its icon.
	first := ta.listed("")
	if first.Visible != 6 || first.Total != 6 || first.ThumbsReady != 0 {
		t.Fatalf("first frame: %d thumbnails ready, %d visible of %d; want the 6 icons", first.ThumbsReady, first.Visible, first.Total)
	}
	if n := images(ta.rec); n != 0 {
		t.Errorf("the first frame draws %d pictures, want icons", n)
	}
	ta.inFolder("")
	st := ta.browser()
	if st.Visible != 6 || st.ThumbsReady != 4 {
		t.Fatalf("thumbnails ready %d of %d visible, want 4 (two videos, two photos)", st.ThumbsReady, st.Visible)
	}
	if ta.thumbs.decoded != 4 || ta.thumbs.started != 4 {
		t.Errorf("%d thumbnails decoded, %d started; want 4 and 4", ta.thumbs.decoded, ta.thumbs.started)
	}
	if n := images(ta.draw(ta.clock.now())); n != 4 {
		t.Errorf("the browser draws %d thumbnails, want 4", n)
	}
	tw, th := ta.thumbs.thumbSize()
	for _, name := range []string{"a 여행.mp4", "b синий.avi", "d red.png", "e green.jpg"} {
		img := ta.thumbOf(filepath.Join(root, name))
		if img == nil {
			t.Fatalf("no thumbnail of %s", name)
		}
		w, h := img.Size()
		if w > tw || h > th || (w < tw-1 && h < th-1) {
			t.Errorf("%s: thumbnail %dx%d, want it to fit %dx%d", name, w, h, tw, th)
		}
	}
	if c := centre(ta.thumbOf(filepath.Join(root, "b синий.avi"))); c.B < 150 || c.R > 80 {
		t.Errorf("the blue video's thumbnail is %v", c)
	}
	if c := centre(ta.thumbOf(filepath.Join(root, "e green.jpg"))); !near(c, green) {
		t.Errorf("the green photo's thumbnail is %v", c)
	}

	// Back to Home and in again: from memory, at once.
	ta.press(remote.KeyBack)
	topIs(ta, "home", nil)
	ta.press(remote.KeyOK)
	if st := ta.listed(""); st.ThumbsReady != 4 {
		t.Errorf("on a second visit %d thumbnails at once, want 4", st.ThumbsReady)
	}
	if ta.thumbs.decoded != 4 {
		t.Errorf("a second visit decoded %d more", ta.thumbs.decoded-4)
	}

	// The box starts again: the thumbnails come from its disk, none
	// decoded; the red photo, changed since, is made again.
	writePhoto(t, filepath.Join(root, "d red.png"), 64, 48, green)
	later := apptest.T0.Add(time.Hour)
	if err := os.Chtimes(filepath.Join(root, "d red.png"), later, later); err != nil {
		t.Fatal(err)
	}
	ta = open()
	ta.press(remote.KeyOK)
	ta.inFolder("")
	if st := ta.browser(); st.ThumbsReady != 4 {
		t.Errorf("after a restart %d thumbnails ready, want 4", st.ThumbsReady)
	}
	if ta.thumbs.decoded != 1 {
		t.Errorf("after a restart %d thumbnails decoded, want 1 (the changed photo's)", ta.thumbs.decoded)
	}
	if c := centre(ta.thumbOf(filepath.Join(root, "d red.png"))); !near(c, green) {
		t.Errorf("the changed photo's thumbnail is %v, want its new green", c)
	}
	if c := centre(ta.thumbOf(filepath.Join(root, "e green.jpg"))); !near(c, green) {
		t.Errorf("the green photo's thumbnail from the disk is %v", c)
	}
	if entries, err := os.ReadDir(filepath.Join(cache, "thumbs")); err != nil || len(entries) < 5 {
		t.Errorf("the disk cache holds %d files (%v), want 5", len(entries), err)
	}
}

// A file that gives no thumbnail keeps its icon; it is tried once, logged
// once, and not again however the browser scrolls.
func TestAppThumbsCorrupt(t *testing.T) {
	root := filepath.Join(t.TempDir(), "BROKEN")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	garbage := bytes.Repeat([]byte("not a video, not a photo "), 400)
	for _, name := range []string{"bad.mp4", "bad.mkv", "bad.jpg", "bad.png"} {
		if err := os.WriteFile(filepath.Join(root, name), garbage, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writePhoto(t, filepath.Join(root, "good.png"), 32, 32, color.RGBA{200, 200, 0, 255})
	var logs lockedBuffer
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, func(c *Config) {
		c.MediaWatcher = newMountTable(mounts.Medium{Path: root, Label: "BROKEN", FSType: "vfat"})
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	homeReady(ta)
	ta.press(remote.KeyOK)
	ta.inFolder("")
	if st := ta.browser(); st.Visible != 5 || st.ThumbsReady != 1 {
		t.Fatalf("thumbnails ready %d of %d, want 1 of 5", st.ThumbsReady, st.Visible)
	}
	if n := images(ta.draw(ta.clock.now())); n != 1 {
		t.Errorf("%d pictures drawn, want the good photo's only", n)
	}
	for i := 0; i < 30; i++ {
		ta.press([]remote.Key{remote.KeyDown, remote.KeyUp, remote.KeyYellow}[i%3])
	}
	ta.settle("the browser", func() bool { return true })
	if ta.thumbs.decoded != 5 || ta.thumbs.started != 5 {
		t.Errorf("%d decodes, %d started: want each file tried once", ta.thumbs.decoded, ta.thumbs.started)
	}
	for _, name := range []string{"bad.mp4", "bad.mkv", "bad.jpg", "bad.png"} {
		if n := strings.Count(logs.String(), "path="+filepath.Join(root, name)+" "); n != 1 {
			t.Errorf("%s logged %d times, want once:\n%s", name, n, logs.String())
		}
	}
}

// A folder of 10,000 photos opens with its icons in the first frame and
// starts no more thumbnails than a screenful and the rows next to it;
// paging through it fast skips the rows passed over.
func TestAppThumbsLargeFolder(t *testing.T) {
	root := filepath.Join(t.TempDir(), "MANY")
	dir := filepath.Join(root, "DCIM")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "one.jpg")
	writePhoto(t, src, 640, 480, color.RGBA{40, 80, 160, 255})
	const files = 10000
	for i := 0; i < files; i++ { // each its own name of the same photo
		if err := os.Link(src, filepath.Join(dir, fmt.Sprintf("IMG_%05d.jpg", i))); err != nil {
			t.Fatal(err)
		}
	}
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, func(c *Config) {
		c.MediaWatcher = newMountTable(mounts.Medium{Path: root, Label: "MANY", FSType: "vfat"})
	})
	homeReady(ta)
	ta.press(remote.KeyOK)
	ta.inFolder("")
	ta.focusEntry("DCIM")
	ta.press(remote.KeyOK)
	st := ta.listed("DCIM")
	if st.Total != files || st.Visible != 9 || st.ThumbsReady != 0 {
		t.Fatalf("first frame: %d entries, %d visible, %d thumbnails", st.Total, st.Visible, st.ThumbsReady)
	}
	if n := images(ta.rec); n != 0 || !strings.Contains(strings.Join(ta.rec.Texts(), "|"), "IMG_00008.jpg") {
		t.Errorf("the first frame draws %d pictures and %q; want the rows with their icons", n, ta.rec.Texts())
	}
	ta.inFolder("DCIM")
	if st := ta.browser(); st.ThumbsReady != st.Visible {
		t.Errorf("thumbnails ready %d of %d", st.ThumbsReady, st.Visible)
	}
	screenful := 9 + 2*2 // the rows shown and those next to them
	if ta.thumbs.started > screenful {
		t.Errorf("%d thumbnails started for the first screen, want at most %d", ta.thumbs.started, screenful)
	}
	before := ta.thumbs.started
	const pages = 40
	for i := 0; i < pages; i++ {
		ta.press(remote.KeyChannelDown)
	}
	ta.inFolder("DCIM")
	st = ta.browser()
	if st.Focus != pages*9 || st.ThumbsReady != st.Visible {
		t.Errorf("after %d pages: focus %d, thumbnails ready %d of %d", pages, st.Focus, st.ThumbsReady, st.Visible)
	}
	// Each frame may start as many as have ended; none for the rows
	// passed over once they are off the screen.
	if n := ta.thumbs.started - before; n > thumbWorkers*pages+screenful {
		t.Errorf("%d thumbnails started paging %d pages, want at most %d", n, pages, thumbWorkers*pages+screenful)
	}
	t.Logf("%d thumbnails started, %d decoded, paging %d pages of 10,000 photos", ta.thumbs.started, ta.thumbs.decoded, pages)
	if ta.thumbs.decoded >= pages*9/2 {
		t.Errorf("%d thumbnails decoded for %d pages: the pages passed over were made", ta.thumbs.decoded, pages)
	}
}
