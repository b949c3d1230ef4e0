package live

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// nack marshals a NACK of channel ssrc for the n sequence numbers from
// first.
func nack(t *testing.T, ssrc uint32, first uint16, n int) []byte {
	t.Helper()
	var pairs []rtcp.NackPair
	for i := 0; i < n; i += 17 {
		p := rtcp.NackPair{PacketID: first + uint16(i)}
		for b := 1; b <= 16 && i+b < n; b++ {
			p.LostPackets |= 1 << (b - 1)
		}
		pairs = append(pairs, p)
	}
	b, err := rtcp.Marshal([]rtcp.Packet{&rtcp.TransportLayerNack{SenderSSRC: 7, MediaSSRC: ssrc, Nacks: pairs}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// udpSocket is a socket on 127.0.0.1 that counts what reaches it.
type udpSocket struct {
	c *net.UDPConn
}

func newUDPSocket(t *testing.T) *udpSocket {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &udpSocket{c}
}

func (s *udpSocket) addr() *net.UDPAddr { return s.c.LocalAddr().(*net.UDPAddr) }

// drain reads until nothing has come for quiet and returns the datagrams
// and bytes read, and the retransmissions (payload type pt) among them.
func (s *udpSocket) drain(quiet time.Duration, pt byte) (datagrams, bytes, rtx int) {
	buf := make([]byte, 64<<10)
	for {
		s.c.SetReadDeadline(time.Now().Add(quiet))
		n, err := s.c.Read(buf)
		if err != nil {
			return
		}
		datagrams++
		bytes += n
		if n >= 12 && buf[1]&0x7f == pt {
			rtx++
		}
	}
}

// gets reports whether a datagram of payload type pt reaches the socket
// among the stream's within a few seconds.
func (s *udpSocket) gets(pt byte) bool {
	buf := make([]byte, 64<<10)
	end := time.Now().Add(5 * time.Second)
	s.c.SetReadDeadline(end)
	for time.Now().Before(end) {
		n, err := s.c.Read(buf)
		if err != nil {
			return false
		}
		if n >= 12 && buf[1]&0x7f == pt {
			return true
		}
	}
	return false
}

// seqNow is a sequence number the channel sent a moment ago, the last
// of a subscriber's stream, once the channel has sent 250 packets, so
// that the 200 before it are in its history.
func seqNow(t *testing.T, e *Engine, s *udpSocket) uint16 {
	t.Helper()
	waitEngine(t, e, "250 packets sent", func(st ChannelStats) bool { return st.Packets >= 250 })
	buf := make([]byte, 64<<10)
	var seq uint16
	got := false
	for {
		wait := time.Second // for the first
		if got {
			wait = 2 * time.Millisecond // the socket's queue is empty
		}
		s.c.SetReadDeadline(time.Now().Add(wait))
		n, err := s.c.Read(buf)
		if err != nil {
			if !got {
				t.Fatalf("no stream at the subscriber: %v", err)
			}
			return seq
		}
		if n >= 12 && buf[1]&0x7f == 33 {
			seq, got = binary.BigEndian.Uint16(buf[2:]), true
		}
	}
}

// TestNACKFromStrangers: the engine answers a NACK only from a current
// subscriber of the channel, and only at its address: a socket that never
// subscribed gets nothing back (it got 99 packets, 130 KB, for one NACK
// before), nor does a subscriber of another channel naming this one; the
// subscriber's own NACK is answered, to it.
func TestNACKFromStrangers(t *testing.T) {
	t.Parallel()
	e := startEngine(t, Config{}, Channel{Retransmit: true})
	sub := newUDPSocket(t)
	if _, err := e.Subscribe("ch1", sub.addr(), SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	seq := seqNow(t, e, sub)
	ssrc := channelStats(t, e).SSRC
	pt := New(Config{}).cfg.RTXPayloadType

	stranger := newUDPSocket(t)
	for range 10 {
		if _, err := stranger.c.WriteToUDP(nack(t, ssrc, seq-100, 100), e.Addr()); err != nil {
			t.Fatal(err)
		}
	}
	st := waitEngine(t, e, "the stranger's NACKs counted", func(st ChannelStats) bool { return st.NACKs >= 10 })
	if n, b, _ := stranger.drain(300*time.Millisecond, pt); n != 0 {
		t.Errorf("a socket that never subscribed got %d datagrams, %d bytes, for 10 NACKs", n, b)
	}
	if st.NACKsRefused != 10 {
		t.Errorf("%d of the stranger's 10 NACKs refused", st.NACKsRefused)
	}

	// The subscriber's own NACK is answered at its address.
	if _, err := sub.c.WriteToUDP(nack(t, ssrc, seq-20, 20), e.Addr()); err != nil {
		t.Fatal(err)
	}
	st = waitEngine(t, e, "the subscriber's NACK answered", func(st ChannelStats) bool { return st.Resent > 0 })
	if st.NACKsRefused != 10 {
		t.Errorf("%d NACKs refused; want the stranger's 10", st.NACKsRefused)
	}
	if !sub.gets(pt) {
		t.Error("the subscriber's NACK brought it no retransmissions")
	}
}

// TestRetransmissionBudget: however many NACKs a subscriber sends, it
// gets at most its budget: rtxBurst at once, then rtxRate a second.
func TestRetransmissionBudget(t *testing.T) {
	t.Parallel()
	e := startEngine(t, Config{History: time.Minute}, Channel{Retransmit: true})
	sub := newUDPSocket(t)
	if _, err := e.Subscribe("ch1", sub.addr(), SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	seq := seqNow(t, e, sub)
	ssrc := channelStats(t, e).SSRC
	start := time.Now()
	const nacks = 20
	for range nacks {
		if _, err := sub.c.WriteToUDP(nack(t, ssrc, seq-200, 200), e.Addr()); err != nil {
			t.Fatal(err)
		}
	}
	st := waitEngine(t, e, "every NACK counted", func(st ChannelStats) bool { return st.NACKs == nacks })
	elapsed := time.Since(start)
	allowed := uint64(rtxBurst + rtxRate*elapsed.Seconds() + 1)
	t.Logf("%d NACKs of 200 in %v: %d resent, %d not held, %d over budget (allowed %d)", nacks, elapsed, st.Resent, st.NotHeld, st.OverBudget, allowed)
	if st.Resent > allowed {
		t.Errorf("%d retransmissions in %v; the budget allows %d", st.Resent, elapsed, allowed)
	}
	if st.OverBudget == 0 || st.Resent == 0 {
		t.Errorf("%d resent, %d over budget; want some of each", st.Resent, st.OverBudget)
	}
}

// TestEngineBindsItsAddress: the engine's socket is on the address
// given, not on every address.
func TestEngineBindsItsAddress(t *testing.T) {
	t.Parallel()
	e := startEngine(t, Config{Addr: "127.0.0.1:0"}, Channel{})
	if a := e.Addr(); !a.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("engine on %v; want 127.0.0.1", a)
	}
}
