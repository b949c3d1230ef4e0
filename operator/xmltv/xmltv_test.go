package xmltv

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	seoul := time.FixedZone("", 9*3600)
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{"20261123200000 +0900", time.Date(2026, 11, 23, 20, 0, 0, 0, seoul), ""},
		{"20261123200000+0900", time.Date(2026, 11, 23, 20, 0, 0, 0, seoul), ""},
		{"20261123200000 +09:00", time.Date(2026, 11, 23, 20, 0, 0, 0, seoul), ""},
		{"20261123200000", time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC), ""},
		{"202611232000 -0530", time.Date(2026, 11, 23, 20, 0, 0, 0, time.FixedZone("", -(5*3600+30*60))), ""},
		{"20261123200000 Z", time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC), ""},
		{" 20261123200000 +03 ", time.Date(2026, 11, 23, 20, 0, 0, 0, time.FixedZone("", 3*3600)), ""},
		{"20261131200000 +0900", time.Time{}, "no such date"},
		{"20261123250000", time.Time{}, "no such date"},
		{"2026112320", time.Time{}, "bad time"},
		{"", time.Time{}, "bad time"},
		{"tomorrow", time.Time{}, "bad time"},
		{"20261123200000 +2500", time.Time{}, "bad zone"},
		{"20261123200000 KST", time.Time{}, "bad zone"},
		{"00001123200000", time.Time{}, "no such date"},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseTime(%q) = %v, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) || got.Format(TimeLayout) != tt.want.Format(TimeLayout) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

const guide = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tv SYSTEM "xmltv.dtd">
<tv generator-info-name="test">
  <channel id="kbs1">
    <display-name lang="ko">KBS 1TV</display-name>
    <display-name lang="en">KBS 1</display-name>
    <icon src="http://127.0.0.1/kbs.png"/>
    <url>http://127.0.0.1/</url>
  </channel>
  <channel><display-name>no id</display-name></channel>
  <programme start="20261123200000 +0900" stop="20261123210000 +0900" channel="kbs1" catchup-id="42">
    <title lang="ko">뉴스 9</title>
    <title lang="en">News at   Nine</title>
    <sub-title>Evening</sub-title>
    <desc lang="ko">오늘의 <b>주요</b> 뉴스 &amp; 날씨&nbsp;</desc>
    <credits><director>Kim</director></credits>
    <category lang="en">News</category>
    <episode-num system="onscreen">E12</episode-num>
    <rating><value>ALL</value></rating>
  </programme>
  <programme start="yesterday" channel="kbs1"><title>Bad start</title></programme>
  <programme start="20261123210000 +0900" stop="20261123200000 +0900" channel="kbs1"><title>Backwards</title></programme>
  <programme start="20261123210000 +0900"><title>No channel</title></programme>
  <unknown><deep><deeper>text</deeper></deep></unknown>
  <programme start="20261123210000" channel="kbs1"><title>Open end</title></programme>
</tv>
`

// readAll reads every element of s.
func readAll(s string) ([]Element, *Reader, error) {
	r := NewReader(strings.NewReader(s))
	var out []Element
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

func TestRead(t *testing.T) {
	els, r, err := readAll(guide)
	if err != nil {
		t.Fatal(err)
	}
	if len(els) != 3 || els[0].Channel == nil || els[1].Programme == nil || els[2].Programme == nil {
		t.Fatalf("elements %+v", els)
	}
	c := els[0].Channel
	if c.ID != "kbs1" || len(c.Names) != 2 || c.Names[1] != (Text{"en", "KBS 1"}) || c.Icon != "http://127.0.0.1/kbs.png" || c.URL != "http://127.0.0.1/" {
		t.Errorf("channel %+v", c)
	}
	p := els[1].Programme
	if p.Channel != "kbs1" || FormatTime(p.Start) != "20261123200000 +0900" || FormatTime(p.Stop) != "20261123210000 +0900" ||
		len(p.Titles) != 2 || p.Titles[1].Value != "News at Nine" || p.SubTitles[0] != (Text{"", "Evening"}) ||
		p.Descs[0].Value != "오늘의 뉴스 & 날씨" || p.Categories[0].Value != "News" || p.EpisodeNum != "E12" || p.CatchupID != "42" {
		t.Errorf("programme %+v", p)
	}
	if p := els[2].Programme; !p.Stop.IsZero() || p.Titles[0].Value != "Open end" || p.Start.Location() != time.UTC {
		t.Errorf("open programme %+v", p)
	}
	want := []string{"channel without id", "start: xmltv: bad time", "stops at", "programme without channel"}
	if r.Skipped() != 4 || len(r.Problems()) != 4 {
		t.Fatalf("problems %q", r.Problems())
	}
	for i, w := range want {
		if !strings.Contains(r.Problems()[i], w) || !strings.HasPrefix(r.Problems()[i], "line ") {
			t.Errorf("problem %q, want %q", r.Problems()[i], w)
		}
	}
}

func TestReadBad(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"<!doctype html><html><body>oops</body></html>", "not <tv>"},
		{`{"error": "json"}`, "no <tv> element"},
		{"", "no <tv> element"},
		{"<tv><programme start=\"20261123200000\" channel=\"a\"><title>x", "unexpected EOF"},
		{"<tv>" + "<x>" + strings.Repeat("a", MaxToken+100_000) + "</x></tv>", "larger than 1 MiB"},
		{`<?xml version="1.0" encoding="KOI8-R"?><tv></tv>`, "unsupported encoding"},
	} {
		_, _, err := readAll(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%.50q: error %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestReadLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<tv><programme start="20261123200000" channel="a">`)
	for range MaxTexts + 5 {
		b.WriteString("<title>" + strings.Repeat("가", MaxText) + "</title>")
	}
	b.WriteString("</programme></tv>")
	els, _, err := readAll(b.String())
	if err != nil || len(els) != 1 {
		t.Fatalf("%d elements, %v", len(els), err)
	}
	ts := els[0].Programme.Titles
	if len(ts) != MaxTexts || len(ts[0].Value) > MaxText || !strings.HasPrefix(ts[0].Value, "가가") || !utf8Valid(ts[0].Value) {
		t.Errorf("%d titles of %d bytes", len(ts), len(ts[0].Value))
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "?") == s }

func TestLatin1(t *testing.T) {
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><tv><channel id=\"c\"><display-name>Caf\xe9</display-name></channel></tv>"
	els, _, err := readAll(in)
	if err != nil || len(els) != 1 || els[0].Channel.Names[0].Value != "Café" {
		t.Errorf("%+v, %v", els, err)
	}
}

// write writes elements as a guide.
func write(t testing.TB, els []Element) []byte {
	var b bytes.Buffer
	w := NewWriter(&b, "manbang")
	for _, e := range els {
		var err error
		if e.Channel != nil {
			err = w.WriteChannel(*e.Channel)
		} else {
			err = w.WriteProgramme(*e.Programme)
		}
		if err != nil {
			t.Fatalf("write %+v: %v", e, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWriteRoundTrip(t *testing.T) {
	els, _, _ := readAll(guide)
	out := write(t, els)
	again, r, err := readAll(string(out))
	if err != nil || r.Skipped() != 0 || len(again) != len(els) {
		t.Fatalf("re-read: %d elements, %v, %q", len(again), err, r.Problems())
	}
	if !bytes.Equal(write(t, again), out) {
		t.Errorf("round trip changed the guide:\n%s", out)
	}
	if !bytes.Contains(out, []byte(`<programme start="20261123200000 +0900" stop="20261123210000 +0900" channel="kbs1" catchup-id="42">`)) ||
		!bytes.Contains(out, []byte(`<title lang="ko">뉴스 9</title>`)) || !bytes.Contains(out, []byte(`generator-info-name="manbang"`)) {
		t.Errorf("guide:\n%s", out)
	}
	var b bytes.Buffer
	w := NewWriter(&b, "")
	if w.WriteChannel(Channel{}) == nil || w.WriteProgramme(Programme{Channel: "a"}) == nil {
		t.Error("incomplete elements written")
	}
}

// FuzzReader reads arbitrary guides: it must never panic, and what it
// reads must write and read back to the same guide.
func FuzzReader(f *testing.F) {
	f.Add(guide)
	f.Add(`<tv><programme start="20261123200000 +0900" channel="a&amp;b"><title lang="x">&lt;t&gt;</title></programme></tv>`)
	f.Add(`<tv><channel id=" a "><display-name>  x  y </display-name><icon src="&quot;"/></channel></tv>`)
	f.Add("<tv><programme start=\"202611232000\" stop=\"20261123200001Z\" channel=\"\x01\"></programme></tv>")
	f.Fuzz(func(t *testing.T, in string) {
		els, r, err := readAll(in)
		if len(r.Problems()) > MaxProblems {
			t.Fatalf("%d problems kept", len(r.Problems()))
		}
		if err != nil && len(els) == 0 {
			return
		}
		first := write(t, els)
		again, _, err := readAll(string(first))
		if err != nil {
			t.Fatalf("re-read %q: %v", first, err)
		}
		if second := write(t, again); !bytes.Equal(first, second) {
			t.Fatalf("not stable:\n%s\n%s", first, second)
		}
	})
}

// FuzzParseTime must never panic, and what it parses must format and
// parse back to the same instant.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"20261123200000 +0900", "202611232000", "20261123200000+09:00", "20000229000000 Z", "99991231235959 -1400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err != nil {
			return
		}
		back, err := ParseTime(FormatTime(tm))
		if err != nil || !back.Equal(tm) {
			t.Fatalf("%q -> %s -> %v, %v", s, FormatTime(tm), back, err)
		}
	})
}

func TestReadErrorPassesOn(t *testing.T) {
	boom := errors.New("network down")
	r := NewReader(io.MultiReader(strings.NewReader("<tv><channel id=\"a\">"), errReader{boom}))
	_, err := r.Next()
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestCleanText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Night Train", "Night Train"},
		{"  Night \t\n Train ", "Night Train"},
		{"밤 기차", "밤 기차"},
		{"밤\u00a0기차", "밤 기차"},
		{"밤\u3000 기차\u3000", "밤 기차"},
		{"cut \xe1\x84", "cut"},
		{"a\ufffdb", "a\ufffdb"},
		{" ", ""},
	} {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzCleanText checks cleanText's quick answer against the long way.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Night Train", " a", "a  b", "밤\u00a0기차", "\xff", "a\u2028b", "a\ufffd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		long := s
		if !utf8Valid(long) {
			long = strings.ToValidUTF8(long, "")
		}
		long = strings.Join(strings.Fields(long), " ")
		if got := cleanText(s); got != long {
			t.Fatalf("cleanText(%q) = %q, want %q", s, got, long)
		}
	})
}
