package thumb

import (
	"image"
	"math"

	"github.com/manbang/manbang/player/media"
)

// Scale turns a YUV 4:2:0 frame into an RGBA picture fitting maxW×maxH at
// the frame's display aspect, each pixel the average of the source pixels
// it covers.
func Scale(f *media.VideoFrame, maxW, maxH int) *image.RGBA {
	aspect := f.DisplayAspect()
	w, h := maxW, int(math.Round(float64(maxW)/aspect))
	if h > maxH {
		w, h = int(math.Round(float64(maxH)*aspect)), maxH
	}
	w, h = max(w, 1), max(h, 1)
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	if f.Width == 0 || f.Height == 0 {
		return out
	}
	m := matrixOf(f.ColorSpace)
	cw := f.ChromaWidth()
	for y := 0; y < h; y++ {
		y0, y1 := span(y, h, f.Height)
		for x := 0; x < w; x++ {
			x0, x1 := span(x, w, f.Width)
			var sum, n int
			for sy := y0; sy < y1; sy++ {
				row := f.Y[sy*f.Width:]
				for sx := x0; sx < x1; sx++ {
					sum += int(row[sx])
					n++
				}
			}
			cx, cy := (x0+x1)/4, (y0+y1)/4
			u, v := f.U[cy*cw+cx], f.V[cy*cw+cx]
			r, g, b := m.rgb(float64(sum)/float64(n), float64(u), float64(v), f.FullRange)
			i := out.PixOffset(x, y)
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = r, g, b, 0xff
		}
	}
	return out
}

// span is the source range [a, b) that output pixel i of n covers in a
// source of size src; never empty.
func span(i, n, src int) (a, b int) {
	a, b = i*src/n, (i+1)*src/n
	if b <= a {
		b = a + 1
	}
	return min(a, src-1), min(b, src)
}

// matrix holds the YUV to RGB coefficients of a colour space.
type matrix struct{ rv, gu, gv, bu float64 }

func matrixOf(cs media.ColorSpace) matrix {
	if cs == media.BT709 {
		return matrix{1.5748, 0.1873, 0.4681, 1.8556}
	}
	return matrix{1.402, 0.3441, 0.7141, 1.772}
}

// rgb converts one pixel; limited-range input (16–235) is stretched.
func (m matrix) rgb(y, u, v float64, full bool) (r, g, b uint8) {
	u, v = u-128, v-128
	if !full {
		y = (y - 16) * 255 / 219
		u, v = u*255/224, v*255/224
	}
	return clamp(y + m.rv*v), clamp(y - m.gu*u - m.gv*v), clamp(y + m.bu*u)
}

func clamp(x float64) uint8 {
	return uint8(min(max(math.Round(x), 0), 255))
}
