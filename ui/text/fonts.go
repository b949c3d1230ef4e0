// Package text loads the UI's fonts and turns strings into positioned,
// rasterized glyphs. It is pure Go and knows nothing about GL: the renderer
// uploads what the Atlas packs.
//
// Text mixes scripts freely: each rune is drawn with the first face of a
// fallback chain that has it, so Latin, Cyrillic and Hangul share one line.
package text

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// Style selects the weight of a fallback chain.
type Style int

// Font styles.
const (
	Regular Style = iota
	Bold
)

// Default search paths for system fonts, tried in order. The first file that
// exists and parses is used.
var (
	DefaultHangulPaths = []string{
		"/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
		"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
		"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
		"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
		"/usr/share/fonts/truetype/noto/NotoSansKR-Regular.ttf",
	}
	DefaultHangulBoldPaths = []string{
		"/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf",
		"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
		"/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
		"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
		"/usr/share/fonts/truetype/noto/NotoSansKR-Bold.ttf",
	}
	DefaultSymbolPaths = []string{
		"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	}
	DefaultSymbolBoldPaths = []string{
		"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	}
)

// Config says where to look for the system fonts that back up Go's fonts.
// A nil slice means the matching Default list; an empty non-nil slice means
// "do not look".
type Config struct {
	HangulPaths     []string
	HangulBoldPaths []string
	SymbolPaths     []string // arrows, shapes and other symbols Go fonts lack
	SymbolBoldPaths []string
}

// face is one loaded font file.
type face struct {
	name string
	font *sfnt.Font
	// sized holds rasterizing faces per pixel size; opentype faces are not
	// safe for concurrent use, so they are only used under Fonts.mu.
	sized map[int]font.Face
}

// Fonts is the set of faces the UI draws with, loaded once at start-up.
// A Fonts is safe for concurrent use.
type Fonts struct {
	faces    []*face
	chains   [2][]int // face indices per Style, in fallback order
	warnings []string

	mu      sync.Mutex
	buf     sfnt.Buffer
	pick    map[pickKey]int32           // (style, rune) -> face index, -1 if none
	index   map[runeKey]sfnt.GlyphIndex // (face, rune) -> glyph
	advance map[GlyphKey]float32
	metrics map[sizeKey]font.Metrics
}

type pickKey struct {
	style Style
	r     rune
}

type runeKey struct {
	face int
	r    rune
}

type sizeKey struct {
	face int
	size int
}

// Load parses Go's regular and bold fonts and looks for the system fonts
// named by cfg. A missing system font is not an error: its script renders
// as boxes and Warnings says so.
func Load(cfg Config) (*Fonts, error) {
	f := &Fonts{
		pick:    make(map[pickKey]int32),
		index:   make(map[runeKey]sfnt.GlyphIndex),
		advance: make(map[GlyphKey]float32),
		metrics: make(map[sizeKey]font.Metrics),
	}
	for _, b := range []struct {
		style Style
		name  string
		ttf   []byte
	}{{Regular, "Go Regular", goregular.TTF}, {Bold, "Go Bold", gobold.TTF}} {
		sf, err := opentype.Parse(b.ttf)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", b.name, err)
		}
		f.add(b.style, b.name, sf)
	}
	for _, s := range []struct {
		style Style
		what  string
		paths []string
		def   []string
	}{
		// Symbols come before Hangul so that arrows and shapes take the
		// Latin-styled DejaVu cut rather than a full-width CJK one.
		{Regular, "symbol", cfg.SymbolPaths, DefaultSymbolPaths},
		{Bold, "bold symbol", cfg.SymbolBoldPaths, DefaultSymbolBoldPaths},
		{Regular, "Hangul", cfg.HangulPaths, DefaultHangulPaths},
		{Bold, "bold Hangul", cfg.HangulBoldPaths, DefaultHangulBoldPaths},
	} {
		paths := s.paths
		if paths == nil {
			paths = s.def
		}
		name, sf, err := loadFirst(paths)
		if err != nil {
			f.warnings = append(f.warnings, fmt.Sprintf("no %s font (%v): those characters render as boxes", s.what, err))
			continue
		}
		f.add(s.style, name, sf)
	}
	return f, nil
}

func (f *Fonts) add(st Style, name string, sf *sfnt.Font) {
	f.chains[st] = append(f.chains[st], len(f.faces))
	f.faces = append(f.faces, &face{name: name, font: sf, sized: make(map[int]font.Face)})
}

var errNoFont = errors.New("none of the paths exists")

// loadFirst returns the first font in paths that reads and parses. For a
// collection (.ttc) it takes the first font, which for Noto CJK is the
// Japanese-first cut that still carries every Hangul syllable.
func loadFirst(paths []string) (string, *sfnt.Font, error) {
	var errs []error
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("read %s: %w", p, err))
			continue
		}
		sf, err := opentype.Parse(data)
		if err != nil {
			coll, cerr := opentype.ParseCollection(data)
			if cerr == nil && coll.NumFonts() > 0 {
				sf, err = coll.Font(0)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("parse %s: %w", p, err))
			continue
		}
		return p, sf, nil
	}
	if len(errs) == 0 {
		return "", nil, errNoFont
	}
	return "", nil, errors.Join(errs...)
}

// Warnings lists problems met while loading, such as a missing Hangul font.
func (f *Fonts) Warnings() []string { return append([]string(nil), f.warnings...) }

// NumFaces returns how many faces are loaded; face indices run from 0 to
// NumFaces()-1.
func (f *Fonts) NumFaces() int { return len(f.faces) }

// FaceName returns the name of face i: "Go Regular", "Go Bold" or the path
// of a system font.
func (f *Fonts) FaceName(i int) string { return f.faces[i].name }

// Chain returns the face indices tried, in order, for style st.
func (f *Fonts) Chain(st Style) []int { return append([]int(nil), f.chains[st]...) }

// glyphIndex returns the glyph for r in face fi, 0 if the face lacks it.
// Callers hold f.mu.
func (f *Fonts) glyphIndex(fi int, r rune) sfnt.GlyphIndex {
	k := runeKey{fi, r}
	if g, ok := f.index[k]; ok {
		return g
	}
	g, err := f.faces[fi].font.GlyphIndex(&f.buf, r)
	if err != nil {
		g = 0
	}
	f.index[k] = g
	return g
}

// pickFace returns the first face of st's chain that has r, or the chain's
// first face (which draws a box) if none has it. Callers hold f.mu.
func (f *Fonts) pickFace(st Style, r rune) int {
	k := pickKey{st, r}
	if fi, ok := f.pick[k]; ok {
		return int(fi)
	}
	chain := f.chains[st]
	fi := chain[0]
	for _, c := range chain {
		if f.glyphIndex(c, r) != 0 {
			fi = c
			break
		}
	}
	f.pick[k] = int32(fi)
	return fi
}

// sized returns the rasterizing face of face fi at px pixels. Callers hold
// f.mu.
func (f *Fonts) sized(fi, px int) (font.Face, error) {
	fc := f.faces[fi]
	if ff, ok := fc.sized[px]; ok {
		return ff, nil
	}
	ff, err := opentype.NewFace(fc.font, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("face %s at %dpx: %w", fc.name, px, err)
	}
	fc.sized[px] = ff
	return ff, nil
}
