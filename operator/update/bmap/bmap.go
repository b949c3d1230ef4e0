// Package bmap reads block maps made by bmaptool (format 2.x): which blocks
// of a sparse disk image hold data, and the SHA-256 of each mapped range, so
// that a flashing tool writes and verifies only those blocks.
package bmap

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalid wraps every reason a block map is refused.
var ErrInvalid = errors.New("bmap: invalid block map")

// Map is a parsed block map.
type Map struct {
	ImageSize int64
	BlockSize int64
	Blocks    int64 // blocks in the image, the last one possibly partial
	Ranges    []Range
}

// Range is a run of mapped blocks, First to Last inclusive.
type Range struct {
	First, Last int64
	SHA256      [32]byte
}

// Offset is the byte offset of the range in the image.
func (r Range) Offset(m *Map) int64 { return r.First * m.BlockSize }

// Len is the range's length in bytes, the image's last partial block
// counted as far as the image goes.
func (r Range) Len(m *Map) int64 {
	return min((r.Last+1)*m.BlockSize, m.ImageSize) - r.First*m.BlockSize
}

// MappedBytes is how many bytes the mapped ranges hold.
func (m *Map) MappedBytes() int64 {
	var n int64
	for _, r := range m.Ranges {
		n += r.Len(m)
	}
	return n
}

type xmlMap struct {
	XMLName           xml.Name `xml:"bmap"`
	Version           string   `xml:"version,attr"`
	ImageSize         string   `xml:"ImageSize"`
	BlockSize         string   `xml:"BlockSize"`
	BlocksCount       string   `xml:"BlocksCount"`
	MappedBlocksCount string   `xml:"MappedBlocksCount"`
	ChecksumType      string   `xml:"ChecksumType"`
	BmapFileChecksum  string   `xml:"BmapFileChecksum"`
	Ranges            []struct {
		Chksum string `xml:"chksum,attr"`
		Blocks string `xml:",chardata"`
	} `xml:"BlockMap>Range"`
}

// maxRanges bounds the work a hostile file can ask for.
const maxRanges = 1 << 20

// Parse decodes and checks a bmap file, including its own checksum
// (BmapFileChecksum). It never panics on bad input.
func Parse(b []byte) (*Map, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	var x xmlMap
	if err := xml.Unmarshal(b, &x); err != nil {
		return nil, bad("%v", err)
	}
	if !strings.HasPrefix(strings.TrimSpace(x.Version), "2.") {
		return nil, bad("version %q, want 2.x", x.Version)
	}
	if t := strings.TrimSpace(x.ChecksumType); t != "sha256" {
		return nil, bad("checksum type %q, want sha256", t)
	}
	if err := checkSelf(b, strings.TrimSpace(x.BmapFileChecksum)); err != nil {
		return nil, err
	}
	m := &Map{}
	var err error
	num := func(name, s string) int64 {
		if err != nil {
			return 0
		}
		var v int64
		v, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v < 0 {
			err = bad("%s %q", name, strings.TrimSpace(s))
		}
		return v
	}
	m.ImageSize = num("ImageSize", x.ImageSize)
	m.BlockSize = num("BlockSize", x.BlockSize)
	m.Blocks = num("BlocksCount", x.BlocksCount)
	mapped := num("MappedBlocksCount", x.MappedBlocksCount)
	if err != nil {
		return nil, err
	}
	if m.BlockSize < 512 || m.BlockSize > 1<<24 || m.BlockSize&(m.BlockSize-1) != 0 {
		return nil, bad("block size %d", m.BlockSize)
	}
	if m.ImageSize > 1<<50 || m.Blocks != (m.ImageSize+m.BlockSize-1)/m.BlockSize {
		return nil, bad("%d blocks of %d bytes do not make %d bytes", m.Blocks, m.BlockSize, m.ImageSize)
	}
	if len(x.Ranges) > maxRanges {
		return nil, bad("%d ranges", len(x.Ranges))
	}
	next, count := int64(0), int64(0)
	for i, xr := range x.Ranges {
		var r Range
		first, last, ok := strings.Cut(strings.TrimSpace(xr.Blocks), "-")
		if !ok {
			last = first
		}
		r.First = num("range first block", first)
		r.Last = num("range last block", last)
		if err != nil {
			return nil, err
		}
		if r.First < next || r.Last < r.First || r.Last >= m.Blocks {
			return nil, bad("range %d (%d-%d) is out of order or past block %d", i, r.First, r.Last, m.Blocks)
		}
		sum, herr := hex.DecodeString(strings.TrimSpace(xr.Chksum))
		if herr != nil || len(sum) != sha256.Size {
			return nil, bad("range %d: checksum %q", i, xr.Chksum)
		}
		copy(r.SHA256[:], sum)
		next = r.Last + 1
		count += r.Last - r.First + 1
		m.Ranges = append(m.Ranges, r)
	}
	if count != mapped {
		return nil, bad("ranges map %d blocks, MappedBlocksCount says %d", count, mapped)
	}
	return m, nil
}

// checkSelf verifies BmapFileChecksum: the SHA-256 of the file with that
// checksum's digits replaced by zeros.
func checkSelf(b []byte, sum string) error {
	want, err := hex.DecodeString(sum)
	if err != nil || len(want) != sha256.Size {
		return fmt.Errorf("%w: BmapFileChecksum %q", ErrInvalid, sum)
	}
	i := bytes.Index(b, []byte(sum))
	if i < 0 {
		return fmt.Errorf("%w: BmapFileChecksum not found", ErrInvalid)
	}
	zeroed := bytes.Clone(b)
	copy(zeroed[i:], bytes.Repeat([]byte("0"), len(sum)))
	got := sha256.Sum256(zeroed)
	if !bytes.Equal(got[:], want) {
		return fmt.Errorf("%w: the file's own checksum does not match (edited or truncated)", ErrInvalid)
	}
	return nil
}
