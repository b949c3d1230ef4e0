package ui

import (
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

// The media browser of a stick with Korean and Russian names, in
// Russian.
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
		if err := os.WriteFile(p, nil, 0o644); err != nil {
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
