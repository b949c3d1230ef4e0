package avcodec

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/manbang/manbang/player/media"
)

// FuzzVideoDecode feeds arbitrary bytes to an H.264 decoder, both cut by
// the Parser and as one packet. It must never crash, and every frame it
// returns must be well formed. The seed corpus in testdata/fuzz holds a
// tiny real stream; more seeds are made with the ffmpeg tool when present.
func FuzzVideoDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 1, 0x67, 0x42, 0, 0x0a, 0xff, 0, 0, 0, 1, 0x68, 0xce, 0x38, 0x80, 0, 0, 0, 1, 0x65, 0x88, 0x84})
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		out := filepath.Join(f.TempDir(), "seed.h264")
		runFFmpeg(f, "-f", "lavfi", "-i", "testsrc2=size=48x32:rate=25", "-t", "0.12",
			"-c:v", "libx264", "-preset", "ultrafast", "-bf", "1", "-f", "h264", out)
		if b, err := os.ReadFile(out); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := NewVideoDecoder(media.CodecH264, VideoOptions{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		p, err := NewParser(media.CodecH264)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		pkts, _ := p.Parse(data)
		last, _ := p.Flush()
		pkts = append(pkts, last...)
		pkts = append(pkts, data)
		for i, b := range pkts {
			frames, _ := d.Decode(&media.Packet{Data: b, HasPTS: true})
			checkFrames(t, frames)
			if i == len(pkts)-2 {
				frames, _ = d.Flush()
				checkFrames(t, frames)
			}
		}
		frames, _ := d.Flush()
		checkFrames(t, frames)
	})
}

func checkFrames(t *testing.T, frames []*media.VideoFrame) {
	t.Helper()
	for _, f := range frames {
		if f.Width <= 0 || f.Height <= 0 || len(f.Y) != f.Width*f.Height ||
			len(f.U) != f.ChromaWidth()*f.ChromaHeight() || len(f.V) != len(f.U) {
			t.Fatalf("malformed frame %dx%d with planes %d/%d/%d", f.Width, f.Height, len(f.Y), len(f.U), len(f.V))
		}
		f.Release()
	}
}
