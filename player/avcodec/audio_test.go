package avcodec

import (
	"math/rand"
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

func TestAudioDecode(t *testing.T) {
	sine := func(rate string) []string {
		return []string{"-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=" + rate}
	}
	tests := []struct {
		name     string
		codec    string
		encode   []string
		rate     int
		channels int
	}{
		{"aac stereo", media.CodecAAC, append(sine("48000"), "-ac", "2", "-c:a", "aac", "-b:a", "128k"), 48000, 2},
		{"mp2 mono", media.CodecMP2, append(sine("44100"), "-ac", "1", "-c:a", "mp2", "-b:a", "96k"), 44100, 1},
		{"ac3 5.1 down-mixed", media.CodecAC3, append(sine("48000"), "-ac", "6", "-c:a", "ac3"), 48000, 2},
		{"mp3 stereo", media.CodecMP3, append(sine("44100"), "-ac", "2", "-c:a", "libmp3lame", "-write_xing", "0", "-id3v2_version", "0"), 44100, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkts := makeAudio(t, tt.codec, tt.encode...)
			d, err := NewAudioDecoder(tt.codec)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var frames []*media.AudioFrame
			var streamEnd time.Duration
			for i, p := range pkts {
				f, err := d.Decode(p)
				if err != nil {
					t.Fatalf("packet %d: %v", i, err)
				}
				frames = append(frames, f...)
				streamEnd = max(streamEnd, p.PTS+probedDuration(t, p, pkts, i))
			}
			f, err := d.Flush()
			if err != nil {
				t.Fatal(err)
			}
			frames = append(frames, f...)
			if len(frames) == 0 {
				t.Fatal("no audio decoded")
			}

			var total time.Duration
			var all []int16
			frameLen := frames[0].Duration()
			for i, f := range frames {
				if f.SampleRate != tt.rate || f.Channels != tt.channels {
					t.Fatalf("frame %d: %d Hz, %d channels; want %d Hz, %d channels", i, f.SampleRate, f.Channels, tt.rate, tt.channels)
				}
				if i > 0 {
					want := frames[i-1].PTS + frames[i-1].Duration()
					if d := f.PTS - want; d < -time.Millisecond || d > time.Millisecond {
						t.Errorf("frame %d PTS %v, want %v after the previous frame", i, f.PTS, want)
					}
				}
				total += f.Duration()
				all = append(all, f.Samples...)
			}
			if d := total - streamEnd; d < -frameLen || d > frameLen {
				t.Errorf("decoded %v of audio, stream lasts %v (one frame is %v)", total, streamEnd, frameLen)
			}
			if d := total - 2*time.Second; d < -frameLen || d > 3*frameLen {
				t.Errorf("decoded %v of audio, want about 2s", total)
			}
			if hz := zeroCrossingHz(all, tt.channels, tt.rate); hz < 430 || hz > 450 {
				t.Errorf("decoded tone is %.1f Hz, want 440", hz)
			}
		})
	}
}

// probedDuration is a packet's duration: the gap to the next packet's PTS,
// or the previous gap for the last one.
func probedDuration(t *testing.T, p *media.Packet, pkts []*media.Packet, i int) time.Duration {
	t.Helper()
	switch {
	case i+1 < len(pkts):
		return pkts[i+1].PTS - p.PTS
	case i > 0:
		return p.PTS - pkts[i-1].PTS
	}
	return 0
}

// TestAudioBadInput feeds garbage and truncated packets, then a good
// stream, which must still decode.
func TestAudioBadInput(t *testing.T) {
	for _, codec := range []string{media.CodecAAC, media.CodecMP2, media.CodecAC3, media.CodecMP3} {
		t.Run(codec, func(t *testing.T) {
			enc := map[string][]string{
				media.CodecAAC: {"aac"},
				media.CodecMP2: {"mp2"},
				media.CodecAC3: {"ac3"},
				media.CodecMP3: {"libmp3lame", "-write_xing", "0", "-id3v2_version", "0"},
			}[codec]
			pkts := makeAudio(t, codec, append([]string{"-f", "lavfi", "-i", "sine=duration=1:sample_rate=48000", "-ac", "2", "-c:a"}, enc...)...)
			d, err := NewAudioDecoder(codec)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			rng := rand.New(rand.NewSource(2))
			for i := 0; i < 200; i++ {
				garbage := make([]byte, rng.Intn(3000))
				rng.Read(garbage)
				d.Decode(&media.Packet{Data: garbage})
			}
			for _, p := range pkts {
				d.Decode(&media.Packet{Data: p.Data[:len(p.Data)/2]})
			}
			d.Flush()
			var total time.Duration
			for _, p := range pkts {
				frames, _ := d.Decode(p)
				for _, f := range frames {
					total += f.Duration()
				}
			}
			if total < 900*time.Millisecond {
				t.Errorf("after bad input, a 1 s stream decoded to %v", total)
			}
		})
	}
}
