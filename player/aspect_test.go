package player

import (
	"math"
	"sync"
	"testing"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/media"
)

// aspectSink keeps the display aspect of the pictures presented.
type aspectSink struct {
	mu      sync.Mutex
	aspects map[float64]int
}

func (s *aspectSink) Present(f *media.VideoFrame) {
	s.mu.Lock()
	s.aspects[math.Round(f.DisplayAspect()*100)/100]++
	s.mu.Unlock()
	f.Release()
}

// Pictures whose codec says nothing of their shape (VP8) are shown at the
// shape their container gives (Matroska's display size), as are those
// whose codec does (H.264's VUI), and square ones stay square.
func TestContainerAspect(t *testing.T) {
	for _, tc := range []struct {
		name, file, sar string
		args            []string
		want            float64
	}{
		{"vp8 in webm at 4:3 pixels", "sar.webm", "4/3", []string{"-c:v", "libvpx", "-b:v", "200k"}, 1.78},
		{"h264 in mp4 at 4:3 pixels", "sar.mp4", "4/3", []string{"-c:v", "libx264", "-pix_fmt", "yuv420p"}, 1.78},
		{"vp8 in webm, square", "square.webm", "1", []string{"-c:v", "libvpx", "-b:v", "200k"}, 1.33},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=1", "-vf", "setsar=" + tc.sar}, tc.args...)
			file := makeFile(t, tc.file, args...)
			sink := &aspectSink{aspects: map[float64]int{}}
			if _, err := play(t, file, Options{Fast: true, Audio: audio.NewSilent(nil), Video: sink}); err != nil {
				t.Fatal(err)
			}
			if len(sink.aspects) != 1 || sink.aspects[tc.want] == 0 {
				t.Errorf("aspects shown %v, want all %.2f", sink.aspects, tc.want)
			}
		})
	}
}
