package rtp

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/manbang/manbang/player/udp"
)

const (
	// maxHeld bounds the packets of a new source held while it is on
	// probation.
	maxHeld = 64
	// nackTries is how many times a missing packet is asked for, while
	// its playout time has not come. A retransmission crosses the same
	// lossy path: at 5% loss, two tries left one packet in 400 lost (in
	// the fault suite's 12 s, one run in four lost one), three leave one
	// in 8,000.
	nackTries = 3
	// maxNACK bounds the sequence numbers asked for in one NACK packet.
	maxNACK = 256
)

// loopState is the receiving goroutine's own state.
type loopState struct {
	jb    *jitterBuffer
	rx    reception
	local uint32 // the box's SSRC in its RTCP
	cname string

	src         source // who is heard: given, or learnt from the first packet
	hasSource   bool
	ssrc        uint32
	hasRTX      bool           // rtxSSRC is known
	rtxSSRC     uint32         // the current source's retransmission SSRC
	sender      netip.AddrPort // where the current source's packets come from
	lastMedia   time.Time      // last RTP packet of any source
	lastCurrent time.Time      // last RTP packet of the current source
	bye         bool           // the current source said goodbye
	cand        candidate

	nextReport     time.Time
	nackDue        time.Time // zero: no NACK planned
	nackFirst      time.Duration
	nackRetry      time.Duration
	pendingDiscont bool // mark the next chunk handed out
	lostCounted    int  // jb.lost as last copied into the statistics
}

// candidate is a new source on probation: the packets it has sent while
// the current source may still be alive.
type candidate struct {
	ssrc uint32
	from netip.AddrPort
	pkts []packet
}

func (lp *loopState) init(cfg Config) {
	lp.jb = newJitterBuffer(cfg.BufferPackets, cfg.Latency)
	if cfg.MaxDelay > 0 {
		lp.jb.adaptive(cfg.MaxDelay, DefaultStartHold)
	}
	lp.local = randomSSRC()
	lp.cname = fmt.Sprintf("manbang-%08x", lp.local)
	// A packet missing is asked for after a short wait for reordering,
	// and once more if the retransmission does not come.
	lp.nackFirst = min(5*time.Millisecond, cfg.Latency/4)
	lp.nackRetry = cfg.Latency / 3
}

// loop receives datagrams until Close, the context's end, a socket error
// or the no-data timeout; it runs the timers between datagrams by way of
// the socket's read deadline.
func (r *Receiver) loop() {
	defer close(r.done)
	defer r.conn.Close()
	buf := make([]byte, 64<<10)
	now := time.Now()
	r.lp.lastMedia = now
	r.lp.nextReport = now.Add(r.cfg.ReportInterval)
	for {
		if err := r.tick(time.Now()); err != nil {
			r.err = err
			return
		}
		_ = r.conn.SetReadDeadline(r.wake())
		// Close and the context set the deadline to now after their
		// flag; checked after the deadline is set, the flag cannot be
		// missed.
		if r.stopping() {
			return
		}
		n, from, err := r.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if udp.IsTimeout(err) {
				continue
			}
			r.err = fmt.Errorf("rtp: read %s: %w", r.name, err)
			return
		}
		r.handle(buf[:n], from, time.Now())
	}
}

// stopping reports whether Close has been called or the context has
// ended; if so it says goodbye to the sender and sets the error Read
// returns.
func (r *Receiver) stopping() bool {
	switch {
	case r.closed.Load():
		r.err = ErrClosed
	case r.ctx.Err() != nil:
		r.err = r.ctx.Err()
	default:
		return false
	}
	r.sendBye(time.Now())
	return true
}

// tick runs what is due at now: the no-data timeout, giving up holes,
// NACKs and receiver reports.
func (r *Receiver) tick(now time.Time) error {
	lp := &r.lp
	if now.Sub(lp.lastMedia) >= r.cfg.Timeout {
		return &udp.NoDataError{Proto: "rtp", Addr: r.name, For: r.cfg.Timeout}
	}
	lp.jb.expire(now)
	r.deliver()
	if !lp.nackDue.IsZero() && !now.Before(lp.nackDue) {
		r.sendNACKs(now)
	}
	if !now.Before(lp.nextReport) {
		r.sendReport(now)
		lp.nextReport = lp.nextReport.Add(r.cfg.ReportInterval)
		if lp.nextReport.Before(now) {
			lp.nextReport = now.Add(r.cfg.ReportInterval)
		}
	}
	return nil
}

// wake returns when tick next has something to do.
func (r *Receiver) wake() time.Time {
	lp := &r.lp
	t := lp.lastMedia.Add(r.cfg.Timeout)
	if t.After(lp.nextReport) {
		t = lp.nextReport
	}
	if d, ok := lp.jb.deadline(); ok && d.Before(t) {
		t = d
	}
	if !lp.nackDue.IsZero() && lp.nackDue.Before(t) {
		t = lp.nackDue
	}
	return t
}

// handle processes one datagram.
func (r *Receiver) handle(b []byte, from netip.AddrPort, now time.Time) {
	if r.lp.src.known() && !r.lp.src.admits(from) {
		r.count(func(s *Stats) { s.Foreign++ })
		return
	}
	if isRTCP(b) {
		r.handleRTCP(b, now)
		return
	}
	p, err := parsePacket(b, r.cfg.PayloadType, r.cfg.RTXPayloadType)
	if err != nil {
		r.count(func(s *Stats) { s.Malformed++ })
		return
	}
	p.payload = append([]byte(nil), p.payload...) // buf is reused
	if p.rtx {
		r.handleRTX(p, now)
	} else {
		r.handleMedia(p, from, now)
	}
	r.deliver()
	if r.lp.jb.newHoles {
		r.lp.jb.newHoles = false
		if !r.cfg.NoRTCP && !r.cfg.NoNACK {
			if d := now.Add(r.lp.jb.nackWait(r.lp.nackFirst)); r.lp.nackDue.IsZero() || d.Before(r.lp.nackDue) {
				r.lp.nackDue = d
			}
		}
	}
}

// handleMedia takes a packet of the original stream.
func (r *Receiver) handleMedia(p packet, from netip.AddrPort, now time.Time) {
	lp := &r.lp
	lp.lastMedia = now
	switch {
	case !lp.hasSource:
		lp.hasSource, lp.ssrc, lp.sender = true, p.ssrc, from
		if !lp.src.known() {
			lp.src.learn(from)
		}
		r.count(func(s *Stats) { s.SSRC, s.Sender = p.ssrc, addrString(from) })
	case p.ssrc != lp.ssrc:
		r.probation(p, from, now)
		return
	}
	lp.lastCurrent = now
	r.accept(p, now)
}

// accept puts a packet of the current source in the reorder buffer and
// counts it.
func (r *Receiver) accept(p packet, now time.Time) {
	lp := &r.lp
	res := lp.jb.push(p.seq, p.ts, p.payload, now)
	if res == pushResync {
		lp.rx = reception{lastSR: lp.rx.lastSR, lastSRTime: lp.rx.lastSRTime}
	}
	if res != pushStray {
		lp.rx.update(p.seq, p.ts, now)
	}
	r.count(func(s *Stats) {
		s.Packets++
		switch res {
		case pushFilled:
			s.Reordered++
		case pushRecovered:
			s.Recovered++
		case pushDuplicate:
			s.Duplicate++
		case pushLate:
			s.Late++
		case pushStray:
			s.Stray++
		case pushResync:
			s.Resyncs++
		}
		s.JitterMS = lp.rx.jitterMS()
		s.DelayMS = float64(lp.jb.dm.delay) / float64(time.Millisecond)
	})
}

// handleRTX takes an RFC 4588 retransmission: it can only fill a hole.
// The first retransmission of the current source sets the retransmission
// SSRC (RFC 4588 8.3: the stream is sent with an SSRC of its own);
// retransmissions with another are dropped.
func (r *Receiver) handleRTX(p packet, now time.Time) {
	lp := &r.lp
	if lp.hasSource && lp.hasRTX && p.ssrc != lp.rtxSSRC {
		r.count(func(s *Stats) { s.ForeignRTX++ })
		return
	}
	if lp.hasSource && !lp.hasRTX {
		lp.hasRTX, lp.rtxSSRC = true, p.ssrc
	}
	res := pushStray
	if lp.hasSource {
		res = lp.jb.fill(p.seq, p.payload, now)
	}
	r.count(func(s *Stats) {
		s.RTXPackets++
		switch res {
		case pushFilled, pushRecovered:
			s.Recovered++
		case pushLate:
			s.Late++
		case pushDuplicate:
			s.Duplicate++
		}
	})
}

// probation holds the packets of a source other than the current one,
// and makes it current once the current source has said goodbye, or has
// been silent for the latency while the new one sent at least two
// packets: the sender restarted. The buffer is flushed, the sequence
// state starts afresh, and a discontinuity is marked.
func (r *Receiver) probation(p packet, from netip.AddrPort, now time.Time) {
	lp := &r.lp
	c := &lp.cand
	if c.ssrc != p.ssrc || len(c.pkts) == 0 {
		*c = candidate{ssrc: p.ssrc, from: from, pkts: c.pkts[:0]}
	}
	if len(c.pkts) == maxHeld { // keep the newest
		c.pkts = append(c.pkts[:0], c.pkts[1:]...)
	}
	c.pkts = append(c.pkts, p)
	r.count(func(s *Stats) { s.Probation++ })
	quiet := now.Sub(lp.lastCurrent) >= r.cfg.Latency
	if !lp.bye && !(quiet && len(c.pkts) >= 2) {
		return
	}
	lp.jb.flush()
	r.deliver()
	lp.ssrc, lp.sender, lp.bye = c.ssrc, c.from, false
	lp.hasRTX = false // the new source's retransmissions have an SSRC of their own
	lp.rx = reception{}
	lp.pendingDiscont = true
	lp.nackDue = time.Time{}
	lp.lastCurrent = now
	r.count(func(s *Stats) {
		s.SSRCChanges++
		s.SSRC, s.Sender = c.ssrc, addrString(c.from)
	})
	held := c.pkts
	*c = candidate{pkts: held[:0]}
	for _, h := range held {
		r.accept(h, now)
	}
	clear(held)
}

// deliver queues the packets the reorder buffer has handed out for Read,
// dropping them when Read has fallen too far behind.
func (r *Receiver) deliver() {
	lp := &r.lp
	if lost := lp.jb.lost; lost != lp.lostCounted { // counted before the packets after the loss are read
		lp.lostCounted = lost
		r.count(func(s *Stats) { s.Lost = lost })
	}
	dropped := 0
	for _, b := range lp.jb.take() {
		select {
		case r.out <- chunk{data: b, discont: lp.pendingDiscont}:
			lp.pendingDiscont = false
		default:
			dropped++
		}
	}
	if dropped > 0 {
		r.count(func(s *Stats) { s.Overflow += dropped })
	}
}

// handleRTCP takes an RTCP packet from the sender.
func (r *Receiver) handleRTCP(b []byte, now time.Time) {
	lp := &r.lp
	info, err := parseRTCP(b, lp.ssrc)
	if err != nil || !lp.hasSource {
		if err != nil {
			r.count(func(s *Stats) { s.Malformed++ })
		}
		return
	}
	if info.hasSR {
		lp.rx.senderReport(info.ntp, now)
		r.count(func(s *Stats) { s.SenderReports++ })
	}
	if info.bye {
		lp.bye = true
		r.count(func(s *Stats) { s.Byes++ })
	}
}

// rtcpDest returns where RTCP goes.
func (r *Receiver) rtcpDest() (netip.AddrPort, bool) {
	switch {
	case r.cfg.NoRTCP:
		return netip.AddrPort{}, false
	case r.rtcpTo.IsValid():
		return r.rtcpTo, true
	}
	return r.lp.sender, r.lp.hasSource && r.lp.sender.IsValid()
}

// sendNACKs asks for the missing packets that are due.
func (r *Receiver) sendNACKs(now time.Time) {
	lp := &r.lp
	dest, ok := r.rtcpDest()
	if !ok || !lp.hasSource {
		lp.nackDue = time.Time{}
		return
	}
	seqs, next := lp.jb.nackList(now, lp.nackFirst, lp.nackRetry, nackTries, maxNACK)
	lp.nackDue = next
	if len(seqs) == 0 {
		return
	}
	b, err := nack(lp.local, lp.ssrc, seqs)
	if err != nil {
		return
	}
	if _, err := r.conn.WriteToUDPAddrPort(b, dest); err == nil {
		r.count(func(s *Stats) { s.NACKs++; s.NACKedPackets += len(seqs) })
	}
}

// sendReport sends a receiver report about the current source.
func (r *Receiver) sendReport(now time.Time) {
	lp := &r.lp
	dest, ok := r.rtcpDest()
	if !ok || !lp.hasSource {
		return
	}
	block := lp.rx.report(lp.ssrc, now)
	b, err := receiverReport(lp.local, lp.cname, &block)
	if err != nil {
		return
	}
	if _, err := r.conn.WriteToUDPAddrPort(b, dest); err == nil {
		r.count(func(s *Stats) { s.ReceiverReports++ })
	}
}

// sendBye tells the sender the box is leaving: a receiver report and a
// BYE, so that a head-end can stop sending at once.
func (r *Receiver) sendBye(now time.Time) {
	lp := &r.lp
	dest, ok := r.rtcpDest()
	if !ok || !lp.hasSource {
		return
	}
	block := lp.rx.report(lp.ssrc, now)
	if b, err := bye(lp.local, &block); err == nil {
		_, _ = r.conn.WriteToUDPAddrPort(b, dest)
	}
}

// count updates the statistics.
func (r *Receiver) count(f func(*Stats)) {
	r.mu.Lock()
	f(&r.stats)
	r.mu.Unlock()
}

// addrString formats an address, IPv4 without its IPv6 mapping.
func addrString(a netip.AddrPort) string {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()).String()
}
