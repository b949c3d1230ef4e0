package rtp

import (
	"encoding/binary"

	"github.com/pion/rtcp"
)

// Flags of a FuzzReceive record: where the datagram comes from.
const (
	fromOtherPort = 0x40 // the source's host, another port
	fromStranger  = 0x80 // another host
)

// records builds a FuzzReceive input.
type records struct{ b []byte }

// add appends a datagram from where flags say, stepMS after the last.
func (w *records) add(flags byte, stepMS int, d []byte) {
	w.b = append(w.b, flags|byte(min(stepMS, 0x3F)))
	w.b = binary.BigEndian.AppendUint16(w.b, uint16(len(d)))
	w.b = append(w.b, d...)
}

// mediaPkt is packet seq of ssrc as the head-end sends it: seven TS packets.
func mediaPkt(seq uint16, ssrc uint32) []byte {
	return rtpPacket(PayloadTypeMP2T, seq, uint32(seq)*3600, ssrc, tsPackets(7, int(seq)*7))
}

// rtx is an RFC 4588 retransmission of seq, as the head-end sends it:
// payload type 96, an SSRC and a sequence of its own, the original
// sequence number ahead of the original payload.
func rtx(rtxSeq, seq uint16, rtxSSRC uint32) []byte {
	osn := binary.BigEndian.AppendUint16(nil, seq)
	return rtpPacket(DefaultRTXPayloadType, rtxSeq, uint32(seq)*3600, rtxSSRC, append(osn, tsPackets(7, int(seq)*7)...))
}

// rtpExtras is an RTP packet with CSRCs, a header extension and padding.
func rtpExtras(seq uint16, ssrc uint32, csrcs, pad int) []byte {
	b := []byte{0x80 | 0x10 | byte(csrcs), PayloadTypeMP2T}
	if pad > 0 {
		b[0] |= 0x20
	}
	b = binary.BigEndian.AppendUint16(b, seq)
	b = binary.BigEndian.AppendUint32(b, uint32(seq)*3600)
	b = binary.BigEndian.AppendUint32(b, ssrc)
	for i := range csrcs {
		b = binary.BigEndian.AppendUint32(b, uint32(i+1))
	}
	b = append(b, 0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0) // one-byte extension, one word
	b = append(b, tsPackets(7, int(seq)*7)...)
	if pad > 0 {
		b = append(b, make([]byte, pad-1)...)
		b = append(b, byte(pad))
	}
	return b
}

// receiveSeeds are FuzzReceive's seed inputs, each in both modes (source
// given, source learnt).
func receiveSeeds() [][]byte {
	const a, b, ra = 0xA0A0A0A0, 0xB0B0B0B0, 0xA0A0A0A1
	sr, _ := rtcp.Marshal([]rtcp.Packet{
		&rtcp.SenderReport{SSRC: a, NTPTime: 1 << 40, RTPTime: 3600, PacketCount: 10, OctetCount: 13160},
		rtcp.NewCNAMESourceDescription(a, "manbang-headend"),
	})
	byeA, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.SenderReport{SSRC: a}, &rtcp.Goodbye{Sources: []uint32{a}}})
	var seeds []func(w *records)
	// In order across the sequence wrap, with sender reports.
	seeds = append(seeds, func(w *records) {
		w.add(0, 0, sr)
		for seq := uint16(65530); seq != 10; seq++ {
			w.add(0, 1, mediaPkt(seq, a))
			if seq == 0 {
				w.add(0, 0, sr)
			}
		}
	})
	// Losses repaired by retransmission, a duplicate retransmission, one
	// of another SSRC and one for a packet never missing.
	seeds = append(seeds, func(w *records) {
		for seq := uint16(0); seq < 12; seq++ {
			if seq != 3 && seq != 6 && seq != 7 {
				w.add(0, 1, mediaPkt(seq, a))
			}
		}
		w.add(0, 5, rtx(1, 3, ra))
		w.add(0, 1, rtx(2, 3, ra))
		w.add(0, 1, rtx(3, 6, 0x0BADBAD0))
		w.add(0, 1, rtx(4, 6, ra))
		w.add(0, 1, rtx(5, 7, ra))
		w.add(0, 1, rtx(6, 9000, ra))
		w.add(0, 1, mediaPkt(12, a))
	})
	// Reordering and duplicates.
	seeds = append(seeds, func(w *records) {
		for _, seq := range []uint16{0, 1, 3, 2, 4, 4, 6, 5, 7, 7, 8} {
			w.add(0, 1, mediaPkt(seq, a))
		}
	})
	// A loss given up (the clock passes the latency), then the packet
	// too late; a jump in sequence (a resync).
	seeds = append(seeds, func(w *records) {
		for _, seq := range []uint16{0, 1, 3, 4, 5} {
			w.add(0, 1, mediaPkt(seq, a))
		}
		for seq := uint16(6); seq < 11; seq++ {
			w.add(0, 63, mediaPkt(seq, a))
		}
		w.add(0, 1, mediaPkt(2, a))
		w.add(0, 1, rtx(1, 2, ra))
		for seq := uint16(30000); seq < 30004; seq++ {
			w.add(0, 1, mediaPkt(seq, a))
		}
	})
	// The sender restarts: a goodbye then a new SSRC; then another new
	// one after a silence.
	seeds = append(seeds, func(w *records) {
		for seq := uint16(100); seq < 105; seq++ {
			w.add(0, 1, mediaPkt(seq, a))
		}
		w.add(0, 1, byeA)
		for seq := uint16(40000); seq < 40005; seq++ {
			w.add(0, 1, mediaPkt(seq, b))
		}
		for seq := uint16(7); seq < 10; seq++ {
			w.add(0, 63, mediaPkt(seq, a))
		}
	})
	// Forgeries: a stranger sends first, with the stream's SSRC, its own
	// goodbye and retransmissions; the source's host from another port.
	seeds = append(seeds, func(w *records) {
		for seq := uint16(0); seq < 3; seq++ {
			w.add(fromStranger, 1, mediaPkt(seq, b))
		}
		for seq := uint16(0); seq < 8; seq++ {
			if seq != 5 {
				w.add(0, 1, mediaPkt(seq, a))
			}
			w.add(fromStranger, 0, mediaPkt(seq+1, a))
		}
		w.add(fromStranger, 1, byeA)
		w.add(fromStranger, 1, rtx(1, 5, ra))
		w.add(fromOtherPort, 1, rtx(1, 5, ra))
		w.add(fromOtherPort, 1, mediaPkt(8, a))
		w.add(0, 1, rtx(1, 5, ra))
		w.add(0, 1, mediaPkt(9, a))
	})
	// Malformed and unusual datagrams among good ones.
	seeds = append(seeds, func(w *records) {
		w.add(0, 1, mediaPkt(0, a))
		w.add(0, 1, rtpExtras(1, a, 2, 4))
		w.add(0, 1, rtpExtras(2, a, 15, 0))
		for _, d := range [][]byte{
			{0x40, 33, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1},              // version 1
			{0x80, 33, 0},                                         // short
			rtpPacket(14, 3, 0, a, tsPackets(7, 0)),               // MPEG audio
			rtpPacket(DefaultRTXPayloadType, 1, 0, ra, []byte{0}), // retransmission without its sequence number
			rtpPacket(PayloadTypeMP2T, 3, 0, a, []byte("not TS")),
			append(mediaPkt(3, a), make([]byte, 100)...), // a partial TS packet after seven
			sr[:10],
			{0x80, 200, 0, 0},
		} {
			w.add(0, 1, d)
		}
		w.add(0, 1, mediaPkt(4, a))
	})
	var out [][]byte
	for _, mode := range []byte{1, 0} {
		for _, build := range seeds {
			w := records{b: []byte{mode}}
			build(&w)
			out = append(out, w.b)
		}
	}
	return out
}
