package text

import (
	"fmt"
	"image"
)

// DefaultAtlasSize is the side of the square atlas the renderer uses: room
// for several thousand UI-sized glyphs.
const DefaultAtlasSize = 2048

// pad is the empty border left around each glyph so that linear filtering
// never samples a neighbour.
const pad = 1

// AtlasGlyph is a glyph's place in the atlas. Rect is empty for glyphs with
// no ink, such as spaces.
type AtlasGlyph struct {
	Rect image.Rectangle
	GlyphMetrics
}

// Atlas packs rasterized glyphs into one alpha image, shelf by shelf, and
// caches them by GlyphKey. It records the region changed since the last
// ClearDirty so a renderer can upload only that.
//
// When a glyph no longer fits, the atlas resets: it calls BeforeReset, then
// forgets every glyph and starts packing from the top again, marking the
// whole image dirty. It never fails for lack of room. An Atlas is not safe
// for concurrent use; the renderer owns it.
type Atlas struct {
	// BeforeReset, if set, runs just before a full atlas is cleared, so a
	// renderer can draw what it has batched against the old contents.
	BeforeReset func()

	r       Rasterizer
	img     *image.Alpha
	shelves []shelf
	bottom  int // first row below the last shelf
	entries map[GlyphKey]AtlasGlyph
	dirty   image.Rectangle
	resets  int
}

// shelf is one row of the atlas: glyphs no taller than h, packed left to
// right up to x.
type shelf struct{ y, h, x int }

// NewAtlas returns an empty size x size atlas that rasterizes misses with r.
func NewAtlas(size int, r Rasterizer) *Atlas {
	return &Atlas{
		r:       r,
		img:     image.NewAlpha(image.Rect(0, 0, size, size)),
		entries: make(map[GlyphKey]AtlasGlyph),
	}
}

// Image returns the atlas pixels. The renderer reads it; nobody else writes.
func (a *Atlas) Image() *image.Alpha { return a.img }

// Len returns how many glyphs are cached.
func (a *Atlas) Len() int { return len(a.entries) }

// Resets returns how many times the atlas has filled up and been cleared.
func (a *Atlas) Resets() int { return a.resets }

// Dirty returns the region written since the last ClearDirty.
func (a *Atlas) Dirty() image.Rectangle { return a.dirty }

// ClearDirty marks the atlas as uploaded.
func (a *Atlas) ClearDirty() { a.dirty = image.Rectangle{} }

// Glyph returns k's place in the atlas, rasterizing and packing it on a
// miss. A glyph that fails to rasterize, or is bigger than the whole atlas,
// is cached as an empty glyph and the error is returned once.
func (a *Atlas) Glyph(k GlyphKey) (AtlasGlyph, error) {
	if g, ok := a.entries[k]; ok {
		return g, nil
	}
	mask, m, err := a.r.Rasterize(k)
	if err != nil {
		a.entries[k] = AtlasGlyph{}
		return AtlasGlyph{}, fmt.Errorf("atlas: %w", err)
	}
	g := AtlasGlyph{GlyphMetrics: m}
	w, h := mask.Bounds().Dx(), mask.Bounds().Dy()
	if w == 0 || h == 0 {
		a.entries[k] = g
		return g, nil
	}
	size := a.img.Bounds().Dx()
	if w+2*pad > size || h+2*pad > size {
		a.entries[k] = g
		return g, fmt.Errorf("atlas: glyph %q at %dpx is %dx%d, larger than the %dpx atlas", k.Rune, k.Size, w, h, size)
	}
	p, ok := a.place(w, h)
	if !ok {
		a.reset()
		p, _ = a.place(w, h)
	}
	g.Rect = image.Rectangle{Min: p, Max: p.Add(image.Pt(w, h))}
	mb := mask.Bounds()
	for y := 0; y < h; y++ {
		src := mask.Pix[mask.PixOffset(mb.Min.X, mb.Min.Y+y):][:w]
		copy(a.img.Pix[a.img.PixOffset(p.X, p.Y+y):], src)
	}
	a.dirty = a.dirty.Union(g.Rect)
	a.entries[k] = g
	return g, nil
}

// place finds room for a w x h glyph, returning its top-left corner.
func (a *Atlas) place(w, h int) (image.Point, bool) {
	size := a.img.Bounds().Dx()
	cw, ch := w+pad, h+pad
	best := -1
	for i, s := range a.shelves {
		// A shelf fits if it is tall enough but not wastefully so.
		if ch > s.h || s.h > ch+ch/3+2 || s.x+cw > size-pad {
			continue
		}
		if best < 0 || s.h < a.shelves[best].h {
			best = i
		}
	}
	if best < 0 {
		y := max(a.bottom, pad)
		if y+ch > size {
			return image.Point{}, false
		}
		a.shelves = append(a.shelves, shelf{y: y, h: ch, x: pad})
		a.bottom = y + ch
		best = len(a.shelves) - 1
	}
	s := &a.shelves[best]
	p := image.Pt(s.x, s.y)
	s.x += cw
	return p, true
}

// reset forgets every glyph and clears the pixels.
func (a *Atlas) reset() {
	if a.BeforeReset != nil {
		a.BeforeReset()
	}
	clear(a.img.Pix)
	clear(a.entries)
	a.shelves = a.shelves[:0]
	a.bottom = 0
	a.dirty = a.img.Bounds()
	a.resets++
}
