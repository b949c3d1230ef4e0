//go:build faults

package faults

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/live"
)

// TestRTPSpoofedSource plays a live channel by unicast from the head-end's
// live engine while a stranger sends RTP with the stream's SSRC and junk
// TS to the box's port (issue 21, finding 6): the box names the engine as
// its source, as it does for a unicast session, and must drop all of the
// stranger's packets and go on playing without a decode or continuity
// error.
func TestRTPSpoofedSource(t *testing.T) {
	e := live.New(live.Config{Addr: "127.0.0.1:0", SubscriberTimeout: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	defer e.Close()
	if err := e.AddChannel(live.Channel{ID: "spoof", Source: fixture.liveTS, Retransmit: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	secs, injected := 8, 400
	if testing.Short() {
		secs, injected = 4, 150
	}
	// The stranger: another loopback address where the kernel allows it,
	// else another port of the engine's.
	stranger, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		if stranger, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
			t.Fatal(err)
		}
	}
	defer stranger.Close()

	port := freeUDPPort(t)
	engine := e.Addr().String()
	locator := fmt.Sprintf("rtp://@:%d?rtcp=%s&source=%s", port, engine, engine) // as ui/session makes it for unicast
	done := make(chan played, 1)
	go func() {
		done <- play(t, time.Duration(secs+30)*time.Second, locator,
			"--duration", fmt.Sprintf("%ds", secs), "--stall-timeout", "10s", "--log-level", "error")
	}()
	if err := waitUDPBound(port, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	box := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	sub, err := e.Subscribe("spoof", box, live.SubscribeOptions{FastChannelChange: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// The box plays once it reports on the stream.
	if err := spoofWait(20*time.Second, func() bool { return sub.Stats().Report != nil }); err != nil {
		t.Fatalf("the box sent no receiver report: %v", err)
	}
	var ssrc uint32
	for _, c := range e.Stats().Channels {
		if c.ID == "spoof" {
			ssrc = c.SSRC
		}
	}
	sent := spoofSend(t, stranger, box, ssrc, injected)
	p := <-done
	st := p.stats
	refused := st.PacketsForeign
	accepted := max(sent-refused, 0)
	ok := p.exitOK && st.PresentedFrames > 0 && st.DecodeErrors == 0 && st.ContinuityErrors == 0 && refused == sent
	detail := fmt.Sprintf("%d packets injected (stream's SSRC, junk TS on the video and audio PIDs, retransmissions, a BYE) from %s; %d accepted from the stranger, %d dropped; %d decode and %d continuity errors; %d / %d frames shown",
		sent, stranger.LocalAddr(), accepted, refused, st.DecodeErrors, st.ContinuityErrors, st.PresentedFrames, 30*secs)
	report.add("security", "RTP from a spoofed source", verdict(ok), detail)
	t.Log(detail)
	if !ok {
		t.Errorf("spoofed source: %s; exit ok %v\n%s", detail, p.exitOK, lastLine(p.stderr))
	}
}

// spoofSend sends n datagrams from conn to the box, 5ms apart: RTP of the
// stream's SSRC carrying junk TS packets on the PIDs ffmpeg gives video
// and audio (0x100, 0x101), with sequence numbers all over, some RFC 4588
// retransmissions and an RTCP BYE of the source. It returns how many it
// sent.
func spoofSend(t *testing.T, conn *net.UDPConn, box *net.UDPAddr, ssrc uint32, n int) int {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 6))
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	sent := 0
	for i := range n {
		var b []byte
		switch {
		case i%50 == 49: // a goodbye of the source: would let the stranger take over
			b = []byte{0x81, 203, 0, 1}
			b = binary.BigEndian.AppendUint32(b, ssrc)
		case i%10 == 9: // a retransmission
			b = spoofHeader(96, uint16(rng.UintN(1<<16)), ssrc+1)
			b = binary.BigEndian.AppendUint16(b, uint16(rng.UintN(1<<16)))
			b = append(b, spoofJunkTS(rng)...)
		default:
			b = append(spoofHeader(33, uint16(rng.UintN(1<<16)), ssrc), spoofJunkTS(rng)...)
		}
		if _, err := conn.WriteToUDP(b, box); err != nil {
			t.Fatalf("stranger: %v", err)
		}
		sent++
		<-tick.C
	}
	return sent
}

func spoofHeader(pt uint8, seq uint16, ssrc uint32) []byte {
	b := []byte{0x80, pt}
	b = binary.BigEndian.AppendUint16(b, seq)
	b = binary.BigEndian.AppendUint32(b, rand.Uint32())
	return binary.BigEndian.AppendUint32(b, ssrc)
}

// spoofJunkTS is seven TS packets of random bytes on the video or audio PID.
func spoofJunkTS(rng *rand.Rand) []byte {
	b := make([]byte, 7*188)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	for i := 0; i < len(b); i += 188 {
		pid := 0x100 + rng.UintN(2)
		b[i], b[i+1], b[i+2], b[i+3] = 0x47, byte(pid>>8), byte(pid), 0x10|byte(rng.UintN(16))
	}
	return b
}

// spoofWait polls cond until it holds, at most for deadline.
func spoofWait(deadline time.Duration, cond func() bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}
