package ui

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/golden"
	"github.com/manbang/manbang/ui/mounts"
	"github.com/manbang/manbang/ui/screen"
)

// stickWith makes a stick's folder with a photo of stripes and rings and,
// with ffmpeg, a minute-long song; it returns the stick.
func stickWith(t *testing.T) mounts.Medium {
	t.Helper()
	root := filepath.Join(t.TempDir(), "FAMILY")
	dir := filepath.Join(root, "가족")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for y := range 1200 {
		for x := range 1600 {
			dx, dy := x-800, y-600
			ring := uint8((dx*dx + dy*dy) / 4000 % 2 * 120)
			img.Set(x, y, color.RGBA{uint8(x * 255 / 1600), ring, uint8(y * 255 / 1200), 255})
		}
	}
	f, err := os.Create(filepath.Join(dir, "바다.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
		"-t", "60", "-c:a", "libmp3lame", "-b:a", "64k", filepath.Join(dir, "바다의 노래.mp3")).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	return mounts.Medium{Path: root, Label: "FAMILY", FSType: "vfat", Size: 16 << 30, ReadOnly: true}
}

// A photo zoomed in twice and moved right, and the now-playing screen
// dimmed after a minute alone, in Korean.
func TestGoldenMediaPlay(t *testing.T) {
	needGL(t)
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is needed to make the song")
	}
	m := stickWith(t)
	ta := startApp(t, apptest.NewFakeOperator(t), func(cfg *app.Config) {
		cfg.Lang = "ko"
		cfg.MediaWatcher = fixedMedia{m}
	})
	homeReady(ta)
	ta.press(remote.KeyOK)
	topIs(ta, "browser", func(s any) bool { return s.(screen.BrowserState).Loaded })
	ta.press(remote.KeyOK) // 가족
	topIs(ta, "browser", func(s any) bool {
		st := s.(screen.BrowserState)
		return st.Loaded && len(st.Entries) == 2
	})
	ta.press(remote.KeyOK) // 바다.png, before the song
	topIs(ta, "photo", func(s any) bool { return s.(screen.PhotoState).Loaded })
	ta.press(remote.KeyFastForward, remote.KeyFastForward, remote.KeyRight)
	topIs(ta, "photo", func(s any) bool { st := s.(screen.PhotoState); return st.Zoom == 4 && st.Detail })
	golden.Check(t, "photo_zoom_ko", ta.capture())

	ta.press(remote.KeyBack, remote.KeyDown, remote.KeyOK)
	topIs(ta, "player", func(s any) bool { return s.(screen.PlayerState).State == screen.PlayPlaying })
	ta.clock.advance(time.Minute + 3*time.Minute) // dimmed, moved once
	ta.step()
	if st := ta.state().(screen.PlayerState); st.Song == nil || !st.Song.Dimmed {
		t.Fatalf("not dimmed: %+v", st.Song)
	}
	golden.Check(t, "song_dimmed_ko", ta.capture())
}
