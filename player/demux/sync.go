package demux

import (
	"bufio"
	"context"
	"errors"
	"io"
)

const (
	packetSize = 188
	syncByte   = 0x47
	// syncProbe is how many consecutive sync bytes, one packet apart, must
	// line up before the reader trusts an alignment (fewer near the end).
	syncProbe = 3
)

// errNoPSI is returned by syncReader when psiLimit bytes have gone by
// without the demuxer having found a PMT.
var errNoPSI = errors.New("no PAT/PMT found")

// syncReader turns an arbitrary byte stream into whole, aligned 188-byte
// transport packets: it finds the 0x47 sync byte, checks that it repeats
// every 188 bytes, and after a loss of sync (garbage, a dropped byte) scans
// forward until it locks again. go-astits assumes its input is perfectly
// aligned and never recovers from a misaligned packet, so everything it
// reads goes through here.
//
// Read returns whole packets only; a partial packet at the end of the input
// is dropped and remembered in truncated.
type syncReader struct {
	ctx      context.Context
	br       *bufio.Reader
	locked   bool
	pkt      [packetSize]byte
	pending  []byte // unread part of pkt
	consumed int64  // input bytes consumed, including skipped garbage
	skipped  int64  // garbage bytes skipped while searching for sync
	resyncs  int    // times sync was lost after having been found
	ended    bool   // the underlying reader reached its end
	// truncated is set when the input ended in the middle of a packet.
	truncated bool
	// err is the underlying reader's error, other than io.EOF.
	err error
	// psiFound reports whether the demuxer has seen the PSI it needs;
	// until it returns true, Read fails with errNoPSI after psiLimit bytes.
	psiFound func() bool
	psiLimit int64
	// disc, when set, says where in the input timelines break; discGen
	// counts the breaks crossed so far, and pktEnd is the input offset
	// just past the last packet handed out.
	disc    Discontinuities
	discGen int
	// spliceGen counts the splices crossed (disc's, if it has them).
	spliceGen int
	pktEnd    int64
}

func newSyncReader(ctx context.Context, r io.Reader, psiFound func() bool, psiLimit int64) *syncReader {
	return &syncReader{
		ctx:      ctx,
		br:       bufio.NewReaderSize(r, 64*1024),
		psiFound: psiFound,
		psiLimit: psiLimit,
	}
}

// Read implements io.Reader, handing out the bytes of whole packets.
func (s *syncReader) Read(p []byte) (int, error) {
	if len(s.pending) == 0 {
		if err := s.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

// next loads the next aligned packet into pkt.
func (s *syncReader) next() error {
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		if s.psiLimit > 0 && s.consumed > s.psiLimit && !s.psiFound() {
			return errNoPSI
		}
		b, err := s.br.Peek(syncProbe * packetSize)
		if err == io.EOF {
			s.ended = true
		} else if err != nil {
			s.err = err
			return err
		}
		if len(b) == 0 {
			return s.endErr()
		}
		if len(b) < packetSize {
			if s.locked || b[0] == syncByte {
				s.truncated = true
			}
			s.discard(len(b))
			return s.endErr()
		}
		if b[0] == syncByte && (s.locked || aligned(b)) {
			s.locked = true
			if s.disc != nil && s.disc.DiscontinuityBetween(s.pktEnd, s.consumed+packetSize) {
				s.discGen++
			}
			if sp, ok := s.disc.(Splices); ok && sp.SpliceBetween(s.pktEnd, s.consumed+packetSize) {
				s.spliceGen++
			}
			copy(s.pkt[:], b[:packetSize])
			s.pending = s.pkt[:]
			s.discard(packetSize)
			s.pktEnd = s.consumed
			return nil
		}
		if s.locked {
			s.locked = false
			s.resyncs++
		}
		// Skip to the next candidate sync byte, or past the whole window.
		skip := len(b)
		for i := 1; i < len(b); i++ {
			if b[i] == syncByte {
				skip = i
				break
			}
		}
		s.skipped += int64(skip)
		s.discard(skip)
	}
}

// aligned reports whether b, which starts with a sync byte, has sync bytes
// at every packet boundary it contains in full.
func aligned(b []byte) bool {
	for off := packetSize; off < len(b); off += packetSize {
		if b[off] != syncByte {
			return false
		}
	}
	return true
}

func (s *syncReader) discard(n int) {
	d, _ := s.br.Discard(n)
	s.consumed += int64(d)
}

func (s *syncReader) endErr() error {
	if s.truncated {
		return io.ErrUnexpectedEOF
	}
	return io.EOF
}
