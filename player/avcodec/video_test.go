package avcodec

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

// testsrc is a 2 s, 25 fps moving test picture of an awkward size, so that
// FFmpeg's line sizes are wider than the picture.
func testsrc(size string) []string {
	return []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-t", "2"}
}

func TestVideoDecode(t *testing.T) {
	tests := []struct {
		name       string
		codec      string
		encode     []string
		interlaced bool
	}{
		{"h264 b-frames", media.CodecH264, []string{"-c:v", "libx264", "-preset", "superfast", "-bf", "2", "-pix_fmt", "yuv420p"}, false},
		{"hevc b-frames", media.CodecHEVC, []string{"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:bframes=2", "-pix_fmt", "yuv420p"}, false},
		{"mpeg2 progressive", media.CodecMPEG2Video, []string{"-c:v", "mpeg2video", "-bf", "2", "-q:v", "4"}, false},
		{"mpeg2 interlaced", media.CodecMPEG2Video, []string{"-c:v", "mpeg2video", "-bf", "2", "-q:v", "4", "-flags", "+ilme+ildct", "-top", "1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkts, mkv := makeVideo(t, tt.codec, append(testsrc("330x250"), tt.encode...)...)
			var want []time.Duration
			reordered := false
			for i, p := range pkts {
				want = append(want, p.PTS)
				if i > 0 && p.PTS < pkts[i-1].PTS {
					reordered = true
				}
			}
			if !reordered {
				t.Fatal("test stream has no B-frames: packets are already in presentation order")
			}
			slices.Sort(want)

			d, err := NewVideoDecoder(tt.codec, VideoOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Name() != tt.codec {
				t.Errorf("Name() = %q, want %q", d.Name(), tt.codec)
			}
			frames := decodeVideo(t, d, pkts)
			defer releaseAll(frames)
			if len(frames) != 50 {
				t.Fatalf("got %d frames, want 50", len(frames))
			}
			ref := referenceYUV(t, mkv, "yuv420p")
			size := 330*250 + 2*165*125
			for i, f := range frames {
				if f.Width != 330 || f.Height != 250 {
					t.Fatalf("frame %d is %dx%d, want 330x250", i, f.Width, f.Height)
				}
				if f.PTS != want[i] {
					t.Errorf("frame %d PTS %v, want %v", i, f.PTS, want[i])
				}
				if f.Interlaced != tt.interlaced {
					t.Errorf("frame %d Interlaced = %v, want %v", i, f.Interlaced, tt.interlaced)
				}
				if f.ColorSpace != media.BT601 || f.FullRange {
					t.Errorf("frame %d colour = %v full %v, want BT601 limited", i, f.ColorSpace, f.FullRange)
				}
				if constant(f.Y) || constant(f.U) || constant(f.V) {
					t.Errorf("frame %d has a constant plane", i)
				}
				r := ref[i*size : (i+1)*size]
				if !bytes.Equal(f.Y, r[:330*250]) || !bytes.Equal(f.U, r[330*250:330*250+165*125]) || !bytes.Equal(f.V, r[330*250+165*125:]) {
					t.Errorf("frame %d differs from the ffmpeg tool's decode", i)
				}
			}
		})
	}
}

// referenceYUV decodes a file with the ffmpeg tool into tight planar frames
// of the given pixel format, in presentation order.
func referenceYUV(tb testing.TB, file, pixFmt string) []byte {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "ref.yuv")
	runFFmpeg(tb, "-i", file, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", pixFmt, out)
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func constant(b []byte) bool {
	for _, v := range b {
		if v != b[0] {
			return false
		}
	}
	return true
}

func TestVideoFrameFlags(t *testing.T) {
	x264 := []string{"-c:v", "libx264", "-preset", "ultrafast"}
	tests := []struct {
		name       string
		size       string
		encode     []string
		colorSpace media.ColorSpace
		fullRange  bool
		aspect     [2]int
	}{
		{"SD unspecified", "320x240", []string{"-pix_fmt", "yuv420p"}, media.BT601, false, [2]int{0, 0}},
		{"HD unspecified", "1280x720", []string{"-pix_fmt", "yuv420p"}, media.BT709, false, [2]int{0, 0}},
		{"SD BT.709", "320x240", []string{"-pix_fmt", "yuv420p", "-colorspace", "bt709"}, media.BT709, false, [2]int{0, 0}},
		{"HD BT.601", "1280x720", []string{"-pix_fmt", "yuv420p", "-colorspace", "smpte170m"}, media.BT601, false, [2]int{0, 0}},
		{"yuvj420p", "320x240", []string{"-pix_fmt", "yuvj420p"}, media.BT601, true, [2]int{0, 0}},
		{"full range flag", "320x240", []string{"-pix_fmt", "yuv420p", "-color_range", "pc"}, media.BT601, true, [2]int{0, 0}},
		{"anamorphic", "480x576", []string{"-pix_fmt", "yuv420p", "-vf", "setsar=16/11"}, media.BT601, false, [2]int{16, 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encode := append([]string{"-f", "lavfi", "-i", "testsrc2=size=" + tt.size + ":rate=25", "-t", "0.2"}, x264...)
			pkts, _ := makeVideo(t, media.CodecH264, append(encode, tt.encode...)...)
			d, err := NewVideoDecoder(media.CodecH264, VideoOptions{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			frames := decodeVideo(t, d, pkts)
			defer releaseAll(frames)
			if len(frames) != 5 {
				t.Fatalf("got %d frames, want 5", len(frames))
			}
			f := frames[0]
			if f.ColorSpace != tt.colorSpace || f.FullRange != tt.fullRange {
				t.Errorf("ColorSpace %v FullRange %v, want %v %v", f.ColorSpace, f.FullRange, tt.colorSpace, tt.fullRange)
			}
			if got := [2]int{f.AspectNum, f.AspectDen}; got != tt.aspect {
				t.Errorf("aspect %v, want %v", got, tt.aspect)
			}
		})
	}
}

// TestVideoConvert covers pixel formats that go through libswscale, against
// the ffmpeg tool's own conversion of the same stream.
func TestVideoConvert(t *testing.T) {
	tests := []struct {
		pixFmt    string
		encode    []string
		fullRange bool
	}{
		{"yuv422p", []string{"-c:v", "libx264", "-preset", "ultrafast"}, false},
		{"yuv444p", []string{"-c:v", "libx264", "-preset", "ultrafast"}, false},
		{"yuv420p10le", []string{"-c:v", "libx264", "-preset", "ultrafast"}, false},
		{"yuvj422p", []string{"-c:v", "libx264", "-preset", "ultrafast"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.pixFmt, func(t *testing.T) {
			codec := media.CodecH264
			encode := append([]string{"-f", "lavfi", "-i", "testsrc2=size=330x250:rate=25", "-t", "0.2", "-pix_fmt", tt.pixFmt}, tt.encode...)
			pkts, mkv := makeVideo(t, codec, encode...)
			d, err := NewVideoDecoder(codec, VideoOptions{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			frames := decodeVideo(t, d, pkts)
			defer releaseAll(frames)
			if len(frames) != 5 {
				t.Fatalf("got %d frames, want 5", len(frames))
			}
			refFmt := "yuv420p"
			if tt.fullRange {
				refFmt = "yuvj420p"
			}
			ref := referenceYUV(t, mkv, refFmt)
			ySize, cSize := 330*250, 165*125
			for i, f := range frames {
				if f.FullRange != tt.fullRange {
					t.Errorf("frame %d FullRange = %v, want %v", i, f.FullRange, tt.fullRange)
				}
				r := ref[i*(ySize+2*cSize):]
				for _, pl := range []struct {
					name      string
					got, want []byte
				}{
					{"Y", f.Y, r[:ySize]},
					{"U", f.U, r[ySize : ySize+cSize]},
					{"V", f.V, r[ySize+cSize : ySize+2*cSize]},
				} {
					if diff := meanAbsDiff(pl.got, pl.want); diff > 1.5 {
						t.Errorf("frame %d plane %s differs from ffmpeg's conversion by %.2f on average", i, pl.name, diff)
					}
				}
			}
		})
	}
}

func meanAbsDiff(a, b []byte) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return math.Inf(1)
	}
	var sum int
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return float64(sum) / float64(len(a))
}

func TestVideoFlushReuse(t *testing.T) {
	pkts, _ := makeVideo(t, media.CodecH264, append(testsrc("320x240"), "-c:v", "libx264", "-preset", "superfast", "-bf", "2")...)
	pool := media.NewPool(4)
	d, err := NewVideoDecoder(media.CodecH264, VideoOptions{Pool: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var first []time.Duration
	for round := 0; round < 3; round++ {
		frames := decodeVideo(t, d, pkts)
		var pts []time.Duration
		for _, f := range frames {
			pts = append(pts, f.PTS)
		}
		releaseAll(frames)
		if len(frames) != 50 {
			t.Fatalf("round %d: got %d frames, want 50", round, len(frames))
		}
		if round == 0 {
			first = pts
		} else if !slices.Equal(pts, first) {
			t.Errorf("round %d: PTS differ after Flush", round)
		}
	}
	// Flushing an empty decoder is harmless.
	if frames, err := d.Flush(); err != nil || len(frames) != 0 {
		t.Errorf("Flush on an empty decoder = %d frames, %v", len(frames), err)
	}
}

// TestVideoMissingPTS checks that frames of packets without timestamps
// still get increasing times.
func TestVideoMissingPTS(t *testing.T) {
	pkts, _ := makeVideo(t, media.CodecH264, append(testsrc("320x240"), "-c:v", "libx264", "-preset", "ultrafast")...)
	d, err := NewVideoDecoder(media.CodecH264, VideoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, p := range pkts {
		p.HasPTS = false
	}
	frames := decodeVideo(t, d, pkts)
	defer releaseAll(frames)
	if len(frames) != 50 {
		t.Fatalf("got %d frames, want 50", len(frames))
	}
	for i := 1; i < len(frames); i++ {
		if frames[i].PTS <= frames[i-1].PTS {
			t.Fatalf("frame %d PTS %v not after %v", i, frames[i].PTS, frames[i-1].PTS)
		}
	}
}

// TestVideoBadInput feeds garbage and truncated packets: the decoder must
// report errors or nothing, never crash, and still decode a good stream
// afterwards.
func TestVideoBadInput(t *testing.T) {
	clips := map[string][]string{
		media.CodecH264:       {"-c:v", "libx264", "-preset", "ultrafast"},
		media.CodecHEVC:       {"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"},
		media.CodecMPEG2Video: {"-c:v", "mpeg2video"},
	}
	for codec, enc := range clips {
		t.Run(codec, func(t *testing.T) {
			pkts, _ := makeVideo(t, codec, append(testsrc("320x240"), enc...)...)
			d, err := NewVideoDecoder(codec, VideoOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			rng := rand.New(rand.NewSource(1))
			bad := func(data []byte) {
				frames, _ := d.Decode(&media.Packet{Data: data, HasPTS: true, PTS: time.Duration(rng.Intn(1e9))})
				releaseAll(frames)
			}
			for i := 0; i < 200; i++ {
				garbage := make([]byte, rng.Intn(5000))
				rng.Read(garbage)
				if i%3 == 0 && len(garbage) > 4 {
					copy(garbage, []byte{0, 0, 0, 1}) // look like a NAL unit
				}
				bad(garbage)
			}
			for _, p := range pkts {
				bad(p.Data[:len(p.Data)/2])
			}
			for _, p := range pkts[len(pkts)/2:] {
				bad(p.Data) // references missing
			}
			frames, _ := d.Flush()
			releaseAll(frames)

			good := decodeVideo(t, d, pkts)
			defer releaseAll(good)
			if len(good) != 50 {
				t.Errorf("after bad input, a good stream gave %d frames, want 50", len(good))
			}
		})
	}
}

// TestHardwareFallback asks for decoders that cannot serve and expects the
// software one.
func TestHardwareFallback(t *testing.T) {
	pkts, _ := makeVideo(t, media.CodecH264, append(testsrc("320x240"), "-t", "0.4", "-c:v", "libx264", "-preset", "ultrafast")...)
	for _, hw := range []string{"h264_v4l2m2m", "no_such_decoder", media.CodecMPEG2Video, media.CodecAAC} {
		t.Run(hw, func(t *testing.T) {
			d, err := NewVideoDecoder(media.CodecH264, VideoOptions{HardwareName: hw})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Name() != media.CodecH264 {
				t.Skipf("hardware decoder %s opened here; fallback not exercised", d.Name())
			}
			frames := decodeVideo(t, d, pkts)
			releaseAll(frames)
			if len(frames) != 10 {
				t.Errorf("got %d frames, want 10", len(frames))
			}
		})
	}
}

func BenchmarkDecodeH264_1080p(b *testing.B) {
	pkts, _ := makeVideo(b, media.CodecH264, "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25", "-t", "2",
		"-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-pix_fmt", "yuv420p")
	d, err := NewVideoDecoder(media.CodecH264, VideoOptions{Pool: media.NewPool(16)})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var bytes int64
	for _, p := range pkts {
		bytes += int64(len(p.Data))
	}
	b.SetBytes(bytes)
	b.ResetTimer()
	frames := 0
	for i := 0; i < b.N; i++ {
		for _, p := range pkts {
			f, err := d.Decode(p)
			if err != nil {
				b.Fatal(err)
			}
			frames += len(f)
			releaseAll(f)
		}
		f, err := d.Flush()
		if err != nil {
			b.Fatal(err)
		}
		frames += len(f)
		releaseAll(f)
	}
	if want := 50 * b.N; frames != want {
		b.Fatalf("decoded %d frames, want %d", frames, want)
	}
	b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
}

func ExampleVideoDecoder() {
	d, err := NewVideoDecoder(media.CodecH264, VideoOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	fmt.Println(d.Name())
	// Output: h264
}

// TestVideoSharedPlanes decodes a picture size whose strides FFmpeg
// leaves tight, so that frames share the decoder's own planes instead of
// copies: every frame, all held until the end while the decoder goes on
// predicting from its references, must still match the ffmpeg tool's
// decode, and releasing them must leave the decoder usable.
func TestVideoSharedPlanes(t *testing.T) {
	const w, h = 256, 144
	pkts, mkv := makeVideo(t, media.CodecH264, append(testsrc(fmt.Sprintf("%dx%d", w, h)),
		"-c:v", "libx264", "-preset", "superfast", "-bf", "2", "-pix_fmt", "yuv420p")...)
	for _, threads := range []int{1, 2} {
		d, err := NewVideoDecoder(media.CodecH264, VideoOptions{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		frames := decodeVideo(t, d, pkts)
		ref := referenceYUV(t, mkv, "yuv420p")
		ys, cs := w*h, (w/2)*(h/2)
		if len(frames) != len(ref)/(ys+2*cs) {
			t.Fatalf("threads %d: %d frames, want %d", threads, len(frames), len(ref)/(ys+2*cs))
		}
		for i, f := range frames {
			if !f.Shared() {
				t.Fatalf("threads %d: frame %d was copied, not shared", threads, i)
			}
			r := ref[i*(ys+2*cs):]
			if !bytes.Equal(f.Y, r[:ys]) || !bytes.Equal(f.U, r[ys:ys+cs]) || !bytes.Equal(f.V, r[ys+cs:ys+2*cs]) {
				t.Errorf("threads %d: frame %d differs from the ffmpeg tool's decode", threads, i)
			}
		}
		releaseAll(frames)
		// Released frames outlive nothing: a second pass decodes the same.
		again := decodeVideo(t, d, pkts)
		if len(again) != len(frames) {
			t.Errorf("threads %d: second pass gave %d frames, want %d", threads, len(again), len(frames))
		}
		releaseAll(again)
		d.Close()
	}
}
