package demux

import (
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

func TestUnwrap(t *testing.T) {
	const w = tsWrap
	tests := []struct {
		name string
		in   []int64
		want []int64
	}{
		{"steady", []int64{1000, 4600, 8200}, []int64{1000, 4600, 8200}},
		{"small step back", []int64{9000, 5400, 12600}, []int64{9000, 5400, 12600}},
		{"wrap", []int64{w - 3600, w - 10, 100, 3700}, []int64{w - 3600, w - 10, w + 100, w + 3700}},
		{"back across wrap", []int64{w - 100, 50, w - 200, 3000}, []int64{w - 100, w + 50, w - 200, w + 3000}},
		{"twice", []int64{w - 10, 10, w / 2, w - 10, 10}, []int64{w - 10, w + 10, w + w/2, 2*w - 10, 2*w + 10}},
		{"no negative at start", []int64{100, w - 100}, []int64{100, w - 100}},
		{"high bits ignored", []int64{w + 5}, []int64{5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var u unwrapper
			for i, v := range tc.in {
				if got := u.unwrap(v); got != tc.want[i] {
					t.Errorf("value %d: unwrap(%d) = %d, want %d", i, v, got, tc.want[i])
				}
			}
		})
	}
}

func TestTicksToDuration(t *testing.T) {
	tests := []struct {
		ticks int64
		want  time.Duration
	}{
		{0, 0},
		{90000, time.Second},
		{3600, 40 * time.Millisecond},
		{1, 11111 * time.Nanosecond},
		{10 * tsWrap, 954437176888888 * time.Nanosecond},
	}
	for _, tc := range tests {
		if got := ticksToDuration(tc.ticks); got < tc.want-time.Microsecond || got > tc.want+time.Microsecond {
			t.Errorf("ticksToDuration(%d) = %v, want %v", tc.ticks, got, tc.want)
		}
	}
}

func TestMPEGAudioCodec(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		codec string
		ok    bool
	}{
		{"layer III MPEG-1 128k 44.1k", []byte{0xFF, 0xFB, 0x90, 0x64}, media.CodecMP3, true},
		{"layer II MPEG-1 192k 48k", []byte{0xFF, 0xFD, 0xA4, 0x00}, media.CodecMP2, true},
		{"layer III MPEG-2 LSF", []byte{0xFF, 0xF3, 0x84, 0x00}, media.CodecMP3, true},
		{"layer I", []byte{0xFF, 0xFF, 0x90, 0x00}, "", true},
		{"after junk", []byte{0x00, 0xFF, 0x00, 0xFF, 0xFD, 0x44, 0x00}, media.CodecMP2, true},
		{"reserved layer skipped", []byte{0xFF, 0xF9, 0x90, 0xFF, 0xFB, 0x90}, media.CodecMP3, true},
		{"bad bitrate", []byte{0xFF, 0xFB, 0xF0, 0x00}, "", false},
		{"short", []byte{0xFF, 0xFB}, "", false},
		{"empty", nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			codec, ok := mpegAudioCodec(tc.data)
			if codec != tc.codec || ok != tc.ok {
				t.Errorf("got %q, %v; want %q, %v", codec, ok, tc.codec, tc.ok)
			}
		})
	}
}
