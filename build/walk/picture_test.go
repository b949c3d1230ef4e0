//go:build walk

package walk

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"testing"
)

// A screenshot showing something has text and pictures: many colours,
// and a spread of brightness. A blank one (a cleared frame, a window that
// never drew) has one colour, or a handful from a faint gradient.
const (
	minColours = 16
	minSpread  = 4.0 // standard deviation of the luma, 0-255
)

// blank says why img looks blank, or "" when it shows something.
func blank(img image.Image) string {
	return blankIn(img, img.Bounds())
}

// blankIn is blank for the part r of img.
func blankIn(img image.Image, r image.Rectangle) string {
	colours := map[uint32]bool{}
	var n, sum, sum2 float64
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if len(colours) < minColours {
				colours[(cr>>8)<<16|(cg>>8)<<8|cb>>8] = true
			}
			l := 0.299*float64(cr>>8) + 0.587*float64(cg>>8) + 0.114*float64(cb>>8)
			n++
			sum += l
			sum2 += l * l
		}
	}
	if n == 0 {
		return "no pixels"
	}
	mean := sum / n
	spread := math.Sqrt(max(sum2/n-mean*mean, 0))
	switch {
	case len(colours) < minColours:
		return fmt.Sprintf("%d colours", len(colours))
	case spread < minSpread:
		return fmt.Sprintf("luma spread %.1f around %.0f", spread, mean)
	}
	return ""
}

// centre is the middle quarter of r, where a video's picture is.
func centre(r image.Rectangle) image.Rectangle {
	w, h := r.Dx()/4, r.Dy()/4
	return image.Rect(r.Min.X+w, r.Min.Y+h, r.Max.X-w, r.Max.Y-h)
}

// differ returns the fraction of the pixels of a and b that differ
// visibly (by more than 24 in a channel); pictures of different sizes
// differ wholly.
func differ(a, b image.Image) float64 {
	if a.Bounds() != b.Bounds() {
		return 1
	}
	r := a.Bounds()
	var n, diff int
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			n++
			if far(ar, br) || far(ag, bg) || far(ab, bb) {
				diff++
			}
		}
	}
	return float64(diff) / float64(n)
}

func far(a, b uint32) bool {
	d := int(a>>8) - int(b>>8)
	return d > 24 || d < -24
}

// TestPictureChecks shows that the checks of the steps' screenshots can
// fail: a cleared frame and a faint gradient are blank, bars of colours
// are not, and a picture moved by a few pixels differs from itself.
func TestPictureChecks(t *testing.T) {
	r := image.Rect(0, 0, 320, 180)
	cleared := image.NewRGBA(r)
	draw.Draw(cleared, r, &image.Uniform{color.RGBA{12, 16, 24, 255}}, image.Point{}, draw.Src)
	faint := image.NewRGBA(r)
	bars := image.NewRGBA(r)
	moved := image.NewRGBA(r)
	for y := range r.Dy() {
		for x := range r.Dx() {
			faint.Set(x, y, color.RGBA{uint8(10 + x/40), 16, 24, 255})
			bars.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), uint8((x / 20) * 30), 255})
			moved.Set(x, y, color.RGBA{uint8((x + 4) * 7), uint8((y + 4) * 5), uint8(((x + 4) / 20) * 30), 255})
		}
	}
	for _, c := range []struct {
		name  string
		img   image.Image
		blank bool
	}{{"cleared", cleared, true}, {"faint gradient", faint, true}, {"bars", bars, false}} {
		if why := blank(c.img); (why != "") != c.blank {
			t.Errorf("%s: blank says %q, want blank %v", c.name, why, c.blank)
		}
	}
	if d := differ(bars, bars); d != 0 {
		t.Errorf("a picture differs from itself by %.3f", d)
	}
	if d := differ(bars, moved); d < 0.5 {
		t.Errorf("a picture moved by 4 pixels differs by only %.3f", d)
	}
}
