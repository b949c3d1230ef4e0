package demux

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/manbang/manbang/player/media"
)

// Tests on hand-built PSI tables, for PMT cases ffmpeg does not produce.

// patSection returns a PAT section with program 1 at pmtPID.
func patSection(pmtPID uint16) []byte {
	body := []byte{0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xE0 | byte(pmtPID>>8), byte(pmtPID)}
	return section(0x00, body)
}

// esEntry is one elementary stream of a synthetic PMT.
type esEntry struct {
	pid         uint16
	streamType  byte
	descriptors []byte
}

// pmtSection returns a PMT section of the given version.
func pmtSection(version byte, es ...esEntry) []byte {
	body := []byte{0x00, 0x01, 0xC1 | version<<1, 0x00, 0x00, 0xE1, 0x00, 0xF0, 0x00}
	for _, e := range es {
		n := len(e.descriptors)
		body = append(body, e.streamType, 0xE0|byte(e.pid>>8), byte(e.pid), 0xF0|byte(n>>8), byte(n))
		body = append(body, e.descriptors...)
	}
	return section(0x02, body)
}

func TestTSSyntheticPMT(t *testing.T) {
	lang := func(code string) []byte { return append([]byte{0x0A, 4}, append([]byte(code), 0)...) }
	tests := []struct {
		name string
		es   esEntry
		want media.Stream
	}{
		{"h264 with language", esEntry{0x100, 0x1B, lang("deu")},
			media.Stream{PID: 0x100, Kind: media.KindVideo, Codec: media.CodecH264, Language: "deu"}},
		{"mpeg1 video", esEntry{0x100, 0x01, nil},
			media.Stream{PID: 0x100, Kind: media.KindVideo, Codec: media.CodecMPEG2Video}},
		{"mpeg audio before its first frame", esEntry{0x101, 0x04, lang("eng")},
			media.Stream{PID: 0x101, Kind: media.KindAudio, Codec: media.CodecMP2, Language: "eng"}},
		{"private with DVB AC-3 descriptor", esEntry{0x101, 0x06, []byte{0x6A, 1, 0x00}},
			media.Stream{PID: 0x101, Kind: media.KindAudio, Codec: media.CodecAC3}},
		{"private with AC-3 registration", esEntry{0x101, 0x06, []byte{0x05, 4, 'A', 'C', '-', '3'}},
			media.Stream{PID: 0x101, Kind: media.KindAudio, Codec: media.CodecAC3}},
		{"private with E-AC-3 descriptor", esEntry{0x101, 0x06, []byte{0x7A, 1, 0x00}},
			media.Stream{PID: 0x101, Kind: media.KindAudio}},
		{"private without descriptors", esEntry{0x102, 0x06, nil},
			media.Stream{PID: 0x102}},
		{"E-AC-3", esEntry{0x101, 0x87, nil},
			media.Stream{PID: 0x101, Kind: media.KindAudio}},
		{"unknown type", esEntry{0x103, 0x99, nil},
			media.Stream{PID: 0x103}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append(psiPacket(0, patSection(0x1000)), psiPacket(0x1000, pmtSection(0, tc.es))...)
			ts, pkts, err := demuxAll(t, bytes.NewReader(in))
			if err != io.EOF || len(pkts) != 0 {
				t.Fatalf("got %d packets, %v; want none, io.EOF", len(pkts), err)
			}
			if s := ts.Streams(); len(s) != 1 || s[0] != tc.want {
				t.Errorf("Streams() = %+v, want [%+v]", s, tc.want)
			}
		})
	}
}

func TestTSPMTVersions(t *testing.T) {
	video := esEntry{0x100, 0x1B, nil}
	audio := esEntry{0x101, 0x0F, nil}
	in := psiPacket(0, patSection(0x1000))
	for i, sec := range [][]byte{
		pmtSection(0, video),
		pmtSection(0, video), // repeated: not a new version
		pmtSection(1, video), // same streams, new version
		pmtSection(2, video, audio),
	} {
		in = append(in, psiPacket(0x1000, sec)...)
		in[len(in)-packetSize+3] |= byte(i) // continuity counter
	}
	ts, _, err := demuxAll(t, bytes.NewReader(in))
	if err != io.EOF {
		t.Fatal(err)
	}
	if got := ts.Stats().PMTVersions; got != 3 {
		t.Errorf("PMTVersions = %d, want 3", got)
	}
	if s := ts.Streams(); len(s) != 2 || s[1].Codec != media.CodecAAC {
		t.Errorf("Streams() = %+v, want h264 and aac", s)
	}
}

// section wraps body (from the table id extension on) into a PSI section
// with its header and CRC.
func section(tableID byte, body []byte) []byte {
	n := len(body) + 4
	s := append([]byte{tableID, 0xB0 | byte(n>>8), byte(n)}, body...)
	crc := mpegCRC32(s)
	return append(s, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
}

// psiPacket puts one section into a TS packet on pid.
func psiPacket(pid uint16, sec []byte) []byte {
	p := []byte{syncByte, 0x40 | byte(pid>>8), byte(pid), 0x10, 0x00}
	p = append(p, sec...)
	for len(p) < packetSize {
		p = append(p, 0xFF)
	}
	return p
}

func mpegCRC32(b []byte) uint32 {
	crc := uint32(0xFFFFFFFF)
	for _, c := range b {
		crc ^= uint32(c) << 24
		for i := 0; i < 8; i++ {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04C11DB7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// pesPacket returns one TS packet on pid holding a whole PES packet with a
// PTS. Audio PES (stream id 0xC0) carry their length; video ones 0.
func pesPacket(pid uint16, cc byte, streamID byte, pts int64, payload []byte) []byte {
	pes := []byte{0, 0, 1, streamID, 0, 0, 0x80, 0x80, 5,
		0x21 | byte(pts>>29)&0x0E, byte(pts >> 22), byte(pts>>14) | 1, byte(pts >> 7), byte(pts<<1) | 1}
	pes = append(pes, payload...)
	if streamID != 0xE0 {
		n := len(pes) - 6
		pes[4], pes[5] = byte(n>>8), byte(n)
	}
	p := []byte{syncByte, 0x40 | byte(pid>>8), byte(pid), 0x10 | cc&0xF}
	p = append(p, pes...)
	for len(p) < packetSize {
		p = append(p, 0xFF)
	}
	return p[:packetSize]
}

// TestTSLateMPEGAudio checks the holding back of packets while an MPEG
// audio stream's layer is unknown, with the first audio frame arriving
// after more than maxHeld video packets.
func TestTSLateMPEGAudio(t *testing.T) {
	in := psiPacket(0, patSection(0x1000))
	in = append(in, psiPacket(0x1000, pmtSection(0, esEntry{0x100, 0x1B, nil}, esEntry{0x101, 0x03, nil}))...)
	const videoBefore = maxHeld + 20
	for i := 0; i < videoBefore+10; i++ {
		if i == videoBefore {
			mp3 := []byte{0xFF, 0xFB, 0x90, 0x64, 1, 2, 3}
			in = append(in, pesPacket(0x101, 0, 0xC0, int64(i)*3600, mp3)...)
		}
		in = append(in, pesPacket(0x100, byte(i), 0xE0, int64(i)*3600, []byte{0, 0, 0, 1, 0x09, 0xF0})...)
	}
	ts := NewTS(context.Background(), bytes.NewReader(in))
	var pkts []*media.Packet
	for {
		p, err := ts.Next()
		if err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		if len(pkts) == 0 {
			if s := ts.Streams(); s[1].Codec != media.CodecMP2 {
				t.Errorf("after giving up, audio is reported as %q, want mp2", s[1].Codec)
			}
		}
		pkts = append(pkts, p)
	}
	if len(pkts) != videoBefore+10+1 {
		t.Fatalf("got %d packets, want %d", len(pkts), videoBefore+10+1)
	}
	for i, p := range pkts {
		if i > 0 && p.Stream.Kind == media.KindVideo && p.PTS <= pkts[i-1].PTS && pkts[i-1].Stream.Kind == media.KindVideo {
			t.Fatalf("packet %d out of order", i)
		}
		if p.Stream.Kind == media.KindAudio && p.Stream.Codec != media.CodecMP3 {
			t.Errorf("audio packet codec %q, want mp3", p.Stream.Codec)
		}
	}
	if s := ts.Streams(); s[1].Codec != media.CodecMP3 {
		t.Errorf("in the end audio is %q, want mp3", s[1].Codec)
	}
}
