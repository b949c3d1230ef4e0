package operator

import (
	"errors"
	"testing"
)

func TestCheckStreamURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://10.0.0.1:8080/vod/a/index.m3u8", true},
		{"https://cdn.example.net/live/1.m3u8", true},
		{"rtp://239.1.1.1:5004", true},
		{"RTP://@239.1.1.1:5004", true},
		{"udp://239.1.1.1:1234", true},
		{"file:///etc/shadow", false},
		{"file://localhost/data/manbang/device-token", false},
		{"/media/usb0/film.mkv", false},
		{"film.mkv", false},
		{"concat:/etc/passwd|/etc/group", false},
		{"http:///no-host", false},
		{"gopher://example.net/1", false},
		{"", false},
		{"http://a b/%zz", false},
	}
	for _, tt := range tests {
		err := CheckStreamURL(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("CheckStreamURL(%q) = %v, want ok %v", tt.url, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrStreamURL) {
			t.Errorf("CheckStreamURL(%q) = %v, not ErrStreamURL", tt.url, err)
		}
	}
}

func FuzzCheckStreamURL(f *testing.F) {
	for _, s := range []string{"http://a/b.m3u8", "rtp://239.0.0.1:5004", "file:///x", "/x", "udp://@:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := CheckStreamURL(s); err != nil && !errors.Is(err, ErrStreamURL) {
			t.Fatalf("%q: %v", s, err)
		}
	})
}
