package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// halves is a w×h picture, its left half red and its right half blue.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0xff, 0, 0, 0xff}
			if x >= w/2 {
				c = color.RGBA{0, 0, 0xff, 0xff}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// exifJPEG encodes img as a JPEG with an EXIF orientation (none if 0),
// in the byte order bo.
func exifJPEG(t testing.TB, img image.Image, o Orientation, bo binary.ByteOrder) []byte {
	t.Helper()
	var j bytes.Buffer
	if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	if o == 0 {
		return j.Bytes()
	}
	tiff := make([]byte, 8+2+12+4)
	if bo == binary.LittleEndian {
		copy(tiff, "II")
	} else {
		copy(tiff, "MM")
	}
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)
	bo.PutUint16(tiff[8:], 1)
	bo.PutUint16(tiff[10:], 0x0112)
	bo.PutUint16(tiff[12:], 3)
	bo.PutUint32(tiff[14:], 1)
	bo.PutUint16(tiff[18:], uint16(o))
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{0xff, 0xd8}, app1...)
	out = append(out, seg...)
	return append(out, j.Bytes()[2:]...)
}

// at says what colour the picture has at (x, y): 'r', 'b' or '?'.
func at(img *image.RGBA, x, y int) byte {
	c := img.RGBAAt(x, y)
	switch {
	case c.R > 200 && c.B < 60:
		return 'r'
	case c.B > 200 && c.R < 60:
		return 'b'
	}
	return '?'
}

func TestDecodeOrientation(t *testing.T) {
	// Stored 80x40, red left, blue right; where red and blue are once
	// upright: corners top-left and bottom-right of the upright picture.
	for _, tc := range []struct {
		o      Orientation
		w, h   int
		tl, br byte
	}{
		{0, 80, 40, 'r', 'b'},
		{1, 80, 40, 'r', 'b'},
		{2, 80, 40, 'b', 'r'}, // mirrored
		{3, 80, 40, 'b', 'r'}, // upside down
		{4, 80, 40, 'r', 'b'}, // upside down, mirrored
		{6, 40, 80, 'r', 'b'}, // the left side goes to the top
		{8, 40, 80, 'b', 'r'}, // the left side goes to the bottom
		{5, 40, 80, 'r', 'b'},
		{7, 40, 80, 'b', 'r'},
	} {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			b := exifJPEG(t, halves(80, 40), tc.o, bo)
			img, err := Decode(bytes.NewReader(b), 1920, 1080)
			if err != nil {
				t.Fatalf("orientation %d: %v", tc.o, err)
			}
			if s := img.Bounds().Size(); s.X != tc.w || s.Y != tc.h {
				t.Errorf("orientation %d (%v): %v, want %dx%d", tc.o, bo, s, tc.w, tc.h)
				continue
			}
			if tl, br := at(img, 2, 2), at(img, tc.w-3, tc.h-3); tl != tc.tl || br != tc.br {
				t.Errorf("orientation %d (%v): corners %c %c, want %c %c", tc.o, bo, tl, br, tc.tl, tc.br)
			}
		}
	}
}

func TestDecodeFits(t *testing.T) {
	var p bytes.Buffer
	if err := png.Encode(&p, halves(400, 100)); err != nil {
		t.Fatal(err)
	}
	img, err := Decode(bytes.NewReader(p.Bytes()), 200, 200)
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X != 200 || s.Y != 50 {
		t.Errorf("400x100 in 200x200: %v, want 200x50", s)
	}
	small, err := Decode(bytes.NewReader(p.Bytes()), 1920, 1080)
	if err != nil || small.Bounds().Dx() != 400 {
		t.Errorf("a small picture is scaled up: %v %v", small.Bounds(), err)
	}
	// Turned a quarter, a 400x100 photo stands 100x400: in 1920x200 it
	// fits at 50x200.
	turned, err := Decode(bytes.NewReader(exifJPEG(t, halves(400, 100), 6, binary.BigEndian)), 1920, 200)
	if err != nil {
		t.Fatal(err)
	}
	if s := turned.Bounds().Size(); s.X != 50 || s.Y != 200 {
		t.Errorf("turned: %v, want 50x200", s)
	}
}

func TestDecodeBad(t *testing.T) {
	good := exifJPEG(t, halves(80, 40), 6, binary.LittleEndian)
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrFormat},
		{"text", []byte("a holiday photo, honestly"), ErrFormat},
		{"cut JPEG", good[:len(good)/2], ErrFormat},
		{"huge PNG header", hugePNG(100000, 100000), ErrTooLarge},
		{"zero PNG header", hugePNG(0, 10), ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Decode(bytes.NewReader(tc.b), 1920, 1080)
			if !errors.Is(err, tc.want) {
				t.Errorf("%v, %v: want %v", img, err, tc.want)
			}
		})
	}
}

// hugePNG is a PNG's signature and header claiming w×h, and nothing else.
func hugePNG(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

func TestReadOrientationBad(t *testing.T) {
	good := exifJPEG(t, halves(8, 8), 6, binary.BigEndian)
	for name, b := range map[string][]byte{
		"not a JPEG":     []byte("GIF89a"),
		"cut in EXIF":    good[:20],
		"no EXIF":        exifJPEG(t, halves(8, 8), 0, binary.BigEndian),
		"bad byte order": bytes.Replace(good, []byte("MM"), []byte("XX"), 1),
		"out of range":   bytes.Replace(good, []byte{0, 3, 0, 0, 0, 1, 0, 6}, []byte{0, 3, 0, 0, 0, 1, 0, 9}, 1),
	} {
		if o := ReadOrientation(bytes.NewReader(b)); o != 1 {
			t.Errorf("%s: orientation %d, want 1 (as stored)", name, o)
		}
	}
	if o := ReadOrientation(bytes.NewReader(good)); o != 6 {
		t.Errorf("orientation %d, want 6", o)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(exifJPEG(f, halves(16, 8), 6, binary.LittleEndian))
	f.Add(hugePNG(4, 4))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe1, 0, 8, 'E', 'x', 'i', 'f', 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		o := ReadOrientation(bytes.NewReader(b))
		if o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
		// A small file may claim a large picture that decodes (within
		// MaxPixels): fuzz the decoding of small ones only.
		if c, _, err := image.DecodeConfig(bytes.NewReader(b)); err == nil && c.Width*c.Height > 1<<20 {
			return
		}
		if img, err := Decode(bytes.NewReader(b), 64, 64); err == nil {
			if s := img.Bounds().Size(); s.X > 64 || s.Y > 64 || s.X < 1 || s.Y < 1 {
				t.Fatalf("size %v in 64x64", s)
			}
		}
	})
}
