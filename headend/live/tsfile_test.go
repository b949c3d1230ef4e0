package live

import (
	"os"
	"strings"
	"testing"
)

func TestParseProgram(t *testing.T) {
	p, err := loadProgram(testStream(t))
	if err != nil {
		t.Fatal(err)
	}
	// 2 seconds of 25 fps video: the loop is 50 frames long.
	if want := int64(2 * ticks27); p.period != want {
		t.Errorf("period %d ticks, want %d", p.period, want)
	}
	for i := 1; i < len(p.at); i++ {
		if p.at[i] < p.at[i-1] {
			t.Fatalf("due time of packet %d goes back", i)
		}
	}
	if last := p.at[len(p.at)-1]; last >= p.period || last < p.period/2 {
		t.Errorf("last packet due at %d ticks, loop %d", last, p.period)
	}
	var raps, total int
	for _, c := range p.chunks {
		if c.n < 1 || c.n > packetsPerDatagram {
			t.Fatalf("chunk of %d packets", c.n)
		}
		total += c.n
		if c.rap {
			raps++
			if pid := p.pkts[c.start].pid; pid != pidPAT && pid != 0x11 {
				t.Errorf("random access chunk starts with PID %d, want the PAT or SDT before it", pid)
			}
		}
	}
	if raps != 2 || total != len(p.pkts) {
		t.Errorf("%d random access points in %d packets of %d, want 2 (GOP 1s)", raps, total, len(p.pkts))
	}
}

// TestLoopRewrite checks that loop k's packets carry PCR, PTS and DTS
// moved on by k loop lengths, and continuity counters that continue
// those of loop k-1.
func TestLoopRewrite(t *testing.T) {
	p, err := loadProgram(testStream(t))
	if err != nil {
		t.Fatal(err)
	}
	loop := func(k int64) []byte {
		var b []byte
		for _, c := range p.chunks {
			b = p.appendChunk(b, c, k, k*p.period/ticksPer90%wrap33)
		}
		return b
	}
	l0, l1, l2 := loop(0), loop(1), loop(2)
	shift := p.period / ticksPer90
	lastCC := map[uint16]byte{}
	for i, tp := range p.pkts {
		if tp.hasPayload {
			lastCC[tp.pid] = l0[i*tsSize+3] & 0x0F
		}
	}
	seen := map[uint16]bool{}
	for i, tp := range p.pkts {
		a, b, c := l0[i*tsSize:], l1[i*tsSize:], l2[i*tsSize:]
		if tp.pcrOff != 0 {
			if d := readPCR(b[tp.pcrOff:]) - readPCR(a[tp.pcrOff:]); d != shift*ticksPer90 {
				t.Fatalf("packet %d: loop 1 PCR moved by %d", i, d)
			}
		}
		if tp.ptsOff != 0 {
			if d := readTimestamp(c[tp.ptsOff:]) - readTimestamp(a[tp.ptsOff:]); d != 2*shift {
				t.Fatalf("packet %d: loop 2 PTS moved by %d, want %d", i, d, 2*shift)
			}
		}
		if tp.dtsOff != 0 {
			if d := readTimestamp(b[tp.dtsOff:]) - readTimestamp(a[tp.dtsOff:]); d != shift {
				t.Fatalf("packet %d: loop 1 DTS moved by %d", i, d)
			}
		}
		if tp.hasPayload && !seen[tp.pid] {
			seen[tp.pid] = true
			if want := (lastCC[tp.pid] + 1) & 0x0F; b[3]&0x0F != want {
				t.Errorf("PID %d: loop 1 starts with CC %d, want %d", tp.pid, b[3]&0x0F, want)
			}
		}
		if a[0] != tsSync || b[1] != a[1] || b[2] != a[2] || b[3]&0xF0 != a[3]&0xF0 {
			t.Fatalf("packet %d: header changed beyond the counter", i)
		}
	}
}

func TestTimestampFields(t *testing.T) {
	for _, v := range []int64{0, 1, 90000, wrap33 - 1, 0x1_2345_6789} {
		b := []byte{0x31, 0, 1, 0, 1} // PTS-only prefix and marker bits
		writeTimestamp(b, v)
		if got := readTimestamp(b); got != v&(wrap33-1) || b[0]&0xF1 != 0x31 || b[2]&1 != 1 || b[4]&1 != 1 {
			t.Errorf("%d: read back %d, bytes %x", v, got, b)
		}
		pcr := []byte{0, 0, 0, 0, 0x7E, 0x2A} // reserved bits, extension 42
		addPCRBase(pcr, v)
		if got := readPCR(pcr); got != (v&(wrap33-1))*300+42 || pcr[4]&0x7E != 0x7E {
			t.Errorf("%d: PCR read back %d, bytes %x", v, got, pcr)
		}
	}
}

func TestParseProgramErrors(t *testing.T) {
	good, err := os.ReadFile(testStream(t))
	if err != nil {
		t.Fatal(err)
	}
	noPCR := append([]byte(nil), good[:188*40]...)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not an MPEG-TS file: shorter than a packet"},
		{"text", []byte(strings.Repeat("not a transport stream ", 20)), "not an MPEG-TS file: no sync byte at offset 0"},
		{"garbage inside", append(append([]byte(nil), good[:188*3]...), make([]byte, 188)...), "not an MPEG-TS file: no sync byte at offset 564"},
		{"no PSI", good[188*3 : 188*3+188] /* an ES packet */, "no PAT and PMT"},
		{"too few PCRs", noPCR[:188*3], "PCRs on PID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseProgram(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// FuzzParseProgram: the file analysis never panics, whatever the file.
func FuzzParseProgram(f *testing.F) {
	good, err := os.ReadFile(testStream(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good[:188*30])
	f.Add([]byte{0x47, 0x40, 0, 0x10, 0, 0, 0xB0, 0x0D})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseProgram(b)
		if err != nil {
			return
		}
		for _, c := range p.chunks {
			p.appendChunk(nil, c, 3, 12345)
		}
	})
}
