package avcodec

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/manbang/manbang/player/media"
)

// TestParserChunking checks that the packets do not depend on how the
// stream is cut before parsing, and that they add up to the stream.
func TestParserChunking(t *testing.T) {
	requireFFmpeg(t)
	streams := []struct {
		codec string
		args  []string
		want  int
	}{
		{media.CodecH264, []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast"}, 25},
		{media.CodecMPEG2Video, []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "1", "-c:v", "mpeg2video"}, 25},
		{media.CodecAC3, []string{"-f", "lavfi", "-i", "sine=duration=0.96:sample_rate=48000", "-c:a", "ac3"}, 30},
	}
	for _, s := range streams {
		t.Run(s.codec, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "clip.es")
			runFFmpeg(t, append(s.args, "-f", rawFormat[s.codec], file)...)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			whole := parseAll(t, s.codec, data, len(data))
			if len(whole) != s.want {
				t.Fatalf("got %d packets, want %d", len(whole), s.want)
			}
			if got := bytes.Join(whole, nil); !bytes.Equal(got, data) {
				t.Fatalf("packets hold %d bytes, stream has %d", len(got), len(data))
			}
			for _, chunk := range []int{1, 7, 188, 4096} {
				got := parseAll(t, s.codec, data, chunk)
				if len(got) != len(whole) {
					t.Fatalf("chunks of %d: %d packets, want %d", chunk, len(got), len(whole))
				}
				for i := range got {
					if !bytes.Equal(got[i], whole[i]) {
						t.Fatalf("chunks of %d: packet %d differs", chunk, i)
					}
				}
			}
		})
	}
}

func TestParserGarbage(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, codec := range []string{media.CodecH264, media.CodecHEVC, media.CodecMPEG2Video, media.CodecAAC, media.CodecMP2, media.CodecAC3} {
		p, err := NewParser(codec)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			b := make([]byte, rng.Intn(10000))
			rng.Read(b)
			if _, err := p.Parse(b); err != nil {
				t.Logf("%s: %v", codec, err)
			}
		}
		if _, err := p.Flush(); err != nil {
			t.Errorf("%s: Flush: %v", codec, err)
		}
		p.Close()
	}
}
