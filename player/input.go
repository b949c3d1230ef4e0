package player

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/player/avcodec"
	"github.com/manbang/manbang/player/demux"
	"github.com/manbang/manbang/player/hls"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/source"
	"github.com/manbang/manbang/player/tsseek"
)

// ErrNotSeekable is returned by Seek and SetSpeed for live streams, and
// for a plain transport stream that cannot seek (wrapped with the reason:
// an HTTP server without Range support, no timestamps…).
var ErrNotSeekable = errors.New("player: this stream cannot seek")

// input is what a locator opened into, for the life of a Player: one
// track, or two when an HLS variant's audio comes from an alternative
// rendition. Pipelines make demuxers over its tracks.
type input struct {
	main *track
	// alt is the audio rendition's track, or nil. SelectRendition swaps
	// it while no pipeline runs (under Player.ctl), and Stats reads it
	// through tracks, so both hold mu; so does close.
	alt    *track
	mu     sync.Mutex
	closed bool
	// rends are the variant's alternative audio renditions, rend the
	// index of the one playing (-1: none, or the variant's own audio).
	rends    []hls.Rendition
	rend     int
	seekable bool
	duration time.Duration
	// notSeekable says why a stream that could have seeked cannot; nil
	// means ErrNotSeekable alone.
	notSeekable error
	lang        string // language of the rendition chosen, if any
	warnings    []string
}

// track is one stream of packets: MPEG-TS bytes (from HLS, HTTP or a
// file) for the Go demuxer, or a container file for libavformat.
type track struct {
	bytes     *countingReader // TS bytes, counted
	hls       *hls.Reader     // the bytes when they come from HLS
	ts        *tsSeeker       // the bytes of a seekable plain TS file
	file      *avcodec.Demuxer
	closer    io.Closer
	video     bool         // the pipeline takes video from this track
	audio     bool         // and audio
	fileBytes atomic.Int64 // packet bytes a file track has delivered
}

// openInput opens locator. A local file goes to the Go demuxer when it is
// plain MPEG-TS and to libavformat otherwise (MP4, Matroska, MPEG-PS, MP3…:
// by content, whatever its name); an HLS presentation may add an audio
// rendition in lang.
func openInput(ctx context.Context, locator string, opts Options) (*input, error) {
	src, err := source.Open(ctx, locator, opts.Source)
	if err != nil {
		return nil, err
	}
	in := &input{rend: -1}
	switch s := src.(type) {
	case *hls.Reader:
		in.main = &track{bytes: &countingReader{r: s}, hls: s, closer: s, video: true, audio: true}
		in.seekable, in.duration = s.Seekable(), s.Duration()
		in.openRendition(ctx, s, opts.AudioLang)
	case *os.File:
		if isTransportStream(s) {
			in.main = &track{bytes: &countingReader{r: s}, closer: s, video: true, audio: true}
			in.indexTS(s)
			break
		}
		path := s.Name()
		s.Close()
		d, err := openContainer(path)
		if err != nil {
			return nil, err
		}
		in.main = &track{file: d, closer: d, video: true, audio: true}
		in.seekable, in.duration = true, d.Duration()
	default:
		in.main = &track{bytes: &countingReader{r: src}, closer: src, video: true, audio: true}
		in.indexTS(src)
	}
	return in, nil
}

// openRendition adds the alternative audio rendition that matches lang (or
// the default one) when the variant playing has some. A rendition that
// fails to open is reported, and the variant's own audio plays, if any.
func (in *input) openRendition(ctx context.Context, r *hls.Reader, lang string) {
	in.rends = r.AudioRenditions()
	i, ok := pickRendition(in.rends, lang)
	if !ok {
		return
	}
	rd := in.rends[i]
	in.lang, in.rend = rd.Language, i
	if rd.URI == "" {
		return // carried in the variant's own stream
	}
	a, err := r.OpenRendition(ctx, rd)
	if err != nil {
		in.warnings = append(in.warnings, fmt.Sprintf("audio rendition %q: %v", rd.Name, err))
		in.rend = -1
		return
	}
	in.main.audio = false
	in.alt = renditionTrack(a)
	if in.seekable && !a.Seekable() {
		in.seekable = false
	}
}

// renditionTrack is the track of an audio rendition's reader.
func renditionTrack(a *hls.Reader) *track {
	return &track{bytes: &countingReader{r: a}, hls: a, closer: a, audio: true}
}

// pickRendition returns the index of the rendition in lang, else of the
// first DEFAULT=YES one, else 0; false when there are none.
func pickRendition(rs []hls.Rendition, lang string) (int, bool) {
	if len(rs) == 0 {
		return 0, false
	}
	for i, r := range rs {
		if lang != "" && sameLanguage(r.Language, lang) {
			return i, true
		}
	}
	for i, r := range rs {
		if r.Default {
			return i, true
		}
	}
	return 0, true
}

// tsProbePackets is how many 188-byte packets, each starting with the
// sync byte, make a file MPEG-TS for the Go demuxer.
const tsProbePackets = 5

// isTransportStream reports whether a file is plain MPEG-TS, which goes
// to the Go demuxer (and seeks through tsseek): its first bytes are
// 188-byte packets, a sync byte (0x47) every 188 bytes. Whatever its name
// says, anything else goes to libavformat, which tells containers by
// their content too. That includes M2TS (Blu-ray, AVCHD: 192-byte
// packets, a 4-byte arrival timestamp before each sync byte), which
// neither the Go demuxer nor tsseek reads and libavformat's mpegts
// demuxer does, seeking included. A file shorter than tsProbePackets
// packets is MPEG-TS if every whole packet it has starts with a sync byte.
func isTransportStream(f *os.File) bool {
	var b [tsProbePackets * 188]byte
	n, _ := f.ReadAt(b[:], 0)
	if n < 188 {
		return false
	}
	for off := 0; off+188 <= n; off += 188 {
		if b[off] != 0x47 {
			return false
		}
	}
	return true
}

// openContainer opens a file that is not plain MPEG-TS with libavformat.
// The error names the file and says what is wrong with it.
func openContainer(path string) (*avcodec.Demuxer, error) {
	if st, err := os.Stat(path); err == nil && st.Size() == 0 {
		return nil, fmt.Errorf("player: open %s: the file is empty", path)
	}
	d, err := avcodec.OpenFile(path)
	switch {
	case errors.Is(err, avcodec.ErrNotContainer), errors.Is(err, avcodec.ErrInvalidData):
		return nil, fmt.Errorf("player: not an MPEG-TS stream, nor a media file FFmpeg can read (damaged, or of a kind it does not know): %w", err)
	case err != nil:
		return nil, fmt.Errorf("player: %w", err)
	}
	return d, nil
}

// tracks returns the input's tracks.
func (in *input) tracks() []*track {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.alt != nil {
		return []*track{in.main, in.alt}
	}
	return []*track{in.main}
}

// close closes every track, which unblocks any read in flight.
func (in *input) close() {
	for _, t := range in.tracks() {
		t.closer.Close()
	}
	in.mu.Lock()
	in.closed = true
	in.mu.Unlock()
}

// bytesRead is what the tracks have delivered so far.
func (in *input) bytesRead() int64 {
	var n int64
	for _, t := range in.tracks() {
		if t.bytes != nil {
			n += t.bytes.n.Load()
		}
		n += t.fileBytes.Load()
	}
	return n
}

// sourceStats sums what the tracks' sources know of their transport.
func (in *input) sourceStats() media.SourceStats {
	var sum media.SourceStats
	for i, t := range in.tracks() {
		var ss media.StatsSource
		switch {
		case t.hls != nil:
			ss = t.hls
		case t.bytes != nil:
			ss, _ = t.bytes.r.(media.StatsSource)
		}
		if ss == nil {
			continue
		}
		s := ss.SourceStats()
		sum.PacketsLost += s.PacketsLost
		sum.PacketsRecovered += s.PacketsRecovered
		sum.PacketsReordered += s.PacketsReordered
		sum.PacketsDuplicate += s.PacketsDuplicate
		sum.PacketsForeign += s.PacketsForeign
		sum.JitterMS = max(sum.JitterMS, s.JitterMS)
		sum.SSRCChanges += s.SSRCChanges
		sum.SegmentsSkipped += s.SegmentsSkipped
		if sum.Reconnecting == "" {
			sum.Reconnecting = s.Reconnecting
		}
		if i == 0 { // the variant is the main track's
			sum.VariantSwitches, sum.VariantBandwidth = s.VariantSwitches, s.VariantBandwidth
		}
	}
	return sum
}

// demuxer is the stage that turns a track into packets.
type demuxer interface {
	Next() (*media.Packet, error)
	Streams() []media.Stream
}

// newDemuxer makes a demuxer reading the track from where it stands.
func (t *track) newDemuxer(ctx context.Context) demuxer {
	if t.file != nil {
		return t.file
	}
	ts := demux.NewTS(ctx, t.bytes)
	if t.hls != nil {
		ts.SetDiscontinuities(t.hls)
	}
	return ts
}

// params returns the codec parameters a container demuxer has for a
// stream, or nil.
func (t *track) params(pid uint16) *avcodec.CodecParams {
	if t.file == nil {
		return nil
	}
	return t.file.Params(pid)
}

// sampleAspect packs the sample aspect ratio a container demuxer gives
// a stream as num<<32 | den, or 0.
func (t *track) sampleAspect(pid uint16) uint64 {
	if t.file == nil {
		return 0
	}
	n, d := t.file.SampleAspect(pid)
	return uint64(n)<<32 | uint64(d)
}

// anchor says how a track's seek maps the first timestamp read after it
// to the position asked for.
type anchor struct {
	at       time.Duration // the position asked for
	segStart time.Duration // HLS: where the segment read from starts
	absolute bool          // files: timestamps are positions already
	index    *tsseek.Index // plain TS: maps timestamps to positions
}

// target returns the presentation time of the position asked for, given
// the first timestamp read after the seek.
func (a anchor) target(first time.Duration) time.Duration {
	if a.absolute {
		return a.at
	}
	if a.index != nil {
		return first + a.at - a.index.Position(first)
	}
	return first + a.at - a.segStart
}

// interrupt unblocks a read in flight, so that the demuxer of a pipeline
// being replaced lets go of the track.
func (t *track) interrupt() {
	if t.hls != nil {
		t.hls.Interrupt()
	}
	if t.ts != nil {
		t.ts.src.Interrupt()
	}
}

// seek positions the track at, for a new demuxer.
func (t *track) seek(at time.Duration) (anchor, error) {
	switch {
	case t.hls != nil:
		start, err := t.hls.Seek(at)
		return anchor{at: at, segStart: start}, err
	case t.file != nil:
		return anchor{at: at, absolute: true}, t.file.Seek(at)
	case t.ts != nil:
		return t.ts.seek(at)
	}
	return anchor{}, ErrNotSeekable
}
