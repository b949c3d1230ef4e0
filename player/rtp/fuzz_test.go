package rtp

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// FuzzParsePacket feeds arbitrary datagrams to the RTP → TS payload
// parser: it must never panic, and what it accepts must be whole TS
// packets inside the datagram.
func FuzzParsePacket(f *testing.F) {
	f.Add(rtpPacket(33, 1, 90000, 0x1234, tsPackets(7, 0)))
	f.Add(rtpPacket(96, 9, 90000, 0x5678, append([]byte{0, 1}, tsPackets(7, 0)...)))
	f.Add(rtpPacket(33, 1, 0, 1, tsPackets(1, 0)[:100]))
	f.Add([]byte{0x90, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0xFF, 0xFF})
	f.Add([]byte{0xA0, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF})
	f.Add([]byte{0x47})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parsePacket(b, PayloadTypeMP2T, DefaultRTXPayloadType)
		if err != nil {
			return
		}
		if len(p.payload) == 0 || len(p.payload)%tsPacketSize != 0 || p.payload[0] != tsSyncByte {
			t.Fatalf("accepted payload of %d bytes starting %#x", len(p.payload), p.payload[:min(1, len(p.payload))])
		}
		if len(p.payload) > len(b)-12 {
			t.Fatalf("payload of %d bytes from a %d-byte datagram", len(p.payload), len(b))
		}
	})
}

// FuzzParseRTCP feeds arbitrary datagrams to the parser of the RTCP the
// box receives.
func FuzzParseRTCP(f *testing.F) {
	sr, _ := rtcp.Marshal([]rtcp.Packet{
		&rtcp.SenderReport{SSRC: 7, NTPTime: 1 << 40, RTPTime: 5, PacketCount: 10, OctetCount: 13160},
		rtcp.NewCNAMESourceDescription(7, "headend"),
	})
	bye, _ := (&rtcp.Goodbye{Sources: []uint32{7}, Reason: "restart"}).Marshal()
	n, _ := nack(1, 7, []uint16{3, 4, 90})
	rr, _ := receiverReport(1, "box", &rtcp.ReceptionReport{SSRC: 7, TotalLost: 3})
	for _, b := range [][]byte{sr, bye, n, rr, sr[:10], {0x80, 200, 0, 0}} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := parseRTCP(b, 7)
		if err != nil && (info.hasSR || info.bye) {
			t.Fatal("error with information")
		}
	})
}

// FuzzJitterBuffer feeds the reorder buffer arbitrary sequence numbers,
// retransmissions and clock steps. Every 3 bytes are one step: a sequence
// number, then an operation (low 2 bits) and a clock step in ms (the
// rest). Packets must come out each at most once, in sequence order
// between restarts, and the buffer must stay within its window.
func FuzzJitterBuffer(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 3, 4, 0, 2, 4, 0, 0, 0xFF})
	f.Add([]byte{0xFF, 0xFF, 0, 0, 0, 0, 0x80, 0, 0, 0x80, 1, 0})
	f.Add([]byte{0, 0, 0, 0, 40, 0, 0, 20, 1, 0, 20, 3, 0, 20, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		jb := newJitterBuffer(32, 100*time.Millisecond)
		if len(data)%2 == 1 { // odd lengths run with the playout delay
			jb.adaptive(DefaultMaxDelay, DefaultStartHold)
		}
		now := time.Unix(0, 0)
		pushed := map[uint16]int{}
		var last uint16
		var haveLast bool
		for ; len(data) >= 3; data = data[3:] {
			seq := binary.BigEndian.Uint16(data)
			now = now.Add(time.Duration(data[2]>>2) * time.Millisecond)
			// A resync flushes the old run, then seq (or, while the new
			// run's start is held, a packet sent before it) starts a new
			// one: newRun is where in what comes out.
			newRun := -1
			switch data[2] & 3 {
			case 0:
				if jb.push(seq, uint32(seq)*3000, seqPayload(seq), now) == pushResync {
					newRun = len(jb.out)
					if newRun > 0 && binary.BigEndian.Uint16(jb.out[newRun-1]) == seq {
						newRun--
					}
				}
				pushed[seq]++
			case 1:
				jb.fill(seq, seqPayload(seq), now)
				pushed[seq]++
			case 2:
				jb.expire(now)
			case 3:
				jb.nackList(now, 5*time.Millisecond, 30*time.Millisecond, 2, 8)
			}
			out := jb.take()
			for i, b := range out {
				s := binary.BigEndian.Uint16(b)
				if pushed[s] == 0 {
					t.Fatalf("seq %d out more often than in", s)
				}
				pushed[s]--
				if i == newRun {
					haveLast = false
				}
				if haveLast && int16(s-last) <= 0 {
					t.Fatalf("seq %d out after %d", s, last)
				}
				last, haveLast = s, true
			}
			if newRun >= len(out) { // the new run is still held
				haveLast = false
			}
			if jb.started && int(uint16(jb.highest+1-jb.next)) > jb.window() {
				t.Fatalf("next %d highest %d exceed the window %d", jb.next, jb.highest, jb.window())
			}
		}
	})
}

// FuzzReceive feeds a receiver's packet handling datagrams from three
// addresses, without a socket. The first byte chooses the mode: bit 0
// set, the source is given (127.0.0.1:5000, as a unicast session names
// it), else learnt from the first packet. Then each record is a flags
// byte (bits 0-5: the clock step in ms before the datagram; bit 6: from
// the source's host on another port; bit 7: from a stranger,
// 127.0.0.2:5000), a big-endian 2-byte length and the datagram. It must
// never panic, what reaches Read must be whole TS packets, and with a
// given source every datagram from elsewhere is dropped.
//
// The seeds are streams as the head-end sends them (seven TS packets an
// RTP packet, sender reports, RFC 4588 retransmissions with an SSRC of
// their own), with gaps, reordering, duplicates, a sequence wrap, a
// sender restart, forgeries and malformed headers, so that the fuzzer
// starts past the header checks (receiveSeeds).
func FuzzReceive(f *testing.F) {
	for _, seed := range receiveSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) { receiveRecords(t, data) })
}

// receiveRecords runs a FuzzReceive input and returns the receiver's
// statistics.
func receiveRecords(t *testing.T, data []byte) Stats {
	src := netip.MustParseAddrPort("127.0.0.1:5000")
	froms := [...]netip.AddrPort{src, netip.MustParseAddrPort("127.0.0.1:5001"), netip.MustParseAddrPort("127.0.0.2:5000"), netip.MustParseAddrPort("127.0.0.2:5000")}
	if len(data) == 0 {
		return Stats{}
	}
	r := &Receiver{cfg: Config{}.withDefaults()}
	r.out = make(chan chunk, 64)
	r.lp.init(r.cfg)
	given := data[0]&1 == 1
	if given {
		r.lp.src = source{addrs: []netip.Addr{src.Addr()}, port: src.Port()}
	}
	data = data[1:]
	now := time.Unix(0, 0)
	foreign := 0
	for len(data) >= 3 {
		flags, n := data[0], int(binary.BigEndian.Uint16(data[1:]))
		data = data[3:]
		n = min(n, len(data))
		now = now.Add(time.Duration(flags&0x3F) * time.Millisecond)
		from := froms[flags>>6]
		if from != src {
			foreign++
		}
		r.handle(data[:n], from, now)
		data = data[n:]
		_ = r.tickNoIO(now)
		for len(r.out) > 0 {
			c := <-r.out
			if len(c.data)%tsPacketSize != 0 || c.data[0] != tsSyncByte {
				t.Fatalf("handed out %d bytes starting %#x", len(c.data), c.data[0])
			}
		}
	}
	st := r.Stats()
	if given && (st.Foreign != foreign || (st.Sender != "" && st.Sender != src.String())) {
		t.Fatalf("source given: %d datagrams from elsewhere, %d dropped; sender %q", foreign, st.Foreign, st.Sender)
	}
	return st
}

// TestReceiveSeeds checks that FuzzReceive's seeds reach past the header
// checks into every outcome of the receiver, so that the fuzzer starts
// there.
func TestReceiveSeeds(t *testing.T) {
	var sum Stats
	for _, seed := range receiveSeeds() {
		st := receiveRecords(t, seed)
		sum.Packets += st.Packets
		sum.Recovered += st.Recovered
		sum.Reordered += st.Reordered
		sum.Duplicate += st.Duplicate
		sum.Late += st.Late
		sum.Lost += st.Lost
		sum.Stray += st.Stray
		sum.Resyncs += st.Resyncs
		sum.SSRCChanges += st.SSRCChanges
		sum.Probation += st.Probation
		sum.RTXPackets += st.RTXPackets
		sum.Foreign += st.Foreign
		sum.ForeignRTX += st.ForeignRTX
		sum.Malformed += st.Malformed
		sum.SenderReports += st.SenderReports
		sum.Byes += st.Byes
	}
	for name, n := range map[string]int{
		"packets": sum.Packets, "recovered": sum.Recovered, "reordered": sum.Reordered, "duplicate": sum.Duplicate,
		"late": sum.Late, "lost": sum.Lost, "resyncs": sum.Resyncs, "SSRC changes": sum.SSRCChanges,
		"probation": sum.Probation, "retransmissions": sum.RTXPackets, "foreign": sum.Foreign, "foreign retransmissions": sum.ForeignRTX,
		"malformed": sum.Malformed, "sender reports": sum.SenderReports, "goodbyes": sum.Byes,
	} {
		if n == 0 {
			t.Errorf("no seed reaches %s: %+v", name, sum)
		}
	}
}

// tickNoIO runs the timers that need no socket.
func (r *Receiver) tickNoIO(now time.Time) error {
	r.lp.jb.expire(now)
	r.deliver()
	return nil
}

// rtpPacket builds an RTP packet by hand.
func rtpPacket(pt uint8, seq uint16, ts, ssrc uint32, payload []byte) []byte {
	b := []byte{0x80, pt}
	b = binary.BigEndian.AppendUint16(b, seq)
	b = binary.BigEndian.AppendUint32(b, ts)
	b = binary.BigEndian.AppendUint32(b, ssrc)
	return append(b, payload...)
}

// tsPackets returns n null-ish TS packets with continuity counters from cc.
func tsPackets(n int, cc int) []byte {
	var b []byte
	for i := range n {
		p := make([]byte, tsPacketSize)
		p[0], p[1], p[2], p[3] = tsSyncByte, 0x01, 0x00, 0x10|byte((cc+i)&0xF)
		b = append(b, p...)
	}
	return b
}
