package tsseek

import "github.com/manbang/manbang/player/media"

const (
	packetSize = 188
	syncByte   = 0x47
	patPID     = 0
	// tsWrap is where 33-bit PTS values wrap around.
	tsWrap = int64(1) << 33
	// keyScan bounds the payload gathered from the start of a video PES
	// to decide whether it starts a keyframe.
	keyScan = 8 * 1024
)

// packet is the part of a transport packet's header the index reads.
type packet struct {
	pid     uint16
	start   bool // payload_unit_start_indicator
	random  bool // random_access_indicator
	cc      uint8
	payload []byte
}

// parsePacket reads one 188-byte packet; ok is false for a packet
// without sync byte or with a broken adaptation field.
func parsePacket(b []byte) (p packet, ok bool) {
	if len(b) < packetSize || b[0] != syncByte {
		return p, false
	}
	p.pid = uint16(b[1]&0x1F)<<8 | uint16(b[2])
	p.start = b[1]&0x40 != 0
	p.cc = b[3] & 0x0F
	afc := (b[3] >> 4) & 3
	rest := b[4:packetSize]
	if afc&2 != 0 {
		n := int(rest[0])
		if n+1 > len(rest) {
			return p, false
		}
		if n > 0 {
			p.random = rest[1]&0x40 != 0
		}
		rest = rest[1+n:]
	}
	if afc&1 != 0 {
		p.payload = rest
	}
	return p, true
}

// resync returns the first offset in b at which packets follow each
// other (a sync byte there and at the next two packet boundaries that b
// holds), or -1.
func resync(b []byte) int {
	for i := 0; i+packetSize <= len(b); i++ {
		if b[i] != syncByte {
			continue
		}
		ok := true
		for k := 1; k <= 2 && i+k*packetSize < len(b); k++ {
			ok = ok && b[i+k*packetSize] == syncByte
		}
		if ok {
			return i
		}
	}
	return -1
}

// section returns the PSI section that starts in a payload unit (after
// its pointer field), or nil.
func section(payload []byte) []byte {
	if len(payload) < 1 || int(payload[0])+1 > len(payload) {
		return nil
	}
	s := payload[1+int(payload[0]):]
	if len(s) < 3 {
		return nil
	}
	n := int(s[1]&0x0F)<<8 | int(s[2])
	if 3+n > len(s) || n < 9 {
		return nil // a section longer than its packet: not read here
	}
	return s[:3+n]
}

// parsePAT returns the PMT PID of the first programme in a PAT payload.
func parsePAT(payload []byte) (uint16, bool) {
	s := section(payload)
	if s == nil || s[0] != 0x00 {
		return 0, false
	}
	for e := s[8 : len(s)-4]; len(e) >= 4; e = e[4:] {
		if num := uint16(e[0])<<8 | uint16(e[1]); num != 0 {
			return uint16(e[2]&0x1F)<<8 | uint16(e[3]), true
		}
	}
	return 0, false
}

// stream is an elementary stream a PMT lists.
type stream struct {
	pid   uint16
	kind  media.Kind
	codec string
}

// parsePMT returns the video and audio streams of a PMT payload.
func parsePMT(payload []byte) ([]stream, bool) {
	s := section(payload)
	if s == nil || s[0] != 0x02 || len(s) < 16 {
		return nil, false
	}
	info := int(s[10]&0x0F)<<8 | int(s[11])
	if 12+info > len(s)-4 {
		return nil, false
	}
	var out []stream
	for e := s[12+info : len(s)-4]; len(e) >= 5; {
		typ, pid := e[0], uint16(e[1]&0x1F)<<8|uint16(e[2])
		n := int(e[3]&0x0F)<<8 | int(e[4])
		if 5+n > len(e) {
			break
		}
		if kind, codec := streamType(typ); kind != media.KindUnknown {
			out = append(out, stream{pid: pid, kind: kind, codec: codec})
		}
		e = e[5+n:]
	}
	return out, true
}

// streamType names the kind and codec of a PMT stream type; the kind is
// empty for streams whose timestamps the index does not follow.
func streamType(t byte) (media.Kind, string) {
	switch t {
	case 0x1B:
		return media.KindVideo, media.CodecH264
	case 0x24:
		return media.KindVideo, media.CodecHEVC
	case 0x01, 0x02:
		return media.KindVideo, media.CodecMPEG2Video
	case 0x03, 0x04:
		return media.KindAudio, media.CodecMP2
	case 0x0F:
		return media.KindAudio, media.CodecAAC
	case 0x81:
		return media.KindAudio, media.CodecAC3
	}
	return media.KindUnknown, ""
}

// pesPTS returns the PTS (33 bits, 90 kHz) of a PES packet header at the
// start of payload, and the PES payload after the header.
func pesPTS(payload []byte) (pts int64, rest []byte, ok bool) {
	if len(payload) < 9 || payload[0] != 0 || payload[1] != 0 || payload[2] != 1 {
		return 0, nil, false
	}
	hlen := 9 + int(payload[8])
	if payload[7]&0x80 == 0 || len(payload) < 14 || hlen > len(payload) {
		return 0, nil, false
	}
	p := payload[9:14]
	pts = int64(p[0]>>1&0x07)<<30 | int64(p[1])<<22 | int64(p[2]>>1)<<15 | int64(p[3])<<7 | int64(p[4]>>1)
	return pts, payload[hlen:], true
}
