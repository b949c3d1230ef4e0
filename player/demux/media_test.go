package demux

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/manbang/manbang/player/internal/fftest"
	"github.com/manbang/manbang/player/media"
)

func TestMain(m *testing.M) { fftest.Main(m, "demux-test") }

// Two seconds of 25 fps video, so every fixture has 50 video frames.
const fixtureFrames = 50

// videoArgs and audio inputs shared by the fixtures.
var (
	videoIn = []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"}
	audioIn = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"}
)

// fixture makes (once per run) a two-second transport stream with ffmpeg
// using the given output options, and returns its path.
func fixture(t testing.TB, name string, opts ...string) string {
	t.Helper()
	return fftest.Make(t, name+".ts", func(p string) error {
		return fftest.FFmpeg(append(opts, "-t", "2", "-f", "mpegts", p)...)
	})
}

func inputs(audioTracks int) []string {
	args := append([]string{}, videoIn...)
	for i := 0; i < audioTracks; i++ {
		args = append(args, audioIn...)
	}
	return args
}

func h264MP3(t testing.TB) string {
	return fixture(t, "h264-mp3", append(inputs(1), "-c:v", "libx264", "-g", "25", "-c:a", "libmp3lame")...)
}

// demuxAll reads every packet of the file at path and returns them with
// the error that ended the stream.
func demuxAll(t testing.TB, r io.Reader) (*TS, []*media.Packet, error) {
	t.Helper()
	ts := NewTS(context.Background(), r)
	var pkts []*media.Packet
	for {
		p, err := ts.Next()
		if err != nil {
			return ts, pkts, err
		}
		pkts = append(pkts, p)
		if len(pkts) > 100000 {
			t.Fatal("demuxer does not end")
		}
	}
}

func openFile(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// byStream groups packets by PID.
func byStream(pkts []*media.Packet) map[uint16][]*media.Packet {
	m := map[uint16][]*media.Packet{}
	for _, p := range pkts {
		m[p.Stream.PID] = append(m[p.Stream.PID], p)
	}
	return m
}

// countKind returns how many packets are of kind k.
func countKind(pkts []*media.Packet, k media.Kind) int {
	n := 0
	for _, p := range pkts {
		if p.Stream.Kind == k {
			n++
		}
	}
	return n
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
