package golden

import (
	"image"
	"image/color"
	"path/filepath"
	"testing"
)

func TestCompare(t *testing.T) {
	base := image.NewRGBA(image.Rect(0, 0, 100, 100))
	for i := range base.Pix {
		base.Pix[i] = 100
	}
	cases := []struct {
		name  string
		edit  func(img *image.RGBA)
		bad   int
		match bool
	}{
		{"same", func(*image.RGBA) {}, 0, true},
		{"within the channel tolerance", func(img *image.RGBA) { img.SetRGBA(5, 5, color.RGBA{100 + Channel, 100, 100 - Channel, 100}) }, 0, true},
		{"a few pixels off", func(img *image.RGBA) {
			for x := 0; x < 50; x++ {
				img.SetRGBA(x, 0, color.RGBA{0, 0, 0, 255})
			}
		}, 50, true},
		{"too many off", func(img *image.RGBA) {
			for x := 0; x < 100; x++ {
				img.SetRGBA(x, 1, color.RGBA{255, 0, 0, 255})
			}
		}, 100, false},
	}
	for _, c := range cases {
		got := image.NewRGBA(base.Rect)
		copy(got.Pix, base.Pix)
		c.edit(got)
		diff, bad := Compare(base, got)
		if bad != c.bad || Matches(got, bad) != c.match {
			t.Errorf("%s: %d bad, matches %v; want %d, %v", c.name, bad, Matches(got, bad), c.bad, c.match)
		}
		if diff.Bounds() != got.Bounds() {
			t.Errorf("%s: diff of %v", c.name, diff.Bounds())
		}
	}
	if _, bad := Compare(base, image.NewRGBA(image.Rect(0, 0, 10, 10))); bad != -1 {
		t.Errorf("sizes differ, bad %d", bad)
	}
}

func TestPNGRoundTrip(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.SetRGBA(1, 1, color.RGBA{1, 2, 3, 255})
	path := filepath.Join(t.TempDir(), "sub", "x.png")
	if err := WritePNG(path, img); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPNG(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, bad := Compare(got, img); bad != 0 {
		t.Errorf("%d pixels changed", bad)
	}
}
