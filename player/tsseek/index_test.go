package tsseek

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/player/demux"
	"github.com/manbang/manbang/player/internal/fftest"
	"github.com/manbang/manbang/player/media"
)

// gop is the keyframe interval of the clips (-g 25 at 25 fps).
const gop = time.Second

// wrapStart is where the wrapping clip's timestamps start: 10 s before
// they wrap around 2^33.
const wrapStart = time.Duration((1<<33)*100000/9) - 10*time.Second

// clip returns a 12-second MPEG-TS file (320x240 H.264 with a 1 s GOP and
// B-frames, AAC audio) made once with the ffmpeg CLI; wrap makes the one
// whose timestamps start at wrapStart.
func clip(t testing.TB, wrap bool) string {
	t.Helper()
	name, more := "plain.ts", []string(nil)
	if wrap {
		name, more = "wrap.ts", []string{"-output_ts_offset", fmt.Sprintf("%.3f", wrapStart.Seconds())}
	}
	return fftest.Make(t, name, func(path string) error {
		args := []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
			"-t", "12", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "2", "-pix_fmt", "yuv420p", "-c:a", "aac"}
		return fftest.FFmpeg(append(append(args, more...), "-f", "mpegts", path)...)
	})
}

func TestMain(m *testing.M) { fftest.Main(m, "tsseek-test") }

func openClip(t *testing.T, wrap bool) (*Index, []byte) {
	t.Helper()
	b, err := os.ReadFile(clip(t, wrap))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Open(bytes.NewReader(b), int64(len(b)), Config{IsKeyframe: demux.IsKeyframe})
	if err != nil {
		t.Fatal(err)
	}
	return ix, b
}

// firstVideo demuxes the bytes a Start says to read and returns the first
// video packet.
func firstVideo(t *testing.T, s Start, file []byte) *media.Packet {
	t.Helper()
	r := io.MultiReader(bytes.NewReader(s.Header), bytes.NewReader(file[s.Offset:]))
	d := demux.NewTS(context.Background(), r)
	for {
		p, err := d.Next()
		if err != nil {
			t.Fatalf("no video after byte %d: %v", s.Offset, err)
		}
		if p.Stream.Kind == media.KindVideo && p.HasPTS {
			if st := d.Stats(); st.ContinuityErrors != 0 {
				t.Errorf("start at byte %d: %d continuity errors", s.Offset, st.ContinuityErrors)
			}
			return p
		}
	}
}

// onlyFirstPSI removes the PAT and PMT packets after the first ones: a
// muxer that does not repeat them before keyframes.
func onlyFirstPSI(file []byte) []byte {
	var out []byte
	seen := map[uint16]bool{}
	for off := 0; off+packetSize <= len(file); off += packetSize {
		p, _ := parsePacket(file[off : off+packetSize])
		if p.pid == 0 || p.pid == 0x1000 {
			if seen[p.pid] {
				continue
			}
			seen[p.pid] = true
		}
		out = append(out, file[off:off+packetSize]...)
	}
	return out
}

// psiLater moves every PAT and PMT after the packet that follows them:
// a keyframe no longer comes right after them, so a seek needs a header,
// whose continuity counters must lead into the PAT and PMT that come next.
func psiLater(file []byte) []byte {
	var out, held []byte
	for off := 0; off+packetSize <= len(file); off += packetSize {
		pkt := file[off : off+packetSize]
		if p, _ := parsePacket(pkt); p.pid == 0 || p.pid == 0x1000 {
			held = append(held, pkt...)
			continue
		}
		out = append(append(out, pkt...), held...)
		held = nil
	}
	return append(out, held...)
}

func TestLocate(t *testing.T) {
	for _, c := range []struct {
		name   string
		wrap   bool
		change func([]byte) []byte // nil: the file as ffmpeg made it
	}{{"plain", false, nil}, {"wrap", true, nil}, {"first PSI only", false, onlyFirstPSI}, {"PSI later", false, psiLater}} {
		tc := c
		t.Run(c.name, func(t *testing.T) {
			ix, file := openClip(t, tc.wrap)
			if tc.change != nil {
				file = tc.change(file)
				var err error
				if ix, err = Open(bytes.NewReader(file), int64(len(file)), Config{IsKeyframe: demux.IsKeyframe}); err != nil {
					t.Fatal(err)
				}
			}
			if d := ix.Duration(); d < 11900*time.Millisecond || d > 12100*time.Millisecond {
				t.Errorf("duration %v, want 12s", d)
			}
			cases := []struct {
				at, want time.Duration // want: the keyframe's position
			}{
				{0, 0},
				{-time.Second, 0},
				{500 * time.Millisecond, 0},
				{time.Second, time.Second},
				{2500 * time.Millisecond, 2 * time.Second},
				{7 * time.Second, 7 * time.Second},
				{9999 * time.Millisecond, 9 * time.Second},
				{10 * time.Second, 10 * time.Second}, // the wrap, for the wrapping clip
				{11960 * time.Millisecond, 11 * time.Second},
				{time.Hour, 11 * time.Second}, // past the end: the last keyframe
			}
			for _, c := range cases {
				s, err := ix.Locate(c.at)
				if tc.change != nil && c.at > time.Second && s.Header == nil {
					t.Errorf("Locate(%v): no header", c.at)
				}
				if err != nil {
					t.Fatalf("Locate(%v): %v", c.at, err)
				}
				if s.Offset%packetSize != 0 {
					t.Errorf("Locate(%v): offset %d is not on a packet", c.at, s.Offset)
				}
				p := firstVideo(t, s, file)
				if pos := ix.Position(p.PTS); !p.Keyframe || pos != c.want {
					t.Errorf("Locate(%v): first video at %v (keyframe %v), want the keyframe at %v", c.at, pos, p.Keyframe, c.want)
				}
			}
		})
	}
}

// Position maps timestamps on any wrap period a demuxer puts them on.
func TestPosition(t *testing.T) {
	ix := &Index{start: durationToTicks(wrapStart)}
	cases := []struct{ pts, want time.Duration }{
		{wrapStart, 0},
		{wrapStart + 3*time.Second, 3 * time.Second},
		{5 * time.Second, 15 * time.Second},                         // raw, after the wrap
		{wrapStart + 15*time.Second, 15 * time.Second},              // unwrapped
		{wrapStart - 100*time.Millisecond, -100 * time.Millisecond}, // audio before the first frame
	}
	for _, c := range cases {
		if got := ix.Position(c.pts); got != c.want {
			t.Errorf("Position(%v) = %v, want %v", c.pts, got, c.want)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	_, file := openClip(t, false)
	cases := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"text", []byte(strings.Repeat("not a transport stream\n", 1000))},
		{"no PAT", bytes.Repeat(append([]byte{0x47, 0x1F, 0xFF, 0x10}, make([]byte, 184)...), 100)},
		{"start only", file[:2*packetSize]},
	}
	for _, c := range cases {
		_, err := Open(bytes.NewReader(c.b), int64(len(c.b)), Config{})
		if !errors.Is(err, ErrNoIndex) {
			t.Errorf("%s: Open = %v, want ErrNoIndex", c.name, err)
		}
	}
	// A read error is reported as such.
	if _, err := Open(failingReader{}, 1<<20, Config{}); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("Open on a failing reader = %v", err)
	}
}

type failingReader struct{}

func (failingReader) ReadAt([]byte, int64) (int, error) { return 0, errors.New("broken") }

// Parsers of outside bytes never panic: Open and Locate on any bytes.
func FuzzIndex(f *testing.F) {
	f.Add(append(append(append([]byte{}, testPAT...), testPMT...), testPES...))
	f.Add(append(append(append(append([]byte{}, testPAT...), testPMT...), testPES...), testPES...))
	f.Add(testPAT)
	f.Add([]byte{0x47, 0x47, 0x47})
	f.Fuzz(func(t *testing.T, b []byte) {
		ix, err := Open(bytes.NewReader(b), int64(len(b)), Config{IsKeyframe: demux.IsKeyframe})
		if err != nil {
			return
		}
		for _, at := range []time.Duration{0, time.Second, time.Hour} {
			s, err := ix.Locate(at)
			if err == nil && (s.Offset < 0 || s.Offset > int64(len(b))) {
				t.Fatalf("Locate(%v) = offset %d of %d bytes", at, s.Offset, len(b))
			}
		}
	})
}
