package live

// The fields of TS packets, PSI sections and PES headers that the
// streamer reads and rewrites (ISO/IEC 13818-1).

// psiInfo is what the PAT and PMT say.
type psiInfo struct {
	found    bool
	pmtPID   uint16
	pcrPID   uint16
	videoPID uint16 // 0 when the program has no video
	videoST  byte   // its stream type
	esPIDs   map[uint16]bool
}

// videoTypes are PMT stream types of video.
var videoTypes = map[byte]bool{0x01: true, 0x02: true, 0x10: true, 0x1B: true, 0x24: true, 0x42: true, 0xEA: true}

// scanPSI finds the first program's PMT PID, PCR PID and elementary
// streams, from the first PAT and PMT that each fit in one packet.
func scanPSI(data []byte) psiInfo {
	info := psiInfo{esPIDs: map[uint16]bool{}}
	havePAT := false
	for off := 0; off+tsSize <= len(data); off += tsSize {
		b := data[off : off+tsSize]
		pid := uint16(b[1]&0x1F)<<8 | uint16(b[2])
		if b[1]&0x40 == 0 || (pid != pidPAT && (!havePAT || pid != info.pmtPID)) {
			continue
		}
		sec := section(b)
		if sec == nil {
			continue
		}
		if pid == pidPAT && sec[0] == 0x00 {
			for e := sec[8 : len(sec)-4]; len(e) >= 4; e = e[4:] {
				if prog := uint16(e[0])<<8 | uint16(e[1]); prog != 0 {
					info.pmtPID, havePAT = uint16(e[2]&0x1F)<<8|uint16(e[3]), true
					break
				}
			}
			continue
		}
		if sec[0] != 0x02 || len(sec) < 16 {
			continue
		}
		info.pcrPID = uint16(sec[8]&0x1F)<<8 | uint16(sec[9])
		infoLen := int(sec[10]&0x0F)<<8 | int(sec[11])
		es := sec[min(12+infoLen, len(sec)-4) : len(sec)-4]
		for len(es) >= 5 {
			st, epid := es[0], uint16(es[1]&0x1F)<<8|uint16(es[2])
			info.esPIDs[epid] = true
			if videoTypes[st] && info.videoPID == 0 {
				info.videoPID, info.videoST = epid, st
			}
			esLen := int(es[3]&0x0F)<<8 | int(es[4])
			es = es[min(5+esLen, len(es)):]
		}
		info.found = true
		return info
	}
	return info
}

// section returns the PSI section starting in packet b (pointer field
// honoured), or nil if it does not fit in the packet.
func section(b []byte) []byte {
	off := payloadOffset(b)
	if off >= tsSize {
		return nil
	}
	off += 1 + int(b[off]) // pointer_field
	if off+3 > tsSize {
		return nil
	}
	l := int(b[off+1]&0x0F)<<8 | int(b[off+2])
	if l < 9 || off+3+l > tsSize {
		return nil
	}
	return b[off : off+3+l]
}

// payloadOffset returns where packet b's payload starts (tsSize if it
// has none).
func payloadOffset(b []byte) int {
	if b[3]&0x10 == 0 {
		return tsSize
	}
	if b[3]&0x20 != 0 {
		return min(5+int(b[4]), tsSize)
	}
	return 4
}

// parsePacket reads the fields of packet b; pcr is its PCR (27 MHz) when
// ok.
func parsePacket(b []byte, psi psiInfo) (tp tsPacket, pcr int64, ok bool) {
	tp.pid = uint16(b[1]&0x1F)<<8 | uint16(b[2])
	tp.hasPayload = b[3]&0x10 != 0
	rai := false
	if b[3]&0x20 != 0 && b[4] >= 7 && b[5]&0x10 != 0 {
		tp.pcrOff = 6
		pcr, ok = readPCR(b[6:]), true
	}
	if b[3]&0x20 != 0 && b[4] >= 1 {
		rai = b[5]&0x40 != 0
	}
	off := payloadOffset(b)
	if b[1]&0x40 == 0 || !psi.esPIDs[tp.pid] || off+14 > tsSize {
		return tp, pcr, ok
	}
	pes := b[off:]
	if pes[0] != 0 || pes[1] != 0 || pes[2] != 1 || !hasPESHeader(pes[3]) || pes[6]&0xC0 != 0x80 {
		return tp, pcr, ok
	}
	switch pes[7] >> 6 {
	case 2:
		tp.ptsOff = off + 9
	case 3:
		tp.ptsOff, tp.dtsOff = off+9, off+14
		if off+19 > tsSize {
			tp.ptsOff, tp.dtsOff = 0, 0
		}
	}
	if tp.pid == psi.videoPID {
		hdrEnd := min(off+9+int(pes[8]), tsSize)
		tp.keyframe = rai || startsKeyframe(b[hdrEnd:], psi.videoST)
	}
	return tp, pcr, ok
}

// hasPESHeader reports whether PES stream_id carries the optional header
// with timestamps.
func hasPESHeader(sid byte) bool {
	switch sid {
	case 0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xF2, 0xF8, 0xFF:
		return false
	}
	return true
}

// startsKeyframe looks at the start of a video PES payload (of PMT
// stream type st) for what decoding can start from, for muxers that do
// not set the random access indicator: an MPEG-2 sequence header, an
// H.264 SPS or IDR slice, an HEVC VPS, SPS or IRAP picture.
func startsKeyframe(es []byte, st byte) bool {
	for i := 0; i+4 < len(es); i++ {
		if es[i] != 0 || es[i+1] != 0 || es[i+2] != 1 {
			continue
		}
		h := es[i+3]
		switch st {
		case 0x01, 0x02: // MPEG-1/2 video
			if h == 0xB3 {
				return true
			}
		case 0x1B: // H.264
			if t := h & 0x1F; t == 5 || t == 7 {
				return true
			}
		case 0x24: // HEVC
			if t := (h >> 1) & 0x3F; t >= 16 && t <= 21 || t == 32 || t == 33 {
				return true
			}
		}
	}
	return false
}

// readTimestamp decodes a 5-byte PTS or DTS field.
func readTimestamp(b []byte) int64 {
	return int64(b[0]>>1&0x07)<<30 | int64(b[1])<<22 | int64(b[2]>>1)<<15 | int64(b[3])<<7 | int64(b[4]>>1)
}

// writeTimestamp encodes v into a 5-byte PTS or DTS field, keeping its
// prefix and marker bits.
func writeTimestamp(b []byte, v int64) {
	v &= wrap33 - 1
	b[0] = b[0]&0xF1 | byte(v>>29)&0x0E
	b[1] = byte(v >> 22)
	b[2] = b[2]&0x01 | byte(v>>14)&0xFE
	b[3] = byte(v >> 7)
	b[4] = b[4]&0x01 | byte(v<<1)
}

// readPCR decodes a 6-byte PCR field into 27 MHz ticks.
func readPCR(b []byte) int64 {
	base := int64(b[0])<<25 | int64(b[1])<<17 | int64(b[2])<<9 | int64(b[3])<<1 | int64(b[4]>>7)
	ext := int64(b[4]&0x01)<<8 | int64(b[5])
	return base*ticksPer90 + ext
}

// addPCRBase adds d (90 kHz ticks) to the base of a 6-byte PCR field.
func addPCRBase(b []byte, d int64) {
	base := (int64(b[0])<<25 | int64(b[1])<<17 | int64(b[2])<<9 | int64(b[3])<<1 | int64(b[4]>>7)) + d
	base &= wrap33 - 1
	b[0], b[1], b[2], b[3] = byte(base>>25), byte(base>>17), byte(base>>9), byte(base>>1)
	b[4] = b[4]&0x7F | byte(base<<7)
}
