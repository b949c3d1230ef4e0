package gfx

import (
	"log"
	"math"

	gl "github.com/go-gl/gl/v3.1/gles2"

	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/text"
)

// Text draws s in the regular weight with its baseline at y.
func (r *Renderer) Text(x, y float32, s string, size float32, c draw.Color) {
	r.text(x, y, s, size, c, text.Regular)
}

// BoldText draws s in bold with its baseline at y.
func (r *Renderer) BoldText(x, y float32, s string, size float32, c draw.Color) {
	r.text(x, y, s, size, c, text.Bold)
}

// MeasureText measures regular text as Text draws it.
func (r *Renderer) MeasureText(s string, size float32) (width, ascent, descent float32) {
	return r.fonts.MeasureStyle(s, size, text.Regular)
}

// MeasureBoldText measures bold text as BoldText draws it.
func (r *Renderer) MeasureBoldText(s string, size float32) (width, ascent, descent float32) {
	return r.fonts.MeasureStyle(s, size, text.Bold)
}

// text lays s out and batches one quad per inked glyph. Each glyph is
// rasterized at its quarter-pixel phase and placed on whole pixels, so the
// atlas is sampled texel for texel: text stays crisp and evenly spaced.
func (r *Renderer) text(x, y float32, s string, size float32, c draw.Color, st text.Style) {
	if c.A == 0 || s == "" {
		return
	}
	// Cull lines wholly outside the clip before laying them out.
	if !r.visible(draw.Rect{X: x - size, Y: y - 2*size, W: float32(r.w) + 2*size, H: 3 * size}) {
		return
	}
	r.glyphs = r.fonts.AppendLayout(r.glyphs[:0], s, size, st)
	by := int(math.Round(float64(y)))
	key := batchKey{prog: progText, blend: true}
	inv := 1 / float32(r.atlas.Image().Bounds().Dx())
	for _, g := range r.glyphs {
		px, sub := text.SplitSubpixel(x + g.X)
		g.Sub = sub
		ag, err := r.atlas.Glyph(g.GlyphKey)
		if err != nil {
			log.Printf("gfx: text %q: %v", s, err)
		}
		if ag.Rect.Empty() {
			continue
		}
		gx := px + ag.Bearing.X
		gy := by + ag.Bearing.Y
		q := draw.Rect{X: float32(gx), Y: float32(gy), W: float32(ag.Rect.Dx()), H: float32(ag.Rect.Dy())}
		if !r.visible(q) {
			continue
		}
		t := ag.Rect
		r.record(key, r.atlasTex, q, float32(t.Min.X)*inv, float32(t.Min.Y)*inv, float32(t.Max.X)*inv, float32(t.Max.Y)*inv, q, 0, c, 1)
	}
}

// uploadAtlas sends the atlas rows changed since the last upload to the
// texture. GL ES 2 has no row-length unpacking, so whole rows go up.
func (r *Renderer) uploadAtlas() {
	d := r.atlas.Dirty()
	if d.Empty() {
		return
	}
	a := r.atlas.Image()
	gl.ActiveTexture(gl.TEXTURE0)
	gl.BindTexture(gl.TEXTURE_2D, r.atlasTex)
	gl.TexSubImage2D(gl.TEXTURE_2D, 0, 0, int32(d.Min.Y), int32(a.Rect.Dx()), int32(d.Dy()),
		gl.ALPHA, gl.UNSIGNED_BYTE, gl.Ptr(a.Pix[d.Min.Y*a.Stride:]))
	r.atlas.ClearDirty()
	r.stats.AtlasUploads++
}
