package gfx

import (
	"image"
	"slices"
	"time"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/draw"
)

// A frame is recorded first and drawn at End. Recording lets the renderer
// sort quads into few draw calls without changing what shows, drop what a
// later opaque full-screen fill hides, and tell an unchanged frame from the
// one on screen so that it need not be drawn again.
//
// A frame is a list of segments, each drawn under one clip (or one video
// picture). Within a segment, quads go into batches by program, texture and
// blending. A quad may join an earlier batch of its kind when it overlaps
// nothing batched after that batch: drawing it earlier then changes no
// pixel, and a row of tiles with their captions becomes two draw calls
// rather than two per tile.

// progKind names the quad programs.
type progKind uint8

const (
	progSolid progKind = iota // flat colour on whole pixels
	progShape                 // anti-aliased rounded rectangle
	progText                  // glyph coverage from the atlas
	progImage                 // premultiplied RGBA texture
	numProgs
)

// batchKey is what quads must share to be drawn in one call.
type batchKey struct {
	prog  progKind
	blend bool
	img   uint64 // the draw.Image's ID for progImage: textures are compared by identity
}

// batch is quads drawn with one call.
type batch struct {
	key    batchKey
	tex    uint32
	verts  []float32
	rects  []draw.Rect // each quad's area, for overlap tests
	bounds draw.Rect   // their union
}

// segment is a run of batches drawn under one clip, or a video picture.
type segment struct {
	scissor bool
	clip    image.Rectangle
	batches []batch
	quads   int
	isVideo bool // a video segment has no batches
	video   videoDraw
}

// videoDraw is a video picture to draw, and what identifies its contents.
type videoDraw struct {
	pic    draw.Rect
	frame  *media.VideoFrame
	serial uint64
	pts    time.Duration
	y0     *byte
}

// frameRec is a recorded frame.
type frameRec struct {
	w, h  int
	clear draw.Color
	segs  []segment
	// done counts the segments already drawn; early draws happen when the
	// atlas fills up, an image is released or a screenshot is taken.
	done int
	// open says the last segment takes more quads.
	open bool
}

// lookBack bounds how many batches a quad may move back over.
const lookBack = 12

// reset empties f for a new frame, keeping its memory.
func (f *frameRec) reset(w, h int, clear draw.Color) {
	f.w, f.h, f.clear = w, h, clear
	f.segs = f.segs[:0]
	f.done = 0
	f.open = false
}

// newSegment opens a segment with the given clip.
func (f *frameRec) newSegment(scissor bool, clip image.Rectangle) *segment {
	if len(f.segs) < cap(f.segs) {
		f.segs = f.segs[:len(f.segs)+1]
	} else {
		f.segs = append(f.segs, segment{})
	}
	s := &f.segs[len(f.segs)-1]
	s.scissor, s.clip = scissor, clip
	s.batches = s.batches[:0]
	s.quads = 0
	s.isVideo, s.video = false, videoDraw{}
	f.open = true
	return s
}

// batchFor returns the batch a quad of key k covering q goes into: the
// latest batch of that key it may move back to, or a new one.
func (s *segment) batchFor(k batchKey, tex uint32, q draw.Rect) *batch {
	for i := len(s.batches) - 1; i >= 0 && i >= len(s.batches)-lookBack; i-- {
		b := &s.batches[i]
		if b.key == k && b.tex == tex {
			return b
		}
		if b.overlaps(q) {
			break
		}
	}
	if len(s.batches) < cap(s.batches) {
		s.batches = s.batches[:len(s.batches)+1]
	} else {
		s.batches = append(s.batches, batch{})
	}
	b := &s.batches[len(s.batches)-1]
	b.key, b.tex = k, tex
	b.verts, b.rects = b.verts[:0], b.rects[:0]
	b.bounds = draw.Rect{}
	return b
}

// overlaps reports whether any quad of b shares pixels with q.
func (b *batch) overlaps(q draw.Rect) bool {
	if !intersects(b.bounds, q) {
		return false
	}
	for _, r := range b.rects {
		if intersects(r, q) {
			return true
		}
	}
	return false
}

// intersects reports whether a and b share area; touching edges do not.
func intersects(a, b draw.Rect) bool {
	return a.X < b.Right() && b.X < a.Right() && a.Y < b.Bottom() && b.Y < a.Bottom()
}

// add appends a quad covering q with texture coordinates (u0,v0)-(u1,v1);
// shape is the rectangle whose edges and corner radius set coverage, and
// alpha scales c's.
func (b *batch) add(q draw.Rect, u0, v0, u1, v1 float32, shape draw.Rect, radius float32, c draw.Color, alpha float32) {
	b.verts = appendQuad(b.verts, q, u0, v0, u1, v1, shape, radius, c, alpha)
	b.rects = append(b.rects, q)
	if len(b.rects) == 1 {
		b.bounds = q
	} else {
		b.bounds = union(b.bounds, q)
	}
}

// appendQuad appends the four vertices of a quad to dst.
func appendQuad(dst []float32, q draw.Rect, u0, v0, u1, v1 float32, shape draw.Rect, radius float32, c draw.Color, alpha float32) []float32 {
	cr, cg, cb, ca := float32(c.R)/255, float32(c.G)/255, float32(c.B)/255, float32(c.A)/255*alpha
	x0, y0, x1, y1 := q.X, q.Y, q.Right(), q.Bottom()
	sl, sr, st, sb := shape.X, shape.Right(), shape.Y, shape.Bottom()
	return append(dst,
		x0, y0, u0, v0, x0-sl, sr-x0, y0-st, sb-y0, radius, cr, cg, cb, ca,
		x1, y0, u1, v0, x1-sl, sr-x1, y0-st, sb-y0, radius, cr, cg, cb, ca,
		x0, y1, u0, v1, x0-sl, sr-x0, y1-st, sb-y1, radius, cr, cg, cb, ca,
		x1, y1, u1, v1, x1-sl, sr-x1, y1-st, sb-y1, radius, cr, cg, cb, ca)
}

func union(a, b draw.Rect) draw.Rect {
	x0, y0 := min(a.X, b.X), min(a.Y, b.Y)
	x1, y1 := max(a.Right(), b.Right()), max(a.Bottom(), b.Bottom())
	return draw.Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

// same reports whether f draws exactly what g drew.
func (f *frameRec) same(g *frameRec) bool {
	if f.w != g.w || f.h != g.h || f.clear != g.clear || len(f.segs) != len(g.segs) {
		return false
	}
	for i := range f.segs {
		a, b := &f.segs[i], &g.segs[i]
		if a.scissor != b.scissor || a.clip != b.clip || len(a.batches) != len(b.batches) {
			return false
		}
		if a.isVideo != b.isVideo || a.video != b.video {
			return false
		}
		for j := range a.batches {
			x, y := &a.batches[j], &b.batches[j]
			if x.key != y.key || !slices.Equal(x.verts, y.verts) {
				return false
			}
		}
	}
	return true
}
