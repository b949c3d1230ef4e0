package rtp

import (
	"time"

	"github.com/pion/rtcp"
)

// clockRate is the RTP clock of MPEG-TS (RFC 2250): 90 kHz.
const clockRate = 90000

// reception keeps the RFC 3550 receiver statistics of one source: the
// extended highest sequence number (A.1), the counts behind cumulative
// and fractional loss (A.3) and the interarrival jitter (A.8). Only
// packets of the original stream count, not retransmissions.
type reception struct {
	started  bool
	baseSeq  uint32 // first extended sequence number
	maxSeq   uint16
	cycles   uint32 // count of sequence number wraps, shifted left 16
	received uint32

	expectedPrior uint32
	receivedPrior uint32

	epoch      time.Time // arrival times are measured from here
	transit    int64     // of the previous packet, in clock ticks
	hasTransit bool
	jitter     float64 // in clock ticks

	lastSR     uint32    // middle 32 bits of the last SR's NTP time
	lastSRTime time.Time // when it arrived
}

// update counts one packet of the original stream.
func (r *reception) update(seq uint16, ts uint32, arrival time.Time) {
	if !r.started {
		*r = reception{started: true, baseSeq: uint32(seq), maxSeq: seq, epoch: arrival,
			lastSR: r.lastSR, lastSRTime: r.lastSRTime}
	} else if delta := seq - r.maxSeq; delta > 0 && delta < maxDropout {
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
	}
	r.received++
	// A.8: transit time differences in clock ticks; the arrival clock's
	// unknown offset cancels out.
	arr := int64(arrival.Sub(r.epoch).Seconds() * clockRate)
	transit := arr - int64(ts)
	if r.hasTransit {
		d := transit - r.transit
		// RTP timestamps wrap at 2^32: take the difference modulo it.
		d = int64(int32(d))
		if d < 0 {
			d = -d
		}
		r.jitter += (float64(d) - r.jitter) / 16
	}
	r.transit, r.hasTransit = transit, true
}

// extendedMax returns the extended highest sequence number received.
func (r *reception) extendedMax() uint32 { return r.cycles + uint32(r.maxSeq) }

// jitterMS returns the interarrival jitter in milliseconds.
func (r *reception) jitterMS() float64 { return r.jitter * 1000 / clockRate }

// senderReport notes the arrival of a sender report with the given NTP
// time.
func (r *reception) senderReport(ntp uint64, now time.Time) {
	r.lastSR = uint32(ntp >> 16)
	r.lastSRTime = now
}

// report returns the reception report block for source ssrc at now, and
// starts a new reporting interval (for the fraction lost).
func (r *reception) report(ssrc uint32, now time.Time) rtcp.ReceptionReport {
	rr := rtcp.ReceptionReport{SSRC: ssrc}
	if !r.started {
		return rr
	}
	extMax := r.extendedMax()
	expected := extMax - r.baseSeq + 1
	lost := int64(expected) - int64(r.received)
	switch { // 24-bit signed field
	case lost > 0x7FFFFF:
		lost = 0x7FFFFF
	case lost < -0x800000:
		lost = -0x800000
	}
	expInterval := expected - r.expectedPrior
	recInterval := r.received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, r.received
	if lostInterval := int64(expInterval) - int64(recInterval); expInterval > 0 && lostInterval > 0 {
		rr.FractionLost = uint8(lostInterval << 8 / int64(expInterval))
	}
	rr.TotalLost = uint32(lost) & 0xFFFFFF
	rr.LastSequenceNumber = extMax
	rr.Jitter = uint32(r.jitter)
	if !r.lastSRTime.IsZero() {
		rr.LastSenderReport = r.lastSR
		rr.Delay = uint32(now.Sub(r.lastSRTime) * 65536 / time.Second)
	}
	return rr
}
