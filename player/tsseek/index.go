// Package tsseek finds positions in a plain MPEG-TS file: its duration,
// from the first and last presentation timestamps of its video (or, without
// video, its audio), and the byte offset of the keyframe at or before a
// position, by bisection on the timestamps read at probe offsets. It reads
// the file through io.ReaderAt, so that a local file and an HTTP resource
// read with Range requests serve alike. Timestamps may start anywhere and
// wrap around 2^33 within the file.
package tsseek

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/manbang/manbang/player/media"
)

// ErrNoIndex is returned by Open for bytes it cannot find positions in: no
// transport packets, no PAT or PMT at the start, no timestamps.
var ErrNoIndex = errors.New("tsseek: cannot index")

// Reads of the index. Windows grow up to their maximum when they hold no
// timestamp of the stream (a high bitrate, or a long audio gap).
const (
	headSize  = 128 << 10 // the start, for PAT, PMT and the first timestamp…
	maxHead   = 8 << 20   // …up to this much
	tailSize  = 256 << 10 // the end, for the last timestamp
	maxTail   = 16 << 20  // the most of the end read
	probeSize = 64 << 10  // a bisection probe
	maxProbe  = 4 << 20
	chunkSize = 512 << 10 // a forward scan for keyframes reads this much at a time…
	chunkMore = 64 << 10  // …and a little more, to complete the last access unit
	maxScan   = 64 << 20  // the most one keyframe search reads forward
	bracket   = 256 << 10 // bisection stops when the target is within this
)

// Config holds the choices of an index.
type Config struct {
	// IsKeyframe reports whether the start of a video access unit
	// (Annex-B bytes) is a keyframe, as demux.IsKeyframe does; nil trusts
	// the random access indicator alone.
	IsKeyframe func(codec string, au []byte) bool
}

// Index knows where the times of one transport stream file are. Its
// methods read the file through the io.ReaderAt it was opened with; they
// may be called from one goroutine at a time.
type Index struct {
	r      io.ReaderAt
	size   int64
	cfg    Config
	pmtPID uint16
	pid    uint16 // whose timestamps are positions
	codec  string
	video  bool
	pat    []byte // the first PAT and PMT packets, for a header
	pmt    []byte
	start  int64 // the first timestamp, 90 kHz, 33 bits
	dur    int64 // in 90 kHz ticks
}

// Start is where to read a file from to play from a position: Header (a
// PAT and a PMT, or nil when the bytes at Offset start with them) and then
// the file from Offset.
type Start struct {
	Offset int64
	Header []byte
}

// Open indexes the size bytes of r: it reads the start and the end.
func Open(r io.ReaderAt, size int64, cfg Config) (*Index, error) {
	ix := &Index{r: r, size: size, cfg: cfg}
	var s *scanner
	for n := int64(headSize); ; n *= 4 {
		head, err := ix.read(0, int(min(n, size)))
		if err != nil {
			return nil, fmt.Errorf("tsseek: read the start: %w", err)
		}
		err = ix.readPSI(head)
		if err == nil {
			s = newScanner(ix)
			s.scan(head, 0, len(head))
			if len(s.units) > 0 {
				break
			}
			err = fmt.Errorf("%w: no timestamp in the first %d bytes", ErrNoIndex, len(head))
		}
		if n >= size || n >= maxHead {
			return nil, err
		}
		ix.pat, ix.pmt = nil, nil
	}
	first := s.units[0].pts
	low := int64(0)
	for _, u := range s.units {
		low = min(low, rel(u.pts, first))
	}
	ix.start = (first + low) & (tsWrap - 1)
	if err := ix.readEnd(); err != nil {
		return nil, err
	}
	return ix, nil
}

// readPSI finds the first PAT and the PMT it names at the start, and the
// stream to follow: the first video stream, else the first audio stream.
func (ix *Index) readPSI(head []byte) error {
	i := resync(head)
	if i < 0 {
		return fmt.Errorf("%w: no transport packets at the start", ErrNoIndex)
	}
	for ; i+packetSize <= len(head); i += packetSize {
		p, ok := parsePacket(head[i : i+packetSize])
		if !ok || !p.start {
			continue
		}
		switch {
		case p.pid == patPID && ix.pat == nil:
			if pid, ok := parsePAT(p.payload); ok {
				ix.pmtPID, ix.pat = pid, append([]byte(nil), head[i:i+packetSize]...)
			}
		case ix.pat != nil && p.pid == ix.pmtPID:
			streams, ok := parsePMT(p.payload)
			if !ok {
				continue
			}
			for _, kind := range []media.Kind{media.KindVideo, media.KindAudio} {
				for _, st := range streams {
					if st.kind == kind && ix.pmt == nil {
						ix.pmt, ix.pid, ix.codec, ix.video = append([]byte(nil), head[i:i+packetSize]...), st.pid, st.codec, kind == media.KindVideo
					}
				}
			}
			if ix.pmt == nil {
				return fmt.Errorf("%w: no audio or video stream in the PMT", ErrNoIndex)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: no PAT and PMT in the first %d bytes", ErrNoIndex, len(head))
}

// readEnd finds the duration from the last timestamps of the file.
func (ix *Index) readEnd() error {
	for n := int64(tailSize); ; n *= 4 {
		from := max(0, ix.size-n)
		b, err := ix.read(from, int(ix.size-from))
		if err != nil {
			return fmt.Errorf("tsseek: read the end: %w", err)
		}
		s := newScanner(ix)
		s.scan(b, from, len(b))
		if len(s.units) > 0 {
			last, step := int64(-1<<62), int64(0)
			prev := make([]int64, 0, len(s.units))
			for _, u := range s.units {
				r := rel(u.pts, ix.start)
				last = max(last, r)
				prev = append(prev, r)
			}
			// A frame's length: the smallest step between timestamps.
			for i := range prev {
				for j := i + 1; j < len(prev) && j < i+8; j++ {
					if d := abs(prev[j] - prev[i]); d > 0 && (step == 0 || d < step) {
						step = d
					}
				}
			}
			ix.dur = max(0, last+step)
			return nil
		}
		if from == 0 || n >= maxTail {
			return fmt.Errorf("%w: no timestamp in the last %d bytes", ErrNoIndex, len(b))
		}
	}
}

// Duration is the length of the file: from its first timestamp to the
// end of the last frame.
func (ix *Index) Duration() time.Duration { return ticksToDuration(ix.dur) }

// Position returns the position (time from the start of the file) of a
// timestamp read from the file, whatever wrap period a demuxer put it in.
func (ix *Index) Position(pts time.Duration) time.Duration {
	return ticksToDuration(rel(durationToTicks(pts), ix.start))
}

// Locate returns where to read from to play from position at: the
// keyframe at or before it (when there is none within maxScan bytes, the
// nearest timestamp). A position past the end locates the last keyframe,
// one before the start the first.
func (ix *Index) Locate(at time.Duration) (Start, error) {
	t := max(min(durationToTicks(at), ix.dur), 0)
	lo, err := ix.bisect(t)
	if err != nil {
		return Start{}, err
	}
	end := int64(-1)
	for from, back := lo, int64(chunkSize); ; back *= 2 {
		u, psis, found, err := ix.lastKeyBefore(from, end, t)
		if err != nil {
			return Start{}, err
		}
		if found {
			return ix.startAt(u, psis), nil
		}
		if from == 0 {
			return Start{}, nil
		}
		if lo-from >= maxScan {
			// No keyframe anywhere near (a stream refreshed without
			// them): the nearest timestamp will do.
			u, ok, err := ix.probe(lo, ix.size)
			if err != nil || !ok {
				return Start{}, err
			}
			return ix.startAt(u, nil), nil
		}
		end, from = from, max(0, from-back)
	}
}

// bisect returns an offset at most bracket bytes before the one where
// timestamp t is: a first guess from the average bitrate, then halving,
// with a probe of the first timestamp after each offset tried.
func (ix *Index) bisect(t int64) (int64, error) {
	lo, hi := int64(0), ix.size
	for i := 0; hi-lo > bracket && i < 64; i++ {
		mid := lo + (hi-lo)/2
		if i == 0 && ix.dur > 0 {
			guess := int64(float64(ix.size)*float64(t)/float64(ix.dur)) - bracket/2
			mid = min(max(guess, lo+1), hi-1)
		}
		u, ok, err := ix.probe(mid, hi)
		if err != nil {
			return 0, err
		}
		if ok && rel(u.pts, ix.start) <= t {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// probe returns the first unit after offset off (and before limit).
func (ix *Index) probe(off, limit int64) (unit, bool, error) {
	for n := int64(probeSize); ; n *= 4 {
		n = min(n, limit-off)
		b, err := ix.read(off, int(n))
		if err != nil {
			return unit{}, false, fmt.Errorf("tsseek: probe at byte %d: %w", off, err)
		}
		s := newScanner(ix)
		s.scan(b, off, len(b))
		if len(s.units) > 0 {
			return s.units[0], true, nil
		}
		if off+n >= limit || n >= maxProbe {
			return unit{}, false, nil
		}
	}
}

// lastKeyBefore scans forward from offset from for the last keyframe whose
// timestamp is at most t, until a keyframe after t, offset end (when not
// negative) or the end of the file.
func (ix *Index) lastKeyBefore(from, end, t int64) (best unit, psis []psi, found bool, err error) {
	for off := from; off < ix.size && off-from < maxScan && (end < 0 || off < end); off += chunkSize {
		n := min(int64(chunkSize+chunkMore), ix.size-off)
		b, err := ix.read(off, int(n))
		if err != nil {
			return unit{}, nil, false, fmt.Errorf("tsseek: scan at byte %d: %w", off, err)
		}
		s := newScanner(ix)
		s.scan(b, off, chunkSize)
		for _, u := range s.units {
			if !u.key {
				continue
			}
			if rel(u.pts, ix.start) > t {
				return best, psis, found, nil
			}
			best, psis, found = u, s.psis, true
		}
	}
	return best, psis, found, nil
}

// startAt is where to read from for a keyframe unit: the PAT just before
// it, or the unit with the file's first PAT and PMT before it, their
// continuity counters set to lead into the next ones in psis.
func (ix *Index) startAt(u unit, psis []psi) Start {
	if u.psiOff >= 0 {
		return Start{Offset: u.psiOff}
	}
	h := append(append([]byte(nil), ix.pat...), ix.pmt...)
	done := [2]bool{}
	for _, p := range psis {
		k := 0
		if p.pmt {
			k = 1
		}
		if p.off > u.off && !done[k] {
			h[k*packetSize+3] = h[k*packetSize+3]&0xF0 | (p.cc-1)&0x0F
			done[k] = true
		}
	}
	return Start{Offset: u.off, Header: h}
}

// read reads n bytes at off, fewer at the end of the file.
func (ix *Index) read(off int64, n int) ([]byte, error) {
	n = int(min(int64(n), ix.size-off))
	if n <= 0 {
		return nil, nil
	}
	b := make([]byte, n)
	got, err := ix.r.ReadAt(b, off)
	if got == n {
		return b, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

// rel returns timestamp pts relative to base across a wrap: within half
// a wrap period (about 13 hours) before or after it.
func rel(pts, base int64) int64 {
	d := (pts - base) & (tsWrap - 1)
	if d >= tsWrap/2 {
		d -= tsWrap
	}
	return d
}

func abs(d int64) int64 {
	if d < 0 {
		return -d
	}
	return d
}

// ticksToDuration converts 90 kHz ticks to a duration.
func ticksToDuration(t int64) time.Duration {
	return time.Duration(t/90000)*time.Second + time.Duration(t%90000)*time.Second/90000
}

// durationToTicks converts a duration to 90 kHz ticks, to the nearest.
func durationToTicks(d time.Duration) int64 {
	return int64(d/time.Second)*90000 + (int64(d%time.Second)*9+50000)/100000
}
