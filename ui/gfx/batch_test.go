package gfx

import (
	"fmt"
	"image"
	"math"
	"testing"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/draw"
)

// maxChannelDiff returns the largest difference of any channel of any
// pixel, and where it is.
func maxChannelDiff(a, b *image.RGBA) (int, image.Point) {
	worst, at := 0, image.Point{}
	for i := range a.Pix {
		if d := absDiff(a.Pix[i], b.Pix[i]); d > worst {
			worst = d
			at = image.Pt(i/4%a.Rect.Dx(), i/4/a.Rect.Dx())
		}
	}
	return worst, at
}

// stripes paints a background that shows blending mistakes.
func stripes(r *Renderer) {
	for x := 0; x < 400; x += 20 {
		r.FillRect(draw.Rect{X: float32(x), W: 10, H: 300}, draw.RGB(0x804020))
	}
}

// TestSplitShapesMatchOneQuad draws large shapes split into flat pieces
// and corner pieces, and the same shapes as one anti-aliased quad each:
// the pictures must agree to rounding.
func TestSplitShapesMatchOneQuad(t *testing.T) {
	split := newTestRenderer(t, 0)
	whole := newTestRenderer(t, 0)
	whole.splitArea = float32(math.Inf(1))
	cases := []struct {
		rc     draw.Rect
		radius float32
		c      draw.Color
	}{
		{draw.Rect{X: 10, Y: 10, W: 120, H: 60}, 10, draw.RGB(0x2b59c3)},
		{draw.Rect{X: 150.3, Y: 10.6, W: 100.5, H: 60.25}, 12.5, draw.RGB(0x3a7d44)},
		{draw.Rect{X: 270.75, Y: 8.2, W: 110, H: 42}, 21, draw.RGBA(0xe6394699)},     // a pill
		{draw.Rect{X: 10.5, Y: 100.5, W: 200, H: 80}, 0, draw.RGBA(0xffd16680)},      // fractional, square
		{draw.Rect{X: 230, Y: 100.4, W: 150.2, H: 90}, 4, draw.RGB(0xffffff)},        // small radius
		{draw.Rect{X: 10.1, Y: 200.9, W: 360.4, H: 80.3}, 40, draw.RGBA(0x00000099)}, // big radius
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.rc, tc.radius), func(t *testing.T) {
			paint := func(r *Renderer) {
				stripes(r)
				r.RoundRect(tc.rc, tc.radius, tc.c)
			}
			want := frame(t, whole, 400, 300, draw.RGB(0x101828), paint)
			got := frame(t, split, 400, 300, draw.RGB(0x101828), paint)
			if split.Stats().Quads <= whole.Stats().Quads {
				t.Errorf("the shape was not split: %d quads, %d unsplit", split.Stats().Quads, whole.Stats().Quads)
			}
			if d, at := maxChannelDiff(want, got); d > 2 {
				t.Errorf("split shape differs by %d at %v: %v, one quad gives %v", d, at, got.RGBAAt(at.X, at.Y), want.RGBAAt(at.X, at.Y))
			}
		})
	}
}

// TestReorderKeepsOverlapOrder checks that batching never draws a quad
// before one it overlaps that was drawn earlier, and does merge quads that
// do not overlap.
func TestReorderKeepsOverlapOrder(t *testing.T) {
	r := newTestRenderer(t, 0)
	img := poster(40, 40)
	got := frame(t, r, 200, 100, draw.Black, func(r *Renderer) {
		for i := range 4 {
			x := float32(10 + i*45)
			r.Image(draw.Rect{X: x, Y: 10, W: 40, H: 40}, img)
			// Text over the picture: must stay on top of it.
			r.Text(x+4, 34, "가A", 20, draw.RGB(0x00ff00))
			// A flat square over the text: must stay on top of both.
			r.FillRect(draw.Rect{X: x + 20, Y: 20, W: 10, H: 10}, draw.RGB(0xff0000))
			r.Text(x, 80, "ab", 16, draw.White)
		}
	})
	for i := range 4 {
		x := 10 + i*45
		checkPixel(t, got, x+25, 25, rgba(draw.RGB(0xff0000)), 0)
		checkPixel(t, got, x+2, 12, rgba(draw.White), 0) // the poster's frame
	}
	if s := r.Stats(); s.DrawCalls > 4*3 || s.Quads == 0 {
		t.Errorf("%d draw calls for %d quads", s.DrawCalls, s.Quads)
	}
	// Pictures with captions under them, as on Home: two draw calls.
	frame(t, r, 200, 100, draw.Black, func(r *Renderer) {
		for i := range 4 {
			x := float32(10 + i*45)
			r.Image(draw.Rect{X: x, Y: 10, W: 40, H: 40}, img)
			r.Text(x, 80, "ab", 16, draw.White)
		}
	})
	if s := r.Stats(); s.DrawCalls != 2 {
		t.Errorf("pictures and captions took %d draw calls, want 2", s.DrawCalls)
	}
}

// TestOpaqueBackgroundBecomesClear checks that an opaque fill over the
// whole frame replaces what was drawn before it.
func TestOpaqueBackgroundBecomesClear(t *testing.T) {
	r := newTestRenderer(t, 0)
	got := frame(t, r, 100, 80, draw.Black, func(r *Renderer) {
		r.FillRect(draw.Rect{X: 10, Y: 10, W: 20, H: 20}, draw.White)
		r.PushClip(draw.Rect{W: 100, H: 80})
		r.FillRect(draw.Rect{W: 100, H: 80}, draw.RGB(0x123456))
		r.FillRect(draw.Rect{X: 50, Y: 50, W: 10, H: 10}, draw.RGB(0xff0000))
		r.PopClip()
	})
	checkPixel(t, got, 15, 15, rgba(draw.RGB(0x123456)), 0)
	checkPixel(t, got, 55, 55, rgba(draw.RGB(0xff0000)), 0)
	if s := r.Stats(); s.DrawCalls != 1 {
		t.Errorf("%d draw calls, want 1: the background should be a clear", s.DrawCalls)
	}
}

// TestChanged checks that the renderer tells a frame that shows what the
// last drawn one showed from one that does not.
func TestChanged(t *testing.T) {
	r := newTestRenderer(t, 0)
	img := poster(20, 20)
	vf := &media.VideoFrame{Width: 16, Height: 16, Y: make([]byte, 256), U: make([]byte, 64), V: make([]byte, 64)}
	scene := func(x float32, label string, f *media.VideoFrame) func(r *Renderer) {
		return func(r *Renderer) {
			r.FillRect(draw.Rect{W: 200, H: 100}, draw.RGB(0x101828))
			r.PushClip(draw.Rect{W: 150, H: 100})
			r.RoundRect(draw.Rect{X: x, Y: 10, W: 60, H: 40}, 8, draw.RGB(0x2b59c3))
			r.Image(draw.Rect{X: 100, Y: 10, W: 20, H: 20}, img)
			r.Text(10, 80, label, 16, draw.White)
			r.PopClip()
			r.Video(draw.Rect{X: 160, Y: 10, W: 32, H: 32}, f)
		}
	}
	changed := func(paint func(r *Renderer), discard bool) bool {
		var c bool
		do(func() {
			r.Begin(200, 100, draw.Black)
			paint(r)
			c = r.Changed()
			if c || !discard {
				r.End()
			} else {
				r.Discard()
			}
		})
		return c
	}
	if !changed(scene(10, "a", vf), true) {
		t.Fatal("first frame not changed")
	}
	if changed(scene(10, "a", vf), true) {
		t.Error("the same frame again is changed")
	}
	if !changed(scene(10.5, "a", vf), false) {
		t.Error("a moved shape is not a change")
	}
	if !changed(scene(10.5, "b", vf), false) {
		t.Error("new text is not a change")
	}
	vf2 := *vf
	vf2.PTS = 40
	if !changed(scene(10.5, "b", &vf2), false) {
		t.Error("a new video frame is not a change")
	}
	if changed(scene(10.5, "b", &vf2), true) {
		t.Error("the same frame again is changed")
	}
	do(r.InvalidateVideo)
	if !changed(scene(10.5, "b", &vf2), false) {
		t.Error("a frame after InvalidateVideo is not a change")
	}
	// Unchanged frames are drawn again now and then all the same.
	n := 0
	for range 2 * refreshFrames {
		if changed(scene(10.5, "b", &vf2), true) {
			n++
		}
	}
	if n < 1 || n > 2 {
		t.Errorf("%d of %d unchanged frames redrawn, want one a %d", n, 2*refreshFrames, refreshFrames)
	}
}

// TestDiscardLeavesScreen checks that a discarded frame draws nothing: the
// back buffer keeps what the last End drew.
func TestDiscardLeavesScreen(t *testing.T) {
	r := newTestRenderer(t, 0)
	var img *image.RGBA
	var err error
	do(func() {
		r.Begin(50, 50, draw.RGB(0x00ff00))
		r.End()
		r.Begin(50, 50, draw.RGB(0xff0000))
		r.FillRect(draw.Rect{W: 10, H: 10}, draw.White)
		r.Discard()
		img, err = r.Screenshot()
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Stats(); s.DrawCalls != 0 {
		t.Errorf("a discarded frame made %d draw calls", s.DrawCalls)
	}
	checkPixel(t, img, 5, 5, rgba(draw.RGB(0x00ff00)), 0)
}
