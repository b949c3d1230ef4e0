package thumb

import (
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/manbang/manbang/player/internal/fftest"
	"github.com/manbang/manbang/player/media"
)

func TestMain(m *testing.M) { fftest.Main(m, "thumb") }

// clip is 10 s of 320x240 with square pixels shown at 16:9: black for the
// first half second (the titles a thumbnail must skip), then red.
func clip(t *testing.T, ext string, codec ...string) string {
	return fftest.Make(t, "clip"+ext, func(p string) error {
		args := []string{"-f", "lavfi", "-i", "color=c=red:s=320x240:r=25:d=10",
			"-vf", "drawbox=c=black:t=fill:enable='lt(t,0.5)',setsar=4/3", "-g", "25"}
		return fftest.FFmpeg(append(append(args, codec...), p)...)
	})
}

func TestVideo(t *testing.T) {
	for _, tc := range []struct {
		ext   string
		codec []string
	}{
		{".mp4", []string{"-c:v", "libx264", "-pix_fmt", "yuv420p"}},
		{".mkv", []string{"-c:v", "libx264", "-pix_fmt", "yuv420p"}},
		{".avi", []string{"-c:v", "mpeg4", "-vtag", "xvid", "-q:v", "3"}},
		{".ts", []string{"-c:v", "mpeg2video", "-q:v", "3"}},
		{".webm", []string{"-c:v", "libvpx", "-b:v", "300k"}},
	} {
		t.Run(tc.ext, func(t *testing.T) {
			t.Parallel()
			img, err := Video(context.Background(), clip(t, tc.ext, tc.codec...), 160, 160)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != 160 || b.Dy() != 90 {
				t.Errorf("size %v, want 160x90 (4:3 at 4:3 pixels is 16:9)", b.Size())
			}
			if r, g, b := mean(img); r < 200 || g > 60 || b > 60 {
				t.Errorf("mean colour %d,%d,%d: want the red from a tenth in, not the black start", r, g, b)
			}
		})
	}
}

func TestVideoBad(t *testing.T) {
	dir := t.TempDir()
	song := fftest.Make(t, "song.mp3", func(p string) error {
		return fftest.FFmpeg("-f", "lavfi", "-i", "sine=d=2", "-c:a", "libmp3lame", p)
	})
	garbage := filepath.Join(dir, "garbage.mp4")
	if err := os.WriteFile(garbage, []byte("this is not a video, whatever its name says"), 0o644); err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(clip(t, ".mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p"))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.mp4") // the moov atom is at the end: gone
	if err := os.WriteFile(cut, full[:len(full)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		want       error
	}{
		{"a song", song, ErrNoVideo},
		{"garbage", garbage, nil},
		{"cut in half", cut, nil},
		{"missing", filepath.Join(dir, "none.mkv"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Video(context.Background(), tc.path, 160, 90)
			if err == nil {
				t.Fatalf("a picture %v from %s", img.Bounds(), tc.name)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Video(ctx, clip(t, ".mkv", "-c:v", "libx264", "-pix_fmt", "yuv420p"), 160, 90); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled thumbnail: %v", err)
	}
}

func TestScale(t *testing.T) {
	pool := media.NewPool(1)
	f := pool.Get(4, 2)
	defer f.Release()
	// Limited-range BT.601: left half white, right half black, no colour.
	copy(f.Y, []byte{235, 235, 16, 16, 235, 235, 16, 16})
	copy(f.U, []byte{128, 128})
	copy(f.V, []byte{128, 128})
	img := Scale(f, 2, 2)
	if b := img.Bounds(); b.Dx() != 2 || b.Dy() != 1 {
		t.Fatalf("size %v, want 2x1 (4x2 square pixels)", b.Size())
	}
	if got := img.RGBAAt(0, 0); got.R != 255 || got.G != 255 || got.B != 255 {
		t.Errorf("left %v, want white", got)
	}
	if got := img.RGBAAt(1, 0); got.R != 0 || got.G != 0 || got.B != 0 {
		t.Errorf("right %v, want black", got)
	}
}

// mean returns the mean colour of img.
func mean(img *image.RGBA) (r, g, b int) {
	n := 0
	for i := 0; i < len(img.Pix); i += 4 {
		r, g, b = r+int(img.Pix[i]), g+int(img.Pix[i+1]), b+int(img.Pix[i+2])
		n++
	}
	return r / n, g / n, b / n
}
