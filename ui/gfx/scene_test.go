package gfx

import (
	"image"
	"image/color"
	"testing"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/text"
)

var sceneBG = draw.RGB(0x101828)

// poster makes a deterministic gradient picture with a frame, standing in
// for a downloaded poster.
func poster(w, h int) *draw.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{uint8(255 * x / w), uint8(255 * y / h), 160, 255}
			if x < 3 || y < 3 || x >= w-3 || y >= h-3 {
				c = color.NRGBA{255, 255, 255, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return draw.NewImage(img)
}

// drawScene paints a 640x360 screen that uses every Canvas call.
func drawScene(cv draw.Canvas, img *draw.Image, video *media.VideoFrame) {
	w, _ := cv.Size()
	white := draw.White
	cv.FillRect(draw.Rect{X: 0, Y: 0, W: w, H: 48}, draw.RGB(0x1f2a44))
	draw.BoldText(cv, 16, 32, "Manbang TV", 22, white)
	cw, _, _ := cv.MeasureText("21:30", 20)
	cv.Text(w-16-cw, 32, "21:30", 20, draw.RGB(0xc0c8d8))

	cv.Text(16, 84, "안녕하세요 Hello Привет", 28, white)
	cv.Text(16, 114, "채널 11 · Новости · News", 20, draw.RGB(0xc0c8d8))
	draw.BoldText(cv, 16, 142, "굵은 글씨 Bold Жирный", 20, draw.RGB(0xffd166))
	cv.Text(16, 164, "작은 글씨 small text мелкий шрифт", 13, white)
	cv.Text(16, 190, "▶ ● → ★ ✓", 20, draw.RGB(0x8ecae6))

	// Tiles: plain, focused with a ring, a pill button, a translucent overlay.
	cv.RoundRect(draw.Rect{X: 16, Y: 206, W: 120, H: 70}, 12, draw.RGB(0x2b59c3))
	cv.RoundRect(draw.Rect{X: 146, Y: 202, W: 128, H: 78}, 16, white)
	cv.RoundRect(draw.Rect{X: 150, Y: 206, W: 120, H: 70}, 12, draw.RGB(0x3a7d44))
	cv.RoundRect(draw.Rect{X: 290, Y: 222, W: 120, H: 36}, 18, draw.RGB(0xe63946))
	tw, asc, desc := cv.MeasureText("재생 Play", 18)
	cv.Text(350-tw/2, 240+(asc-desc)/2, "재생 Play", 18, white)
	cv.RoundRect(draw.Rect{X: 100, Y: 240, W: 90, H: 50.5}, 6.5, draw.RGBA(0x00000099))
	cv.FillRect(draw.Rect{X: 16, Y: 286, W: 258.5, H: 2}, draw.RGB(0xffd166).Fade(0.5))

	cv.PushClip(draw.Rect{X: 16, Y: 294, W: 200, H: 40})
	cv.FillRect(draw.Rect{X: 0, Y: 0, W: 640, H: 360}, draw.RGB(0x22304a))
	cv.Text(20, 322, "잘린 텍스트 clipped text обрезанный текст", 22, white)
	cv.PopClip()

	cv.Image(draw.Rect{X: 460, Y: 60, W: 90, H: 135}, img)
	cv.Video(draw.Rect{X: 430, Y: 210, W: 194, H: 130}, video)
}

func TestGoldenScene(t *testing.T) {
	r := newTestRenderer(t, 0)
	img := poster(60, 90)
	video := stripeFrame(media.BT601, false, barsYUV601, 8, 48)
	got := frame(t, r, 640, 360, sceneBG, func(r *Renderer) { drawScene(r, img, video) })
	checkGolden(t, "scene", got)
}

// drawTextSizes paints one mixed-script line at several sizes.
func drawTextSizes(r *Renderer) {
	y := float32(10)
	for _, size := range []float32{12, 16, 24, 36, 48} {
		_, asc, desc := r.MeasureText("", size)
		y += asc
		r.Text(10, y, "한글 Latin Кириллица", size, draw.Black)
		y += desc + 4
	}
}

func TestGoldenText(t *testing.T) {
	r := newTestRenderer(t, 0)
	checkGolden(t, "text", frame(t, r, 480, 270, draw.White, drawTextSizes))
}

// TestGoldenCatchesMissingHangul makes sure the text golden is sensitive
// enough to fail when Hangul comes out as boxes.
func TestGoldenCatchesMissingHangul(t *testing.T) {
	needGL(t)
	noHangul, err := text.Load(text.Config{HangulPaths: []string{}, HangulBoldPaths: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	var r *Renderer
	do(func() { r, err = newRenderer(noHangul, text.DefaultAtlasSize) })
	if err != nil {
		t.Fatal(err)
	}
	defer do(r.Close)
	got := frame(t, r, 480, 270, draw.White, drawTextSizes)
	want, err := readPNG("testdata/text.png")
	if err != nil {
		t.Skipf("no golden yet: %v", err)
	}
	_, bad := compare(want, got)
	if total := 480 * 270; float64(total-bad)/float64(total) >= goldenShare {
		t.Errorf("Hangul drawn as boxes differs in only %d of %d pixels: the golden would pass", bad, total)
	}
}

func TestFillAndBlend(t *testing.T) {
	r := newTestRenderer(t, 0)
	bg := draw.RGB(0x204060)
	got := frame(t, r, 100, 100, bg, func(r *Renderer) {
		r.FillRect(draw.Rect{X: 10, Y: 10, W: 30, H: 20}, draw.RGB(0xff8000))
		r.FillRect(draw.Rect{X: 50, Y: 50, W: 40, H: 40}, draw.RGBA(0xffffff80))
		r.FillRect(draw.Rect{X: 0, Y: 90, W: 100, H: 10}, draw.Transparent)
	})
	half := func(c uint8) uint8 { return uint8((int(c)*127 + 255*128 + 127) / 255) }
	for _, tc := range []struct {
		x, y int
		want color.RGBA
	}{
		{10, 10, color.RGBA{0xff, 0x80, 0, 0xff}},
		{39, 29, color.RGBA{0xff, 0x80, 0, 0xff}},
		{40, 29, rgba(bg)}, {39, 30, rgba(bg)}, {9, 10, rgba(bg)},
		{70, 70, color.RGBA{half(0x20), half(0x40), half(0x60), 0xff}},
		{50, 95, rgba(bg)},
	} {
		checkPixel(t, got, tc.x, tc.y, tc.want, 2)
	}
}

func TestRoundRectCorners(t *testing.T) {
	r := newTestRenderer(t, 0)
	got := frame(t, r, 100, 100, draw.Black, func(r *Renderer) {
		r.RoundRect(draw.Rect{X: 10, Y: 10, W: 80, H: 80}, 20, draw.White)
		r.RoundRect(draw.Rect{X: 0, Y: 0, W: 8, H: 8}, 100, draw.White) // radius clamps to a circle
	})
	white, black := color.RGBA{255, 255, 255, 255}, color.RGBA{0, 0, 0, 255}
	for _, tc := range []struct {
		x, y int
		want color.RGBA
	}{
		{50, 50, white}, {10, 50, white}, {89, 50, white}, {50, 10, white},
		{10, 10, black}, {89, 89, black}, {13, 13, black}, // outside the arc
		{20, 20, white}, // inside the arc
		{9, 50, black}, {90, 50, black},
		{4, 4, white}, {0, 0, black},
	} {
		checkPixel(t, got, tc.x, tc.y, tc.want, 2)
	}
	// Pixel (12,20) has its centre 19.91px from the corner circle's centre
	// (30,30), just inside the 20px radius: anti-aliasing covers it partly.
	if c := got.RGBAAt(12, 20); c.R < 60 || c.R > 220 {
		t.Errorf("arc pixel (12,20) = %v, want partly covered", c)
	}
}

func TestClip(t *testing.T) {
	r := newTestRenderer(t, 0)
	red, blue := draw.RGB(0xff0000), draw.RGB(0x0000ff)
	got := frame(t, r, 100, 100, draw.Black, func(r *Renderer) {
		r.PushClip(draw.Rect{X: 10, Y: 10, W: 50, H: 50})
		r.FillRect(draw.Rect{X: 0, Y: 0, W: 100, H: 100}, red)
		r.PushClip(draw.Rect{X: 40, Y: 40, W: 50, H: 50})
		r.FillRect(draw.Rect{X: 0, Y: 0, W: 100, H: 100}, blue)
		r.PopClip()
		r.PopClip()
		r.PopClip() // unmatched: ignored
		r.FillRect(draw.Rect{X: 0, Y: 90, W: 100, H: 10}, red)
	})
	for _, tc := range []struct {
		x, y int
		want draw.Color
	}{
		{5, 5, draw.Black}, {10, 10, red}, {59, 39, red}, {60, 30, draw.Black},
		{40, 40, blue}, {59, 59, blue}, {60, 60, draw.Black}, {70, 70, draw.Black},
		{5, 95, red}, {95, 95, red},
	} {
		checkPixel(t, got, tc.x, tc.y, rgba(tc.want), 0)
	}
}

// TestTextMatchesRasterizer checks, glyph by glyph, that white text on black
// shows exactly the coverage the text package rasterized, at the pixel
// where the layout puts it.
func TestTextMatchesRasterizer(t *testing.T) {
	r := newTestRenderer(t, 0)
	const s, size, x0, y0 = "Ag 한글 Жж", 30, 12, 40
	got := frame(t, r, 300, 60, draw.Black, func(r *Renderer) { r.Text(x0, y0, s, size, draw.White) })
	inked := 0
	for _, g := range fonts.Layout(s, size) {
		px, sub := text.SplitSubpixel(x0 + g.X)
		g.Sub = sub
		mask, m, err := fonts.Rasterize(g.GlyphKey)
		if err != nil {
			t.Fatal(err)
		}
		ox, oy := px+m.Bearing.X, y0+m.Bearing.Y
		for y := 0; y < mask.Rect.Dy(); y++ {
			for x := 0; x < mask.Rect.Dx(); x++ {
				want := mask.AlphaAt(x, y).A
				if c := got.RGBAAt(ox+x, oy+y); absDiff(c.G, want) > 2 {
					t.Fatalf("glyph %q pixel (%d,%d) = %d, rasterized %d", g.Rune, x, y, c.G, want)
				}
				if want > 0 {
					inked++
				}
			}
		}
	}
	if inked < 200 {
		t.Errorf("only %d inked pixels: text not drawn", inked)
	}
}

// TestAtlasResetMidFrame draws more glyphs than a tiny atlas holds in one
// frame: the renderer must flush before the atlas resets, so the text comes
// out as with a roomy atlas.
func TestAtlasResetMidFrame(t *testing.T) {
	small := newTestRenderer(t, 128)
	big := newTestRenderer(t, 0)
	paint := func(r *Renderer) {
		r.Text(4, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 32, draw.White)
		r.Text(4, 90, "абвгдежзийклмнопрстуфхцчшщ", 32, draw.White)
		r.Text(4, 140, "가나다라마바사아자차카타파하", 32, draw.White)
	}
	want := frame(t, big, 600, 160, draw.Black, paint)
	got := frame(t, small, 600, 160, draw.Black, paint)
	if small.atlas.Resets() == 0 {
		t.Fatalf("the 128px atlas never reset: test proves nothing")
	}
	if _, bad := compare(want, got); bad != 0 {
		t.Errorf("%d pixels differ from the roomy-atlas rendering", bad)
	}
}

func TestImageCache(t *testing.T) {
	r := newTestRenderer(t, 0)
	a, b, c := poster(20, 30), poster(40, 30), poster(10, 10)
	got := frame(t, r, 100, 100, draw.Black, func(r *Renderer) {
		r.Image(draw.Rect{X: 0, Y: 0, W: 20, H: 30}, a)
		r.Image(draw.Rect{X: 30, Y: 0, W: 40, H: 30}, b)
		r.Image(draw.Rect{X: 80, Y: 0, W: 10, H: 10}, a) // a again: cached
	})
	if s := r.Stats(); s.Images != 2 || s.ImageBytes != (20*30+40*30)*4 {
		t.Errorf("after two images: %+v", s)
	}
	checkPixel(t, got, 0, 0, color.RGBA{255, 255, 255, 255}, 0)
	checkPixel(t, got, 10, 15, color.RGBA{uint8(255 * 10 / 20), uint8(255 * 15 / 30), 160, 255}, 3)

	do(func() { r.ReleaseImage(a) })
	if s := r.Stats(); s.Images != 1 {
		t.Errorf("after ReleaseImage: %d images cached, want 1", s.Images)
	}

	// Over the limit, the least recently drawn go first, but never one
	// drawn in the current frame.
	r.SetImageCacheLimit(1000)
	frame(t, r, 100, 100, draw.Black, func(r *Renderer) {
		r.Image(draw.Rect{W: 10, H: 10}, c)
		r.Image(draw.Rect{W: 10, H: 10}, a)
	})
	if _, ok := r.images[b.ID()]; ok {
		t.Errorf("b, not drawn this frame, still cached over the limit")
	}
	if s := r.Stats(); s.Images != 2 {
		t.Errorf("%d images cached, want the 2 drawn this frame", s.Images)
	}
	frame(t, r, 100, 100, draw.Black, func(r *Renderer) { r.Image(draw.Rect{W: 10, H: 10}, c) })
	if _, ok := r.images[a.ID()]; ok || len(r.images) != 1 {
		t.Errorf("a, drawn a frame ago, still cached over the limit")
	}
}

func rgba(c draw.Color) color.RGBA { return color.RGBA{c.R, c.G, c.B, 0xff} }

func checkPixel(t *testing.T, img *image.RGBA, x, y int, want color.RGBA, tol int) {
	t.Helper()
	got := img.RGBAAt(x, y)
	if absDiff(got.R, want.R) > tol || absDiff(got.G, want.G) > tol || absDiff(got.B, want.B) > tol {
		t.Errorf("pixel (%d,%d) = %v, want %v ±%d", x, y, got, want, tol)
	}
}
