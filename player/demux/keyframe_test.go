package demux

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/manbang/manbang/player/media"
)

func TestIsKeyframe(t *testing.T) {
	sc := []byte{0, 0, 0, 1}
	nal := func(b ...byte) []byte { return append(append([]byte{}, sc...), b...) }
	cat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name  string
		codec string
		au    []byte
		want  bool
	}{
		{"h264 IDR after SPS PPS SEI", media.CodecH264, cat(nal(0x09, 0xF0), nal(0x67, 1, 2), nal(0x68, 3), nal(0x06, 5), nal(0x65, 0x88)), true},
		{"h264 P slice", media.CodecH264, cat(nal(0x09, 0xF0), nal(0x41, 0x9A)), false},
		{"h264 three-byte start codes", media.CodecH264, []byte{0, 0, 1, 0x65, 0x88}, true},
		{"hevc IDR_W_RADL", media.CodecHEVC, cat(nal(0x46, 1), nal(0x40, 1), nal(0x42, 1), nal(0x44, 1), nal(0x26, 1)), true},
		{"hevc CRA", media.CodecHEVC, nal(0x2A, 1), true},
		{"hevc TRAIL_R", media.CodecHEVC, cat(nal(0x46, 1), nal(0x02, 1)), false},
		{"mpeg2 I picture", media.CodecMPEG2Video, []byte{0, 0, 1, 0xB3, 1, 2, 3, 0, 0, 1, 0x00, 0x00, 0x0F, 0xFF}, true},
		{"mpeg2 P picture", media.CodecMPEG2Video, []byte{0, 0, 1, 0x00, 0x00, 0x17, 0xFF}, false},
		{"empty", media.CodecH264, nil, false},
		{"start code at the end", media.CodecH264, []byte{0, 0, 1}, false},
		{"audio", media.CodecAAC, nal(0x65), false},
	}
	for _, tc := range tests {
		if got := IsKeyframe(tc.codec, tc.au); got != tc.want {
			t.Errorf("%s: IsKeyframe = %v", tc.name, got)
		}
	}
}

func FuzzIsKeyframe(f *testing.F) {
	f.Add(media.CodecH264, []byte{0, 0, 1, 0x65})
	f.Add(media.CodecHEVC, []byte{0, 0, 1, 0x26, 1})
	f.Add(media.CodecMPEG2Video, []byte{0, 0, 1, 0, 0})
	f.Fuzz(func(t *testing.T, codec string, au []byte) {
		IsKeyframe(codec, au)
	})
}

// A muxer that flags no random access point: the demuxer finds the
// keyframes in the video itself.
func TestKeyframesWithoutRAI(t *testing.T) {
	b := readFile(t, h264MP3(t))
	_, want, err := demuxAll(t, bytes.NewReader(b))
	if err != io.EOF {
		t.Fatal(err)
	}
	cleared := 0
	for off := 0; off+188 <= len(b); off += 188 {
		p := b[off : off+188]
		if p[3]&0x20 != 0 && p[4] > 0 && p[5]&0x40 != 0 { // adaptation field with random_access_indicator
			p[5] &^= 0x40
			cleared++
		}
	}
	if cleared == 0 {
		t.Fatal("the fixture flags no random access point")
	}
	_, got, err := demuxAll(t, bytes.NewReader(b))
	if err != io.EOF {
		t.Fatal(err)
	}
	keys := func(pkts []*media.Packet) (n []int) {
		for i, p := range pkts {
			if p.Stream.Kind == media.KindVideo && p.Keyframe {
				n = append(n, i)
			}
		}
		return n
	}
	if k, w := keys(got), keys(want); fmt.Sprint(k) != fmt.Sprint(w) || len(w) < 2 {
		t.Errorf("keyframes at %v without RAI, at %v with it", k, w)
	}
}
