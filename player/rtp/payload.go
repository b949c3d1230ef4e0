package rtp

import (
	"encoding/binary"
	"errors"
	"fmt"

	pionrtp "github.com/pion/rtp"
)

// Payload types of MPEG-TS over RTP.
const (
	// PayloadTypeMP2T is the static payload type of MPEG-2 transport
	// streams (RFC 3551, RFC 2250).
	PayloadTypeMP2T = 33
	// DefaultRTXPayloadType is the dynamic payload type of RFC 4588
	// retransmissions (apt=33) that the Manbang head-end uses.
	DefaultRTXPayloadType = 96
)

const (
	tsPacketSize = 188
	tsSyncByte   = 0x47
)

// Errors of parsePacket.
var (
	errNotRTP      = errors.New("not an RTP packet")
	errPayloadType = errors.New("unexpected payload type")
	errNotTS       = errors.New("payload is not MPEG-TS")
	errShortRTX    = errors.New("retransmission without original sequence number")
)

// packet is an RTP packet carrying MPEG-TS, as the receiver needs it.
type packet struct {
	seq     uint16 // for a retransmission, the original sequence number
	ts      uint32
	ssrc    uint32
	payload []byte // whole TS packets, sharing the datagram's memory
	rtx     bool   // arrived as an RFC 4588 retransmission
}

// parsePacket parses one datagram as an RTP packet of payload type pt
// carrying MPEG-TS, or as an RFC 4588 retransmission of one (payload type
// rtxPT, the original sequence number in the first two payload bytes).
// The payload is cut to whole 188-byte packets. It never panics.
func parsePacket(b []byte, pt, rtxPT uint8) (packet, error) {
	var p pionrtp.Packet
	if err := p.Unmarshal(b); err != nil {
		return packet{}, fmt.Errorf("%w: %v", errNotRTP, err)
	}
	if p.Version != 2 {
		return packet{}, fmt.Errorf("%w: version %d", errNotRTP, p.Version)
	}
	out := packet{seq: p.SequenceNumber, ts: p.Timestamp, ssrc: p.SSRC, payload: p.Payload}
	switch p.PayloadType {
	case pt:
	case rtxPT:
		if len(out.payload) < 2 {
			return packet{}, errShortRTX
		}
		out.seq = binary.BigEndian.Uint16(out.payload)
		out.payload = out.payload[2:]
		out.rtx = true
	default:
		return packet{}, fmt.Errorf("%w %d", errPayloadType, p.PayloadType)
	}
	if len(out.payload) < tsPacketSize || out.payload[0] != tsSyncByte {
		return packet{}, errNotTS
	}
	out.payload = out.payload[:len(out.payload)-len(out.payload)%tsPacketSize]
	return out, nil
}

// isRTCP tells RTCP from RTP on a socket carrying both (RFC 5761 4):
// RTCP packet types 192-223 fall where RTP's marker bit and payload type
// are, in ranges that audio/video payload types avoid.
func isRTCP(b []byte) bool {
	return len(b) >= 2 && b[0]>>6 == 2 && b[1] >= 192 && b[1] <= 223
}
