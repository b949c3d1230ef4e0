package text

import (
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// GlyphKey names one rasterized glyph: a rune drawn with a face at a whole
// pixel size, shifted right by a fraction of a pixel. It is the Atlas cache
// key.
type GlyphKey struct {
	Face int
	Rune rune
	Size int // pixel size, from PixelSize
	// Sub is the subpixel phase: the glyph is drawn Sub/SubpixelSteps of a
	// pixel right of its whole-pixel origin. Layout leaves it 0; the
	// renderer sets it with SplitSubpixel.
	Sub uint8
}

// SubpixelSteps is how many horizontal positions per pixel glyphs are
// rasterized at, so that small text keeps even spacing while every glyph
// still lands on whole pixels.
const SubpixelSteps = 4

// SplitSubpixel splits a pen position into the whole pixel a glyph's bitmap
// is placed from and the subpixel phase to rasterize it at.
func SplitSubpixel(x float32) (pixel int, sub uint8) {
	steps := int(math.Round(float64(x) * SubpixelSteps))
	pixel = steps / SubpixelSteps
	if steps%SubpixelSteps < 0 {
		pixel--
	}
	return pixel, uint8(steps - pixel*SubpixelSteps)
}

// GlyphPos is one glyph of a laid-out line: its key and the pen position,
// in pixels from the start of the line, where its origin sits on the
// baseline.
type GlyphPos struct {
	GlyphKey
	X float32
}

// PixelSize returns the whole pixel size that text of the given size is
// laid out and rasterized at, so that measuring and drawing agree.
func PixelSize(size float32) int {
	px := int(math.Round(float64(size)))
	if px < 1 {
		px = 1
	}
	return px
}

// Measure returns the width of s in the regular style at size pixels, and
// the line's ascent and descent above and below the baseline (both
// positive). Ascent and descent come from the primary face, so they do not
// depend on which characters s holds and lines stay aligned.
func (f *Fonts) Measure(s string, size float32) (width, ascent, descent float32) {
	return f.MeasureStyle(s, size, Regular)
}

// MeasureStyle is Measure for a given style.
func (f *Fonts) MeasureStyle(s string, size float32, st Style) (width, ascent, descent float32) {
	px := PixelSize(size)
	f.mu.Lock()
	defer f.mu.Unlock()
	_, width = f.layout(nil, s, px, st, false)
	ascent, descent = f.lineMetrics(st, px)
	return width, ascent, descent
}

// Layout returns the glyphs of s in the regular style at size pixels.
// Control characters take no space and yield no glyph.
func (f *Fonts) Layout(s string, size float32) []GlyphPos {
	return f.AppendLayout(nil, s, size, Regular)
}

// AppendLayout appends the glyphs of s in style st to dst and returns the
// extended slice, so that a renderer can reuse one buffer every frame.
func (f *Fonts) AppendLayout(dst []GlyphPos, s string, size float32, st Style) []GlyphPos {
	px := PixelSize(size)
	f.mu.Lock()
	defer f.mu.Unlock()
	dst, _ = f.layout(dst, s, px, st, true)
	return dst
}

// LineMetrics returns the ascent and descent (both positive) of style st at
// size pixels.
func (f *Fonts) LineMetrics(size float32, st Style) (ascent, descent float32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lineMetrics(st, PixelSize(size))
}

// layout walks s, appending glyph positions to dst when keep is set, and
// returns the pen position after the last glyph. Callers hold f.mu.
func (f *Fonts) layout(dst []GlyphPos, s string, px int, st Style, keep bool) ([]GlyphPos, float32) {
	var (
		x        float32
		prevFace = -1
		prevRune rune
	)
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			prevFace = -1
			continue
		}
		fi := f.pickFace(st, r)
		if fi == prevFace {
			x += f.kern(fi, prevRune, r, px)
		}
		if keep {
			dst = append(dst, GlyphPos{GlyphKey{Face: fi, Rune: r, Size: px}, x})
		}
		x += f.glyphAdvance(GlyphKey{Face: fi, Rune: r, Size: px})
		prevFace, prevRune = fi, r
	}
	return dst, x
}

// glyphAdvance returns how far the pen moves after k. Callers hold f.mu.
func (f *Fonts) glyphAdvance(k GlyphKey) float32 {
	k.Sub = 0
	if a, ok := f.advance[k]; ok {
		return a
	}
	g := f.glyphIndex(k.Face, k.Rune)
	var a float32
	if g == 0 {
		a = boxAdvance(k.Size)
	} else if adv, err := f.faces[k.Face].font.GlyphAdvance(&f.buf, g, fixed.I(k.Size), font.HintingNone); err == nil {
		a = fix(adv)
	}
	f.advance[k] = a
	return a
}

// kern returns the kerning between two runes of face fi, 0 if the face has
// no kern table. Callers hold f.mu.
func (f *Fonts) kern(fi int, r0, r1 rune, px int) float32 {
	g0, g1 := f.glyphIndex(fi, r0), f.glyphIndex(fi, r1)
	if g0 == 0 || g1 == 0 {
		return 0
	}
	k, err := f.faces[fi].font.Kern(&f.buf, g0, g1, fixed.I(px), font.HintingNone)
	if err != nil {
		return 0
	}
	return fix(k)
}

// lineMetrics returns the primary face's ascent and descent. Callers hold
// f.mu.
func (f *Fonts) lineMetrics(st Style, px int) (ascent, descent float32) {
	fi := f.chains[st][0]
	k := sizeKey{fi, px}
	m, ok := f.metrics[k]
	if !ok {
		var err error
		m, err = f.faces[fi].font.Metrics(&f.buf, fixed.I(px), font.HintingNone)
		if err != nil {
			m = font.Metrics{Ascent: fixed.I(px * 4 / 5), Descent: fixed.I(px / 5)}
		}
		f.metrics[k] = m
	}
	return fix(m.Ascent), fix(m.Descent)
}

func fix(v fixed.Int26_6) float32 { return float32(v) / 64 }
