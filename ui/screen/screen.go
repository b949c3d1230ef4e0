// Package screen holds the UI's screens as plain state: each takes key
// events, and draws itself on a draw.Canvas. No GL here, so screens are
// tested with a draw.Recorder.
package screen

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
)

// Screen is one full-screen state of the UI.
type Screen interface {
	// Name identifies the screen in the state report ("home", "player").
	Name() string
	// Handle reacts to a key event.
	Handle(ev remote.Event)
	// Draw paints the screen; now drives animations and timeouts.
	Draw(c draw.Canvas, now time.Time)
	// State describes the screen for the control endpoint, as JSON-able data.
	State() any
}

// Host is what screens ask of the app around them.
type Host interface {
	Lang() string
	// Play starts playing a title.
	Play(t operator.Title)
	// Back leaves the current screen.
	Back()
	// Reload asks the operator for the catalogue again.
	Reload()
	// Poster returns a title's poster, or nil while it loads or if it
	// cannot; the first call starts loading it.
	Poster(url string) *draw.Image
}

// Palette of the UI: dark, with one warm accent, high contrast for the sofa.
var (
	colBackground = draw.RGB(0x0e141b)
	colPanel      = draw.RGBA(0x1b2633e6)
	colText       = draw.RGB(0xf2f4f7)
	colTextDim    = draw.RGB(0x9aa7b5)
	colAccent     = draw.RGB(0xffb33c)
	colFocus      = draw.RGB(0xffffff)
	colError      = draw.RGB(0xff6b5e)
	// Tile colours by category, for titles whose poster is not there yet.
	tileColours = []draw.Color{
		draw.RGB(0x2f6f8f), draw.RGB(0x8f3f5a), draw.RGB(0x4f7f3a),
		draw.RGB(0x8a6a2a), draw.RGB(0x5a4f9a), draw.RGB(0x2f8a7a),
		draw.RGB(0x9a4a2f), draw.RGB(0x4a5a6a),
	}
)

// scale returns the factor from the 1280x720 design grid to the canvas, so
// the same layout serves 720p to 2160p.
func scale(c draw.Canvas) float32 {
	_, h := c.Size()
	if h <= 0 {
		return 1
	}
	return h / 720
}

// ellipsize shortens s with "…" until it fits width at size.
func ellipsize(c draw.Canvas, s string, size, width float32) string {
	if w, _, _ := c.MeasureText(s, size); w <= width {
		return s
	}
	for len(s) > 0 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
		if w, _, _ := c.MeasureText(s+"…", size); w <= width {
			return s + "…"
		}
	}
	return ""
}

// centreText draws s centred horizontally in r with its baseline at y.
func centreText(c draw.Canvas, r draw.Rect, y float32, s string, size float32, col draw.Color) {
	w, _, _ := c.MeasureText(s, size)
	c.Text(r.X+(r.W-w)/2, y, s, size, col)
}

// formatClock formats d as H:MM:SS or M:SS.
func formatClock(d time.Duration) string {
	s := int(max(d, 0) / time.Second)
	if h := s / 3600; h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
