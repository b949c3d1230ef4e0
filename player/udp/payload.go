package udp

// PayloadKind says what TSPayload found in a datagram.
type PayloadKind int

// Kinds of datagram.
const (
	RawTS      PayloadKind = iota // N×188 bytes of TS
	Truncated                     // TS, cut to whole packets
	RTPWrapped                    // an RTP packet carrying TS
	NotTS                         // neither
)

// TSPayload returns the whole TS packets a datagram carries: the datagram
// itself when it starts with a sync byte, or the payload of an RTP packet
// carrying TS (RFC 2250). A length that is not a multiple of 188 is cut
// down to whole packets. It never panics and never copies.
func TSPayload(b []byte) ([]byte, PayloadKind) {
	kind := RawTS
	if len(b) > 0 && b[0] != tsSyncByte {
		p, ok := rtpPayload(b)
		if !ok {
			return nil, NotTS
		}
		b, kind = p, RTPWrapped
	}
	if len(b) < tsPacketSize || b[0] != tsSyncByte {
		return nil, NotTS
	}
	if n := len(b) - len(b)%tsPacketSize; n != len(b) {
		b = b[:n]
		if kind == RawTS {
			kind = Truncated
		}
	}
	return b, kind
}

// rtpPayload returns the payload of an RTP version 2 packet: after the
// fixed header, the CSRC list and any header extension, before padding.
func rtpPayload(b []byte) ([]byte, bool) {
	const fixed = 12
	if len(b) < fixed || b[0]>>6 != 2 {
		return nil, false
	}
	off := fixed + 4*int(b[0]&0x0F)
	if b[0]&0x10 != 0 { // extension: 4-byte header, then length words
		if len(b) < off+4 {
			return nil, false
		}
		off += 4 + 4*(int(b[off+2])<<8|int(b[off+3]))
	}
	end := len(b)
	if b[0]&0x20 != 0 { // padding: count in the last byte
		end -= int(b[end-1])
	}
	if off > end {
		return nil, false
	}
	return b[off:end], true
}
