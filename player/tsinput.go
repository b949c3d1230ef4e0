package player

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/manbang/manbang/player/demux"
	"github.com/manbang/manbang/player/source"
	"github.com/manbang/manbang/player/tsseek"
)

// tsSeeker is the byte stream of a plain MPEG-TS file, local or over
// HTTP, made seekable by an index of its timestamps: a seek restarts it
// at the keyframe at or before the position, after a PAT and a PMT when
// the bytes there do not start with them.
type tsSeeker struct {
	ix     *tsseek.Index
	src    randomAccess
	header []byte // read before src, after a seek
}

// randomAccess is TS bytes that can restart anywhere: a local file, or a
// source.Ranged HTTP stream.
type randomAccess interface {
	io.Reader
	io.ReaderAt
	Restart(off int64) error
	Interrupt()
}

// fileAccess is a local file as randomAccess.
type fileAccess struct{ *os.File }

func (f fileAccess) Restart(off int64) error {
	_, err := f.Seek(off, io.SeekStart)
	return err
}

func (fileAccess) Interrupt() {} // a file read does not wait on anything

// newTSSeeker indexes size bytes of TS. The error says why they cannot
// seek.
func newTSSeeker(src randomAccess, size int64) (*tsSeeker, error) {
	if size <= 0 {
		return nil, errors.New("the length of the stream is unknown")
	}
	ix, err := tsseek.Open(src, size, tsseek.Config{IsKeyframe: demux.IsKeyframe})
	if err != nil {
		return nil, err
	}
	return &tsSeeker{ix: ix, src: src}, nil
}

// Read reads the header left from a seek, then the bytes.
func (s *tsSeeker) Read(p []byte) (int, error) {
	if len(s.header) > 0 {
		n := copy(p, s.header)
		s.header = s.header[n:]
		return n, nil
	}
	return s.src.Read(p)
}

// seek restarts the bytes at the keyframe at or before at. No read may be
// in flight.
func (s *tsSeeker) seek(at time.Duration) (anchor, error) {
	st, err := s.ix.Locate(at)
	if err != nil {
		return anchor{}, err
	}
	if err := s.src.Restart(st.Offset); err != nil {
		return anchor{}, err
	}
	s.header = st.Header
	return anchor{at: at, index: s.ix}, nil
}

// indexTS makes the main track, plain TS bytes, seekable when its source
// allows, and otherwise notes why not.
func (in *input) indexTS(src any) {
	var (
		s   *tsSeeker
		err error
	)
	switch src := src.(type) {
	case *os.File:
		st, serr := src.Stat()
		if serr != nil {
			err = serr
			break
		}
		s, err = newTSSeeker(fileAccess{src}, st.Size())
	case source.Ranged:
		s, err = newTSSeeker(src, src.Size())
	default:
		return // live: not seekable, as expected
	}
	if err != nil {
		in.notSeekable = fmt.Errorf("%w: %v", ErrNotSeekable, err)
		return
	}
	in.main.ts = s
	in.main.bytes = &countingReader{r: s}
	in.seekable, in.duration = true, s.ix.Duration()
}
