package mp3

import "testing"

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want header
		ok   bool
	}{
		{"MPEG-1 128k 44.1kHz", []byte{0xff, 0xfb, 0x90, 0x64}, header{44100, 1152, 417}, true},
		{"MPEG-1 padded", []byte{0xff, 0xfb, 0x92, 0x64}, header{44100, 1152, 418}, true},
		{"MPEG-1 320k 48kHz", []byte{0xff, 0xfb, 0xe4, 0x00}, header{48000, 1152, 960}, true},
		{"MPEG-1 with CRC", []byte{0xff, 0xfa, 0x90, 0x64}, header{44100, 1152, 417}, true},
		{"MPEG-2 64k 24kHz", []byte{0xff, 0xf3, 0x84, 0x00}, header{24000, 576, 192}, true},
		{"MPEG-2 8k 22.05kHz padded", []byte{0xff, 0xf3, 0x12, 0x00}, header{22050, 576, 27}, true},
		{"MPEG-2.5", []byte{0xff, 0xe3, 0x90, 0x64}, header{}, false},
		{"reserved version", []byte{0xff, 0xeb, 0x90, 0x64}, header{}, false},
		{"layer II", []byte{0xff, 0xfd, 0x90, 0x64}, header{}, false},
		{"layer I", []byte{0xff, 0xff, 0x90, 0x64}, header{}, false},
		{"free format", []byte{0xff, 0xfb, 0x00, 0x64}, header{}, false},
		{"bad bit rate", []byte{0xff, 0xfb, 0xf0, 0x64}, header{}, false},
		{"bad sample rate", []byte{0xff, 0xfb, 0x9c, 0x64}, header{}, false},
		{"reserved emphasis", []byte{0xff, 0xfb, 0x90, 0x66}, header{}, false},
		{"no sync", []byte{0xfe, 0xfb, 0x90, 0x64}, header{}, false},
		{"short", []byte{0xff, 0xfb, 0x90}, header{}, false},
		{"empty", nil, header{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseHeader(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseHeader(% x) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSyncOffset(t *testing.T) {
	tests := []struct {
		in   []byte
		want int
	}{
		{[]byte{0xff, 0xfb, 0x90, 0x64}, 0},
		{[]byte("ID3\xff\xfd\x90\x64\xff\xfb\x90\x64"), 7},
		{[]byte{0xff, 0xff, 0xfb, 0x90, 0x64}, 1},
		{[]byte{0xff, 0xfb, 0x90}, -1},
		{nil, -1},
	}
	for _, tt := range tests {
		if got := syncOffset(tt.in); got != tt.want {
			t.Errorf("syncOffset(% x) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
