package gfx

import (
	"image/color"
	"math"
	"testing"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/draw"
)

// SMPTE-style bars in BT.601 limited range: white, yellow, cyan, green,
// magenta, red, blue, black.
var barsYUV601 = [][3]uint8{
	{235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34},
	{106, 202, 222}, {81, 90, 240}, {41, 240, 110}, {16, 128, 128},
}

// stripeFrame makes a frame of vertical stripes, each stripeW luma pixels
// wide, one per YUV triple.
func stripeFrame(cs media.ColorSpace, full bool, yuv [][3]uint8, stripeW, h int) *media.VideoFrame {
	f := media.NewPool(1).Get(stripeW*len(yuv), h)
	f.ColorSpace, f.FullRange = cs, full
	for y := 0; y < f.Height; y++ {
		for x := 0; x < f.Width; x++ {
			f.Y[y*f.Width+x] = yuv[x/stripeW][0]
		}
	}
	cw := f.ChromaWidth()
	for y := 0; y < f.ChromaHeight(); y++ {
		for x := 0; x < cw; x++ {
			f.U[y*cw+x] = yuv[2*x/stripeW][1]
			f.V[y*cw+x] = yuv[2*x/stripeW][2]
		}
	}
	return f
}

// refRGB converts one YUV sample with the textbook equations.
func refRGB(cs media.ColorSpace, full bool, yuv [3]uint8) color.RGBA {
	kr, kb := 0.299, 0.114
	if cs == media.BT709 {
		kr, kb = 0.2126, 0.0722
	}
	y, cb, cr := float64(yuv[0])/255, (float64(yuv[1])-128)/255, (float64(yuv[2])-128)/255
	if !full {
		y, cb, cr = (float64(yuv[0])-16)/219, (float64(yuv[1])-128)/224, (float64(yuv[2])-128)/224
	}
	r := y + 2*(1-kr)*cr
	b := y + 2*(1-kb)*cb
	g := (y - kr*r - kb*b) / (1 - kr - kb)
	c := func(v float64) uint8 { return uint8(math.Round(255 * min(max(v, 0), 1))) }
	return color.RGBA{c(r), c(g), c(b), 255}
}

func TestVideoColors(t *testing.T) {
	r := newTestRenderer(t, 0)
	white, black, red := color.RGBA{255, 255, 255, 255}, color.RGBA{0, 0, 0, 255}, color.RGBA{255, 0, 0, 255}
	for _, tc := range []struct {
		name   string
		cs     media.ColorSpace
		full   bool
		yuv    [3]uint8
		anchor *color.RGBA // a known answer, besides the textbook equations
	}{
		{"601 limited white", media.BT601, false, [3]uint8{235, 128, 128}, &white},
		{"601 limited black", media.BT601, false, [3]uint8{16, 128, 128}, &black},
		{"601 limited red", media.BT601, false, [3]uint8{81, 90, 240}, &red},
		{"601 limited below black clamps", media.BT601, false, [3]uint8{4, 128, 128}, &black},
		{"601 limited green", media.BT601, false, [3]uint8{145, 54, 34}, nil},
		{"601 limited blue", media.BT601, false, [3]uint8{41, 240, 110}, nil},
		{"601 full white", media.BT601, true, [3]uint8{255, 128, 128}, &white},
		{"601 full black", media.BT601, true, [3]uint8{0, 128, 128}, &black},
		{"601 full red", media.BT601, true, [3]uint8{76, 85, 255}, &red},
		{"709 limited white", media.BT709, false, [3]uint8{235, 128, 128}, &white},
		{"709 limited black", media.BT709, false, [3]uint8{16, 128, 128}, &black},
		{"709 limited red", media.BT709, false, [3]uint8{63, 102, 240}, &red},
		{"709 limited 601-red is not red", media.BT709, false, [3]uint8{81, 90, 240}, nil},
		{"709 limited skin", media.BT709, false, [3]uint8{150, 110, 150}, nil},
		{"709 full red", media.BT709, true, [3]uint8{54, 99, 255}, &red},
		{"709 full grey", media.BT709, true, [3]uint8{128, 128, 128}, &color.RGBA{128, 128, 128, 255}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := refRGB(tc.cs, tc.full, tc.yuv)
			if tc.anchor != nil {
				checkColor(t, "textbook", want, *tc.anchor, 3)
			}
			// Three stripes with the sample in the middle, so chroma
			// filtering at the sampled pixel sees only this colour.
			f := stripeFrame(tc.cs, tc.full, [][3]uint8{{16, 128, 128}, tc.yuv, {235, 128, 128}}, 16, 16)
			got := frame(t, r, 48, 16, draw.Black, func(r *Renderer) {
				r.Video(draw.Rect{W: 48, H: 16}, f)
			})
			for _, x := range []int{20, 24, 27} {
				checkColor(t, "rendered", got.RGBAAt(x, 8), want, 3)
			}
		})
	}
}

func TestVideoBars(t *testing.T) {
	r := newTestRenderer(t, 0)
	f := stripeFrame(media.BT601, false, barsYUV601, 16, 32)
	got := frame(t, r, f.Width, f.Height, draw.Black, func(r *Renderer) {
		r.Video(draw.Rect{W: float32(f.Width), H: float32(f.Height)}, f)
	})
	for i, yuv := range barsYUV601 {
		checkColor(t, "bar", got.RGBAAt(16*i+8, 16), refRGB(media.BT601, false, yuv), 3)
	}
}

func TestVideoLetterbox(t *testing.T) {
	r := newTestRenderer(t, 0)
	red := draw.RGB(0xff0000)
	white := [][3]uint8{{235, 128, 128}}
	for _, tc := range []struct {
		name       string
		frame      *media.VideoFrame
		rect, want draw.Rect // where the picture must appear
	}{
		{"4:3 in 16:9 pillarboxes", stripeFrame(media.BT601, false, white, 64, 48),
			draw.Rect{X: 10, Y: 10, W: 320, H: 180}, draw.Rect{X: 50, Y: 10, W: 240, H: 180}},
		{"16:9 in 4:3 letterboxes", stripeFrame(media.BT601, false, white, 64, 36),
			draw.Rect{X: 10, Y: 10, W: 240, H: 180}, draw.Rect{X: 10, Y: 33, W: 240, H: 135}}, // 32.5 snaps to 33
		{"anamorphic 720x576 at 64:45 fills 16:9", anamorphic(),
			draw.Rect{X: 10, Y: 10, W: 320, H: 180}, draw.Rect{X: 10, Y: 10, W: 320, H: 180}},
		{"16:9 in 16:9 fills", stripeFrame(media.BT709, false, white, 32, 18),
			draw.Rect{X: 10, Y: 10, W: 320, H: 180}, draw.Rect{X: 10, Y: 10, W: 320, H: 180}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := frame(t, r, 340, 200, red, func(r *Renderer) { r.Video(tc.rect, tc.frame) })
			// Walk the middle row and column: red outside the rect, white
			// in the picture, black bars between.
			expect := func(x, y int) color.RGBA {
				fx, fy := float32(x)+0.5, float32(y)+0.5
				switch {
				case tc.want.Contains(fx, fy):
					return color.RGBA{255, 255, 255, 255}
				case tc.rect.Contains(fx, fy):
					return color.RGBA{0, 0, 0, 255}
				}
				return rgba(red)
			}
			cy := int(tc.rect.Y + tc.rect.H/2)
			for x := 0; x < 340; x++ {
				checkPixel(t, got, x, cy, expect(x, cy), 3)
			}
			cx := int(tc.rect.X + tc.rect.W/2)
			for y := 0; y < 200; y++ {
				checkPixel(t, got, cx, y, expect(cx, y), 3)
			}
		})
	}
}

func anamorphic() *media.VideoFrame {
	f := stripeFrame(media.BT601, false, [][3]uint8{{235, 128, 128}}, 720, 576)
	f.AspectNum, f.AspectDen = 64, 45
	return f
}

func TestVideoSkipsRedundantUploads(t *testing.T) {
	r := newTestRenderer(t, 0)
	grey := [][3]uint8{{126, 128, 128}}
	f := stripeFrame(media.BT601, true, grey, 32, 16)
	rect := draw.Rect{W: 32, H: 16}
	show := func() (uploads int, luma uint8) {
		img := frame(t, r, 32, 16, draw.Black, func(r *Renderer) { r.Video(rect, f) })
		return r.Stats().VideoUploads, img.RGBAAt(16, 8).G
	}
	steps := []struct {
		name    string
		change  func()
		uploads int
		luma    uint8
	}{
		{"first frame uploads", func() {}, 1, 126},
		{"same frame again is skipped", func() {}, 0, 126},
		{"rewritten in place, same PTS: still skipped", func() { fill(f.Y, 200) }, 0, 126},
		{"new PTS uploads", func() { f.PTS += 40e6 }, 1, 200},
		{"InvalidateVideo forces an upload", func() { fill(f.Y, 60); do(r.InvalidateVideo) }, 1, 60},
		{"new frame of another size uploads", func() {
			f = stripeFrame(media.BT601, true, [][3]uint8{{90, 128, 128}}, 64, 32)
		}, 1, 90},
	}
	for _, s := range steps {
		s.change()
		uploads, luma := show()
		if uploads != s.uploads || absDiff(luma, s.luma) > 2 {
			t.Errorf("%s: %d uploads, luma %d; want %d, %d", s.name, uploads, luma, s.uploads, s.luma)
		}
	}
}

func TestVideoBadFrameIsBlack(t *testing.T) {
	r := newTestRenderer(t, 0)
	for _, f := range []*media.VideoFrame{nil, {Width: 16, Height: 16}} {
		got := frame(t, r, 32, 32, draw.White, func(r *Renderer) { r.Video(draw.Rect{X: 8, Y: 8, W: 16, H: 16}, f) })
		checkPixel(t, got, 16, 16, color.RGBA{0, 0, 0, 255}, 0)
		checkPixel(t, got, 4, 4, color.RGBA{255, 255, 255, 255}, 0)
	}
}

func TestYUVMatrix(t *testing.T) {
	for _, cs := range []media.ColorSpace{media.BT601, media.BT709} {
		for _, full := range []bool{false, true} {
			m, off := media.YUVToRGB(cs, full)
			for _, yuv := range [][3]uint8{{16, 128, 128}, {235, 16, 240}, {81, 90, 240}, {200, 30, 100}} {
				in := [3]float32{float32(yuv[0])/255 - off[0], float32(yuv[1])/255 - off[1], float32(yuv[2])/255 - off[2]}
				var rgb [3]float32
				for row := 0; row < 3; row++ {
					for col := 0; col < 3; col++ {
						rgb[row] += m[col*3+row] * in[col]
					}
				}
				c := func(v float32) uint8 { return uint8(math.Round(255 * float64(min(max(v, 0), 1)))) }
				got := color.RGBA{c(rgb[0]), c(rgb[1]), c(rgb[2]), 255}
				checkColor(t, "matrix", got, refRGB(cs, full, yuv), 1)
			}
		}
	}
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

func checkColor(t *testing.T, what string, got, want color.RGBA, tol int) {
	t.Helper()
	if absDiff(got.R, want.R) > tol || absDiff(got.G, want.G) > tol || absDiff(got.B, want.B) > tol {
		t.Errorf("%s colour %v, want %v ±%d", what, got, want, tol)
	}
}
