package player

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
)

// rtpDatagrams cuts a TS file into RTP datagrams as sendRTP does (seven
// TS packets each, payload type 33), with timestamps as if sent at twice
// real time over dur.
func rtpDatagrams(t *testing.T, file string, dur time.Duration) [][]byte {
	t.Helper()
	ts, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const per = 7 * 188
	n := (len(ts) + per - 1) / per
	interval := dur / 2 / time.Duration(n)
	out := make([][]byte, n)
	for i := range n {
		payload := ts[i*per : min(len(ts), (i+1)*per)]
		pkt := make([]byte, 12, 12+len(payload))
		pkt[0], pkt[1] = 0x80, 33
		binary.BigEndian.PutUint16(pkt[2:], uint16(3000+i))
		binary.BigEndian.PutUint32(pkt[4:], uint32(time.Duration(i)*interval*90000/time.Second))
		binary.BigEndian.PutUint32(pkt[8:], 0xfcc)
		out[i] = append(pkt, payload...)
	}
	return out
}

// TestRTPBurstBeforeOpen plays a live unicast stream as the box asks for
// one: it reserves the port (ReserveRTPPort), the head-end starts a fast
// channel change burst at once, and the player opens the port only
// after that (the session's answer, then Open). The datagrams sent before
// Open — the first GOP, key frame first — must all be played: none lost,
// no decode error, every frame decoded. With the port merely found free
// and bound by Open, the burst's start went to a closed port and the
// picture waited for the next key frame (issue 7's soak).
func TestRTPBurstBeforeOpen(t *testing.T) {
	file, frames := rtpClip(t)
	pkts := rtpDatagrams(t, file, 2*time.Second)
	port, err := ReserveRTPPort()
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	if p := port.Port(); p%2 != 0 || p <= 0 {
		t.Errorf("reserved port %d is not even", p)
	}
	conn, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port.Port()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The first GOP (1 s of the 2 s clip) before Open.
	// A send error (ICMP port unreachable on a port not bound) is the
	// head-end's to count, not the test's: the datagram is lost.
	half := len(pkts) / 2
	for _, b := range pkts[:half] {
		conn.Write(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := Open(ctx, fmt.Sprintf("rtp://@:%d?rtcp=none&timeout=2s", port.Port()), Options{Audio: audio.NewSilent(nil)})
	port.Close() // as the UI does once Open has returned
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, b := range pkts[half:] {
		conn.Write(b)
	}
	st := waitStats(t, p, 30*time.Second, func(s Stats) bool { return s.VideoFrames >= frames-1 }) // the last frame stays in the decoder until the stream ends
	if st.DecodeErrors != 0 || st.ContinuityErrors != 0 || st.PacketsLost != 0 {
		t.Errorf("%d decode errors, %d continuity errors, %d packets lost; want none", st.DecodeErrors, st.ContinuityErrors, st.PacketsLost)
	}
}
