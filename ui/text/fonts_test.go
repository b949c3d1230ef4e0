package text

import (
	"math"
	"os"
	"strings"
	"testing"
)

const nanum = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"

func loadFonts(t testing.TB) *Fonts {
	t.Helper()
	f, err := Load(Config{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return f
}

func needNanum(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(nanum); err != nil {
		t.Skipf("Hangul test needs %s: %v", nanum, err)
	}
}

func TestMeasure(t *testing.T) {
	needNanum(t)
	f := loadFonts(t)
	for _, tc := range []struct {
		name     string
		s        string
		min, max float32 // plausible width range at 32px
	}{
		{"latin", "Hello", 60, 90},
		{"hangul", "안녕하세요", 5 * 0.8 * 32, 5 * 1.05 * 32},
		{"cyrillic", "Привет", 85, 125},
		{"empty", "", 0, 0},
		{"control only", "\n\t", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, asc, desc := f.Measure(tc.s, 32)
			if w < tc.min || w > tc.max {
				t.Errorf("Measure(%q) width = %.1f, want in [%.0f, %.0f]", tc.s, w, tc.min, tc.max)
			}
			if asc < 24 || asc > 34 || desc < 4 || desc > 12 {
				t.Errorf("Measure(%q) ascent, descent = %.1f, %.1f; want about 30, 7", tc.s, asc, desc)
			}
		})
	}
}

func TestMeasureMixedIsSumOfParts(t *testing.T) {
	needNanum(t)
	f := loadFonts(t)
	parts := []string{"안녕하세요", " ", "Hello", " ", "Привет", " ", "▶"}
	var sum float32
	for _, p := range parts {
		w, _, _ := f.Measure(p, 28)
		sum += w
	}
	w, _, _ := f.Measure(strings.Join(parts, ""), 28)
	if math.Abs(float64(w-sum)) > 1 {
		t.Errorf("mixed width %.2f, sum of parts %.2f", w, sum)
	}
	// The same text in bold is wider.
	b, _, _ := f.MeasureStyle(strings.Join(parts, ""), 28, Bold)
	if b <= w {
		t.Errorf("bold width %.2f not wider than regular %.2f", b, w)
	}
}

func TestFallback(t *testing.T) {
	needNanum(t)
	f := loadFonts(t)
	if w := f.Warnings(); len(w) != 0 {
		t.Errorf("Warnings() = %q with every font installed", w)
	}
	for _, tc := range []struct {
		r     rune
		style Style
		face  string // substring of the face name
	}{
		{'A', Regular, "Go Regular"},
		{'П', Regular, "Go Regular"},
		{'안', Regular, "NanumGothic.ttf"},
		{'▶', Regular, "DejaVuSans.ttf"},
		{'A', Bold, "Go Bold"},
		{'한', Bold, "NanumGothicBold.ttf"},
		{'▶', Bold, "DejaVuSans-Bold.ttf"},
	} {
		gs := f.AppendLayout(nil, string(tc.r), 20, tc.style)
		if len(gs) != 1 {
			t.Fatalf("layout of %q: %d glyphs", tc.r, len(gs))
		}
		if name := f.FaceName(gs[0].Face); !strings.Contains(name, tc.face) {
			t.Errorf("%q style %d drawn with %q, want %q", tc.r, tc.style, name, tc.face)
		}
	}
}

func TestLayoutPositions(t *testing.T) {
	needNanum(t)
	f := loadFonts(t)
	gs := f.Layout("A안Б", 24)
	if len(gs) != 3 {
		t.Fatalf("got %d glyphs, want 3", len(gs))
	}
	if gs[0].X != 0 {
		t.Errorf("first glyph at %.2f, want 0", gs[0].X)
	}
	for i := 1; i < len(gs); i++ {
		_, m, err := f.Rasterize(gs[i-1].GlyphKey)
		if err != nil {
			t.Fatal(err)
		}
		if want := gs[i-1].X + m.Advance; math.Abs(float64(gs[i].X-want)) > 0.01 {
			t.Errorf("glyph %d at %.2f, want %.2f", i, gs[i].X, want)
		}
		if gs[i].Size != 24 {
			t.Errorf("glyph %d size %d, want 24", i, gs[i].Size)
		}
	}
}

// Go's fonts carry no kerning, so kerning is checked on Nanum's Latin.
func TestLayoutKerns(t *testing.T) {
	needNanum(t)
	f := loadFonts(t)
	fi := -1
	for i := 0; i < f.NumFaces(); i++ {
		if f.FaceName(i) == nanum {
			fi = i
		}
	}
	if fi < 0 {
		t.Fatalf("Nanum not loaded")
	}
	f.chains[Regular] = []int{fi}
	gs := f.Layout("AV", 32)
	_, a, _ := f.Rasterize(gs[0].GlyphKey)
	if gs[1].X >= a.Advance-0.5 {
		t.Errorf("V at %.2f after A's advance %.2f: not kerned", gs[1].X, a.Advance)
	}
}

func TestMissingHangulFontRendersBoxes(t *testing.T) {
	f, err := Load(Config{HangulPaths: []string{"/nonexistent/font.ttf"}, HangulBoldPaths: []string{}})
	if err != nil {
		t.Fatalf("Load without Hangul font: %v", err)
	}
	w := f.Warnings()
	if len(w) != 2 || !strings.Contains(w[0], "Hangul") {
		t.Errorf("Warnings() = %q, want two Hangul warnings", w)
	}
	gs := f.Layout("가", 30)
	if len(gs) != 1 || f.FaceName(gs[0].Face) != "Go Regular" {
		t.Fatalf("layout of a Hangul syllable with no Hangul font = %+v", gs)
	}
	img, m, err := f.Rasterize(gs[0].GlyphKey)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() < 4 || b.Dy() < 4 || m.Advance <= 0 {
		t.Fatalf("box is %v, advance %.1f", b, m.Advance)
	}
	if img.AlphaAt(0, 0).A != 0xff || img.AlphaAt(b.Dx()/2, b.Dy()/2).A != 0 {
		t.Errorf("missing glyph is not a hollow box")
	}
}

func TestRasterize(t *testing.T) {
	f := loadFonts(t)
	for _, tc := range []struct {
		r   rune
		ink bool
	}{{'H', true}, {'g', true}, {'Ж', true}, {' ', false}} {
		img, m, err := f.Rasterize(f.Layout(string(tc.r), 32)[0].GlyphKey)
		if err != nil {
			t.Fatalf("Rasterize(%q): %v", tc.r, err)
		}
		var ink int
		for _, a := range img.Pix {
			if a > 0x80 {
				ink++
			}
		}
		if (ink > 0) != tc.ink {
			t.Errorf("%q: %d inked pixels, want ink=%v", tc.r, ink, tc.ink)
		}
		if m.Advance <= 0 {
			t.Errorf("%q: advance %.2f", tc.r, m.Advance)
		}
		if tc.ink && m.Bearing.Y >= 0 {
			t.Errorf("%q: bearing %v, want ink above the baseline", tc.r, m.Bearing)
		}
	}
	if _, _, err := f.Rasterize(GlyphKey{Face: 99, Rune: 'a', Size: 10}); err == nil {
		t.Errorf("Rasterize with a bad face succeeded")
	}
}

func BenchmarkMeasure(b *testing.B) {
	f := loadFonts(b)
	for b.Loop() {
		f.Measure("안녕하세요 Hello Привет", 28)
	}
}

func TestSplitSubpixel(t *testing.T) {
	for _, tc := range []struct {
		x     float32
		pixel int
		sub   uint8
	}{
		{0, 0, 0}, {10, 10, 0}, {10.24, 10, 1}, {10.5, 10, 2}, {10.74, 10, 3},
		{10.9, 11, 0}, {-0.25, -1, 3}, {-1, -1, 0}, {-0.1, 0, 0},
	} {
		if p, s := SplitSubpixel(tc.x); p != tc.pixel || s != tc.sub {
			t.Errorf("SplitSubpixel(%v) = %d, %d; want %d, %d", tc.x, p, s, tc.pixel, tc.sub)
		}
	}
}

func TestRasterizeSubpixelShiftsInk(t *testing.T) {
	f := loadFonts(t)
	k := f.Layout("l", 20)[0].GlyphKey
	centroid := func(sub uint8) float64 {
		k.Sub = sub
		img, m, err := f.Rasterize(k)
		if err != nil {
			t.Fatal(err)
		}
		var sum, n float64
		for y := 0; y < img.Rect.Dy(); y++ {
			for x := 0; x < img.Rect.Dx(); x++ {
				a := float64(img.AlphaAt(x, y).A)
				sum += a * float64(x+m.Bearing.X)
				n += a
			}
		}
		return sum / n
	}
	c0 := centroid(0)
	for sub := uint8(1); sub < SubpixelSteps; sub++ {
		want := c0 + float64(sub)/SubpixelSteps
		if got := centroid(sub); math.Abs(got-want) > 0.05 {
			t.Errorf("phase %d: ink centred at %.3f, want %.3f", sub, got, want)
		}
	}
}
