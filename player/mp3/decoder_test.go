package mp3

import (
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

// makeMP3 encodes a 2 s 440 Hz tone with the ffmpeg tool, skipping the
// test when it is missing.
func makeMP3(tb testing.TB, args ...string) []byte {
	tb.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		tb.Skipf("ffmpeg is not installed; it makes the test streams: %v", err)
	}
	out := filepath.Join(tb.TempDir(), "tone.mp3")
	all := append([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "libmp3lame"}, args...)
	if b, err := exec.Command("ffmpeg", append(all, out)...).CombinedOutput(); err != nil {
		tb.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// splitFrames cuts an MP3 file into frames by their headers, dropping
// anything before the first one (an ID3 tag).
func splitFrames(tb testing.TB, data []byte) ([][]byte, header) {
	tb.Helper()
	i := syncOffset(data)
	if i < 0 {
		tb.Fatal("no MP3 frame found")
	}
	data = data[i:]
	first, _ := parseHeader(data)
	var frames [][]byte
	for len(data) >= 4 {
		h, ok := parseHeader(data)
		if !ok || h.size > len(data) {
			break
		}
		frames = append(frames, data[:h.size])
		data = data[h.size:]
	}
	return frames, first
}

// chunk cuts data into pieces of n bytes.
func chunk(data []byte, n int) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		k := min(n, len(data))
		out = append(out, data[:k])
		data = data[k:]
	}
	return out
}

// decodeAll feeds packets, flushes and returns the frames.
func decodeAll(tb testing.TB, d *Decoder, pkts []*media.Packet) []*media.AudioFrame {
	tb.Helper()
	var out []*media.AudioFrame
	for i, p := range pkts {
		f, err := d.Decode(p)
		if err != nil {
			tb.Fatalf("packet %d: %v", i, err)
		}
		out = append(out, f...)
	}
	f, err := d.Flush()
	if err != nil {
		tb.Fatalf("flush: %v", err)
	}
	return append(out, f...)
}

// toneHz estimates the frequency of the left channel from the upward
// swings through zero between the first and the last one, with hysteresis
// against near-silent encoder noise.
func toneHz(frames []*media.AudioFrame) float64 {
	const hysteresis = 500
	n, crossings, low, rate := 0, 0, false, 0
	first, last := 0, 0
	for _, f := range frames {
		rate = f.SampleRate
		for i := 0; i < len(f.Samples); i += f.Channels {
			switch v := f.Samples[i]; {
			case v < -hysteresis:
				low = true
			case v > hysteresis && low:
				if crossings == 0 {
					first = n
				}
				crossings++
				last = n
				low = false
			}
			n++
		}
	}
	if crossings < 2 {
		return 0
	}
	return float64(crossings-1) * float64(rate) / float64(last-first)
}

func totalDuration(frames []*media.AudioFrame) time.Duration {
	var d time.Duration
	for _, f := range frames {
		d += f.Duration()
	}
	return d
}

func TestDecode(t *testing.T) {
	plain := []string{"-write_xing", "0", "-id3v2_version", "0"}
	streams := []struct {
		name string
		args []string
		rate int
	}{
		{"MPEG-1 48 kHz stereo", append([]string{"-ar", "48000", "-ac", "2", "-b:a", "128k"}, plain...), 48000},
		{"MPEG-1 44.1 kHz mono", append([]string{"-ar", "44100", "-ac", "1", "-b:a", "64k"}, plain...), 44100},
		{"MPEG-2 24 kHz VBR", append([]string{"-ar", "24000", "-ac", "2", "-q:a", "4"}, plain...), 24000},
		{"ID3 tag and Xing frame", []string{"-ar", "48000", "-ac", "2"}, 48000},
	}
	for _, s := range streams {
		data := makeMP3(t, s.args...)
		frames, first := splitFrames(t, data)
		if first.sampleRate != s.rate {
			t.Fatalf("%s: stream is at %d Hz, want %d", s.name, first.sampleRate, s.rate)
		}
		frameDur := time.Duration(first.samples) * time.Second / time.Duration(s.rate)
		wantTotal := time.Duration(len(frames)*first.samples) * time.Second / time.Duration(s.rate)
		start := 10 * time.Second

		splits := map[string][]*media.Packet{}
		for i, f := range frames {
			splits["frames"] = append(splits["frames"], &media.Packet{Data: f, HasPTS: true, PTS: start + time.Duration(i)*frameDur})
		}
		for _, n := range []int{1, 100, 4096, len(data)} {
			for i, c := range chunk(data, n) {
				name := "chunks of " + strconv.Itoa(n)
				splits[name] = append(splits[name], &media.Packet{Data: c, HasPTS: i == 0, PTS: start})
			}
		}
		for split, pkts := range splits {
			t.Run(s.name+"/"+split, func(t *testing.T) {
				d := NewDecoder()
				defer d.Close()
				out := decodeAll(t, d, pkts)
				if len(out) == 0 {
					t.Fatal("no audio")
				}
				for i, f := range out {
					if f.SampleRate != s.rate || f.Channels != 2 || len(f.Samples)%2 != 0 {
						t.Fatalf("frame %d: %d Hz, %d channels, %d samples", i, f.SampleRate, f.Channels, len(f.Samples))
					}
					want := start
					if i > 0 {
						want = out[i-1].PTS + out[i-1].Duration()
					}
					if f.PTS != want {
						t.Fatalf("frame %d PTS %v, want %v", i, f.PTS, want)
					}
				}
				total := totalDuration(out)
				if diff := total - wantTotal; diff < -time.Millisecond || diff > time.Millisecond {
					t.Errorf("decoded %v, want %v (%d frames)", total, wantTotal, len(frames))
				}
				if diff := total - 2*time.Second; diff < 0 || diff > 3*frameDur {
					t.Errorf("decoded %v, want about 2s", total)
				}
				if hz := toneHz(out); hz < 430 || hz > 450 {
					t.Errorf("tone is %.1f Hz, want 440", hz)
				}
			})
		}
	}
}

// TestPartialFrame checks that Decode returns at once with nothing for
// half a frame, and the audio once the frame is complete.
func TestPartialFrame(t *testing.T) {
	frames, _ := splitFrames(t, makeMP3(t, "-ar", "48000", "-write_xing", "0", "-id3v2_version", "0"))
	d := NewDecoder()
	defer d.Close()
	f := frames[0]
	got, err := d.Decode(&media.Packet{Data: f[:len(f)/2], HasPTS: true, PTS: time.Second})
	if err != nil || len(got) != 0 {
		t.Fatalf("half a frame gave %d frames, %v", len(got), err)
	}
	got, err = d.Decode(&media.Packet{Data: f[len(f)/2:]})
	if err != nil || len(got) != 1 || len(got[0].Samples) != 2*1152 || got[0].PTS != time.Second {
		t.Fatalf("completing the frame gave %d frames, %v", len(got), err)
	}
}

func TestTimestamps(t *testing.T) {
	a, ha := splitFrames(t, makeMP3(t, "-ar", "48000", "-write_xing", "0", "-id3v2_version", "0"))
	b, _ := splitFrames(t, makeMP3(t, "-ar", "24000", "-write_xing", "0", "-id3v2_version", "0"))
	durA := time.Duration(ha.samples) * time.Second / 48000
	tests := []struct {
		name     string
		second   func(i int) *media.Packet // packets after the first 20 of stream a
		wantPTS  time.Duration             // of the first frame after the switch
		wantRate int
	}{
		{"small jitter keeps the clock", func(i int) *media.Packet {
			return &media.Packet{Data: a[20+i], HasPTS: true, PTS: 20*durA + time.Duration(i)*durA + 500*time.Millisecond}
		}, 20 * durA, 48000},
		{"jump re-anchors", func(i int) *media.Packet {
			return &media.Packet{Data: a[20+i], HasPTS: true, PTS: time.Minute + time.Duration(i)*durA}
		}, time.Minute, 48000},
		{"jump back re-anchors", func(i int) *media.Packet {
			return &media.Packet{Data: a[20+i], HasPTS: true, PTS: -5 * time.Second}
		}, -5 * time.Second, 48000},
		{"discontinuity and new rate", func(i int) *media.Packet {
			return &media.Packet{Data: b[i], HasPTS: i == 0, PTS: 3 * time.Second, Discontinuity: i == 0}
		}, 3 * time.Second, 24000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder()
			defer d.Close()
			var pkts []*media.Packet
			for i := 0; i < 20; i++ {
				pkts = append(pkts, &media.Packet{Data: a[i], HasPTS: true, PTS: time.Duration(i) * durA})
			}
			before := 0
			for _, p := range pkts {
				got, err := d.Decode(p)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range got {
					before += len(f.Samples) / 2
				}
			}
			if before != 20*ha.samples {
				t.Fatalf("first part decoded %d samples, want %d", before, 20*ha.samples)
			}
			var after []*media.AudioFrame
			for i := 0; i < 10; i++ {
				got, err := d.Decode(tt.second(i))
				if err != nil {
					t.Fatal(err)
				}
				after = append(after, got...)
			}
			if len(after) == 0 {
				t.Fatal("no audio after the switch")
			}
			if after[0].PTS != tt.wantPTS || after[0].SampleRate != tt.wantRate {
				t.Errorf("after the switch: PTS %v at %d Hz, want %v at %d Hz", after[0].PTS, after[0].SampleRate, tt.wantPTS, tt.wantRate)
			}
		})
	}
}

// TestBadInput feeds garbage, a fake ID3 header announcing a huge tag, and
// MPEG layers go-mp3 does not decode; Decode must return, and a good stream
// afterwards must still decode.
func TestBadInput(t *testing.T) {
	good, h := splitFrames(t, makeMP3(t, "-ar", "48000", "-write_xing", "0", "-id3v2_version", "0"))
	rng := rand.New(rand.NewSource(3))
	random := make([]byte, 100000)
	rng.Read(random)
	tests := map[string][][]byte{
		"random bytes":  chunk(random, 1000),
		"huge ID3 tag":  {[]byte("ID3\x04\x00\x00\x7f\x7f\x7f\x7f")},
		"layer II":      {append([]byte{0xff, 0xfd, 0x90, 0x04}, make([]byte, 400)...)},
		"MPEG-2.5":      {append([]byte{0xff, 0xe3, 0x90, 0x04}, make([]byte, 400)...)},
		"free format":   {append([]byte{0xff, 0xfb, 0x00, 0x04}, make([]byte, 400)...)},
		"fake headers":  chunk(fakeHeaders(rng), 500),
		"truncated":     truncated(good),
		"empty packets": {nil, {}},
	}
	for name, bad := range tests {
		t.Run(name, func(t *testing.T) {
			d := NewDecoder()
			defer d.Close()
			for _, b := range bad {
				start := time.Now()
				d.Decode(&media.Packet{Data: b})
				if el := time.Since(start); el > 5*time.Second {
					t.Fatalf("Decode took %v", el)
				}
			}
			var pkts []*media.Packet
			for _, f := range good {
				pkts = append(pkts, &media.Packet{Data: f})
			}
			var total time.Duration
			for _, p := range pkts {
				frames, _ := d.Decode(p)
				total += totalDuration(frames)
			}
			frames, _ := d.Flush()
			total += totalDuration(frames)
			want := time.Duration(len(good)*h.samples) * time.Second / 48000
			if total < want-200*time.Millisecond {
				t.Errorf("after bad input, a %v stream decoded to %v", want, total)
			}
		})
	}
}

// fakeHeaders makes random data dotted with valid Layer III headers.
func fakeHeaders(rng *rand.Rand) []byte {
	b := make([]byte, 20000)
	rng.Read(b)
	for i := 0; i+4 < len(b); i += 1 + rng.Intn(400) {
		copy(b[i:], []byte{0xff, 0xfb, byte(0x10 + rng.Intn(14)<<4), 0x44})
	}
	return b
}

// truncated returns every other frame cut short.
func truncated(frames [][]byte) [][]byte {
	var out [][]byte
	for i, f := range frames {
		if i%2 == 0 {
			f = f[:len(f)/3]
		}
		out = append(out, f)
	}
	return out
}

func TestNoGoroutineLeak(t *testing.T) {
	frames, _ := splitFrames(t, makeMP3(t, "-ar", "48000", "-write_xing", "0", "-id3v2_version", "0"))
	base := runtime.NumGoroutine()
	var ds []*Decoder
	for i := 0; i < 20; i++ {
		d := NewDecoder()
		if _, err := d.Decode(&media.Packet{Data: frames[i]}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			d.Decode(&media.Packet{Data: frames[i+1][:100]}) // leave it mid-frame
		}
		ds = append(ds, d)
	}
	if n := runtime.NumGoroutine(); n < base+20 {
		t.Fatalf("%d goroutines with 20 decoders running, base %d", n, base)
	}
	for _, d := range ds {
		d.Close()
	}
	// Close waits for each goroutine to finish its work; give the last
	// instructions of their exit a chance to run.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines after Close, want %d", n, base)
	}
}

func TestClosed(t *testing.T) {
	d := NewDecoder()
	d.Decode(&media.Packet{Data: []byte{0xff, 0xfb}})
	for i := 0; i < 2; i++ {
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Decode(&media.Packet{Data: []byte{1}}); !errors.Is(err, ErrClosed) {
		t.Errorf("Decode after Close: %v, want ErrClosed", err)
	}
	if _, err := d.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close: %v, want ErrClosed", err)
	}
}

// FuzzDecode feeds arbitrary bytes, cut into packets whose sizes the first
// byte picks. Decode must never panic or hang.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("ID3\x04\x00\x00\x7f\x7f\x7f\x7f"))
	f.Add(append([]byte{7, 0xff, 0xfb, 0x90, 0x64}, make([]byte, 500)...))
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		frames, _ := splitFrames(f, makeMP3(f, "-ar", "24000", "-b:a", "32k", "-write_xing", "0", "-id3v2_version", "0"))
		var seed []byte
		for _, fr := range frames[:4] {
			seed = append(seed, fr...)
		}
		f.Add(append([]byte{200}, seed...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder()
		defer d.Close()
		size := 1
		if len(data) > 0 {
			size += int(data[0])
			data = data[1:]
		}
		for i, c := range chunk(data, size) {
			start := time.Now()
			frames, _ := d.Decode(&media.Packet{Data: c, HasPTS: true, PTS: time.Duration(i) * time.Millisecond, Discontinuity: i == 3})
			if el := time.Since(start); el > 5*time.Second {
				t.Fatalf("Decode took %v", el)
			}
			for _, fr := range frames {
				if fr.Channels != 2 || len(fr.Samples)%2 != 0 || fr.SampleRate <= 0 {
					t.Fatalf("malformed frame: %d channels, %d samples, %d Hz", fr.Channels, len(fr.Samples), fr.SampleRate)
				}
			}
		}
		d.Flush()
	})
}
