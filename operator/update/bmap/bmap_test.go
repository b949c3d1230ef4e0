package bmap

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBmaptool(t *testing.T) {
	b, err := os.ReadFile("testdata/bmaptool.bmap")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.ImageSize != 1<<20 || m.BlockSize != 4096 || m.Blocks != 256 || len(m.Ranges) != 2 {
		t.Fatalf("Parse = %+v", m)
	}
	if r := m.Ranges[1]; r.First != 146 || r.Last != 146 || r.Offset(m) != 146*4096 || r.Len(m) != 4096 {
		t.Fatalf("second range %+v", r)
	}
	if m.MappedBytes() != 26*4096 {
		t.Fatalf("MappedBytes = %d", m.MappedBytes())
	}
	// One changed digit anywhere breaks the file's own checksum.
	edited := bytes.Replace(b, []byte("> 146 <"), []byte("> 147 <"), 1)
	if _, err := Parse(edited); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "own checksum") {
		t.Fatalf("edited bmap: %v", err)
	}
}

// withChecksum rewrites doc's BmapFileChecksum so that only the content is
// tested.
func withChecksum(doc string) []byte {
	zero := strings.Repeat("0", 64)
	doc = strings.Replace(doc, "SUM", zero, 1)
	sum := sha256.Sum256([]byte(doc))
	return []byte(strings.Replace(doc, zero, hex.EncodeToString(sum[:]), 1))
}

func TestParseRejects(t *testing.T) {
	ok := strings.Repeat("ab", 32)
	doc := func(size, bs, blocks, mapped, ranges string) string {
		return `<bmap version="2.0"><ImageSize>` + size + `</ImageSize><BlockSize>` + bs +
			`</BlockSize><BlocksCount>` + blocks + `</BlocksCount><MappedBlocksCount>` + mapped +
			`</MappedBlocksCount><ChecksumType>sha256</ChecksumType><BmapFileChecksum>SUM</BmapFileChecksum><BlockMap>` +
			ranges + `</BlockMap></bmap>`
	}
	good := doc("8192", "4096", "2", "1", `<Range chksum="`+ok+`">1</Range>`)
	if _, err := Parse(withChecksum(good)); err != nil {
		t.Fatalf("good map: %v", err)
	}
	tests := map[string]string{
		"version 1":      strings.Replace(good, `"2.0"`, `"1.4"`, 1),
		"sha1":           strings.Replace(good, ">sha256<", ">sha1<", 1),
		"block size":     doc("8192", "1000", "9", "1", `<Range chksum="`+ok+`">1</Range>`),
		"block count":    doc("8192", "4096", "3", "1", `<Range chksum="`+ok+`">1</Range>`),
		"past the end":   doc("8192", "4096", "2", "1", `<Range chksum="`+ok+`">2</Range>`),
		"backwards":      doc("8192", "4096", "2", "2", `<Range chksum="`+ok+`">1-0</Range>`),
		"overlap":        doc("8192", "4096", "2", "3", `<Range chksum="`+ok+`">0-1</Range><Range chksum="`+ok+`">1</Range>`),
		"mapped count":   doc("8192", "4096", "2", "2", `<Range chksum="`+ok+`">1</Range>`),
		"short checksum": doc("8192", "4096", "2", "1", `<Range chksum="abcd">1</Range>`),
		"negative":       doc("-1", "4096", "0", "0", ``),
		"not a number":   doc("8192", "4096", "2", "1", `<Range chksum="`+ok+`">x</Range>`),
	}
	for name, d := range tests {
		if _, err := Parse(withChecksum(d)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Parse = %v, want ErrInvalid", name, err)
		}
	}
	for _, in := range []string{"", "<bmap", "<other/>"} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
}

func TestCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "img")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Data in blocks 0 and 5, a hole between, a partial last block.
	if err := f.Truncate(6*4096 + 100); err != nil {
		t.Fatal(err)
	}
	f.WriteAt(bytes.Repeat([]byte{1}, 4096), 0)
	f.WriteAt([]byte("tail"), 6*4096+10)
	b, err := Create(f, 4096)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse(Create): %v\n%s", err, b)
	}
	if m.ImageSize != 6*4096+100 || m.Blocks != 7 || len(m.Ranges) == 0 || m.Ranges[0].First != 0 {
		t.Fatalf("map %+v", m)
	}
	last := m.Ranges[len(m.Ranges)-1]
	if last.Last != 6 || last.Len(m) > 4096+100 && last.First == 6 {
		t.Fatalf("last range %+v", last)
	}
	if m.MappedBytes() >= m.ImageSize {
		t.Logf("the file system does not report holes; every block is mapped")
	}
}

func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("testdata/bmaptool.bmap"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`<bmap version="2.0"></bmap>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		for _, r := range m.Ranges {
			if r.Len(m) <= 0 || r.Offset(m)+r.Len(m) > m.ImageSize {
				t.Fatalf("range %+v outside the %d-byte image", r, m.ImageSize)
			}
		}
	})
}
