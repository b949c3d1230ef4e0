package player

import (
	"testing"

	"github.com/manbang/manbang/player/hls"
	"github.com/manbang/manbang/player/media"
)

func TestSameLanguage(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"ko", "kor", true},
		{"kor", "KO", true},
		{"ru", "rus", true},
		{"en", "eng", true},
		{"en-US", "eng", true},
		{"ger", "de", true},
		{"deu", "ger", true},
		{"fre", "fra", true},
		{"chi", "zh", true},
		{"ko", "ru", false},
		{"", "", false},
		{"", "kor", false},
		{"xyz", "xyz", true},
		{"xy", "xyz", false},
	}
	for _, tc := range tests {
		if got := sameLanguage(tc.a, tc.b); got != tc.want {
			t.Errorf("sameLanguage(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestPickStreams(t *testing.T) {
	streams := []media.Stream{
		{PID: 0x100, Kind: media.KindVideo, Codec: media.CodecH264},
		{PID: 0x101, Kind: media.KindAudio, Codec: "", Language: "eng"}, // E-AC-3: no decoder
		{PID: 0x102, Kind: media.KindAudio, Codec: media.CodecAAC, Language: "kor"},
		{PID: 0x103, Kind: media.KindAudio, Codec: media.CodecMP2, Language: "rus"},
	}
	for lang, want := range map[string]uint16{"": 0x102, "ru": 0x103, "rus": 0x103, "ko": 0x102, "en": 0x102} {
		v, a := pickStreams(streams, lang)
		if v == nil || v.PID != 0x100 || a == nil || a.PID != want {
			t.Errorf("lang %q: picked %+v and %+v, want audio PID %#x", lang, v, a, want)
		}
	}
}

func TestPickRendition(t *testing.T) {
	rs := []hls.Rendition{{Name: "ko", Language: "kor"}, {Name: "ru", Language: "ru", Default: true}, {Name: "en", Language: "en-GB"}}
	for lang, want := range map[string]string{"": "ru", "ko": "ko", "eng": "en", "ja": "ru"} {
		if i, ok := pickRendition(rs, lang); !ok || rs[i].Name != want {
			t.Errorf("lang %q: picked %d, want %q", lang, i, want)
		}
	}
	if i, ok := pickRendition(rs[:1], "ja"); !ok || rs[i].Name != "ko" {
		t.Errorf("no default: picked %d", i)
	}
	if _, ok := pickRendition(nil, "ko"); ok {
		t.Error("picked a rendition from none")
	}
}
