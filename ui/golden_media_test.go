package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
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

// fixedMedia is a mount table with one stick, for the picture: the files
// are real, with fixed sizes and times.
type fixedMedia struct{ m mounts.Medium }

func (f fixedMedia) Media() []mounts.Medium          { return []mounts.Medium{f.m} }
func (f fixedMedia) Changes() <-chan []mounts.Medium { return nil }
func (f fixedMedia) Close() error                    { return nil }

// scenery is a photo of a sea under a sky with a sun, as a name's
// ending says (JPEG or PNG), and nothing for other files: the photos show
// their thumbnails, the rest (empty files) their icons. Their size is
// then set as listed: the decoders stop at the picture's end.
func scenery(t *testing.T, name string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			c := color.RGBA{uint8(90 + y/3), uint8(150 + y/4), 230, 255} // sky
			if y > 150 {
				c = color.RGBA{20, uint8(90 + (y-150)/2), 140, 255} // sea
			}
			if dx, dy := x-240, y-70; dx*dx+dy*dy < 28*28 {
				c = color.RGBA{250, 210, 60, 255} // sun
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	var err error
	switch filepath.Ext(name) {
	case ".jpg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	case ".png":
		err = png.Encode(&buf, img)
	default:
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The media browser of a stick with Korean and Russian names, in
// Russian: the photos with their thumbnails, the other files (empty, so
// no video gives a picture) with their kind's icons.
func TestGoldenBrowser(t *testing.T) {
	needGL(t)
	root := filepath.Join(t.TempDir(), "FAMILY")
	files := []struct {
		name string
		size int64
	}{
		{"Свадьба Ани/Свадьба 1.mp4", 0}, {"Дача 2024/a.jpg", 0}, {"음악/a.mp3", 0},
		{"가족 여행 2.mp4", 734_003_200}, {"가족 여행 10.mp4", 1_288_490_188}, {"Песня о море.mp3", 6_291_456},
		{"Ёлка у бабушки.jpg", 3_407_872}, {"Море.png", 912_384},
	}
	when := apptest.T0.Add(-30 * 24 * time.Hour)
	for _, file := range files { // in order: each a day and two hours after the one before
		p := filepath.Join(root, file.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, scenery(t, file.name), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, file.size); err != nil {
			t.Fatal(err)
		}
		when = when.Add(26 * time.Hour)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Dir(p), when, when); err != nil {
			t.Fatal(err)
		}
	}
	op := apptest.NewFakeOperator(t)
	ta := startApp(t, op, func(cfg *app.Config) {
		cfg.Lang = "ru"
		cfg.MediaWatcher = fixedMedia{mounts.Medium{Path: root, Label: "FAMILY", FSType: "vfat", Size: 16 << 30, ReadOnly: true}}
	})
	homeReady(ta)
	ta.press(remote.KeyOK)
	topIs(ta, "browser", func(s any) bool { return s.(screen.BrowserState).Loaded })
	ta.press(remote.KeyDown, remote.KeyDown, remote.KeyDown, remote.KeyDown)
	topIs(ta, "browser", func(s any) bool { return s.(screen.BrowserState).Focus == 4 })
	golden.Check(t, "browser_ru", ta.capture())
}
