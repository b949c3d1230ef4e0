package live

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/pion/rtcp"
	"golang.org/x/net/ipv4"
)

// maxNACKed bounds the sequence numbers answered from one NACK packet.
const maxNACKed = 512

// readRTCP reads the engine's socket until it is closed: receiver
// reports, NACKs and goodbyes from boxes.
func (e *Engine) readRTCP() {
	defer e.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, from, err := e.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || e.ctx.Err() != nil {
				return
			}
			continue // ICMP errors and the like: keep serving
		}
		b := buf[:n]
		if len(b) < 2 || b[0]>>6 != 2 || b[1] < 192 || b[1] > 223 {
			continue // not RTCP
		}
		pkts, err := rtcp.Unmarshal(b)
		if err != nil {
			continue
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		e.handleRTCP(pkts, from, time.Now())
	}
}

// handleRTCP acts on the RTCP packets from one datagram.
func (e *Engine) handleRTCP(pkts []rtcp.Packet, from netip.AddrPort, now time.Time) {
	e.mu.Lock()
	sub := e.subs[from]
	e.mu.Unlock()
	if sub != nil {
		sub.lastSeen.Store(now.UnixNano())
	}
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.ReceiverReport:
			for _, rb := range p.Reports {
				if c := e.channelBySSRC(rb.SSRC); c != nil {
					c.report(from, p.SSRC, rb, now, sub)
				}
			}
		case *rtcp.TransportLayerNack:
			// Only a current subscriber of the channel is answered, and only
			// at the address it subscribed: a NACK is small and its answer
			// large, and a UDP source address is easily forged, so an
			// answer to anyone would make the engine a reflector.
			c := e.channelBySSRC(p.MediaSSRC)
			if c == nil {
				continue
			}
			if sub == nil || sub.c != c {
				c.refused()
				continue
			}
			c.retransmit(p, sub, now)
		case *rtcp.Goodbye:
			if sub != nil && sub.saidGoodbye(p.Sources) {
				sub.end(ErrGoodbye)
			}
		}
	}
}

func (e *Engine) channelBySSRC(ssrc uint32) *channel {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.bySSRC[ssrc]
}

// saidGoodbye reports whether a BYE from the subscriber's address is from
// the very receiver whose reports it has been sending: a box that closes
// its old receiver after subscribing the same port to a new channel must
// not end the new subscription.
func (s *Subscription) saidGoodbye(sources []uint32) bool {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	for _, src := range sources {
		if s.boxSSRC != 0 && src == s.boxSSRC {
			return true
		}
	}
	return false
}

// report keeps a receiver report block about the channel from one
// address.
func (c *channel) report(from netip.AddrPort, boxSSRC uint32, rb rtcp.ReceptionReport, now time.Time, sub *Subscription) {
	rs := ReceiverStats{
		Addr:         from.String(),
		SSRC:         boxSSRC,
		FractionLost: float64(rb.FractionLost) / 256,
		TotalLost:    int(int32(rb.TotalLost<<8) >> 8), // 24-bit signed
		HighestSeq:   rb.LastSequenceNumber,
		JitterMS:     float64(rb.Jitter) / 90,
		At:           now,
	}
	if rb.LastSenderReport != 0 {
		// RFC 3550 6.4.1: the time since the SR was sent, less the
		// time the receiver held it, in 1/65536 s.
		mid := uint32(ntpTime(now) >> 16)
		rs.RTT = time.Duration(mid-rb.LastSenderReport-rb.Delay) * time.Second / 65536
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.receivers[from]; !ok && len(c.receivers) >= maxReceivers {
		var oldest netip.AddrPort
		var at time.Time
		for a, r := range c.receivers {
			if at.IsZero() || r.At.Before(at) {
				oldest, at = a, r.At
			}
		}
		delete(c.receivers, oldest)
	}
	c.receivers[from] = rs
	if sub != nil && sub.c == c {
		sub.boxSSRC = boxSSRC
		sub.report = &rs
	}
}

// rtxBurst and rtxRate are each subscriber's retransmission budget: at
// most rtxBurst packets at once, refilled at rtxRate packets a second.
// A box on a lossy line asks for a few per cent of a channel's 150 to
// 1,000 packets a second; the budget lets it recover a 2 s outage of a
// 2 Mbit/s channel and keeps one subscriber from pulling more than a
// channel's worth of traffic out of the engine however many NACKs it
// sends.
const (
	rtxBurst = maxNACKed
	rtxRate  = 200
)

// refused counts a NACK from an address that is not a subscriber of the
// channel.
func (c *channel) refused() {
	c.mu.Lock()
	c.st.NACKs++
	c.st.NACKsRefused++
	c.mu.Unlock()
}

// take spends up to n packets of the subscriber's retransmission budget
// at now and returns how many it may send; c.mu is held.
func (s *Subscription) take(n int, now time.Time) int {
	if s.rtxAt.IsZero() {
		s.rtxTokens = rtxBurst
	} else {
		s.rtxTokens = min(rtxBurst, s.rtxTokens+now.Sub(s.rtxAt).Seconds()*rtxRate)
	}
	s.rtxAt = now
	n = min(n, int(s.rtxTokens))
	s.rtxTokens -= float64(n)
	return n
}

// retransmit answers a subscriber's NACK with RFC 4588 retransmissions
// of the packets still in the history, within its budget, sent to the
// address it subscribed: payload type RTXPayloadType, the channel's
// retransmission SSRC and sequence, the original timestamp, and the
// original sequence number ahead of the original payload.
func (c *channel) retransmit(nk *rtcp.TransportLayerNack, sub *Subscription, now time.Time) {
	var seqs []uint16
	for _, pair := range nk.Nacks {
		pair.Range(func(seq uint16) bool {
			seqs = append(seqs, seq)
			return len(seqs) < maxNACKed
		})
	}
	c.mu.Lock()
	c.st.NACKs++
	c.st.NACKed += uint64(len(seqs))
	if !c.isRTP || !c.cfg.Retransmit {
		c.mu.Unlock()
		return
	}
	if n := sub.take(len(seqs), now); n < len(seqs) {
		c.st.OverBudget += uint64(len(seqs) - n)
		seqs = seqs[:n]
	}
	var out [][]byte
	for _, seq := range seqs {
		e, ok := c.hist.find(seq, c.seqBase)
		if !ok {
			c.st.NotHeld++
			continue
		}
		c.rtxSeq++
		b := make([]byte, 0, len(e.data)+2)
		b = append(b, 0x80, c.e.cfg.RTXPayloadType)
		b = binary.BigEndian.AppendUint16(b, c.rtxSeq)
		b = binary.BigEndian.AppendUint32(b, e.ts)
		b = binary.BigEndian.AppendUint32(b, c.rtxSSRC)
		b = binary.BigEndian.AppendUint16(b, seq)
		out = append(out, append(b, e.data[rtpHeader:]...))
	}
	c.mu.Unlock()
	sent := 0
	for _, b := range out {
		if c.e.out.send(b, sub.dst) == nil {
			sent++
		}
	}
	c.mu.Lock()
	c.st.Resent += uint64(sent)
	c.st.Sends += uint64(sent)
	c.st.Dropped += uint64(len(out) - sent)
	sub.resent += uint64(sent)
	c.mu.Unlock()
}

// senderReport returns an RTCP sender report of the channel at now,
// with its CNAME, or nil if it cannot be built.
func (c *channel) senderReport(now time.Time) []byte {
	c.mu.Lock()
	sr := &rtcp.SenderReport{
		SSRC:        c.ssrc,
		NTPTime:     ntpTime(now),
		RTPTime:     c.tsBase + uint32(now.Sub(c.start).Seconds()*90000),
		PacketCount: uint32(c.st.Packets),
		OctetCount:  uint32(c.st.Bytes),
	}
	c.mu.Unlock()
	b, err := rtcp.Marshal([]rtcp.Packet{sr, rtcp.NewCNAMESourceDescription(c.ssrc, "manbang-headend")})
	if err != nil {
		return nil
	}
	return b
}

// bye sends an RTCP BYE to the group and every subscriber.
func (c *channel) bye() {
	if !c.isRTP {
		return
	}
	b, err := rtcp.Marshal([]rtcp.Packet{
		&rtcp.SenderReport{SSRC: c.ssrc, NTPTime: ntpTime(time.Now())},
		&rtcp.Goodbye{Sources: []uint32{c.ssrc}},
	})
	if err == nil {
		c.toAll(b)
	}
}

// toAll sends a control datagram to the group and every subscriber, in
// sendmmsg batches as the live datagrams go. It runs on the channel's
// goroutine, whose fan-out memory it borrows.
func (c *channel) toAll(b []byte) {
	c.mu.Lock()
	c.msgs = c.msgs[:0]
	if c.group.IsValid() {
		c.msgs = append(c.msgs, ipv4.Message{Addr: c.groupAddr})
	}
	for _, s := range c.subs {
		c.msgs = append(c.msgs, ipv4.Message{Addr: s.addr})
	}
	c.mu.Unlock()
	c.bufs = slices.Grow(c.bufs[:0], len(c.msgs))[:len(c.msgs)]
	for i := range c.msgs {
		c.bufs[i] = b
		c.msgs[i].Buffers = c.bufs[i : i+1 : i+1]
	}
	c.offsets = slices.Grow(c.offsets[:0], len(c.msgs))[:len(c.msgs)]
	c.e.out.sendAll(c.msgs, time.Now(), c.offsets, &c.scratch)
	clear(c.msgs) // no references to ended subscriptions
}

// ntpTime returns t as a 64-bit NTP timestamp (RFC 3550 4).
func ntpTime(t time.Time) uint64 {
	const epochOffset = 2208988800 // 1900 to 1970, seconds
	secs := uint64(t.Unix()) + epochOffset
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return secs<<32 | frac
}
