package demux

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

func TestTSCodecs(t *testing.T) {
	type want struct {
		kind  media.Kind
		codec string
		lang  string
	}
	vid := func(codec string) want { return want{media.KindVideo, codec, ""} }
	aud := func(codec, lang string) want { return want{media.KindAudio, codec, lang} }
	tests := []struct {
		name string
		args []string
		want []want // in PID order; ffmpeg numbers PIDs in stream order
	}{
		{"h264-mp3", append(inputs(1), "-c:v", "libx264", "-g", "25", "-c:a", "libmp3lame"),
			[]want{vid(media.CodecH264), aud(media.CodecMP3, "")}},
		{"hevc-aac", append(inputs(1), "-c:v", "libx265", "-x265-params", "log-level=none", "-g", "25", "-c:a", "aac"),
			[]want{vid(media.CodecHEVC), aud(media.CodecAAC, "")}},
		{"mpeg2-mp2", append(inputs(1), "-c:v", "mpeg2video", "-g", "25", "-c:a", "mp2"),
			[]want{vid(media.CodecMPEG2Video), aud(media.CodecMP2, "")}},
		{"h264-ac3-atsc", append(inputs(1), "-c:v", "libx264", "-g", "25", "-c:a", "ac3"),
			[]want{vid(media.CodecH264), aud(media.CodecAC3, "")}},
		{"h264-ac3-dvb", append(inputs(1), "-c:v", "libx264", "-g", "25", "-c:a", "ac3", "-mpegts_flags", "system_b"),
			[]want{vid(media.CodecH264), aud(media.CodecAC3, "")}},
		{"two-audio", append(inputs(2), "-map", "0:v", "-map", "1:a", "-map", "2:a",
			"-c:v", "libx264", "-g", "25", "-c:a:0", "aac", "-c:a:1", "libmp3lame",
			"-metadata:s:a:0", "language=kor", "-metadata:s:a:1", "language=rus"),
			[]want{vid(media.CodecH264), aud(media.CodecAAC, "kor"), aud(media.CodecMP3, "rus")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := fixture(t, tc.name, tc.args...)
			ts, pkts, err := demuxAll(t, openFile(t, path))
			if err != io.EOF {
				t.Fatalf("stream ended with %v, want io.EOF", err)
			}
			streams := ts.Streams()
			// Streams is settled as soon as Next has returned a packet.
			early := NewTS(context.Background(), openFile(t, path))
			if _, err := early.Next(); err != nil {
				t.Fatal(err)
			}
			if e := early.Streams(); fmt.Sprint(e) != fmt.Sprint(streams) {
				t.Errorf("Streams() after one packet = %v, at the end %v", e, streams)
			}
			if len(streams) != len(tc.want) {
				t.Fatalf("got %d streams %+v, want %d", len(streams), streams, len(tc.want))
			}
			for i, w := range tc.want {
				s := streams[i]
				if s.Kind != w.kind || s.Codec != w.codec || s.Language != w.lang {
					t.Errorf("stream %d = %+v, want kind %v codec %q language %q", i, s, w.kind, w.codec, w.lang)
				}
			}
			if n := countKind(pkts, media.KindVideo); n != fixtureFrames {
				t.Errorf("got %d video packets, want %d", n, fixtureFrames)
			}
			for pid, ps := range byStream(pkts) {
				checkTimeline(t, pid, ps)
				if ps[0].Stream != streamByPID(streams, pid) {
					t.Errorf("PID %d: packet stream %+v differs from Streams() %+v", pid, ps[0].Stream, streamByPID(streams, pid))
				}
			}
			checkPayloads(t, pkts)
			st := ts.Stats()
			if st.PMTVersions != 1 || st.ContinuityErrors != 0 || st.Resyncs != 0 || st.PCRs == 0 {
				t.Errorf("stats = %+v, want one PMT, no errors, some PCRs", st)
			}
		})
	}
}

func streamByPID(ss []media.Stream, pid uint16) media.Stream {
	for _, s := range ss {
		if s.PID == pid {
			return s
		}
	}
	return media.Stream{}
}

// checkTimeline checks one stream's packets: timestamps on every packet,
// DTS strictly increasing in decode order, PTS never before DTS, the first
// video packet a keyframe, and a video span matching 25 fps.
func checkTimeline(t *testing.T, pid uint16, ps []*media.Packet) {
	t.Helper()
	for i, p := range ps {
		if !p.HasPTS {
			t.Errorf("PID %d packet %d has no PTS", pid, i)
			return
		}
		if p.PTS < p.DTS {
			t.Errorf("PID %d packet %d: PTS %v before DTS %v", pid, i, p.PTS, p.DTS)
		}
		if i > 0 && p.DTS <= ps[i-1].DTS {
			t.Errorf("PID %d packet %d: DTS %v not after %v", pid, i, p.DTS, ps[i-1].DTS)
		}
		if p.Discontinuity {
			t.Errorf("PID %d packet %d: unexpected discontinuity", pid, i)
		}
	}
	if ps[0].Stream.Kind != media.KindVideo {
		return
	}
	if !ps[0].Keyframe {
		t.Errorf("PID %d: first video packet is not a keyframe", pid)
	}
	keys := 0
	for _, p := range ps {
		if p.Keyframe {
			keys++
		}
	}
	if keys != fixtureFrames/25 {
		t.Errorf("PID %d: %d keyframes, want %d (GOP 25)", pid, keys, fixtureFrames/25)
	}
	span := ps[len(ps)-1].DTS - ps[0].DTS
	if want := time.Duration(len(ps)-1) * 40 * time.Millisecond; span < want-time.Millisecond || span > want+time.Millisecond {
		t.Errorf("PID %d: DTS span %v, want %v", pid, span, want)
	}
}

// checkPayloads checks that payloads start where the codec's bitstream
// starts: a start code for video, a sync word for MPEG audio and ADTS, and
// 0x0B77 for AC-3.
func checkPayloads(t *testing.T, pkts []*media.Packet) {
	t.Helper()
	for i, p := range pkts {
		d := p.Data
		var ok bool
		switch p.Stream.Codec {
		case media.CodecH264, media.CodecHEVC, media.CodecMPEG2Video:
			ok = bytes.HasPrefix(d, []byte{0, 0, 1}) || bytes.HasPrefix(d, []byte{0, 0, 0, 1})
		case media.CodecMP2, media.CodecMP3, media.CodecAAC:
			ok = len(d) > 1 && d[0] == 0xFF && d[1]&0xE0 == 0xE0
		case media.CodecAC3:
			ok = bytes.HasPrefix(d, []byte{0x0B, 0x77})
		}
		if !ok {
			t.Errorf("packet %d (%s): payload starts % x", i, p.Stream.Codec, d[:min(len(d), 8)])
			return
		}
	}
}

func TestTSNotTS(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	random := make([]byte, 3<<20)
	rnd.Read(random)
	text := bytes.Repeat([]byte("Grüße aus Seoul. GGGG this is not a transport stream.\n"), 50)
	nullPackets := make([]byte, 0, 6000*packetSize) // valid TS, but no PAT
	for len(nullPackets) < cap(nullPackets) {
		nullPackets = append(nullPackets, 0x47, 0x1F, 0xFF, 0x10)
		nullPackets = append(nullPackets, make([]byte, packetSize-4)...)
	}
	tests := []struct {
		name string
		data func(t *testing.T) []byte
	}{
		{"empty", func(*testing.T) []byte { return nil }},
		{"text", func(*testing.T) []byte { return text }},
		{"random 3MB", func(*testing.T) []byte { return random }},
		{"null packets", func(*testing.T) []byte { return nullPackets }},
		{"png", func(t *testing.T) []byte {
			if _, err := exec.LookPath("ffmpeg"); err != nil {
				t.Skip("ffmpeg CLI not installed")
			}
			p := filepath.Join(t.TempDir(), "x.png")
			out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
				"-i", "testsrc2=size=320x240", "-frames:v", "1", p).CombinedOutput()
			if err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, out)
			}
			return readFile(t, p)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, pkts, err := demuxAll(t, bytes.NewReader(tc.data(t)))
			if !errors.Is(err, ErrNotTS) || len(pkts) != 0 {
				t.Fatalf("got %d packets and %v, want %v", len(pkts), err, ErrNotTS)
			}
			if err.Error() != "demux: not an MPEG-TS stream" {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestTSCorruptMiddle(t *testing.T) {
	orig := readFile(t, h264MP3(t))
	mid := len(orig) / 2
	tests := []struct {
		name   string
		mangle func([]byte) []byte
	}{
		{"overwritten", func(b []byte) []byte {
			for i := mid; i < mid+3000; i++ {
				b[i] = byte(i * 7)
			}
			return b
		}},
		{"inserted garbage", func(b []byte) []byte {
			junk := bytes.Repeat([]byte{0x47, 0x00, 0x13}, 333)
			return append(b[:mid:mid], append(junk, b[mid:]...)...)
		}},
		{"dropped bytes", func(b []byte) []byte {
			return append(b[:mid:mid], b[mid+1000:]...)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.mangle(append([]byte(nil), orig...))
			ts, pkts, err := demuxAll(t, bytes.NewReader(data))
			if err != io.EOF {
				t.Fatalf("ended with %v, want io.EOF", err)
			}
			// A damaged area a few packets long costs a few frames at most.
			if n := countKind(pkts, media.KindVideo); n < fixtureFrames-6 || n > fixtureFrames {
				t.Errorf("got %d video packets, want about %d", n, fixtureFrames)
			}
			if n := countKind(pkts, media.KindAudio); n == 0 {
				t.Error("no audio packets")
			}
			st := ts.Stats()
			t.Logf("%d video packets, stats %+v", countKind(pkts, media.KindVideo), st)
			if st.Resyncs+st.ContinuityErrors+st.Corrupt == 0 {
				t.Errorf("stats %+v record no damage", st)
			}
		})
	}
}

func TestTSDuplicatePacket(t *testing.T) {
	orig := readFile(t, h264MP3(t))
	_, want, err := demuxAll(t, bytes.NewReader(orig))
	if err != io.EOF {
		t.Fatal(err)
	}
	// Repeat a packet from the middle of the stream, as ISO/IEC 13818-1
	// allows once: it must be dropped, not counted as an error.
	at := len(orig) / packetSize / 2 * packetSize
	dup := orig[at : at+packetSize]
	data := append(append(append([]byte(nil), orig[:at+packetSize]...), dup...), orig[at+packetSize:]...)
	ts, got, err := demuxAll(t, bytes.NewReader(data))
	if err != io.EOF {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d packets, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, want[i].Data) {
			t.Fatalf("packet %d differs", i)
		}
	}
	if st := ts.Stats(); st.ContinuityErrors != 0 {
		t.Errorf("stats %+v: a duplicate is not a continuity error", st)
	}
}

func TestTSTruncated(t *testing.T) {
	orig := readFile(t, h264MP3(t))
	_, all, err := demuxAll(t, bytes.NewReader(orig))
	if err != io.EOF {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		size    int
		wantErr error
	}{
		{"mid-packet", len(orig)/2 + 100, io.ErrUnexpectedEOF},
		{"packet boundary", len(orig) / 2 / packetSize * packetSize, io.EOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, pkts, err := demuxAll(t, bytes.NewReader(orig[:tc.size]))
			if err != tc.wantErr {
				t.Fatalf("ended with %v, want %v", err, tc.wantErr)
			}
			n := countKind(pkts, media.KindVideo)
			if n < 10 || n >= fixtureFrames {
				t.Errorf("got %d video packets from half a file", n)
			}
			// Everything delivered must match the full file's packets.
			full := byStream(all)
			for pid, ps := range byStream(pkts) {
				for i, p := range ps {
					if tc.wantErr == io.EOF && i == len(ps)-1 {
						continue // cut at a packet boundary: nothing tells the last one is short
					}
					if i >= len(full[pid]) || !bytes.Equal(p.Data, full[pid][i].Data) {
						t.Errorf("PID %d packet %d differs from the untruncated one", pid, i)
					}
				}
			}
		})
	}
}

func TestTSPMTChange(t *testing.T) {
	first := readFile(t, h264MP3(t))
	second := readFile(t, fixture(t, "hevc-aac", append(inputs(1), "-c:v", "libx265", "-x265-params", "log-level=none", "-g", "25", "-c:a", "aac")...))
	ts, pkts, err := demuxAll(t, bytes.NewReader(append(first, second...)))
	if err != io.EOF {
		t.Fatal(err)
	}
	if got := ts.Stats().PMTVersions; got != 2 {
		t.Errorf("PMTVersions = %d, want 2", got)
	}
	var codecs []string
	discontinuities := 0
	for _, p := range pkts {
		if p.Stream.Kind == media.KindVideo && (len(codecs) == 0 || codecs[len(codecs)-1] != p.Stream.Codec) {
			codecs = append(codecs, p.Stream.Codec)
		}
		if p.Discontinuity {
			discontinuities++
		}
	}
	if len(codecs) != 2 || codecs[0] != media.CodecH264 || codecs[1] != media.CodecHEVC {
		t.Errorf("video codecs in order: %v, want [h264 hevc]", codecs)
	}
	// The continuity counters jump at the join, at the start of a PES: the
	// last frame before it is kept.
	if n := countKind(pkts, media.KindVideo); n != 2*fixtureFrames {
		t.Errorf("got %d video packets, want %d", n, 2*fixtureFrames)
	}
	if discontinuities == 0 {
		t.Error("the timestamp reset at the join is not flagged as a discontinuity")
	}
	if s := ts.Streams(); len(s) != 2 || s[0].Codec != media.CodecHEVC || s[1].Codec != media.CodecAAC {
		t.Errorf("Streams() after the change = %+v", s)
	}
}

func TestTSTimestampWrap(t *testing.T) {
	// ffmpeg starts timestamps at 1.4 s; offset them to begin 1 s before
	// the 33-bit wrap (95443.72 s) so that the file crosses it.
	path := fixture(t, "wrap", append(inputs(1), "-c:v", "libx264", "-g", "25", "-c:a", "libmp3lame",
		"-output_ts_offset", "95441.3")...)
	_, pkts, err := demuxAll(t, openFile(t, path))
	if err != io.EOF {
		t.Fatal(err)
	}
	crossed := false
	for pid, ps := range byStream(pkts) {
		checkTimeline(t, pid, ps)
		if ps[len(ps)-1].DTS > ticksToDuration(tsWrap) {
			crossed = true
		}
	}
	if !crossed {
		t.Error("fixture does not cross the 33-bit wrap")
	}
}

func TestTSReadError(t *testing.T) {
	data := readFile(t, h264MP3(t))
	boom := errors.New("network down")
	r := io.MultiReader(bytes.NewReader(data[:len(data)/2]), errReader{boom})
	_, pkts, err := demuxAll(t, r)
	if !errors.Is(err, boom) {
		t.Fatalf("ended with %v, want %v", err, boom)
	}
	if len(pkts) == 0 {
		t.Error("no packets before the error")
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestTSContextCancelled(t *testing.T) {
	data := readFile(t, h264MP3(t))
	ctx, cancel := context.WithCancel(context.Background())
	ts := NewTS(ctx, bytes.NewReader(data))
	if _, err := ts.Next(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := ts.Next(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next after cancel = %v, want context.Canceled", err)
	}
}

func FuzzTS(f *testing.F) {
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		// A tiny real stream: 0.2 s, small picture, so mutations reach deep.
		p := filepath.Join(f.TempDir(), "seed.ts")
		out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error",
			"-f", "lavfi", "-i", "testsrc2=size=32x32:rate=10", "-f", "lavfi", "-i", "sine",
			"-t", "0.2", "-c:v", "libx264", "-c:a", "libmp3lame", "-f", "mpegts", p).CombinedOutput()
		if err != nil {
			f.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		f.Add(readFile(f, p))
	}
	f.Add([]byte{})
	f.Add([]byte{0x47, 0x40, 0x00, 0x10, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		ts := NewTS(context.Background(), bytes.NewReader(data))
		// Every packet needs at least one 188-byte TS packet of input.
		for i := 0; i <= len(data)/packetSize+1; i++ {
			if _, err := ts.Next(); err != nil {
				_ = ts.Streams()
				_ = ts.Stats()
				return
			}
		}
		t.Fatalf("more packets than input for %d bytes", len(data))
	})
}

// TestTSPanicRecovered checks the recover boundary around go-astits. No
// known input makes astits v1.13 panic, so a reader that panics (it is
// called from inside astits) stands in for one.
func TestTSPanicRecovered(t *testing.T) {
	data := readFile(t, h264MP3(t))
	t.Run("once", func(t *testing.T) {
		r := &panicReader{r: bytes.NewReader(data), at: int64(len(data) / 2), times: 1}
		ts, pkts, err := demuxAll(t, r)
		if err != io.EOF {
			t.Fatalf("ended with %v, want io.EOF", err)
		}
		if n := countKind(pkts, media.KindVideo); n < fixtureFrames-2 {
			t.Errorf("got %d video packets, want about %d", n, fixtureFrames)
		}
		if ts.Stats().Corrupt != 1 {
			t.Errorf("stats %+v, want one corrupt", ts.Stats())
		}
	})
	t.Run("forever", func(t *testing.T) {
		r := &panicReader{r: bytes.NewReader(data), at: int64(len(data) / 2), times: -1}
		_, pkts, err := demuxAll(t, r)
		if err == nil || !strings.Contains(err.Error(), "panic") || len(pkts) == 0 {
			t.Fatalf("got %d packets, then %v; want packets, then a panic error", len(pkts), err)
		}
	})
}

// panicReader panics on reads past at, times times (-1: always).
type panicReader struct {
	r     io.Reader
	n, at int64
	times int
}

func (p *panicReader) Read(b []byte) (int, error) {
	if p.n >= p.at && p.times != 0 {
		p.times--
		panic("boom")
	}
	n, err := p.r.Read(b[:min(len(b), 4096)])
	p.n += int64(n)
	return n, err
}
