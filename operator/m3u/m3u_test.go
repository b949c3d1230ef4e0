package m3u

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// readAll reads every entry of s.
func readAll(t testing.TB, s string) ([]Entry, *Reader, error) {
	r := NewReader(strings.NewReader(s))
	var out []Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			return out, r, nil
		}
		if err != nil {
			return out, r, err
		}
		out = append(out, e)
	}
}

const sample = "\ufeff#EXTM3U url-tvg=\"http://127.0.0.1/epg.xml\" catchup=\"shift\"\r\n" +
	"#EXTINF:-1 tvg-id=\"kbs1\" tvg-name=\"KBS 1\" tvg-logo=\"http://127.0.0.1/kbs.png\" group-title=\"News, Korea\" tvg-chno=\"9\",KBS 1TV, Seoul\r\n" +
	"#EXTVLCOPT:http-user-agent=Manbang\r\n" +
	"rtp://@239.255.42.1:5000\r\n" +
	"\n" +
	"#EXTINF:0 TVG-ID=mbc Catchup='append' catchup-source=\"?utc={utc}&lutc={lutc}\",MBC\n" +
	"#EXTGRP:Drama\n" +
	"http://127.0.0.1/mbc.m3u8\n" +
	"#EXTINF:-1,Orphan without URL\n" +
	"#EXTINF:-1 tvg-id=\"x\",Broken URL\n" +
	"not a url at all\n" +
	"#EXTINF:10.5,VOD\n" +
	"http://127.0.0.1/vod.m3u8\n" +
	"http://127.0.0.1/bare.ts\n" +
	"#EXTINF:-1 tvg-id=\"unterminated,Name\n" +
	"udp://@239.255.42.9:1234"

func TestRead(t *testing.T) {
	got, r, err := readAll(t, sample)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "KBS 1TV, Seoul", Duration: -1, URL: "rtp://@239.255.42.1:5000", Options: []string{"http-user-agent=Manbang"},
			Attrs: map[string]string{"tvg-id": "kbs1", "tvg-name": "KBS 1", "tvg-logo": "http://127.0.0.1/kbs.png", "group-title": "News, Korea", "tvg-chno": "9"}},
		{Name: "MBC", Duration: 0, URL: "http://127.0.0.1/mbc.m3u8", Group: "Drama",
			Attrs: map[string]string{"tvg-id": "mbc", "catchup": "append", "catchup-source": "?utc={utc}&lutc={lutc}"}},
		{Name: "VOD", Duration: 10.5, URL: "http://127.0.0.1/vod.m3u8", Attrs: map[string]string{}},
		{Duration: -1, URL: "http://127.0.0.1/bare.ts"},
		{Name: "", Duration: -1, URL: "udp://@239.255.42.9:1234", Attrs: map[string]string{"tvg-id": "unterminated,Name"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n%#v\nwant\n%#v", got, want)
	}
	if h := r.Header(); h["url-tvg"] != "http://127.0.0.1/epg.xml" || h["catchup"] != "shift" {
		t.Errorf("header %v", h)
	}
	wantProblems := []string{
		`line 10: #EXTINF "Orphan without URL" without a URL`,
		`line 11: "not a url at all" is not a URL`,
	}
	if !reflect.DeepEqual(r.Problems(), wantProblems) || r.Skipped() != 2 {
		t.Errorf("problems %q (%d skipped), want %q", r.Problems(), r.Skipped(), wantProblems)
	}
}

func TestReadBad(t *testing.T) {
	for _, tt := range []struct {
		in      string
		err     error
		n       int
		skipped int
	}{
		{"<!doctype html><html>", ErrNotM3U, 0, 0},
		{`{"channels": []}`, ErrNotM3U, 0, 0},
		{"", nil, 0, 0},
		{"#EXTM3U\n", nil, 0, 0},
		{"#EXTM3U\n#EXTINF:-1,A\n" + strings.Repeat("x", MaxLine+10) + "\nhttp://127.0.0.1/a\n", nil, 1, 1},
		{"#EXTM3U\n" + strings.Repeat("#", 200000) + "\n#EXTINF:-1,A\nhttp://127.0.0.1/a", nil, 1, 1},
		{"#EXTM3U\n#EXTINF:-1,A", nil, 0, 1},
		{"#extm3u\n#extinf:-1,a\nhttp://127.0.0.1/a\n", nil, 1, 0},
		{"#EXTM3U\n#EXTINF:-1,\xff\xfe\nhttp://127.0.0.1/a\n", nil, 1, 0},
	} {
		got, r, err := readAll(t, tt.in)
		if !errors.Is(err, tt.err) || len(got) != tt.n || r.Skipped() != tt.skipped {
			t.Errorf("%.40q: %d entries, %d skipped, %v; want %d, %d, %v", tt.in, len(got), r.Skipped(), err, tt.n, tt.skipped, tt.err)
		}
	}
}

func TestManyAttrs(t *testing.T) {
	var b strings.Builder
	b.WriteString("#EXTINF:-1")
	for i := range MaxAttrs + 10 {
		b.WriteString(" a" + strings.Repeat("x", i) + `="v"`)
	}
	b.WriteString(",N\nhttp://127.0.0.1/\n")
	got, r, _ := readAll(t, b.String())
	if len(got) != 1 || len(got[0].Attrs) != MaxAttrs || len(r.Problems()) != 1 || r.Skipped() != 0 {
		t.Errorf("%d entries, %d attrs, problems %q", len(got), len(got[0].Attrs), r.Problems())
	}
}

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.WriteHeader(map[string]string{"url-tvg": "http://127.0.0.1/epg.xml"})
	w.Write(Entry{Name: "KBS 1TV\n(HD)", Duration: -1, URL: "rtp://@239.255.42.1:5000",
		Attrs: map[string]string{"group-title": `News "today"`, "tvg-id": "kbs1", "zz": "last", "tvg-chno": "9", `bad"key`: "x"}})
	w.Write(Entry{Name: "VOD", Duration: 12.5, URL: "http://127.0.0.1/v.m3u8", Group: "G", Options: []string{"a=b"}})
	if err := w.Write(Entry{Name: "no url"}); err == nil {
		t.Error("entry without URL: no error")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "#EXTM3U url-tvg=\"http://127.0.0.1/epg.xml\"\n" +
		"#EXTINF:-1 tvg-id=\"kbs1\" tvg-chno=\"9\" group-title=\"News 'today'\" badkey=\"x\" zz=\"last\",KBS 1TV (HD)\n" +
		"rtp://@239.255.42.1:5000\n" +
		"#EXTINF:12.5,VOD\n#EXTGRP:G\n#EXTVLCOPT:a=b\nhttp://127.0.0.1/v.m3u8\n"
	if b.String() != want {
		t.Errorf("wrote\n%s\nwant\n%s", b.String(), want)
	}
}

// write writes entries and returns the playlist.
func write(t testing.TB, header map[string]string, entries []Entry) []byte {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.WriteHeader(header)
	for _, e := range entries {
		if err := w.Write(e); err != nil {
			t.Fatalf("Write(%#v): %v", e, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	entries, r, _ := readAll(t, sample)
	out := write(t, r.Header(), entries)
	again, r2, err := readAll(t, string(out))
	if err != nil || r2.Skipped() != 0 {
		t.Fatalf("re-read: %v, problems %q", err, r2.Problems())
	}
	for i := range entries {
		if entries[i].Attrs == nil {
			entries[i].Attrs = map[string]string{}
		}
	}
	if !reflect.DeepEqual(again, entries) {
		t.Errorf("round trip:\n%#v\nwant\n%#v", again, entries)
	}
}

// FuzzReader reads arbitrary playlists: it must never panic, and whatever
// it reads must write and read back to the same playlist.
func FuzzReader(f *testing.F) {
	f.Add(sample)
	f.Add("#EXTM3U\n#EXTINF:-1 a=\"b,c\" d=e,N\nhttp://x/\n")
	f.Add("#EXTINF:abc tvg-id=\"\",\nudp://@239.1.1.1:1\n")
	f.Add("#EXTINF:-1 =x ==,\"\n#EXTINF:5\nhttp://a b/\n")
	f.Fuzz(func(t *testing.T, in string) {
		entries, r, err := readAll(t, in)
		if err != nil && !errors.Is(err, ErrNotM3U) {
			t.Fatalf("unexpected error %v", err)
		}
		if len(r.Problems()) > MaxProblems {
			t.Fatalf("%d problems kept", len(r.Problems()))
		}
		first := write(t, r.Header(), entries)
		again, r2, err := readAll(t, string(first))
		if err != nil {
			t.Fatalf("re-read %q: %v", first, err)
		}
		second := write(t, r2.Header(), again)
		if !bytes.Equal(first, second) {
			t.Fatalf("not stable:\n%q\n%q", first, second)
		}
	})
}
