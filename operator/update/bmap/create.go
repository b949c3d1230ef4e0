package bmap

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Create makes a block map of the image file f with the given block size,
// in bmaptool's 2.0 format: the blocks that the file system reports as data
// (SEEK_DATA/SEEK_HOLE) are mapped. The image build uses bmaptool itself;
// Create serves tools and tests that make images without it.
func Create(f *os.File, blockSize int64) ([]byte, error) {
	if blockSize < 512 || blockSize&(blockSize-1) != 0 {
		return nil, fmt.Errorf("bmap: block size %d", blockSize)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("bmap: %w", err)
	}
	size := st.Size()
	blocks := (size + blockSize - 1) / blockSize
	var ranges []Range
	for off := int64(0); off < size; {
		data, err := unix.Seek(int(f.Fd()), off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bmap: seek data: %w", err)
		}
		hole, err := unix.Seek(int(f.Fd()), data, unix.SEEK_HOLE)
		if err != nil {
			return nil, fmt.Errorf("bmap: seek hole: %w", err)
		}
		first, last := data/blockSize, (hole+blockSize-1)/blockSize-1
		if n := len(ranges); n > 0 && ranges[n-1].Last >= first-1 {
			ranges[n-1].Last = max(ranges[n-1].Last, last)
		} else {
			ranges = append(ranges, Range{First: first, Last: last})
		}
		off = hole
	}
	m := &Map{ImageSize: size, BlockSize: blockSize, Blocks: blocks}
	var body strings.Builder
	mapped := int64(0)
	for i := range ranges {
		r := &ranges[i]
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, r.Offset(m), r.Len(m))); err != nil {
			return nil, fmt.Errorf("bmap: read: %w", err)
		}
		copy(r.SHA256[:], h.Sum(nil))
		mapped += r.Last - r.First + 1
		blocks := fmt.Sprint(r.First)
		if r.Last != r.First {
			blocks += fmt.Sprintf("-%d", r.Last)
		}
		fmt.Fprintf(&body, "        <Range chksum=\"%x\"> %s </Range>\n", r.SHA256, blocks)
	}
	zero := strings.Repeat("0", 64)
	doc := fmt.Sprintf(`<?xml version="1.0" ?>
<bmap version="2.0">
    <ImageSize> %d </ImageSize>
    <BlockSize> %d </BlockSize>
    <BlocksCount> %d </BlocksCount>
    <MappedBlocksCount> %d </MappedBlocksCount>
    <ChecksumType> sha256 </ChecksumType>
    <BmapFileChecksum> %s </BmapFileChecksum>
    <BlockMap>
%s    </BlockMap>
</bmap>
`, size, blockSize, blocks, mapped, zero, body.String())
	sum := sha256.Sum256([]byte(doc))
	return bytes.Replace([]byte(doc), []byte(zero), []byte(hex.EncodeToString(sum[:])), 1), nil
}
