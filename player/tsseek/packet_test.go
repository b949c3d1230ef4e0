package tsseek

import (
	"bytes"
	"testing"

	"github.com/manbang/manbang/player/media"
)

// tsPacket makes a packet of pid with payload (stuffed with 0xFF).
func tsPacket(pid uint16, start bool, payload ...byte) []byte {
	p := bytes.Repeat([]byte{0xFF}, packetSize)
	p[0], p[1], p[2], p[3] = syncByte, byte(pid>>8), byte(pid), 0x10
	if start {
		p[1] |= 0x40
	}
	copy(p[4:], payload)
	return p
}

var (
	testPAT = tsPacket(0, true, 0, 0x00, 0xB0, 13, 0, 1, 0xC1, 0, 0, 0, 1, 0xF0, 0x00, 0, 0, 0, 0)
	testPMT = tsPacket(0x1000, true, 0, 0x02, 0xB0, 23, 0, 1, 0xC1, 0, 0, 0xE1, 0x00, 0xF0, 0,
		0x1B, 0xE1, 0x00, 0xF0, 0, 0x0F, 0xE1, 0x01, 0xF0, 0, 0, 0, 0, 0)
	// A video PES with PTS 0x1_0000_0001 (past 2^32), starting an IDR.
	testPES = tsPacket(0x100, true, 0, 0, 1, 0xE0, 0, 0, 0x80, 0x80, 5, 0x29, 0, 1, 0, 3, 0, 0, 1, 0x65)
)

func TestParsers(t *testing.T) {
	if pid, ok := parsePAT(mustPacket(t, testPAT).payload); !ok || pid != 0x1000 {
		t.Errorf("PAT: PMT PID %#x, %v", pid, ok)
	}
	streams, ok := parsePMT(mustPacket(t, testPMT).payload)
	want := []stream{{0x100, media.KindVideo, media.CodecH264}, {0x101, media.KindAudio, media.CodecAAC}}
	if !ok || len(streams) != 2 || streams[0] != want[0] || streams[1] != want[1] {
		t.Errorf("PMT: %v, %v", streams, ok)
	}
	pts, rest, ok := pesPTS(mustPacket(t, testPES).payload)
	if !ok || pts != 1<<32+1 || !bytes.HasPrefix(rest, []byte{0, 0, 1, 0x65}) {
		t.Errorf("PES: PTS %#x, %v", pts, ok)
	}
	bad := []struct {
		name string
		b    []byte
	}{
		{"short", testPAT[:100]},
		{"no sync", append([]byte{0}, testPAT[1:]...)},
		{"adaptation field too long", append([]byte{0x47, 0x40, 0, 0x30, 200}, testPAT[5:]...)},
	}
	for _, c := range bad {
		if _, ok := parsePacket(c.b); ok {
			t.Errorf("%s: parsed", c.name)
		}
	}
	for _, c := range []struct {
		name    string
		payload []byte
	}{
		{"empty", nil},
		{"pointer past the end", []byte{200, 0}},
		{"section past the end", []byte{0, 0, 0xB0, 200, 0, 1}},
		{"not a PAT", mustPacket(t, testPMT).payload},
	} {
		if _, ok := parsePAT(c.payload); ok {
			t.Errorf("PAT %s: parsed", c.name)
		}
		if _, ok := parsePMT(c.payload); ok && c.name != "not a PAT" {
			t.Errorf("PMT %s: parsed", c.name)
		}
	}
	if _, _, ok := pesPTS([]byte{0, 0, 1, 0xE0, 0, 0, 0x80, 0x00, 0}); ok {
		t.Error("PES without PTS: parsed")
	}
}

func TestResync(t *testing.T) {
	two := append(append([]byte{}, testPAT...), testPMT...)
	cases := []struct {
		name string
		b    []byte
		want int
	}{
		{"aligned", two, 0},
		{"garbage first", append([]byte{1, 0x47, 3}, two...), 3},
		{"no packet", bytes.Repeat([]byte{0x47}, 100), -1},
		{"one packet", testPAT, 0},
	}
	for _, c := range cases {
		if got := resync(c.b); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// The smallest stream that indexes: a PAT, a PMT, one keyframe.
func TestOpenTiny(t *testing.T) {
	b := append(append(append([]byte{}, testPAT...), testPMT...), testPES...)
	ix, err := Open(bytes.NewReader(b), int64(len(b)), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Duration() != 0 || ix.pid != 0x100 || !ix.video {
		t.Errorf("duration %v, PID %#x", ix.Duration(), ix.pid)
	}
	if s, err := ix.Locate(1); err != nil || s.Offset != 0 {
		t.Errorf("Locate = %+v, %v", s, err)
	}
}

func mustPacket(t *testing.T, b []byte) packet {
	t.Helper()
	p, ok := parsePacket(b)
	if !ok {
		t.Fatal("bad test packet")
	}
	return p
}
