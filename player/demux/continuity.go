package demux

import "github.com/asticode/go-astits"

// ccState follows the continuity counter of one PID.
type ccState struct {
	lastRaw, lastOut uint8 // last counter as received, and as passed on
	shift            uint8 // added to received counters, mod 16
	last             [packetSize]byte
	gen              int // input timeline of the last packet
	splice           int // input splice of the last packet
}

// checkContinuity counts continuity errors, and hides from astits those
// that fall just before the start of a new PES packet. astits throws away
// a PES on any counter jump, but a jump at a payload unit start is what
// splicing and segment boundaries look like (HLS segments from encoders
// that restart their counters, concatenated files), where the PES before
// it is usually complete; ffmpeg keeps it too. So from such a jump on,
// counters are shifted to continue the old sequence. A jump in the middle
// of a PES is passed on as a jump (even one that happens to look like a
// duplicate), so that astits drops the damaged PES.
//
// A repeated counter is a duplicate packet only if the whole packet
// repeats (ISO/IEC 13818-1 2.4.3.3); otherwise, a new file starting with
// the counter the old one ended with, it is a jump like any other.
// Duplicates are dropped here: astits would take one for a jump and
// discard the PES it belongs to. The raw bytes come from the sync reader,
// which has just handed astits this very packet.
//
// checkContinuity returns false for a packet to drop.
func (t *TS) checkContinuity(p *astits.Packet) bool {
	pid, raw := p.Header.PID, p.Header.ContinuityCounter
	st, seen := t.cc[pid]
	if st == nil {
		st = new(ccState)
		t.cc[pid] = st
	}
	flagged := p.AdaptationField != nil && p.AdaptationField.DiscontinuityIndicator
	if seen && raw == st.lastRaw && st.last == t.sr.pkt {
		return false
	}
	if seen && !flagged && raw != (st.lastRaw+1)&0xF {
		if st.gen == t.sr.discGen && st.splice == t.sr.spliceGen { // across an input break or splice, a jump is expected
			t.stats.ContinuityErrors++
		}
		next := st.lastOut + 1 // continue the old sequence
		if !p.Header.PayloadUnitStartIndicator {
			next++ // a jump astits cannot miss
		}
		st.shift = (next - raw) & 0xF
	}
	out := (raw + st.shift) & 0xF
	p.Header.ContinuityCounter = out
	st.lastRaw, st.lastOut, st.last, st.gen, st.splice = raw, out, t.sr.pkt, t.sr.discGen, t.sr.spliceGen
	return true
}
