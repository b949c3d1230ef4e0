package gfx

import (
	"image"
	"testing"

	"github.com/manbang/manbang/ui/golden"
)

// checkGolden compares got with testdata/name.png through the golden
// package that ui's screen goldens share; `make golden` rewrites them.
func checkGolden(t *testing.T, name string, got *image.RGBA) {
	t.Helper()
	golden.Check(t, name, got)
}

// Golden comparison tolerance, as package golden applies it.
const goldenShare = golden.Share

func compare(want image.Image, got *image.RGBA) (*image.RGBA, int) { return golden.Compare(want, got) }

func readPNG(path string) (image.Image, error) { return golden.ReadPNG(path) }

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}
