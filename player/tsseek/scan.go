package tsseek

// unit is the start of a PES packet of the stream an index follows.
type unit struct {
	off int64 // of the transport packet that starts it
	pts int64 // 33 bits, 90 kHz
	key bool  // a video keyframe (always true for audio)
	// psiOff is the offset of a PAT that comes just before the unit,
	// followed by the PMT, with nothing of the stream between: reading
	// from there needs no header. -1 if there is none.
	psiOff int64
}

// psi is a PAT or PMT packet seen while scanning.
type psi struct {
	off int64
	pmt bool
	cc  uint8
}

// scanner finds the units of one stream in transport packets.
type scanner struct {
	pid      uint16
	pmtPID   uint16
	codec    string
	video    bool
	isKey    func(codec string, au []byte) bool
	units    []unit
	psis     []psi
	pend     *unit
	au       []byte
	patOff   int64 // of the last PAT since the stream's last packet, or -1
	pmtAfter bool  // and a PMT has come after it
}

func newScanner(ix *Index) *scanner {
	return &scanner{pid: ix.pid, pmtPID: ix.pmtPID, codec: ix.codec, video: ix.video, isKey: ix.cfg.IsKeyframe, patOff: -1}
}

// scan reads the packets of b, which starts at byte base of the file,
// from its first sync point, and keeps those units that start before
// limit (relative to base; a unit just before limit is completed from
// the bytes after it).
func (s *scanner) scan(b []byte, base int64, limit int) {
	i := resync(b)
	if i < 0 {
		return
	}
	for ; i+packetSize <= len(b); i += packetSize {
		if b[i] != syncByte {
			j := resync(b[i:])
			if j < 0 {
				break
			}
			i += j
			if i+packetSize > len(b) {
				break
			}
		}
		p, ok := parsePacket(b[i : i+packetSize])
		if !ok {
			continue
		}
		off := base + int64(i)
		if i >= limit && (s.pend == nil || p.start) {
			break
		}
		switch p.pid {
		case patPID:
			if p.start {
				s.patOff, s.pmtAfter = off, false
				s.psis = append(s.psis, psi{off: off, cc: p.cc})
			}
			continue
		case s.pmtPID:
			if p.start {
				s.pmtAfter = s.patOff >= 0
				s.psis = append(s.psis, psi{off: off, pmt: true, cc: p.cc})
			}
			continue
		case s.pid:
		default:
			continue
		}
		if !p.start {
			if s.pend != nil && len(s.au) < keyScan {
				s.au = append(s.au, p.payload...)
			}
			s.patOff = -1
			continue
		}
		s.finish()
		if i >= limit {
			break
		}
		pts, rest, ok := pesPTS(p.payload)
		if ok {
			u := unit{off: off, pts: pts, key: p.random || !s.video, psiOff: -1}
			if s.patOff >= 0 && s.pmtAfter {
				u.psiOff = s.patOff
			}
			s.pend, s.au = &u, append(s.au[:0], rest...)
		}
		s.patOff = -1
	}
	s.finish()
}

// finish decides whether the pending unit is a keyframe and keeps it.
func (s *scanner) finish() {
	if s.pend == nil {
		return
	}
	u := *s.pend
	if !u.key && s.isKey != nil {
		u.key = s.isKey(s.codec, s.au)
	}
	s.units = append(s.units, u)
	s.pend = nil
}
