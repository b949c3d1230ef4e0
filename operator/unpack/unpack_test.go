package unpack

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"
)

func TestReader(t *testing.T) {
	const text = "#EXTM3U\n#EXTINF:-1,한국어\nhttp://127.0.0.1/a\n"
	var gz, xzb bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	xw, err := xz.NewWriter(&xzb)
	if err != nil {
		t.Fatal(err)
	}
	xw.Write([]byte(text))
	xw.Close()
	for name, in := range map[string][]byte{"plain": []byte(text), "gzip": gz.Bytes(), "xz": xzb.Bytes()} {
		r, err := Reader(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != text {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	for name, in := range map[string]string{"empty": "", "short": "x"} {
		r, err := Reader(strings.NewReader(in))
		got, _ := io.ReadAll(r)
		if err != nil || string(got) != in {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	// Broken streams fail when read, or at once.
	for name, in := range map[string][]byte{"gzip": gz.Bytes()[:12], "xz": xzb.Bytes()[:xzb.Len()-10]} {
		r, err := Reader(bytes.NewReader(in))
		if err == nil {
			_, err = io.ReadAll(r)
		}
		if err == nil {
			t.Errorf("broken %s: no error", name)
		}
	}
}

func TestLimitReader(t *testing.T) {
	// A bomb: 64 MiB of zeros in a few KiB of gzip.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(make([]byte, 64<<20))
	zw.Close()
	r, err := Reader(bytes.NewReader(gz.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, LimitReader(r, 1<<20))
	if err == nil || !strings.Contains(err.Error(), "more than 1 MiB") || n != 1<<20 {
		t.Errorf("read %d, %v", n, err)
	}
	got, err := io.ReadAll(LimitReader(strings.NewReader("abc"), 3))
	if string(got) != "abc" || err != nil {
		t.Errorf("exact limit: %q, %v", got, err)
	}
}
