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
	m, off := media.YUVToRGB(f.ColorSpace, f.FullRange)
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
			r, g, b := rgb(m, off, float64(sum)/float64(n), float64(u), float64(v))
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

// rgb converts one pixel of 8-bit YUV with media.YUVToRGB's matrix m and
// offset off.
func rgb(m [9]float32, off [3]float32, y, u, v float64) (r, g, b uint8) {
	y, u, v = y/255-float64(off[0]), u/255-float64(off[1]), v/255-float64(off[2])
	// m is column-major: the Y, Cb and Cr columns.
	at := func(row int) uint8 {
		return clamp(255 * (float64(m[row])*y + float64(m[3+row])*u + float64(m[6+row])*v))
	}
	return at(0), at(1), at(2)
}

func clamp(x float64) uint8 {
	return uint8(min(max(math.Round(x), 0), 255))
}
