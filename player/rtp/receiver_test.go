package rtp

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/udp"
)

// testSender is a fake head-end on loopback: it sends RTP packets built by
// the test to a receiver and, when retransmit is set, answers NACKs with
// RFC 4588 retransmissions of what it sent.
type testSender struct {
	t          *testing.T
	conn       *net.UDPConn
	to         *net.UDPAddr
	ssrc       uint32
	retransmit bool
	rtcp       chan []rtcp.Packet
	stopped    chan struct{}

	mu      sync.Mutex
	history map[uint16][]byte // payloads by sequence number
}

func newTestSender(t *testing.T, to *net.UDPAddr, ssrc uint32, retransmit bool) *testSender {
	t.Helper()
	return newTestSenderAt(t, net.IPv4(127, 0, 0, 1), to, ssrc, retransmit)
}

// newTestSenderAt is newTestSender sending from ip, a loopback address.
func newTestSenderAt(t *testing.T, ip net.IP, to *net.UDPAddr, ssrc uint32, retransmit bool) *testSender {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		t.Fatal(err)
	}
	s := &testSender{t: t, conn: conn, to: to, ssrc: ssrc, retransmit: retransmit,
		history: map[uint16][]byte{}, rtcp: make(chan []rtcp.Packet, 256), stopped: make(chan struct{})}
	go s.serve()
	t.Cleanup(func() {
		conn.Close()
		<-s.stopped
	})
	return s
}

// serve reads RTCP from the receiver, answering NACKs.
func (s *testSender) serve() {
	defer close(s.stopped)
	buf := make([]byte, 2048)
	var rtxSeq uint16
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		select {
		case s.rtcp <- pkts:
		default:
		}
		for _, p := range pkts {
			nk, ok := p.(*rtcp.TransportLayerNack)
			if !ok || !s.retransmit {
				continue
			}
			for _, pair := range nk.Nacks {
				for _, seq := range pair.PacketList() {
					s.mu.Lock()
					payload, ok := s.history[seq]
					s.mu.Unlock()
					if ok {
						rtxSeq++
						osn := binary.BigEndian.AppendUint16(nil, seq)
						s.conn.WriteToUDP(rtpPacket(96, rtxSeq, 0, s.ssrc+1, append(osn, payload...)), from)
					}
				}
			}
		}
	}
}

// packetPayload is the TS payload of sequence number seq: seven packets
// whose bytes 4-5 carry seq, so that order can be checked.
func packetPayload(seq uint16, cc int) []byte {
	b := tsPackets(7, cc)
	for i := 0; i < len(b); i += tsPacketSize {
		binary.BigEndian.PutUint16(b[i+4:], seq)
	}
	return b
}

// send sends the packet seq of the sender's source, or only records it
// (as if lost on the way) when drop is set.
func (s *testSender) send(seq uint16, drop bool) {
	payload := packetPayload(seq, int(seq)*7)
	s.mu.Lock()
	s.history[seq] = payload
	s.mu.Unlock()
	if drop {
		return
	}
	if _, err := s.conn.WriteToUDP(rtpPacket(33, seq, uint32(seq)*3600, s.ssrc, payload), s.to); err != nil {
		s.t.Error(err)
	}
}

// raw sends any datagram to the receiver.
func (s *testSender) raw(b []byte) {
	if _, err := s.conn.WriteToUDP(b, s.to); err != nil {
		s.t.Error(err)
	}
}

// openTest opens a receiver on a free loopback port.
func openTest(t *testing.T, cfg Config) *Receiver {
	t.Helper()
	r, err := Open(context.Background(), "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// readSeqs reads n RTP payloads' worth of TS from r and returns the
// sequence numbers they carry, in order.
func readSeqs(t *testing.T, r io.Reader, n int) []uint16 {
	t.Helper()
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b := make([]byte, n*7*tsPacketSize)
		_, err := io.ReadFull(r, b)
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			t.Fatalf("read: %v", res.err)
		}
		var seqs []uint16
		for i := 0; i < len(res.b); i += 7 * tsPacketSize {
			seqs = append(seqs, binary.BigEndian.Uint16(res.b[i+4:]))
		}
		return seqs
	case <-time.After(10 * time.Second):
		t.Fatal("reading did not end")
		return nil
	}
}

func seqRange(from, to uint16) []uint16 {
	var s []uint16
	for x := from; x != to; x++ {
		s = append(s, x)
	}
	return s
}

// waitStats waits until cond holds for r's statistics.
func waitStats(t *testing.T, r *Receiver, what string, cond func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := r.Stats()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: stats %+v", what, s)
		}
		<-time.After(5 * time.Millisecond) // poll interval, not a timed assertion
	}
}

func TestReceiverInOrder(t *testing.T) {
	r := openTest(t, Config{})
	s := newTestSender(t, r.LocalAddr(), 0xAAAA, false)
	for seq := uint16(65530); seq != 10; seq++ { // across the wrap
		s.send(seq, false)
	}
	if got, want := readSeqs(t, r, 16), seqRange(65530, 10); !equalSeqs(got, want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	st := r.Stats()
	if st.Packets != 16 || st.Lost != 0 || st.SSRC != 0xAAAA || st.Bytes != 16*7*188 {
		t.Errorf("stats %+v", st)
	}
	var _ media.StatsSource = r
}

func TestReceiverRecoversLoss(t *testing.T) {
	r := openTest(t, Config{Latency: 2 * time.Second}) // the test, not the clock, decides what arrives
	s := newTestSender(t, r.LocalAddr(), 0xBBBB, true)
	for seq := uint16(0); seq < 40; seq++ {
		switch seq {
		case 10, 20, 21: // lost on the way, retransmitted on NACK
			s.send(seq, true)
		case 30: // reordered: sent after 31
		case 31:
			s.send(31, false)
			s.send(30, false)
		default:
			s.send(seq, false)
		}
	}
	if got, want := readSeqs(t, r, 40), seqRange(0, 40); !equalSeqs(got, want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	st := r.Stats()
	if st.Recovered != 3 || st.Lost != 0 || st.RTXPackets != 3 || st.NACKs == 0 || st.NACKedPackets < 3 {
		t.Errorf("stats %+v, want 3 recovered by NACK and RTX", st)
	}
	if st.Reordered+st.Recovered != 4 { // 30 may have been NACKed before it came
		t.Errorf("stats %+v, want packet 30 reordered", st)
	}
	ss := r.SourceStats()
	if ss.PacketsRecovered != st.Recovered || ss.PacketsLost != 0 {
		t.Errorf("source stats %+v", ss)
	}
}

func TestReceiverGivesUp(t *testing.T) {
	r := openTest(t, Config{Latency: 20 * time.Millisecond})
	s := newTestSender(t, r.LocalAddr(), 0xCCCC, false)
	for seq := uint16(0); seq < 20; seq++ {
		s.send(seq, seq == 5 || seq == 6)
	}
	want := append(seqRange(0, 5), seqRange(7, 20)...)
	if got := readSeqs(t, r, 18); !equalSeqs(got, want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	st := r.Stats()
	if st.Lost != 2 || st.Recovered != 0 {
		t.Errorf("stats %+v, want 2 lost", st)
	}
	s.send(5, false) // too late now
	waitStats(t, r, "late packet", func(s Stats) bool { return s.Late == 1 })
}

func TestReceiverDuplicatesAndJunk(t *testing.T) {
	r := openTest(t, Config{NoRTCP: true})
	s := newTestSender(t, r.LocalAddr(), 0xDDDD, false)
	s.send(0, false)
	s.send(1, false)
	s.send(1, false)
	s.raw([]byte("not rtp at all"))
	s.raw(rtpPacket(14, 2, 0, 0xDDDD, tsPackets(7, 0))) // MPA payload type
	s.raw(rtpPacket(33, 2, 0, 0xDDDD, []byte("no TS here")))
	s.send(2, false)
	if got, want := readSeqs(t, r, 3), seqRange(0, 3); !equalSeqs(got, want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	st := r.Stats()
	if st.Duplicate != 1 || st.Malformed != 3 || st.NACKs != 0 || st.ReceiverReports != 0 {
		t.Errorf("stats %+v, want 1 duplicate, 3 malformed, no RTCP", st)
	}
}

func TestReceiverSSRCChange(t *testing.T) {
	for _, bye := range []bool{true, false} {
		name := "silence"
		if bye {
			name = "bye"
		}
		t.Run(name, func(t *testing.T) {
			r := openTest(t, Config{Latency: 30 * time.Millisecond, ReportInterval: 20 * time.Millisecond})
			a := newTestSender(t, r.LocalAddr(), 0x1111, false)
			for seq := uint16(100); seq < 110; seq++ {
				a.send(seq, false)
			}
			if got := readSeqs(t, r, 10); !equalSeqs(got, seqRange(100, 110)) {
				t.Fatalf("first source: read %v", got)
			}
			b := newTestSender(t, r.LocalAddr(), 0x2222, false)
			if bye {
				msg, _ := (&rtcp.Goodbye{Sources: []uint32{0x1111}}).Marshal()
				a.raw(msg)
				waitStats(t, r, "BYE", func(s Stats) bool { return s.Byes == 1 })
			} else {
				// Until the old source has been quiet for the latency, a
				// new one is on probation. Three more reports, 20ms
				// apart, make sure it has been.
				reports := r.Stats().ReceiverReports
				waitStats(t, r, "reports", func(s Stats) bool { return s.ReceiverReports >= reports+3 })
			}
			// The new source's numbering is unrelated to the old one's.
			for seq := uint16(40000); seq < 40007; seq++ {
				b.send(seq, false)
			}
			if got := readSeqs(t, r, 7); !equalSeqs(got, seqRange(40000, 40007)) {
				t.Fatalf("second source: read %v, want 40000..40006", got)
			}
			st := r.Stats()
			if st.SSRCChanges != 1 || st.SSRC != 0x2222 || st.Lost != 0 {
				t.Errorf("stats %+v", st)
			}
			if d := r.Discontinuities(); len(d) != 1 || d[0] != 10*7*188 {
				t.Errorf("discontinuities at %v, want [%d]", d, 10*7*188)
			}
			if !r.DiscontinuityBetween(10*7*188, 10*7*188+1) || r.DiscontinuityBetween(0, 10*7*188) {
				t.Error("DiscontinuityBetween disagrees with Discontinuities")
			}
		})
	}
}

func TestReceiverReports(t *testing.T) {
	r := openTest(t, Config{ReportInterval: 20 * time.Millisecond})
	s := newTestSender(t, r.LocalAddr(), 0xEEEE, false)
	sr, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.SenderReport{SSRC: 0xEEEE, NTPTime: 0x0001_2345_6789_0000}})
	s.send(0, false)
	s.raw(sr)
	s.send(1, false)
	s.send(3, true)
	s.send(2, false)
	readSeqs(t, r, 3)
	waitStats(t, r, "sender report", func(s Stats) bool { return s.SenderReports == 1 })
	deadline := time.After(10 * time.Second)
	for {
		select {
		case pkts := <-s.rtcp:
			for _, p := range pkts {
				rr, ok := p.(*rtcp.ReceiverReport)
				if !ok || len(rr.Reports) != 1 || rr.Reports[0].LastSenderReport == 0 {
					continue
				}
				rep := rr.Reports[0]
				if rep.SSRC != 0xEEEE || rep.LastSequenceNumber != 2 || rep.LastSenderReport != 0x2345_6789 {
					t.Errorf("report %+v", rep)
				}
				r.Close()
				waitGoodbye(t, s, rr.SSRC)
				return
			}
		case <-deadline:
			t.Fatal("no receiver report with the sender report's time")
		}
	}
}

// waitGoodbye waits for the receiver whose SSRC is box to say goodbye.
func waitGoodbye(t *testing.T, s *testSender, box uint32) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case pkts := <-s.rtcp:
			for _, p := range pkts {
				if bye, ok := p.(*rtcp.Goodbye); ok && len(bye.Sources) == 1 && bye.Sources[0] == box {
					return
				}
			}
		case <-deadline:
			t.Fatal("no goodbye from the receiver")
		}
	}
}

func TestReceiverTimeout(t *testing.T) {
	r := openTest(t, Config{Timeout: 100 * time.Millisecond})
	_, err := r.Read(make([]byte, 188))
	var nd *udp.NoDataError
	if !errors.As(err, &nd) {
		t.Fatalf("read error %v, want a NoDataError", err)
	}
	if want := "rtp: no packets on 127.0.0.1:0 for 100ms"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestReceiverClose(t *testing.T) {
	r := openTest(t, Config{})
	done := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 188))
		done <- err
	}()
	r.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("read after close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not unblock Read")
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestReceiverContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Open(ctx, "127.0.0.1:0", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cancel()
	if _, err := r.Read(make([]byte, 188)); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v", err)
	}
}

func equalSeqs(a, b []uint16) bool {
	return bytes.Equal(seqBytes(a), seqBytes(b))
}

func seqBytes(s []uint16) []byte {
	var b []byte
	for _, x := range s {
		b = binary.BigEndian.AppendUint16(b, x)
	}
	return b
}

// TestReceiverRTCPAddress sends reports to a configured RTCP address
// rather than back to the sender, from a socket listening on all
// addresses.
func TestReceiverRTCPAddress(t *testing.T) {
	rtcpConn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rtcpConn.Close()
	r, err := Open(context.Background(), ":0", Config{RTCP: rtcpConn.LocalAddr().String(), ReportInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := newTestSender(t, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: r.LocalAddr().Port}, 0x7777, false)
	s.send(1, false)
	readSeqs(t, r, 1)
	rtcpConn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1500)
	n, err := rtcpConn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := rtcp.Unmarshal(buf[:n])
	if err != nil {
		t.Fatal(err)
	}
	if rr, ok := pkts[0].(*rtcp.ReceiverReport); !ok || len(rr.Reports) != 1 || rr.Reports[0].SSRC != 0x7777 {
		t.Errorf("got %v, want a receiver report about 0x7777", pkts)
	}
}
