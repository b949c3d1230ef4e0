package hls

import (
	"errors"
	"net/url"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var testBase, _ = url.Parse("http://127.0.0.1:8080/tv/ch1/index.m3u8")

const (
	masterSample = "#EXTM3U\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nlow/index.m3u8\n" +
		"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI=\"iframe.m3u8\"\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=2500000\nhttp://127.0.0.1:9000/hd.m3u8\n"
	liveSample = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:1201\n" +
		"#EXTINF:6.0,\nseg1201.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:6.0,\n/abs/seg1202.ts\n" +
		"#EXTINF:5.5,\nseg1203.ts?token=x\n"
	masterAudioSample = "#EXTM3U\n" +
		"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Korean\",LANGUAGE=\"ko\",DEFAULT=YES,URI=\"a_kor.m3u8\"\n" +
		"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Russian\",LANGUAGE=\"rus\",URI=\"a_rus.m3u8\"\n" +
		"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Muxed\"\n" +
		"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"sub\",NAME=\"English\",LANGUAGE=\"en\",URI=\"s.m3u8\"\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=300000,AUDIO=\"aud\"\nv0.m3u8\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=900000,AUDIO=\"aud\"\nv1.m3u8\n"
	aesSample = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n" +
		"#EXT-X-KEY:METHOD=AES-128,URI=\"k1\"\n#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n" +
		"#EXT-X-KEY:METHOD=AES-128,URI=\"k2\",IV=0x0102030405060708090a0b0c0d0e0f10\n#EXTINF:1.5,\nc.ts\n" +
		"#EXT-X-KEY:METHOD=NONE\n#EXTINF:2,\nd.ts\n#EXT-X-ENDLIST\n"
	byteRangeSample = "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:2\n" +
		"#EXTINF:2.0,\n#EXT-X-BYTERANGE:1000@0\nall.ts\n#EXTINF:2.0,\n#EXT-X-BYTERANGE:500@1000\nall.ts\n#EXT-X-ENDLIST\n"
)

func TestParsePlaylist(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantMedia *mediaPlaylist
		wantVars  *master
		wantErr   string
	}{
		{"master", masterSample, nil, &master{variants: []variant{
			{uri: "http://127.0.0.1:8080/tv/ch1/low/index.m3u8", bandwidth: 800000, resolution: "640x360"},
			{uri: "http://127.0.0.1:9000/hd.m3u8", bandwidth: 2500000},
		}}, ""},
		{"master with audio renditions", masterAudioSample, nil, &master{
			variants: []variant{
				{uri: "http://127.0.0.1:8080/tv/ch1/v0.m3u8", bandwidth: 300000, audio: "aud"},
				{uri: "http://127.0.0.1:8080/tv/ch1/v1.m3u8", bandwidth: 900000, audio: "aud"},
			},
			renditions: []Rendition{
				{GroupID: "aud", Name: "Korean", Language: "ko", Default: true, URI: "http://127.0.0.1:8080/tv/ch1/a_kor.m3u8"},
				{GroupID: "aud", Name: "Russian", Language: "rus", URI: "http://127.0.0.1:8080/tv/ch1/a_rus.m3u8"},
				{GroupID: "aud", Name: "Muxed"},
			},
		}, ""},
		{"live", liveSample, &mediaPlaylist{firstSeq: 1201, target: 6 * time.Second, segments: []segment{
			{seq: 1201, uri: "http://127.0.0.1:8080/tv/ch1/seg1201.ts", duration: 6 * time.Second},
			{seq: 1202, uri: "http://127.0.0.1:8080/abs/seg1202.ts", duration: 6 * time.Second, discontinuity: true},
			{seq: 1203, uri: "http://127.0.0.1:8080/tv/ch1/seg1203.ts?token=x", duration: 5500 * time.Millisecond},
		}}, nil, ""},
		{"byte ranges", byteRangeSample, &mediaPlaylist{target: 2 * time.Second, ended: true, segments: []segment{
			{seq: 0, uri: "http://127.0.0.1:8080/tv/ch1/all.ts", duration: 2 * time.Second, byteRange: byteRange{0, 1000}},
			{seq: 1, uri: "http://127.0.0.1:8080/tv/ch1/all.ts", duration: 2 * time.Second, byteRange: byteRange{1000, 500}},
		}}, nil, ""},
		{"BOM and blank lines", "\xEF\xBB\xBF\r\n#EXTM3U\r\n#EXT-X-TARGETDURATION:4\r\n#EXTINF:4,\r\na.ts\r\n#EXT-X-ENDLIST\r\n",
			&mediaPlaylist{target: 4 * time.Second, ended: true, segments: []segment{{seq: 0, uri: "http://127.0.0.1:8080/tv/ch1/a.ts", duration: 4 * time.Second}}}, nil, ""},
		{"no target duration: the longest segment", "#EXTM3U\n#EXTINF:4,\na.ts\n",
			&mediaPlaylist{target: 4 * time.Second, segments: []segment{{seq: 0, uri: "http://127.0.0.1:8080/tv/ch1/a.ts", duration: 4 * time.Second}}}, nil, ""},
		{"zero target duration", "#EXTM3U\n#EXT-X-TARGETDURATION:0\n#EXT-X-ENDLIST\n",
			&mediaPlaylist{target: defaultTarget, ended: true}, nil, ""},
		{"html", "<html><body>404</body></html>", nil, nil, "not an HLS playlist"},
		{"empty", "", nil, nil, "not an HLS playlist"},
		{"transport stream", "G@\x00\x10\x00\x00\xb0", nil, nil, "not an HLS playlist"},
		{"header only", "#EXTM3U\n", nil, nil, "parse playlist: "},
		{"aes-128", aesSample, &mediaPlaylist{firstSeq: 7, target: 2 * time.Second, ended: true, segments: []segment{
			{seq: 7, uri: "http://127.0.0.1:8080/tv/ch1/a.ts", duration: 2 * time.Second, key: &key{uri: "http://127.0.0.1:8080/tv/ch1/k1"}},
			{seq: 8, uri: "http://127.0.0.1:8080/tv/ch1/b.ts", duration: 2 * time.Second, key: &key{uri: "http://127.0.0.1:8080/tv/ch1/k1"}},
			{seq: 9, uri: "http://127.0.0.1:8080/tv/ch1/c.ts", duration: 1500 * time.Millisecond, key: &key{uri: "http://127.0.0.1:8080/tv/ch1/k2",
				iv: [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, hasIV: true}},
			{seq: 10, uri: "http://127.0.0.1:8080/tv/ch1/d.ts", duration: 2 * time.Second},
		}}, nil, ""},
		{"sample-aes", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k\"\n#EXTINF:2,\na.ts\n", nil, nil,
			"SAMPLE-AES encryption not supported"},
		{"aes without uri", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128\n#EXTINF:2,\na.ts\n", nil, nil,
			"AES-128 key without URI"},
		{"bad iv", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=12\n#EXTINF:2,\na.ts\n", nil, nil,
			"bad IV"},
		{"key none", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n",
			&mediaPlaylist{target: 2 * time.Second, ended: true, segments: []segment{{seq: 0, uri: "http://127.0.0.1:8080/tv/ch1/a.ts", duration: 2 * time.Second}}}, nil, ""},
		{"fmp4", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2,\na.m4s\n", nil, nil,
			"fragmented MP4 segments (EXT-X-MAP) not supported"},
		{"other scheme", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nrtmp://127.0.0.1/a\n", nil, nil,
			`unsupported URI "rtmp://127.0.0.1/a" in playlist`},
		{"master of iframes only", "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"i.m3u8\"\n", nil, nil,
			"master playlist lists no variants"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pl, vs, err := parsePlaylist([]byte(tc.body), testBase)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pl, tc.wantMedia) {
				t.Errorf("media playlist\n got %+v\nwant %+v", pl, tc.wantMedia)
			}
			if !reflect.DeepEqual(vs, tc.wantVars) {
				t.Errorf("variants\n got %+v\nwant %+v", vs, tc.wantVars)
			}
		})
	}
	if _, _, err := parsePlaylist([]byte("<html>"), testBase); !errors.Is(err, ErrNotPlaylist) {
		t.Errorf("html: %v is not ErrNotPlaylist", err)
	}
}

func TestChooseVariant(t *testing.T) {
	vs := []variant{{uri: "a", bandwidth: 800000}, {uri: "b", bandwidth: 2500000}, {uri: "c", bandwidth: 300000}, {uri: "d", bandwidth: 2500000}}
	tests := []struct {
		max  int
		want string
	}{
		{0, "b"},         // highest; the first of equals
		{1000000, "a"},   // highest that fits
		{2500000, "b"},   // a cap is inclusive
		{300000, "c"},    //
		{100, "c"},       // none fits: the lowest
		{100000000, "b"}, //
	}
	for _, tc := range tests {
		if got := vs[chooseVariant(vs, tc.max)]; got.uri != tc.want {
			t.Errorf("chooseVariant(max %d) = %s, want %s", tc.max, got.uri, tc.want)
		}
	}
	if got := chooseVariant([]variant{{uri: "only"}}, 5); got != 0 {
		t.Errorf("single variant without bandwidth: got %d", got)
	}
}

func FuzzParsePlaylist(f *testing.F) {
	for _, s := range []string{masterSample, masterAudioSample, liveSample, aesSample, byteRangeSample, "#EXTM3U\n", ""} {
		f.Add([]byte(s))
	}
	// Real playlists made by ffmpeg, when it is installed.
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		for _, dir := range []string{vodFixture(f), hlsFixture(f, "single", "160x120", 2, "-hls_flags", "single_file")} {
			f.Add(readFile(f, filepath.Join(dir, "index.m3u8")))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		pl, m, err := parsePlaylist(body, testBase)
		if err != nil {
			return
		}
		if (pl == nil) == (m == nil) {
			t.Fatalf("got media %v and master %v", pl != nil, m != nil)
		}
		if pl != nil {
			if pl.target <= 0 {
				t.Fatalf("target %v", pl.target)
			}
			for i, s := range pl.segments {
				if s.seq != pl.firstSeq+uint64(i) || !strings.HasPrefix(s.uri, "http") {
					t.Fatalf("segment %d: %+v", i, s)
				}
			}
		}
		if m != nil {
			if len(m.variants) == 0 {
				t.Fatal("master playlist without variants")
			}
			for _, v := range m.variants {
				if !strings.HasPrefix(v.uri, "http") {
					t.Fatalf("variant %+v", v)
				}
			}
			if i := chooseVariant(m.variants, 1000); i < 0 || i >= len(m.variants) {
				t.Fatalf("chooseVariant = %d", i)
			}
		}
	})
}
