package text

import (
	"errors"
	"image"
	"testing"
)

// fakeRasterizer draws each glyph as a solid block whose size and value
// derive from its key, and counts calls.
type fakeRasterizer struct{ calls map[GlyphKey]int }

func (r *fakeRasterizer) Rasterize(k GlyphKey) (*image.Alpha, GlyphMetrics, error) {
	if r.calls == nil {
		r.calls = make(map[GlyphKey]int)
	}
	r.calls[k]++
	if k.Rune < 0 {
		return nil, GlyphMetrics{}, errors.New("cannot draw a negative rune")
	}
	w, h := glyphSize(k)
	img := image.NewAlpha(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = fill(k)
	}
	return img, GlyphMetrics{Bearing: image.Pt(1, -h), Advance: float32(w)}, nil
}

func glyphSize(k GlyphKey) (int, int) {
	if k.Rune == ' ' {
		return 0, 0
	}
	return k.Size/2 + int(k.Rune)%7, k.Size + int(k.Rune)%5
}

func fill(k GlyphKey) uint8 { return uint8(1 + (int(k.Rune)*31+k.Size*7+k.Face)%254) }

func TestAtlasNeverOverlaps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		size  int
		sizes []int
		runes int
		reset bool // whether the atlas must fill up on the way
	}{
		{"roomy", 2048, []int{16, 24, 32, 48}, 200, false},
		{"one size fills", 256, []int{20}, 300, true},
		{"mixed sizes fill", 256, []int{12, 30, 64, 18, 90}, 150, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fr := &fakeRasterizer{}
			a := NewAtlas(tc.size, fr)
			for i := 0; i < tc.runes; i++ {
				for _, px := range tc.sizes {
					k := GlyphKey{Face: i % 3, Rune: rune('A' + i), Size: px}
					g, err := a.Glyph(k)
					if err != nil {
						t.Fatalf("Glyph(%v): %v", k, err)
					}
					if w, h := glyphSize(k); g.Rect.Dx() != w || g.Rect.Dy() != h {
						t.Fatalf("Glyph(%v) rect %v, want %dx%d", k, g.Rect, w, h)
					}
				}
				checkAtlas(t, a)
			}
			if got := a.Resets() > 0; got != tc.reset {
				t.Errorf("Resets() = %d, want resets: %v", a.Resets(), tc.reset)
			}
		})
	}
}

// checkAtlas verifies that every cached glyph lies inside the atlas, keeps
// its padding from every other, and still holds its own pixels.
func checkAtlas(t *testing.T, a *Atlas) {
	t.Helper()
	bounds := a.Image().Bounds()
	var rects []image.Rectangle
	for k, g := range a.entries {
		if g.Rect.Empty() {
			continue
		}
		if !g.Rect.In(bounds.Inset(pad)) {
			t.Fatalf("%v at %v is outside %v", k, g.Rect, bounds.Inset(pad))
		}
		for _, r := range rects {
			if g.Rect.Inset(-pad).Overlaps(r) {
				t.Fatalf("%v at %v overlaps %v", k, g.Rect, r)
			}
		}
		rects = append(rects, g.Rect)
		for y := g.Rect.Min.Y; y < g.Rect.Max.Y; y++ {
			for x := g.Rect.Min.X; x < g.Rect.Max.X; x++ {
				if v := a.Image().AlphaAt(x, y).A; v != fill(k) {
					t.Fatalf("%v pixel (%d,%d) = %d, want %d: overwritten", k, x, y, v, fill(k))
				}
			}
		}
	}
}

func TestAtlasCacheHitsDoNotRasterize(t *testing.T) {
	fr := &fakeRasterizer{}
	a := NewAtlas(512, fr)
	keys := []GlyphKey{{Face: 0, Rune: 'a', Size: 20}, {Face: 0, Rune: 'b', Size: 20}, {Face: 1, Rune: 'a', Size: 20}, {Face: 0, Rune: 'a', Size: 21}, {Face: 0, Rune: 'a', Size: 20, Sub: 2}, {Face: 0, Rune: ' ', Size: 20}}
	first := make([]AtlasGlyph, len(keys))
	for i, k := range keys {
		first[i], _ = a.Glyph(k)
	}
	for round := 0; round < 3; round++ {
		for i, k := range keys {
			g, err := a.Glyph(k)
			if err != nil || g != first[i] {
				t.Errorf("round %d: Glyph(%v) = %+v, %v; want %+v", round, k, g, err, first[i])
			}
		}
	}
	for _, k := range keys {
		if n := fr.calls[k]; n != 1 {
			t.Errorf("%v rasterized %d times, want once", k, n)
		}
	}
	if a.Len() != len(keys) {
		t.Errorf("Len() = %d, want %d", a.Len(), len(keys))
	}
	// A failure is cached too, and reported once.
	bad := GlyphKey{Face: 0, Rune: -1, Size: 20}
	if _, err := a.Glyph(bad); err == nil {
		t.Errorf("first Glyph(%v) hid the rasterizer's error", bad)
	}
	if g, err := a.Glyph(bad); err != nil || !g.Rect.Empty() {
		t.Errorf("second Glyph(%v) = %+v, %v; want empty glyph, no error", bad, g, err)
	}
	if fr.calls[bad] != 1 {
		t.Errorf("failing glyph rasterized %d times, want once", fr.calls[bad])
	}
}

func TestAtlasDirtyAndReset(t *testing.T) {
	fr := &fakeRasterizer{}
	a := NewAtlas(128, fr)
	resets := 0
	a.BeforeReset = func() {
		resets++
		checkAtlas(t, a) // still intact when the renderer flushes
	}
	g, _ := a.Glyph(GlyphKey{Face: 0, Rune: 'A', Size: 20})
	if !g.Rect.In(a.Dirty()) {
		t.Errorf("dirty %v does not cover new glyph %v", a.Dirty(), g.Rect)
	}
	a.ClearDirty()
	if !a.Dirty().Empty() {
		t.Errorf("dirty %v after ClearDirty", a.Dirty())
	}
	a.Glyph(GlyphKey{Face: 0, Rune: 'A', Size: 20})
	if !a.Dirty().Empty() {
		t.Errorf("cache hit dirtied %v", a.Dirty())
	}
	for i := 0; a.Resets() == 0; i++ {
		if i > 1000 {
			t.Fatal("a 128px atlas never filled")
		}
		a.ClearDirty()
		a.Glyph(GlyphKey{Face: 0, Rune: rune('B' + i), Size: 40})
	}
	if resets != 1 || a.Resets() != 1 {
		t.Errorf("BeforeReset ran %d times, Resets() = %d; want 1, 1", resets, a.Resets())
	}
	if a.Dirty() != a.Image().Bounds() {
		t.Errorf("dirty after reset = %v, want the whole atlas", a.Dirty())
	}
	if a.Len() != 1 {
		t.Errorf("Len() after reset = %d, want 1", a.Len())
	}
	checkAtlas(t, a)
	if _, err := a.Glyph(GlyphKey{Face: 0, Rune: 'Z', Size: 400}); err == nil {
		t.Errorf("glyph larger than the atlas gave no error")
	}
}

func TestAtlasWithRealFonts(t *testing.T) {
	f := loadFonts(t)
	a := NewAtlas(DefaultAtlasSize, f)
	for _, g := range f.Layout("Hello, Привет! 안녕하세요", 32) {
		if _, err := a.Glyph(g.GlyphKey); err != nil {
			t.Fatal(err)
		}
	}
	checkAtlasBounds(t, a)
}

func checkAtlasBounds(t *testing.T, a *Atlas) {
	t.Helper()
	var rects []image.Rectangle
	for k, g := range a.entries {
		for _, r := range rects {
			if g.Rect.Overlaps(r) {
				t.Fatalf("%v at %v overlaps %v", k, g.Rect, r)
			}
		}
		rects = append(rects, g.Rect)
	}
}
