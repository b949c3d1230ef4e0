package gfx

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata")

// Golden comparison tolerance: GPUs and drivers differ a little in
// anti-aliasing and filtering, so a pixel matches if no channel differs by
// more than goldenChannel, and a picture matches if at least goldenShare of
// its pixels do.
const (
	goldenChannel = 8
	goldenShare   = 0.995
)

// checkGolden compares got with testdata/name.png. With -update it rewrites
// the golden instead. On a mismatch it writes name.actual.png and
// name.diff.png next to the golden for a person to look at.
func checkGolden(t *testing.T, name string, got *image.RGBA) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	actual := filepath.Join("testdata", name+".actual.png")
	diffPath := filepath.Join("testdata", name+".diff.png")
	if *update {
		if err := writePNG(path, got); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		os.Remove(actual)
		os.Remove(diffPath)
		return
	}
	want, err := readPNG(path)
	if errors.Is(err, os.ErrNotExist) {
		writePNG(actual, got)
		t.Fatalf("no golden %s (wrote %s; run go test -tags gles2 ./ui/gfx -update to accept it)", path, actual)
	}
	if err != nil {
		t.Fatal(err)
	}
	diff, bad := compare(want, got)
	if bad < 0 {
		writePNG(actual, got)
		t.Fatalf("%s: size %v, golden %v", name, got.Bounds().Size(), want.Bounds().Size())
	}
	total := got.Bounds().Dx() * got.Bounds().Dy()
	if float64(total-bad)/float64(total) < goldenShare {
		writePNG(actual, got)
		writePNG(diffPath, diff)
		t.Fatalf("%s: %d of %d pixels differ by more than %d; see %s and %s", name, bad, total, goldenChannel, actual, diffPath)
	}
	os.Remove(actual)
	os.Remove(diffPath)
}

// compare counts pixels differing beyond tolerance and draws them red on a
// faded copy of want. bad is -1 if the sizes differ.
func compare(want image.Image, got *image.RGBA) (diff *image.RGBA, bad int) {
	b := got.Bounds()
	if want.Bounds().Size() != b.Size() {
		return nil, -1
	}
	diff = image.NewRGBA(b)
	wb := want.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			w := color.RGBAModel.Convert(want.At(wb.Min.X+x, wb.Min.Y+y)).(color.RGBA)
			g := got.RGBAAt(x, y)
			if absDiff(w.R, g.R) > goldenChannel || absDiff(w.G, g.G) > goldenChannel || absDiff(w.B, g.B) > goldenChannel {
				bad++
				diff.SetRGBA(x, y, color.RGBA{0xff, 0, 0, 0xff})
				continue
			}
			l := uint8((int(w.R) + int(w.G) + int(w.B)) / 12)
			diff.SetRGBA(x, y, color.RGBA{l, l, l, 0xff})
		}
	}
	return diff, bad
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return img, nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}
