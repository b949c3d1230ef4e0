package rtp

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// The regression tests of issue 21, finding 6: the receiver hears only
// the stream's source. The stranger sends from 127.0.0.2, another
// loopback address (Linux routes all of 127.0.0.0/8 to lo).

// stranger is where a stranger sends from.
var stranger = net.IPv4(127, 0, 0, 2)

// junk is a payload a stranger sends: TS packets marked 0xEEEE where
// packetPayload puts the sequence number, so that Read shows it.
func junk() []byte { return packetPayload(0xEEEE, 0) }

// openFrom opens a receiver for the source src, whose address is then
// given to the senders.
func openFrom(t *testing.T, cfg Config, senders ...*testSender) *Receiver {
	t.Helper()
	r := openTest(t, cfg)
	for _, s := range senders {
		s.to = r.LocalAddr()
	}
	return r
}

func TestReceiverStrangerSendsFirst(t *testing.T) {
	for _, tc := range []struct {
		name   string
		source func(real *testSender) string
	}{
		{"source host:port", func(s *testSender) string { return s.conn.LocalAddr().String() }},
		{"source host", func(*testSender) string { return "127.0.0.1" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			real := newTestSender(t, nil, 0xAAAA, false)
			bad := newTestSenderAt(t, stranger, nil, 0x5555, false)
			r := openFrom(t, Config{Source: tc.source(real)}, real, bad)
			for seq := uint16(1); seq <= 3; seq++ {
				bad.raw(rtpPacket(33, seq, 0, 0x5555, junk()))
			}
			for seq := uint16(100); seq < 110; seq++ {
				real.send(seq, false)
			}
			if got, want := readSeqs(t, r, 10), seqRange(100, 110); !equalSeqs(got, want) {
				t.Fatalf("read %v, want the source's %v", got, want)
			}
			st := waitStats(t, r, "the stranger's packets counted", func(s Stats) bool { return s.Foreign == 3 })
			if st.SSRC != 0xAAAA || st.SSRCChanges != 0 || st.Sender != real.conn.LocalAddr().String() {
				t.Errorf("stats %+v, want the source's SSRC from its address", st)
			}
			if ss := r.SourceStats(); ss.PacketsForeign != 3 {
				t.Errorf("source stats %+v, want 3 foreign packets", ss)
			}
		})
	}
}

func TestReceiverRightSSRCWrongAddress(t *testing.T) {
	for _, given := range []bool{true, false} {
		name := "source learnt from the first packet"
		if given {
			name = "source given"
		}
		t.Run(name, func(t *testing.T) {
			real := newTestSender(t, nil, 0xAAAA, false)
			bad := newTestSenderAt(t, stranger, nil, 0xAAAA, false)
			cfg := Config{NoRTCP: true}
			if given {
				cfg.Source = real.conn.LocalAddr().String()
			}
			r := openFrom(t, cfg, real, bad)
			real.send(0, false)
			real.send(1, false)
			// Ahead of the source, with its SSRC: the junk would take
			// these sequence numbers and the source's own would be
			// dropped as duplicates.
			bad.raw(rtpPacket(33, 2, 0, 0xAAAA, junk()))
			bad.raw(rtpPacket(33, 3, 0, 0xAAAA, junk()))
			bye, _ := (&rtcp.Goodbye{Sources: []uint32{0xAAAA}}).Marshal()
			bad.raw(bye) // a forged goodbye is not heard either
			for seq := uint16(2); seq < 6; seq++ {
				real.send(seq, false)
			}
			if got, want := readSeqs(t, r, 6), seqRange(0, 6); !equalSeqs(got, want) {
				t.Fatalf("read %v, want the source's %v", got, want)
			}
			st := waitStats(t, r, "the stranger's packets counted", func(s Stats) bool { return s.Foreign == 3 })
			if st.Duplicate != 0 || st.Byes != 0 || st.Packets != 6 {
				t.Errorf("stats %+v, want the source's 6 packets, no duplicate, no goodbye", st)
			}
		})
	}
}

func TestReceiverRTXWrongSSRC(t *testing.T) {
	const media, rtx = 0xAAAA, 0xAAAB
	real := newTestSender(t, nil, media, false)
	bad := newTestSenderAt(t, stranger, nil, media, false)
	// The holes wait for the test, not the clock.
	r := openFrom(t, Config{Latency: 30 * time.Second, NoNACK: true}, real, bad)
	retransmit := func(s *testSender, ssrc uint32, rtxSeq, seq uint16, payload []byte) {
		s.raw(rtpPacket(96, rtxSeq, 0, ssrc, append(binary.BigEndian.AppendUint16(nil, seq), payload...)))
	}
	real.send(0, false)
	real.send(1, false)
	real.send(3, false) // 2 lost
	retransmit(real, rtx, 1, 2, packetPayload(2, 14))
	if got, want := readSeqs(t, r, 4), seqRange(0, 4); !equalSeqs(got, want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	real.send(4, false)
	real.send(6, false)                    // 5 lost
	retransmit(real, 0x7777, 9, 5, junk()) // another SSRC, from the source's address
	retransmit(bad, rtx, 2, 5, junk())     // the right SSRC, from a stranger
	waitStats(t, r, "the forged retransmissions", func(s Stats) bool { return s.ForeignRTX == 1 && s.Foreign == 1 })
	retransmit(real, rtx, 2, 5, packetPayload(5, 35))
	if got, want := readSeqs(t, r, 3), seqRange(4, 7); !equalSeqs(got, want) {
		t.Fatalf("read %v, want %v: a forged retransmission filled the hole", got, want)
	}
	if st := r.Stats(); st.Recovered != 2 || st.RTXPackets != 2 || st.Lost != 0 {
		t.Errorf("stats %+v, want the 2 holes filled by the source's retransmissions", st)
	}
}
