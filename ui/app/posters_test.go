package app

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

func encoded(t testing.TB, format string, img image.Image) []byte {
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webpFiles makes a lossy and a lossless WebP picture with ffmpeg, once.
var webpFiles = sync.OnceValues(func() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "manbang-webp")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := map[string][]byte{}
	for name, args := range map[string][]string{
		"lossy":    {"-c:v", "libwebp", "-quality", "80"},
		"lossless": {"-c:v", "libwebp", "-lossless", "1"},
	} {
		file := filepath.Join(dir, name+".webp")
		cmd := exec.Command("ffmpeg", append(append([]string{"-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360", "-frames:v", "1"}, args...), file)...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%v: %s", err, msg)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		out[name] = b
	}
	return out, nil
})

func TestDecodePoster(t *testing.T) {
	cases := []struct {
		name       string
		data       []byte
		w, h       int // the display size asked for
		wantW      int
		wantH      int
		wantErrSub string
	}{
		{"png kept small", encoded(t, "png", gradient(320, 180)), 672, 378, 320, 180, ""},
		{"jpeg scaled down", encoded(t, "jpeg", gradient(1920, 1080)), 672, 378, 672, 378, ""},
		{"tall poster fits the height", encoded(t, "png", gradient(400, 600)), 448, 252, 168, 252, ""},
		{"no size asked: as it is", encoded(t, "png", gradient(50, 40)), 0, 0, 50, 40, ""},
		{"not a picture", []byte("<html>not found</html>"), 448, 252, 0, 0, "unknown format"},
		{"truncated", encoded(t, "png", gradient(64, 64))[:100], 448, 252, 0, 0, "poster"},
	}
	for _, c := range cases {
		img, err := decodePoster(bytes.NewReader(c.data), c.w, c.h)
		if c.wantErrSub != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErrSub) {
				t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.wantErrSub)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() != c.wantW || b.Dy() != c.wantH || b.Min != (image.Point{}) {
			t.Errorf("%s: %v, want %dx%d at the origin", c.name, b, c.wantW, c.wantH)
		}
	}
}

func TestDecodeWebP(t *testing.T) {
	files, err := webpFiles()
	if err != nil {
		t.Skipf("ffmpeg cannot make WebP here: %v", err)
	}
	for name, b := range files {
		img, err := decodePoster(bytes.NewReader(b), 448, 252)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := img.Bounds().Size(); got != (image.Point{448, 252}) {
			t.Errorf("%s: size %v, want 448x252", name, got)
		}
	}
}

// A picture claiming a huge size is refused before it is decoded.
func TestDecodePosterRefusesBombs(t *testing.T) {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 8000, 8000)))
	if _, err := decodePoster(&b, 448, 252); err == nil || !strings.Contains(err.Error(), "not a poster size") {
		t.Errorf("an 8000x8000 picture gave %v", err)
	}
}

// Pictures that would take too much memory once decoded are refused:
// too many pixels, or pixels too deep for their number (a 16-bit PNG
// takes 8 bytes a pixel). Pictures within both bounds decode.
func TestDecodePosterBoundsMemory(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
		want string // "" for a picture that decodes
	}{
		{"3000x3000 gray", image.NewGray(image.Rect(0, 0, 3000, 3000)), "not a poster size"},
		{"2048x2048 16-bit", image.NewRGBA64(image.Rect(0, 0, 2048, 2048)), "8 bytes a pixel"},
		{"1448x1448 16-bit", image.NewNRGBA64(image.Rect(0, 0, 1448, 1448)), ""},
		{"2048x2048 8-bit", image.NewNRGBA(image.Rect(0, 0, 2048, 2048)), ""},
		{"2048x2048 gray 16-bit", image.NewGray16(image.Rect(0, 0, 2048, 2048)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := png.Encode(&b, tt.img); err != nil {
				t.Fatal(err)
			}
			_, err := decodePoster(&b, 448, 252)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func FuzzDecodePoster(f *testing.F) {
	f.Add(encoded(f, "png", gradient(16, 9)))
	f.Add(encoded(f, "jpeg", gradient(16, 9)))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := decodePoster(bytes.NewReader(b), 64, 36)
		if err != nil {
			return
		}
		if s := img.Bounds().Size(); s.X <= 0 || s.Y <= 0 || s.X > 2048 || s.Y > 2048 {
			t.Fatalf("decoded to %v", s)
		}
	})
}
