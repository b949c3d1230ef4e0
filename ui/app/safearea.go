package app

import (
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/draw"
)

// safeArea returns the part of c inside the overscan inset, pct percent of
// the screen on every side, as a canvas of its own: every screen draws
// within what a TV that crops its picture edges still shows.
func safeArea(c draw.BoldCanvas, pct int) draw.BoldCanvas {
	if pct <= 0 {
		return c
	}
	w, h := c.Size()
	dx, dy := w*float32(pct)/100, h*float32(pct)/100
	return &inset{c: c, dx: dx, dy: dy, w: w - 2*dx, h: h - 2*dy}
}

// inset is a canvas moved by (dx, dy) and cut to w x h.
type inset struct {
	c      draw.BoldCanvas
	dx, dy float32
	w, h   float32
}

func (i *inset) r(r draw.Rect) draw.Rect { r.X += i.dx; r.Y += i.dy; return r }

func (i *inset) Size() (float32, float32)                         { return i.w, i.h }
func (i *inset) FillRect(r draw.Rect, c draw.Color)               { i.c.FillRect(i.r(r), c) }
func (i *inset) RoundRect(r draw.Rect, rad float32, c draw.Color) { i.c.RoundRect(i.r(r), rad, c) }
func (i *inset) Image(r draw.Rect, img *draw.Image)               { i.c.Image(i.r(r), img) }
func (i *inset) Video(r draw.Rect, f *media.VideoFrame)           { i.c.Video(i.r(r), f) }
func (i *inset) PushClip(r draw.Rect)                             { i.c.PushClip(i.r(r)) }
func (i *inset) PopClip()                                         { i.c.PopClip() }

func (i *inset) Text(x, y float32, s string, size float32, c draw.Color) {
	i.c.Text(x+i.dx, y+i.dy, s, size, c)
}

func (i *inset) BoldText(x, y float32, s string, size float32, c draw.Color) {
	i.c.BoldText(x+i.dx, y+i.dy, s, size, c)
}

func (i *inset) MeasureText(s string, size float32) (float32, float32, float32) {
	return i.c.MeasureText(s, size)
}

func (i *inset) MeasureBoldText(s string, size float32) (float32, float32, float32) {
	return i.c.MeasureBoldText(s, size)
}
