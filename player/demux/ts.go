// Package demux splits an MPEG transport stream into access units of its
// elementary streams, ready for the decoders.
//
// The transport-level parsing (packets, PAT, PMT, PES) is go-astits; this
// package adds what a player needs on top: resynchronisation after garbage,
// codec identification, 33-bit timestamp unwrapping, keyframes found in the
// video where the muxer does not flag them, timeline breaks marked where the
// input says (HLS discontinuities), and clear errors for input that is not
// a transport stream at all.
package demux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/asticode/go-astits"

	"github.com/manbang/manbang/player/media"
)

// ErrNotTS is returned by Next when the input is not an MPEG transport
// stream: no 188-byte packet structure, or no PAT and PMT within the first
// megabyte.
var ErrNotTS = errors.New("demux: not an MPEG-TS stream")

// psiLimit is how far into the input a PAT and PMT must have shown up.
const psiLimit = 1 << 20

// Timestamp jumps beyond these (per stream, in decode order) are reported as
// timeline discontinuities.
const (
	maxForwardJump  = 10 * clockRate
	maxBackwardJump = clockRate / 2
)

// Discontinuities says where in a demuxer's input a new timeline begins,
// as byte offsets from the start of the input: *hls.Reader implements it
// for EXT-X-DISCONTINUITY.
type Discontinuities interface {
	// DiscontinuityBetween reports whether a new timeline begins at an
	// input offset in [from, to).
	DiscontinuityBetween(from, to int64) bool
}

// Splices says where in a demuxer's input a stream of other packets
// takes over on the same timeline (an HLS variant switch): continuity
// counters may jump there, and that is no error. A Discontinuities may
// also implement it.
type Splices interface {
	// SpliceBetween reports whether a splice is at an input offset in
	// [from, to).
	SpliceBetween(from, to int64) bool
}

// Stats counts transport-level events, for diagnostics.
type Stats struct {
	ContinuityErrors int   // packets whose continuity counter skipped
	PCRs             int   // packets carrying a program clock reference
	PMTVersions      int   // distinct PMTs followed (1 for a steady stream)
	Resyncs          int   // times packet sync was lost and found again
	SkippedBytes     int64 // garbage skipped while looking for packet sync
	Corrupt          int   // PES packets or tables dropped as malformed
}

// TS demultiplexes the first program of an MPEG transport stream. It is not
// safe for concurrent use.
type TS struct {
	ctx   context.Context
	sr    *syncReader
	dmx   *astits.Demuxer
	stats Stats

	pmtPID     uint16
	havePAT    bool
	havePMT    bool
	pmtVersion int // version of the PMT being followed
	peekedVer  int // version of the PMT section astits is parsing, or -1
	streams    map[uint16]*esInfo
	cc         map[uint16]*ccState
	clock      unwrapper
	err        error // sticky terminal error
	held       []*media.Packet
	panicked   bool  // astits has panicked before,
	panicAt    int64 // with this much input consumed
}

// NewTS returns a demuxer reading a transport stream from r. Reads from r
// are not interrupted by ctx; cancelling ctx makes the next call to Next
// fail, and closing r is how to unblock a Next stuck in a read.
func NewTS(ctx context.Context, r io.Reader) *TS {
	t := &TS{
		ctx:       ctx,
		streams:   make(map[uint16]*esInfo),
		cc:        make(map[uint16]*ccState),
		peekedVer: -1,
	}
	t.sr = newSyncReader(ctx, r, func() bool { return t.havePMT }, psiLimit)
	t.dmx = astits.NewDemuxer(ctx, t.sr,
		astits.DemuxerOptPacketSize(packetSize),
		astits.DemuxerOptPacketSkipper(t.skip),
		astits.DemuxerOptPacketsParser(t.peekPMTVersion),
	)
	return t
}

// SetDiscontinuities tells the demuxer where its input breaks timelines.
// The first packet of each stream that starts after such a break comes
// with Discontinuity set, and continuity counter jumps across it are not
// counted as errors. Call it before the first Next.
func (t *TS) SetDiscontinuities(d Discontinuities) { t.sr.disc = d }

// Streams returns the elementary streams of the followed program, sorted
// by PID; it is empty until the PMT has been read, and settled once Next
// has returned a packet (see Next on MPEG audio).
func (t *TS) Streams() []media.Stream {
	out := make([]media.Stream, 0, len(t.streams))
	for _, es := range t.streams {
		out = append(out, es.stream)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

// Stats returns counters of what the demuxer has seen so far.
func (t *TS) Stats() Stats {
	s := t.stats
	s.Resyncs = t.sr.resyncs
	s.SkippedBytes = t.sr.skipped
	return s
}

// maxHeld bounds how many packets Next holds back while it waits for the
// first frame of an MPEG audio stream.
const maxHeld = 128

// Next returns the next access unit of a supported elementary stream.
// Packets of streams whose codec is unknown are skipped. At the end of the
// input it returns io.EOF, or io.ErrUnexpectedEOF if the input stopped in
// the middle of a packet; it returns ErrNotTS for input that is not a
// transport stream, and the reader's error if reading fails.
//
// MPEG-1/2 audio Layer II and Layer III share PMT stream types, so the
// codec of such a stream is known only from its first frame. Until each
// MPEG audio stream of a new PMT has shown one, Next holds packets back
// (up to maxHeld packets; past that, such a stream is reported as Layer
// II, the broadcast norm, until its first frame arrives), so that Streams
// is settled by the time a packet is returned and every packet carries its
// final codec.
func (t *TS) Next() (*media.Packet, error) {
	for {
		if err := t.ctx.Err(); err != nil {
			return nil, err
		}
		if len(t.held) > 0 && (t.err != nil || !t.holding()) {
			p := t.held[0]
			t.held[0] = nil
			t.held = t.held[1:]
			return p, nil
		}
		if t.err != nil {
			return nil, t.err
		}
		p, err := t.read()
		if err != nil {
			if t.ctx.Err() != nil {
				return nil, err
			}
			continue // hand out what is held, then the error
		}
		if t.holding() || len(t.held) > 0 {
			t.held = append(t.held, p)
			if len(t.held) >= maxHeld {
				t.giveUpHolding()
			}
			continue
		}
		return p, nil
	}
}

// holding reports whether some MPEG audio stream still awaits its first
// frame.
func (t *TS) holding() bool {
	for _, es := range t.streams {
		if es.mpegAudio && !es.noHold {
			return true
		}
	}
	return false
}

// giveUpHolding stops waiting for MPEG audio streams that have shown no
// frame; their first frame still settles their codec when it comes.
func (t *TS) giveUpHolding() {
	for _, es := range t.streams {
		es.noHold = true
	}
}

// read returns the next packet from astits, or an error; a terminal error
// is also kept in t.err.
func (t *TS) read() (*media.Packet, error) {
	for {
		if err := t.ctx.Err(); err != nil {
			return nil, err
		}
		d, err := t.nextData()
		if err != nil {
			if err = t.classify(err); err != nil {
				t.err = err
				return nil, err
			}
			t.stats.Corrupt++
			continue
		}
		if d == nil {
			continue
		}
		switch {
		case d.PAT != nil:
			t.handlePAT(d.PAT)
		case d.PMT != nil && t.havePAT && d.PID == t.pmtPID:
			t.handlePMT(d.PMT)
		case d.PES != nil:
			if p := t.packet(d); p != nil {
				return p, nil
			}
		}
	}
}

// nextData calls into go-astits, turning a panic into an error. astits
// v1.13 parses with bounds-checked iterators and reports malformed input as
// errors, and fuzzing FuzzTS has not made it panic; but it trusts length
// fields in places before slicing, older versions did panic on short input
// (asticode/go-astits#3), and the reader it calls is not ours. A bad table
// must not take down the player, so a panic counts as one more malformed
// table or packet and demuxing goes on. A panic that repeats without any
// input having been consumed in between ends the stream instead of looping.
func (t *TS) nextData() (d *astits.DemuxerData, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, &panicError{val: r}
			if t.panicked && t.panicAt == t.sr.consumed {
				err = &panicError{val: r, fatal: true}
			}
			t.panicked, t.panicAt = true, t.sr.consumed
		}
	}()
	return t.dmx.NextData()
}

// panicError is a panic recovered from go-astits.
type panicError struct {
	val   any
	fatal bool
}

func (e *panicError) Error() string { return fmt.Sprintf("demux: astits panic: %v", e.val) }

// classify decides what an error from astits means: nil for a malformed
// packet or table that can be skipped, or the error that ends the stream.
func (t *TS) classify(err error) error {
	var pe *panicError
	switch {
	case errors.As(err, &pe):
		if pe.fatal {
			return err
		}
		return nil
	case errors.Is(err, errNoPSI):
		return ErrNotTS
	case errors.Is(err, astits.ErrNoMorePackets):
		if !t.havePMT {
			return ErrNotTS
		}
		if t.sr.truncated {
			return io.ErrUnexpectedEOF
		}
		return io.EOF
	case t.ctx.Err() != nil:
		return t.ctx.Err()
	case t.sr.err != nil:
		return fmt.Errorf("demux: read: %w", t.sr.err)
	}
	return nil
}

func (t *TS) handlePAT(pat *astits.PATData) {
	for _, p := range pat.Programs {
		if p.ProgramNumber == 0 { // network PID, not a program
			continue
		}
		if !t.havePAT || p.ProgramMapID != t.pmtPID {
			t.pmtPID, t.havePAT = p.ProgramMapID, true
			t.havePMT = false
		}
		return
	}
}

func (t *TS) handlePMT(pmt *astits.PMTData) {
	ver := t.peekedVer
	t.peekedVer = -1
	if t.havePMT && ver == t.pmtVersion && sameStreams(t.streams, pmt) {
		return
	}
	old := t.streams
	t.streams = make(map[uint16]*esInfo, len(pmt.ElementaryStreams))
	for _, es := range pmt.ElementaryStreams {
		st, pending := describeStream(es)
		info := &esInfo{stream: st, streamType: es.StreamType, mpegAudio: pending}
		if o, ok := old[st.PID]; ok {
			info.lastDTS, info.hasDTS, info.gen, info.starts, info.rai = o.lastDTS, o.hasDTS, o.gen, o.starts, o.rai
			if pending && o.streamType == es.StreamType && !o.mpegAudio {
				info.stream.Codec, info.mpegAudio = o.stream.Codec, false // layer already settled
			}
		}
		t.streams[st.PID] = info
	}
	t.havePMT = true
	t.pmtVersion = ver
	t.stats.PMTVersions++
}

// sameStreams reports whether pmt lists exactly the streams already known,
// so that a repeated PMT with an unchanged or unreadable version is not
// counted as a new one.
func sameStreams(known map[uint16]*esInfo, pmt *astits.PMTData) bool {
	if len(known) != len(pmt.ElementaryStreams) {
		return false
	}
	for _, es := range pmt.ElementaryStreams {
		k, ok := known[es.ElementaryPID]
		if !ok || k.streamType != es.StreamType || k.stream.Language != language(es.ElementaryStreamDescriptors) {
			return false
		}
	}
	return true
}

// packet builds a media.Packet from a PES, or returns nil if the PES
// belongs to no supported stream.
func (t *TS) packet(d *astits.DemuxerData) *media.Packet {
	es, ok := t.streams[d.PID]
	if !ok {
		return nil
	}
	if t.sr.truncated && d.PES.Header.PacketLength == 0 {
		// Flushed at the end of a cut-off input with no length to check
		// it against: it is most likely incomplete.
		return nil
	}
	if es.mpegAudio {
		if codec, found := mpegAudioCodec(d.PES.Data); found {
			es.stream.Codec, es.mpegAudio = codec, false
		}
	}
	if es.stream.Codec == "" {
		return nil
	}
	p := &media.Packet{Stream: es.stream, Data: d.PES.Data}
	if fp := d.FirstPacket; fp != nil && fp.AdaptationField != nil {
		p.Keyframe = fp.AdaptationField.RandomAccessIndicator
		p.Discontinuity = fp.AdaptationField.DiscontinuityIndicator
	}
	es.rai = es.rai || p.Keyframe
	if !es.rai && es.stream.Kind == media.KindVideo {
		// This muxer does not flag random access points: look.
		p.Keyframe = IsKeyframe(es.stream.Codec, p.Data)
	}
	if gen := es.genOf(d.FirstPacket, t.sr.discGen); gen != es.gen {
		// The first PES of this stream begun after an input break.
		es.gen, es.hasDTS = gen, false
		p.Discontinuity = true
	}
	if oh := d.PES.Header.OptionalHeader; oh != nil && oh.PTS != nil {
		pts := t.clock.unwrap(oh.PTS.Base)
		dts := pts
		if oh.DTS != nil {
			dts = t.clock.unwrap(oh.DTS.Base)
		}
		if es.hasDTS && (dts-es.lastDTS > maxForwardJump || es.lastDTS-dts > maxBackwardJump) {
			p.Discontinuity = true
		}
		es.lastDTS, es.hasDTS = dts, true
		p.PTS, p.DTS, p.HasPTS = ticksToDuration(pts), ticksToDuration(dts), true
	}
	return p
}

// skip is the astits packet skipper: it sees every packet's header before
// its payload is parsed, keeps the counters, and drops packets of PIDs the
// demuxer does not follow so that their payloads are never accumulated.
func (t *TS) skip(p *astits.Packet) bool {
	pid := p.Header.PID
	if af := p.AdaptationField; af != nil && af.HasPCR {
		t.stats.PCRs++
	}
	want := pid == astits.PIDPAT || (t.havePAT && pid == t.pmtPID)
	if !want {
		es, ok := t.streams[pid]
		want = ok && (es.stream.Codec != "" || es.mpegAudio)
		if want && p.Header.PayloadUnitStartIndicator {
			es.started(p, t.sr.discGen)
		}
	}
	if !want || !p.Header.HasPayload {
		return !want
	}
	return !t.checkContinuity(p)
}

// peekPMTVersion is an astits packets parser that never parses anything
// itself: it notes the version number of PMT sections, which astits does
// not expose, before letting astits parse them.
func (t *TS) peekPMTVersion(ps []*astits.Packet) ([]*astits.DemuxerData, bool, error) {
	if len(ps) == 0 || !t.havePAT || ps[0].Header.PID != t.pmtPID {
		return nil, false, nil
	}
	b := ps[0].Payload
	if len(b) == 0 {
		return nil, false, nil
	}
	// pointer_field, then table_id(1) section_length(2) program_number(2)
	// and the byte holding version_number.
	if off := 1 + int(b[0]) + 5; off < len(b) {
		t.peekedVer = int(b[off]>>1) & 0x1F
	}
	return nil, false, nil
}
