package source

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/rtp"
	"github.com/manbang/manbang/player/udp"
)

// livePackets returns seven TS packets with continuity counters from cc.
func livePackets(cc int) []byte {
	var b []byte
	for i := range 7 {
		p := make([]byte, 188)
		p[0], p[1], p[2], p[3] = 0x47, 0x01, 0x00, 0x10|byte((cc+i)&0xF)
		b = append(b, p...)
	}
	return b
}

// TestOpenLive opens unicast udp:// and rtp:// locators on loopback,
// sends them TS and reads it back.
func TestOpenLive(t *testing.T) {
	tests := []struct {
		name    string
		locator string
		wrap    func(seq uint16, ts []byte) []byte
	}{
		{"udp", "udp://127.0.0.1:0?timeout=10s&buffer=1000000", func(_ uint16, ts []byte) []byte { return ts }},
		{"rtp", "rtp://@127.0.0.1:0?rtcp=none&latency=50ms&timeout=10s", func(seq uint16, ts []byte) []byte {
			h := []byte{0x80, 33}
			h = binary.BigEndian.AppendUint16(h, seq)
			h = append(h, 0, 0, 0, 0, 0, 0, 0, 7)
			return append(h, ts...)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := Open(context.Background(), tc.locator, Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			var to *net.UDPAddr
			switch r := rc.(type) {
			case *udp.Reader:
				to = r.LocalAddr()
			case *rtp.Receiver:
				to = r.LocalAddr()
				var _ media.StatsSource = r
			default:
				t.Fatalf("Open returned a %T", rc)
			}
			c, err := net.DialUDP("udp", nil, to)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var want []byte
			for seq := range uint16(4) {
				ts := livePackets(int(seq) * 7)
				want = append(want, ts...)
				if _, err := c.Write(tc.wrap(seq, ts)); err != nil {
					t.Fatal(err)
				}
			}
			got := make([]byte, len(want))
			if _, err := io.ReadFull(rc, got); err != nil { // timeout=10s bounds the wait
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Error("bytes differ")
			}
		})
	}
}

func TestOpenLiveTimeout(t *testing.T) {
	for _, scheme := range []string{"udp", "rtp"} {
		rc, err := Open(context.Background(), scheme+"://@127.0.0.1:0?timeout=50ms", Config{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = rc.Read(make([]byte, 188))
		rc.Close()
		var nd *udp.NoDataError
		if want := scheme + ": no packets on 127.0.0.1:0 for 50ms"; !errors.As(err, &nd) || err.Error() != want {
			t.Errorf("%s: read error %v, want %q", scheme, err, want)
		}
	}
}
