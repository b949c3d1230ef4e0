package text

import (
	"fmt"
	"image"
	"image/draw"
	"math"

	"golang.org/x/image/math/fixed"
)

// GlyphMetrics places a rasterized glyph: its bitmap's top-left corner sits
// at Bearing from the pen origin on the baseline (Bearing.Y is negative for
// ink above the baseline), and the pen then moves Advance pixels right.
type GlyphMetrics struct {
	Bearing image.Point
	Advance float32
}

// Rasterizer turns a glyph key into an alpha bitmap. Fonts implements it;
// tests wrap it to count calls.
type Rasterizer interface {
	Rasterize(k GlyphKey) (*image.Alpha, GlyphMetrics, error)
}

// Rasterize draws glyph k as coverage in an *image.Alpha whose bounds start
// at (0, 0), shifted right by its subpixel phase. Whitespace yields an empty bitmap. A rune that face k.Face
// lacks is drawn as a hollow box, which is how text in a script with no
// loaded font looks.
func (f *Fonts) Rasterize(k GlyphKey) (*image.Alpha, GlyphMetrics, error) {
	if k.Face < 0 || k.Face >= len(f.faces) {
		return nil, GlyphMetrics{}, fmt.Errorf("rasterize %q: no face %d", k.Rune, k.Face)
	}
	if k.Size < 1 {
		return nil, GlyphMetrics{}, fmt.Errorf("rasterize %q: bad size %d", k.Rune, k.Size)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	adv := f.glyphAdvance(k)
	if f.glyphIndex(k.Face, k.Rune) == 0 {
		img, bearing := box(k.Size)
		return img, GlyphMetrics{Bearing: bearing, Advance: adv}, nil
	}
	ff, err := f.sized(k.Face, k.Size)
	if err != nil {
		return nil, GlyphMetrics{}, fmt.Errorf("rasterize %q: %w", k.Rune, err)
	}
	dot := fixed.Point26_6{X: fixed.Int26_6(int(k.Sub%SubpixelSteps) * 64 / SubpixelSteps)}
	dr, mask, mp, _, ok := ff.Glyph(dot, k.Rune)
	if !ok {
		return nil, GlyphMetrics{}, fmt.Errorf("rasterize %q with %s: no glyph", k.Rune, f.faces[k.Face].name)
	}
	img := image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
	if !dr.Empty() {
		draw.Draw(img, img.Bounds(), mask, mp, draw.Src)
	}
	return img, GlyphMetrics{Bearing: dr.Min, Advance: adv}, nil
}

// boxAdvance is the advance of the box drawn for a missing glyph.
func boxAdvance(px int) float32 { return float32(math.Round(float64(px) * 0.6)) }

// box draws the hollow rectangle that stands in for a missing glyph.
func box(px int) (*image.Alpha, image.Point) {
	w := int(boxAdvance(px)) - 2*max(1, px/10)
	h := max(2, px*7/10)
	w = max(w, 2)
	line := max(1, px/16)
	img := image.NewAlpha(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x < line || y < line || x >= w-line || y >= h-line {
				img.Pix[y*img.Stride+x] = 0xff
			}
		}
	}
	return img, image.Pt(max(1, px/10), -h)
}
