package player

import (
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

// TestKeyWait feeds keyWait sequences of packets and checks which it
// drops: everything before the first keyframe, nothing after it, and
// nothing more once maxKeyWait of stream has gone by without one.
func TestKeyWait(t *testing.T) {
	type pkt struct {
		key bool
		pts time.Duration // negative: no PTS
	}
	frame := time.Second / 30
	tests := []struct {
		name  string
		codec string
		pkts  []pkt
		want  []bool // dropped
	}{
		{"starts with a keyframe", media.CodecH264, []pkt{{true, 0}, {false, frame}, {true, 2 * frame}}, []bool{false, false, false}},
		{"joined mid-GOP", media.CodecH264, []pkt{{false, 0}, {false, frame}, {true, 2 * frame}, {false, 3 * frame}}, []bool{true, true, false, false}},
		{"no PTS before the key", media.CodecHEVC, []pkt{{false, -1}, {false, -1}, {true, 0}}, []bool{true, true, false}},
		{"no keyframe for too long", media.CodecH264, []pkt{{false, 0}, {false, maxKeyWait - frame}, {false, maxKeyWait}, {false, maxKeyWait + frame}}, []bool{true, true, false, false}},
		{"codec without keyframe detection", "vp9", []pkt{{false, 0}, {false, frame}}, []bool{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kw := keyWait{keyed: !keyframeCodecs[tt.codec]}
			for i, p := range tt.pkts {
				mp := &media.Packet{Keyframe: p.key, PTS: p.pts, HasPTS: p.pts >= 0}
				if got := kw.skip(mp); got != tt.want[i] {
					t.Errorf("packet %d (key %v, pts %v): dropped %v, want %v", i, p.key, p.pts, got, tt.want[i])
				}
			}
		})
	}
}
