// Package unpack opens downloads that may be compressed: playlists and
// programme guides are often served as .gz or .xz files, sometimes
// without saying so.
package unpack

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/ulikunitz/xz"
)

// Magic numbers of the formats Reader recognises.
var (
	gzipMagic = []byte{0x1f, 0x8b}
	xzMagic   = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// Reader returns the content of r, decompressed if it starts as a gzip or
// xz stream does, and as it is otherwise.
func Reader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(len(xzMagic))
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("unpack: gzip: %w", err)
		}
		return zr, nil
	case bytes.HasPrefix(head, xzMagic):
		cfg := xz.ReaderConfig{DictCap: 64 << 20} // bounds the memory a stream may ask for
		zr, err := cfg.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("unpack: xz: %w", err)
		}
		return zr, nil
	}
	return br, nil
}

// LimitReader returns a reader of r that fails with an error once more
// than max bytes are read: a guard against decompression bombs.
func LimitReader(r io.Reader, max int64) io.Reader { return &limited{r: r, max: max} }

type limited struct {
	r      io.Reader
	n, max int64 // read so far, and the most allowed
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n > l.max {
		return 0, fmt.Errorf("unpack: more than %d MiB", l.max>>20)
	}
	// Read at most one byte past the limit, to tell a stream of exactly
	// max bytes from a longer one.
	if int64(len(p)) > l.max-l.n+1 {
		p = p[:l.max-l.n+1]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n - int(l.n-l.max), fmt.Errorf("unpack: more than %d MiB", l.max>>20)
	}
	return n, err
}
