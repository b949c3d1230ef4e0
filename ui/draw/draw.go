// Package draw is the drawing vocabulary of the screens: rectangles,
// colours, images and the Canvas they are drawn on. It has no GL in it, so a
// screen draws the same way onto the GL renderer (ui/gfx) and onto a
// Recorder in tests.
package draw

import (
	"image"
	"math"
	"sync/atomic"

	"github.com/manbang/manbang/player/media"
)

// Rect is an axis-aligned rectangle in pixels, (0, 0) at the top-left of
// the screen and Y growing down.
type Rect struct {
	X, Y, W, H float32
}

// Right returns the X just past the rectangle.
func (r Rect) Right() float32 { return r.X + r.W }

// Bottom returns the Y just below the rectangle.
func (r Rect) Bottom() float32 { return r.Y + r.H }

// Empty reports whether the rectangle covers no area.
func (r Rect) Empty() bool { return r.W <= 0 || r.H <= 0 }

// Contains reports whether the point (x, y) lies inside r.
func (r Rect) Contains(x, y float32) bool {
	return x >= r.X && x < r.Right() && y >= r.Y && y < r.Bottom()
}

// Inset returns r shrunk by d on every side (grown if d is negative).
func (r Rect) Inset(d float32) Rect {
	return Rect{r.X + d, r.Y + d, max(r.W-2*d, 0), max(r.H-2*d, 0)}
}

// Intersect returns the area r and o share, an empty Rect if none.
func (r Rect) Intersect(o Rect) Rect {
	x0, y0 := max(r.X, o.X), max(r.Y, o.Y)
	x1, y1 := min(r.Right(), o.Right()), min(r.Bottom(), o.Bottom())
	if x1 <= x0 || y1 <= y0 {
		return Rect{}
	}
	return Rect{x0, y0, x1 - x0, y1 - y0}
}

// Letterbox returns the largest rectangle of the given width/height aspect
// that fits centred inside r: the picture area of a video shown in r, with
// bars left and right or above and below. A non-positive aspect yields r.
func Letterbox(r Rect, aspect float64) Rect {
	if aspect <= 0 || math.IsNaN(aspect) || math.IsInf(aspect, 0) || r.Empty() {
		return r
	}
	w, h := float64(r.W), float64(r.W)/aspect
	if h > float64(r.H) {
		w, h = float64(r.H)*aspect, float64(r.H)
	}
	return Rect{
		X: r.X + (r.W-float32(w))/2,
		Y: r.Y + (r.H-float32(h))/2,
		W: float32(w),
		H: float32(h),
	}
}

// Color is a colour with straight (not premultiplied) alpha.
type Color struct {
	R, G, B, A uint8
}

// Common colours.
var (
	Transparent = Color{}
	Black       = Color{0, 0, 0, 0xff}
	White       = Color{0xff, 0xff, 0xff, 0xff}
)

// RGB returns the opaque colour written as 0xRRGGBB.
func RGB(hex uint32) Color {
	return Color{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 0xff}
}

// RGBA returns the colour written as 0xRRGGBBAA.
func RGBA(hex uint32) Color {
	return Color{uint8(hex >> 24), uint8(hex >> 16), uint8(hex >> 8), uint8(hex)}
}

// WithAlpha returns c with its alpha replaced by a.
func (c Color) WithAlpha(a uint8) Color { c.A = a; return c }

// Fade returns c with its alpha multiplied by f, clamped to [0, 1]: for
// fading things in and out.
func (c Color) Fade(f float32) Color {
	f = min(max(f, 0), 1)
	c.A = uint8(math.Round(float64(c.A) * float64(f)))
	return c
}

// Image is a picture drawn on the canvas, such as a channel logo or a
// poster. Its identity, not its pixels, is what a renderer caches textures
// by: wrap each decoded picture once and keep the *Image.
type Image struct {
	src image.Image
	id  uint64
}

var lastImageID atomic.Uint64

// NewImage wraps src for drawing. src must not change afterwards.
func NewImage(src image.Image) *Image {
	return &Image{src: src, id: lastImageID.Add(1)}
}

// Source returns the wrapped picture.
func (i *Image) Source() image.Image { return i.src }

// ID returns a number unique to this Image in the process.
func (i *Image) ID() uint64 { return i.id }

// Size returns the picture's size in pixels, 0 x 0 for a nil picture.
func (i *Image) Size() (w, h int) {
	if i.src == nil {
		return 0, 0
	}
	b := i.src.Bounds()
	return b.Dx(), b.Dy()
}

// Canvas is what a screen draws on. Coordinates are pixels from the top-left
// corner. Later drawing goes over earlier drawing, blended by alpha.
type Canvas interface {
	// Size returns the canvas size in pixels.
	Size() (w, h float32)
	// FillRect fills r with c.
	FillRect(r Rect, c Color)
	// RoundRect fills r with c, its corners rounded with the given radius
	// and anti-aliased.
	RoundRect(r Rect, radius float32, c Color)
	// Text draws s on one line starting at x, with its baseline at y.
	// Control characters such as newlines take no space and draw nothing.
	Text(x, y float32, s string, size float32, c Color)
	// MeasureText returns the width of s and the ascent and descent of its
	// line, both positive.
	MeasureText(s string, size float32) (width, ascent, descent float32)
	// Image draws img stretched to fill r.
	Image(r Rect, img *Image)
	// Video draws f letterboxed inside r at f.DisplayAspect(), with black
	// bars filling the rest of r.
	Video(r Rect, f *media.VideoFrame)
	// PushClip restricts drawing to r, intersected with the current clip,
	// until the matching PopClip.
	PushClip(r Rect)
	// PopClip restores the clip in force before the last PushClip.
	PopClip()
}

// BoldCanvas is a Canvas that can also draw bold text. The GL renderer and
// the Recorder implement it; screens reach it through BoldText and
// MeasureBoldText, which fall back to regular text on other canvases.
type BoldCanvas interface {
	Canvas
	BoldText(x, y float32, s string, size float32, c Color)
	MeasureBoldText(s string, size float32) (width, ascent, descent float32)
}

// BoldText draws s in bold on cv if it can, in the regular weight otherwise.
func BoldText(cv Canvas, x, y float32, s string, size float32, c Color) {
	if b, ok := cv.(BoldCanvas); ok {
		b.BoldText(x, y, s, size, c)
		return
	}
	cv.Text(x, y, s, size, c)
}

// MeasureBoldText measures s as BoldText would draw it on cv.
func MeasureBoldText(cv Canvas, s string, size float32) (width, ascent, descent float32) {
	if b, ok := cv.(BoldCanvas); ok {
		return b.MeasureBoldText(s, size)
	}
	return cv.MeasureText(s, size)
}
