package avcodec

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

// requireFFmpeg skips the test when the ffmpeg and ffprobe tools, which make
// the test streams, are missing.
func requireFFmpeg(tb testing.TB) {
	tb.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Skipf("%s is not installed; it makes the test streams: %v", tool, err)
		}
	}
}

// runFFmpeg runs the ffmpeg tool and fails the test when it fails.
func runFFmpeg(tb testing.TB, args ...string) {
	tb.Helper()
	all := append([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y"}, args...)
	out, err := exec.Command("ffmpeg", all...).CombinedOutput()
	if err != nil {
		tb.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// probedPacket is what ffprobe says about one packet.
type probedPacket struct {
	PTS, DTS, Duration time.Duration
	HasPTS, Keyframe   bool
}

// probePackets lists a file's packets of one stream kind ("v" or "a") in
// decode order.
func probePackets(tb testing.TB, file, kind string) []probedPacket {
	tb.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", kind+":0",
		"-show_entries", "packet=pts_time,dts_time,duration_time,flags", "-of", "json", file).Output()
	if err != nil {
		tb.Fatalf("ffprobe %s: %v", file, err)
	}
	var doc struct {
		Packets []struct {
			PTS      string `json:"pts_time"`
			DTS      string `json:"dts_time"`
			Duration string `json:"duration_time"`
			Flags    string `json:"flags"`
		} `json:"packets"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		tb.Fatalf("ffprobe %s: %v", file, err)
	}
	seconds := func(s string) (time.Duration, bool) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false
		}
		return time.Duration(math.Round(f*1e6)) * time.Microsecond, true
	}
	var pkts []probedPacket
	for _, p := range doc.Packets {
		var q probedPacket
		q.PTS, q.HasPTS = seconds(p.PTS)
		q.DTS, _ = seconds(p.DTS)
		q.Duration, _ = seconds(p.Duration)
		q.Keyframe = strings.HasPrefix(p.Flags, "K")
		pkts = append(pkts, q)
	}
	return pkts
}

// rawFormat is the ffmpeg muxer writing each codec's bare elementary stream.
var rawFormat = map[string]string{
	media.CodecH264:       "h264",
	media.CodecHEVC:       "hevc",
	media.CodecMPEG2Video: "mpeg2video",
	media.CodecAAC:        "adts",
	media.CodecMP2:        "mp2",
	media.CodecMP3:        "mp3",
	media.CodecAC3:        "ac3",
}

// makeVideo encodes a clip with ffmpeg (encode holds the input and encoder
// options) and returns its packets in decode order, cut by our Parser from
// the bare elementary stream and timed by ffprobe from a Matroska copy, and
// the path of the Matroska file.
func makeVideo(tb testing.TB, codec string, encode ...string) ([]*media.Packet, string) {
	tb.Helper()
	requireFFmpeg(tb)
	dir := tb.TempDir()
	mkv := filepath.Join(dir, "clip.mkv")
	runFFmpeg(tb, append(append([]string{}, encode...), "-an", mkv)...)
	raw := filepath.Join(dir, "clip.es")
	runFFmpeg(tb, "-i", mkv, "-map", "0:v", "-c", "copy", "-f", rawFormat[codec], raw)
	return packetize(tb, codec, raw, probePackets(tb, mkv, "v")), mkv
}

// makeAudio encodes an audio clip to a bare elementary stream and returns
// its packets with ffprobe's timing.
func makeAudio(tb testing.TB, codec string, encode ...string) []*media.Packet {
	tb.Helper()
	requireFFmpeg(tb)
	raw := filepath.Join(tb.TempDir(), "clip.es")
	runFFmpeg(tb, append(append([]string{}, encode...), "-vn", "-f", rawFormat[codec], raw)...)
	return packetize(tb, codec, raw, probePackets(tb, raw, "a"))
}

// packetize cuts a file into packets with the Parser, fed in 4 KiB chunks,
// and gives them the probed timing.
func packetize(tb testing.TB, codec, file string, probed []probedPacket) []*media.Packet {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	chunks := parseAll(tb, codec, data, 4096)
	if len(chunks) != len(probed) {
		tb.Fatalf("parser cut %d packets, ffprobe saw %d", len(chunks), len(probed))
	}
	pkts := make([]*media.Packet, len(chunks))
	for i, c := range chunks {
		pr := probed[i]
		pkts[i] = &media.Packet{PTS: pr.PTS, DTS: pr.DTS, HasPTS: pr.HasPTS, Keyframe: pr.Keyframe, Data: c}
	}
	return pkts
}

// parseAll splits data into packets, feeding the parser chunk bytes at a
// time.
func parseAll(tb testing.TB, codec string, data []byte, chunk int) [][]byte {
	tb.Helper()
	p, err := NewParser(codec)
	if err != nil {
		tb.Fatal(err)
	}
	defer p.Close()
	var out [][]byte
	for len(data) > 0 {
		n := min(chunk, len(data))
		pkts, err := p.Parse(data[:n])
		if err != nil {
			tb.Fatalf("parse: %v", err)
		}
		out = append(out, pkts...)
		data = data[n:]
	}
	last, err := p.Flush()
	if err != nil {
		tb.Fatalf("flush parser: %v", err)
	}
	return append(out, last...)
}

// decodeVideo feeds every packet, then flushes, and returns all frames. It
// fails the test on any error.
func decodeVideo(tb testing.TB, d *VideoDecoder, pkts []*media.Packet) []*media.VideoFrame {
	tb.Helper()
	var frames []*media.VideoFrame
	for i, p := range pkts {
		f, err := d.Decode(p)
		if err != nil {
			tb.Fatalf("packet %d: %v", i, err)
		}
		frames = append(frames, f...)
	}
	f, err := d.Flush()
	if err != nil {
		tb.Fatalf("flush: %v", err)
	}
	return append(frames, f...)
}

// releaseAll returns frames to their pool.
func releaseAll(frames []*media.VideoFrame) {
	for _, f := range frames {
		f.Release()
	}
}

// zeroCrossingHz estimates the frequency of the first channel of
// interleaved samples from the upward swings through zero between the first
// and the last one, with hysteresis against near-silent encoder noise.
func zeroCrossingHz(samples []int16, channels, rate int) float64 {
	const hysteresis = 500
	crossings, low, first, last := 0, false, 0, 0
	for i := 0; i < len(samples)/channels; i++ {
		switch v := samples[i*channels]; {
		case v < -hysteresis:
			low = true
		case v > hysteresis && low:
			if crossings == 0 {
				first = i
			}
			crossings++
			last = i
			low = false
		}
	}
	if crossings < 2 {
		return 0
	}
	return float64(crossings-1) * float64(rate) / float64(last-first)
}
