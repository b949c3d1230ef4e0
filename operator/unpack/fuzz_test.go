package unpack

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/ulikunitz/xz"
)

// fuzzMax is the limit FuzzReader reads under.
const fuzzMax = 64 << 10

// FuzzReader opens arbitrary downloads: Reader must never panic, input
// that is neither gzip nor xz must come back as it is, and LimitReader
// must never let more than its limit through, failing once it would.
func FuzzReader(f *testing.F) {
	const text = "#EXTM3U\n#EXTINF:-1,한국어\nhttp://127.0.0.1/a\n"
	var gz, multi, bomb, xzb bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	multi.Write(gz.Bytes())
	multi.Write(gz.Bytes()) // two gzip members, read as one stream
	zw = gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 4*fuzzMax)) // past the limit, in a few hundred bytes
	zw.Close()
	xw, err := xz.NewWriter(&xzb)
	if err != nil {
		f.Fatal(err)
	}
	xw.Write([]byte(text))
	xw.Close()
	for _, in := range [][]byte{[]byte(text), nil, {0x1f}, {0x1f, 0x8b}, gz.Bytes(), gz.Bytes()[:12], multi.Bytes(),
		bomb.Bytes(), xzb.Bytes(), xzb.Bytes()[:xzb.Len()-10], append([]byte{}, xzMagic...)} {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := Reader(bytes.NewReader(in))
		if err != nil {
			if !bytes.HasPrefix(in, gzipMagic) && !bytes.HasPrefix(in, xzMagic) {
				t.Fatalf("plain input %q: %v", in, err)
			}
			return
		}
		out, err := io.ReadAll(LimitReader(r, fuzzMax))
		if len(out) > fuzzMax {
			t.Fatalf("%d bytes through a limit of %d", len(out), fuzzMax)
		}
		if !bytes.HasPrefix(in, gzipMagic) && !bytes.HasPrefix(in, xzMagic) {
			want := in[:min(len(in), fuzzMax)]
			if !bytes.Equal(out, want) {
				t.Fatalf("plain input changed: %q -> %q", in, out)
			}
			if (err != nil) != (len(in) > fuzzMax) {
				t.Fatalf("plain input of %d bytes under a limit of %d: %v", len(in), fuzzMax, err)
			}
		}
	})
}

// FuzzRoundTrip compresses arbitrary content as gzip or xz: Reader must
// give it back exactly.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("<tv><channel id=\"kbs1\"/></tv>"), byte(0))
	f.Add([]byte("<tv><channel id=\"kbs1\"/></tv>"), byte(1))
	f.Add([]byte{}, byte(0))
	f.Add([]byte{0x1f, 0x8b, 0, 0}, byte(1))
	f.Fuzz(func(t *testing.T, content []byte, format byte) {
		var z bytes.Buffer
		if format%2 == 0 {
			zw := gzip.NewWriter(&z)
			zw.Write(content)
			zw.Close()
		} else {
			xw, err := xz.NewWriter(&z)
			if err != nil {
				t.Fatal(err)
			}
			xw.Write(content)
			xw.Close()
		}
		r, err := Reader(&z)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, content) {
			t.Fatalf("%q came back as %q, %v", content, got, err)
		}
	})
}
