// Package golden compares pictures the UI drew with golden PNGs kept in a
// package's testdata, with a tolerance for the small differences between
// GPUs and drivers. Tests of ui/gfx and ui share it.
//
// Goldens are rewritten only on request: `make golden`, which runs the
// golden tests with -update (go test -run Golden ./ui/gfx ./ui -update).
// A failing comparison writes NAME.actual.png and NAME.diff.png next to the
// golden for a person to look at.
package golden

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

// Update is the -update flag of every test binary that imports golden:
// rewrite the goldens instead of comparing with them.
var Update = flag.Bool("update", false, "rewrite the golden PNGs in testdata")

// Tolerance: a pixel matches if no channel differs by more than Channel,
// and a picture matches if at least Share of its pixels do.
const (
	Channel = 8
	Share   = 0.995
)

// Check compares got with testdata/name.png, or rewrites the golden with
// -update. On a mismatch it writes testdata/name.actual.png and
// testdata/name.diff.png, and fails t.
func Check(t testing.TB, name string, got *image.RGBA) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	actual := filepath.Join("testdata", name+".actual.png")
	diffPath := filepath.Join("testdata", name+".diff.png")
	if *Update {
		if err := WritePNG(path, got); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		os.Remove(actual)
		os.Remove(diffPath)
		return
	}
	want, err := ReadPNG(path)
	if errors.Is(err, os.ErrNotExist) {
		WritePNG(actual, got)
		t.Fatalf("no golden %s (wrote %s; run make golden to accept it)", path, actual)
	}
	if err != nil {
		t.Fatal(err)
	}
	diff, bad := Compare(want, got)
	if bad < 0 {
		WritePNG(actual, got)
		t.Fatalf("%s: size %v, golden %v", name, got.Bounds().Size(), want.Bounds().Size())
	}
	if !Matches(got, bad) {
		WritePNG(actual, got)
		WritePNG(diffPath, diff)
		total := got.Bounds().Dx() * got.Bounds().Dy()
		t.Fatalf("%s: %d of %d pixels differ by more than %d; see %s and %s", name, bad, total, Channel, actual, diffPath)
	}
	os.Remove(actual)
	os.Remove(diffPath)
}

// Matches reports whether a picture the size of got with bad differing
// pixels is within the tolerance.
func Matches(got image.Image, bad int) bool {
	total := got.Bounds().Dx() * got.Bounds().Dy()
	return bad >= 0 && float64(total-bad) >= Share*float64(total)
}

// Compare counts the pixels of got differing from want beyond Channel and
// draws them red on a faded copy of want. bad is -1 if the sizes differ.
func Compare(want image.Image, got *image.RGBA) (diff *image.RGBA, bad int) {
	b := got.Bounds()
	if want.Bounds().Size() != b.Size() {
		return nil, -1
	}
	diff = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	wb := want.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			w := color.RGBAModel.Convert(want.At(wb.Min.X+x, wb.Min.Y+y)).(color.RGBA)
			g := got.RGBAAt(b.Min.X+x, b.Min.Y+y)
			if absDiff(w.R, g.R) > Channel || absDiff(w.G, g.G) > Channel || absDiff(w.B, g.B) > Channel {
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

// ReadPNG decodes the PNG file at path.
func ReadPNG(path string) (image.Image, error) {
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

// WritePNG encodes img as a PNG file at path, creating its directory.
func WritePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
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
