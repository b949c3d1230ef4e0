package gfx

import (
	"math"

	"github.com/manbang/manbang/ui/draw"
)

// minSplitArea is the size from which a shape is split into pieces: below
// it, the extra quads cost more than the pixels they save.
const minSplitArea = 1024

// roundRect records the anti-aliased shape rc with corner radius, whose
// soft fringe reaches into quad q. Coverage computed per pixel is costly on
// a software renderer, and only the corners need it, so a large shape is
// split on whole pixels: the cross it covers fully is filled flat, each
// straight edge's fringe (a row or column of pixels, all equally covered)
// is filled flat at that coverage, and only the four corners run the
// rounded-box shader. The pieces tile the shape's pixels exactly, so each
// is drawn once, with the colour one quad over q would give it.
func (r *Renderer) roundRect(rc, q draw.Rect, radius float32, c draw.Color) {
	shape := batchKey{prog: progShape, blend: true}
	ceil := func(v float32) float32 { return float32(math.Ceil(float64(v))) }
	floor := func(v float32) float32 { return float32(math.Floor(float64(v))) }
	// The pixels the shape touches, the straight band between the corners
	// (vx0-vx1) and the band between them down the sides (hy0-hy1), and
	// the pixels it covers fully.
	x0, y0, x1, y1 := floor(rc.X), floor(rc.Y), ceil(rc.Right()), ceil(rc.Bottom())
	vx0, vx1 := ceil(rc.X+radius), floor(rc.Right()-radius)
	hy0, hy1 := ceil(rc.Y+radius), floor(rc.Bottom()-radius)
	fx0, fy0, fx1, fy1 := ceil(rc.X), ceil(rc.Y), floor(rc.Right()), floor(rc.Bottom())
	if hy0 > hy1 {
		// A pill: its top corners meet its bottom ones. Any row between
		// them will do as the border, as corners get exact coverage.
		hy0 = hy1
	}
	if rc.W*rc.H < r.splitArea || vx0 >= vx1 || hy0 > hy1 || fx0 > vx0 || fy0 > hy0 || vx1 > fx1 || hy1 > fy1 {
		r.record(shape, 0, q, 0, 0, 0, 0, rc, radius, c, 1)
		return
	}
	piece := func(k batchKey, ax, ay, bx, by, alpha float32) {
		if bx > ax && by > ay && alpha > 0 {
			p := draw.Rect{X: ax, Y: ay, W: bx - ax, H: by - ay}
			r.record(k, 0, p, 0, 0, 0, 0, rc, radius, c, alpha)
		}
	}
	for _, p := range [4][4]float32{{x0, y0, vx0, hy0}, {vx1, y0, x1, hy0}, {x0, hy1, vx0, y1}, {vx1, hy1, x1, y1}} {
		piece(shape, p[0], p[1], p[2], p[3], 1)
	}
	// A fringe pixel's centre lies half a pixel inside its edge's pixel,
	// so its coverage is how far the edge is from the pixel's far side.
	fringe := batchKey{prog: progSolid, blend: true}
	piece(fringe, vx0, y0, vx1, fy0, fy0-rc.Y)
	piece(fringe, vx0, fy1, vx1, y1, rc.Bottom()-fy1)
	piece(fringe, x0, hy0, fx0, hy1, fx0-rc.X)
	piece(fringe, fx1, hy0, x1, hy1, rc.Right()-fx1)
	flat := batchKey{prog: progSolid, blend: c.A < 0xff}
	piece(flat, vx0, fy0, vx1, fy1, 1)
	piece(flat, fx0, hy0, vx0, hy1, 1)
	piece(flat, vx1, hy0, fx1, hy1, 1)
}
