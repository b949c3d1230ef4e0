package live

import (
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/player/demux"
	"github.com/manbang/manbang/player/rtp"
)

// lossyRelay stands between the engine and a box on loopback, and loses
// chosen RTP packets of the original stream on the way to the box (their
// retransmissions pass). The engine streams to its engine-side socket,
// the box receives from its box-side socket and sends its RTCP back there
// (to where its packets come from); the relay forwards that RTCP to the
// engine from the engine-side socket, so that the engine sees the
// subscriber's address.
type lossyRelay struct {
	engineSide *net.UDPConn
	boxSide    *net.UDPConn
	engine     *net.UDPAddr
	box        *net.UDPAddr
	lose       func(seq uint16) bool
	wg         sync.WaitGroup

	mu   sync.Mutex
	lost int
}

func newLossyRelay(t *testing.T, engine, box *net.UDPAddr, lose func(seq uint16) bool) *lossyRelay {
	t.Helper()
	listen := func() *net.UDPConn {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	r := &lossyRelay{engineSide: listen(), boxSide: listen(), engine: engine, box: box, lose: lose}
	r.wg.Add(2)
	go r.forward(r.engineSide, r.boxSide, r.box, true)
	go r.forward(r.boxSide, r.engineSide, r.engine, false)
	t.Cleanup(func() {
		r.engineSide.Close()
		r.boxSide.Close()
		r.wg.Wait()
	})
	return r
}

// forward copies datagrams from one socket out of the other to to,
// losing some on the way to the box.
func (r *lossyRelay) forward(from, out *net.UDPConn, to *net.UDPAddr, toBox bool) {
	defer r.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, _, err := from.ReadFromUDP(buf)
		if err != nil {
			return
		}
		b := buf[:n]
		if toBox && n >= 12 && b[1]&0x7F == 33 && r.lose(binary.BigEndian.Uint16(b[2:])) {
			r.mu.Lock()
			r.lost++
			r.mu.Unlock()
			continue
		}
		out.WriteToUDP(b, to)
	}
}

// TestRetransmission loses packets between the engine and a box: the box
// asks for them again, and the demuxer sees an intact stream.
func TestRetransmission(t *testing.T) {
	t.Parallel()
	e := startEngine(t, Config{}, Channel{Retransmit: true})
	b := newBox(t, rtp.Config{Latency: time.Second}) // generous: the machine may be busy
	lostOnce := map[uint16]bool{}
	var mu sync.Mutex
	relay := newLossyRelay(t, e.Addr(), b.addr(), func(seq uint16) bool {
		mu.Lock()
		defer mu.Unlock()
		if seq%9 != 4 || lostOnce[seq] || len(lostOnce) >= 12 {
			return false
		}
		lostOnce[seq] = true
		return true
	})
	if _, err := e.Subscribe("ch1", relay.engineSide.LocalAddr().(*net.UDPAddr), SubscribeOptions{FastChannelChange: true}); err != nil {
		t.Fatal(err)
	}
	b.w.until(t, "1.5s of video", func(pkts []seen, _ demux.Stats) bool {
		f, l, ok := videoSpan(pkts)
		return ok && l-f >= 1500*time.Millisecond
	})
	_, ds := b.w.snapshot()
	rs := b.rx.SourceStats()
	relay.mu.Lock()
	lost := relay.lost
	relay.mu.Unlock()
	st := channelStats(t, e)
	t.Logf("relay lost %d; box %+v; engine NACKs %d resent %d", lost, rs, st.NACKs, st.Resent)
	if lost == 0 {
		t.Fatal("the relay lost nothing")
	}
	if rs.PacketsRecovered == 0 || rs.PacketsLost != 0 {
		t.Errorf("box recovered %d and lost %d packets, want all recovered", rs.PacketsRecovered, rs.PacketsLost)
	}
	if ds.ContinuityErrors != 0 {
		t.Errorf("%d continuity errors reached the demuxer", ds.ContinuityErrors)
	}
	if st.NACKs == 0 || st.Resent == 0 {
		t.Errorf("engine stats %+v", st)
	}
	waitEngine(t, e, "the subscriber's retransmissions counted", func(st ChannelStats) bool {
		return len(st.Subscribers) == 1 && st.Subscribers[0].Resent > 0
	})
}

// TestSSRCChange restarts the engine under a playing box: the box sees a
// new source, counts it, marks a discontinuity and plays on.
func TestSSRCChange(t *testing.T) {
	t.Parallel()
	stream := testStream(t)
	start := func() *Engine {
		e := New(Config{Addr: "127.0.0.1:0", Logger: quiet})
		if err := e.AddChannel(Channel{ID: "ch1", Source: stream}); err != nil {
			t.Fatal(err)
		}
		if err := e.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		return e
	}
	b := newBox(t, rtp.Config{})
	e1 := start()
	if _, err := e1.Subscribe("ch1", b.addr(), SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	b.w.until(t, "video", func(pkts []seen, _ demux.Stats) bool { _, _, ok := videoSpan(pkts); return ok })
	ssrc1 := b.rx.Stats().SSRC
	e1.Close()
	e2 := start()
	defer e2.Close()
	if _, err := e2.Subscribe("ch1", b.addr(), SubscribeOptions{FastChannelChange: true}); err != nil {
		t.Fatal(err)
	}
	n, _ := b.w.snapshot()
	// The old engine's last packets may still be on their way through
	// the box's buffer: the new source's come after the discontinuity.
	b.w.until(t, "video from the restarted engine", func(pkts []seen, _ demux.Stats) bool {
		_, _, ok := videoSpan(pkts[len(n):])
		return ok && len(b.rx.Discontinuities()) > 0
	})
	rs := b.rx.Stats()
	if rs.SSRCChanges != 1 || rs.SSRC == ssrc1 || rs.SSRC != channelStats(t, e2).SSRC || rs.Byes != 1 {
		t.Errorf("receiver stats %+v, want one SSRC change after a BYE", rs)
	}
	if d := b.rx.Discontinuities(); len(d) != 1 {
		t.Errorf("discontinuities %v, want 1", d)
	}
}
