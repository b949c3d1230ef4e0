package live

import (
	"errors"
	"fmt"
	"os"
	"slices"
)

const (
	tsSize     = 188
	tsSync     = 0x47
	pidPAT     = 0
	pidNull    = 0x1FFF
	wrap33     = int64(1) << 33 // PTS, DTS and PCR base wrap here
	ticks27    = 27_000_000     // PCR clock
	ticksPer90 = 300            // 27 MHz ticks per 90 kHz tick
)

// tsPacket is what the streamer needs to know of one TS packet of a
// source file.
type tsPacket struct {
	pid        uint16
	hasPayload bool
	pcrOff     int  // offset of the 6-byte PCR field, 0 if none
	ptsOff     int  // offset of the 5-byte PTS field, 0 if none
	dtsOff     int  // offset of the 5-byte DTS field, 0 if none
	keyframe   bool // starts a video access unit that decoding can start from
}

// program is a source file ready to loop: its packets, the time at which
// each is due relative to the first (from the PCR), and the length of one
// loop. Looping rewrites PCR, PTS and DTS by whole loop lengths and
// continues the continuity counters, so that the stream a box receives is
// one seamless timeline: no discontinuity at the loop point.
type program struct {
	data   []byte
	pkts   []tsPacket
	at     []int64 // due time of each packet, 27 MHz ticks after the first
	period int64   // length of one loop, 27 MHz ticks, a multiple of 300
	ccStep [8192]uint8
	chunks []chunk
}

// chunk is a run of packets sent as one datagram.
type chunk struct {
	start, n int
	rap      bool // starts with a random access point: PSI, then a keyframe
}

// packetsPerDatagram is the number of TS packets per datagram (RFC 2250's
// usual seven: 1316 bytes, within a 1500-byte MTU with IP, UDP and RTP
// headers).
const packetsPerDatagram = 7

// loadProgram reads and analyses an MPEG-TS file.
func loadProgram(path string) (*program, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := parseProgram(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// parseProgram analyses an MPEG-TS file in memory.
func parseProgram(data []byte) (*program, error) {
	data = data[:len(data)-len(data)%tsSize]
	if len(data) == 0 {
		return nil, errors.New("not an MPEG-TS file: shorter than a packet")
	}
	n := len(data) / tsSize
	p := &program{data: data, pkts: make([]tsPacket, n)}
	for i := range n {
		if data[i*tsSize] != tsSync {
			return nil, fmt.Errorf("not an MPEG-TS file: no sync byte at offset %d", i*tsSize)
		}
	}
	psi := scanPSI(data)
	if !psi.found {
		return nil, errors.New("no PAT and PMT")
	}
	var pcrs []pcrAt
	firstCC, lastCC := map[uint16]uint8{}, map[uint16]uint8{}
	for i := range n {
		b := data[i*tsSize : (i+1)*tsSize]
		tp, pcr, ok := parsePacket(b, psi)
		p.pkts[i] = tp
		if ok && tp.pid == psi.pcrPID {
			pcrs = append(pcrs, pcrAt{i, pcr})
		}
		if tp.hasPayload {
			if _, seen := firstCC[tp.pid]; !seen {
				firstCC[tp.pid] = b[3] & 0x0F
			}
			lastCC[tp.pid] = b[3] & 0x0F
		}
	}
	for pid, first := range firstCC {
		p.ccStep[pid] = (lastCC[pid] + 1 - first) & 0x0F
	}
	if len(pcrs) < 2 {
		return nil, fmt.Errorf("%d PCRs on PID %d: need at least 2 to pace the stream", len(pcrs), psi.pcrPID)
	}
	p.at = interpolate(pcrs, n)
	p.period = loopPeriod(p, psi, pcrs[len(pcrs)-1].i)
	p.chunks = chunkUp(p.pkts, psi)
	return p, nil
}

// pcrAt is a PCR and the index of the packet carrying it.
type pcrAt struct {
	i   int
	pcr int64
}

// interpolate returns the due time of each of n packets: the PCR where
// there is one, linear between PCRs, extrapolated at the first interval's
// rate before the first PCR and at the mean rate after the last. PCRs are
// unwrapped, and the result starts at 0 and never decreases.
func interpolate(pcrs []pcrAt, n int) []int64 {
	const wrap = wrap33 * ticksPer90
	for j := 1; j < len(pcrs); j++ {
		for pcrs[j].pcr < pcrs[j-1].pcr-wrap/2 {
			pcrs[j].pcr += wrap
		}
	}
	first, last := pcrs[0], pcrs[len(pcrs)-1]
	at := make([]int64, n)
	j := 0
	for i := range n {
		for j+2 < len(pcrs) && pcrs[j+1].i <= i {
			j++
		}
		a, b := pcrs[j], pcrs[j+1]
		if i > last.i {
			a, b = first, last
		}
		at[i] = a.pcr + (b.pcr-a.pcr)*int64(i-a.i)/int64(max(b.i-a.i, 1))
	}
	base := at[0]
	for i := range at {
		at[i] -= base
		if at[i] < 0 || i > 0 && at[i] < at[i-1] {
			at[i] = 0
			if i > 0 {
				at[i] = at[i-1]
			}
		}
	}
	return at
}

// loopPeriod returns the length of one loop of p, in 27 MHz ticks, and
// retimes the packets after the last PCR (index lastPCR) to fit it. The
// loop is the span of the content (from the first to past the last
// video frame, or of the PCR stream without video), so that timestamps
// carry on seamlessly from one loop to the next, when the packets up to
// the last PCR fit in it; the packets after are then spread evenly up to
// the loop's end. Otherwise it is the time the packets take to send, at
// their mean rate.
func loopPeriod(p *program, psi psiInfo, lastPCR int) int64 {
	n := len(p.at)
	mean := p.at[n-1] / int64(max(n-1, 1)) // mean time per packet
	if lastPCR > 0 {
		mean = p.at[lastPCR] / int64(lastPCR)
	}
	period := (p.at[n-1] + mean + ticksPer90 - 1) / ticksPer90 * ticksPer90
	pid := psi.videoPID
	if pid == 0 {
		pid = psi.pcrPID
	}
	var pts []int64
	for i, tp := range p.pkts {
		if tp.pid == pid && tp.ptsOff != 0 {
			pts = append(pts, readTimestamp(p.data[i*tsSize+tp.ptsOff:]))
		}
	}
	if len(pts) < 2 {
		return period
	}
	slices.Sort(pts)
	pts = slices.Compact(pts)
	content := (pts[len(pts)-1] - pts[0] + frameDuration(pts)) * ticksPer90
	tail := int64(n - lastPCR)
	if content <= p.at[lastPCR]+tail*mean/4 || content > 2*period {
		return period // the packets do not fit, or the timestamps make no sense
	}
	for i := lastPCR + 1; i < n; i++ {
		p.at[i] = p.at[lastPCR] + (content-p.at[lastPCR])*int64(i-lastPCR)/tail
	}
	return content
}

// frameDuration returns the most common step between sorted, distinct
// timestamps.
func frameDuration(pts []int64) int64 {
	count := map[int64]int{}
	best := int64(0)
	for i := 1; i < len(pts); i++ {
		d := pts[i] - pts[i-1]
		count[d]++
		if count[d] > count[best] || count[d] == count[best] && d < best {
			best = d
		}
	}
	return best
}

// chunkUp groups packets into datagrams of seven, starting a new one at
// each random access point so that a burst can begin with it.
func chunkUp(pkts []tsPacket, psi psiInfo) []chunk {
	raps := map[int]bool{}
	for i, tp := range pkts {
		if psi.videoPID == 0 && tp.pid == pidPAT { // audio only: any PAT will do
			raps[i] = true
		}
		if !tp.keyframe {
			continue
		}
		// Start at the PAT and PMT written just before the keyframe, if
		// any (ffmpeg writes them there), so that a box joining at this
		// point can demux at once.
		s := i
		for s > 0 && (pkts[s-1].pid == pidPAT || pkts[s-1].pid == psi.pmtPID || pkts[s-1].pid == 0x11) {
			s--
		}
		raps[s] = true
	}
	var out []chunk
	for i := 0; i < len(pkts); {
		c := chunk{start: i, rap: raps[i]}
		for c.n < packetsPerDatagram && i < len(pkts) && (c.n == 0 || !raps[i]) {
			c.n++
			i++
		}
		out = append(out, c)
	}
	return out
}

// appendChunk appends the packets of chunk c as they are sent in loop k:
// timestamps moved on by k loop lengths, continuity counters continued.
// shift90 is k loop lengths in 90 kHz ticks (mod 2^33).
func (p *program) appendChunk(dst []byte, c chunk, k, shift90 int64) []byte {
	for i := c.start; i < c.start+c.n; i++ {
		off := len(dst)
		dst = append(dst, p.data[i*tsSize:(i+1)*tsSize]...)
		if k == 0 {
			continue
		}
		b, tp := dst[off:], p.pkts[i]
		if tp.pcrOff != 0 {
			addPCRBase(b[tp.pcrOff:], shift90)
		}
		if tp.ptsOff != 0 {
			writeTimestamp(b[tp.ptsOff:], readTimestamp(b[tp.ptsOff:])+shift90)
		}
		if tp.dtsOff != 0 {
			writeTimestamp(b[tp.dtsOff:], readTimestamp(b[tp.dtsOff:])+shift90)
		}
		if tp.hasPayload && tp.pid != pidNull {
			b[3] = b[3]&0xF0 | (b[3]+byte(k%16)*p.ccStep[tp.pid])&0x0F
		}
	}
	return dst
}
