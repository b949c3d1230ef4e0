//go:build linux

package live

import (
	"encoding/binary"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestOverlappingFanOuts sends a stream whose datagrams are not evenly
// spaced (the test stream has two 0.75ms apart at each loop's start) to
// enough subscribers that the fan-outs of datagrams close together
// overlap: every subscriber must still get every datagram, in order, and
// the sender reports that go with the fan-outs; whether a paced thread
// sends the slots or the channel's goroutine.
func TestOverlappingFanOuts(t *testing.T) {
	for _, goPacing := range []bool{false, true} {
		t.Run(fmt.Sprintf("goPacing=%v", goPacing), func(t *testing.T) { testOverlappingFanOuts(t, goPacing) })
	}
}

func testOverlappingFanOuts(t *testing.T, goPacing bool) {
	const subs = 200 // a 2.4ms window: the fan-outs of the close datagrams overlap
	e := New(Config{Addr: "127.0.0.1:0", SubscriberTimeout: time.Hour, ReportInterval: 300 * time.Millisecond, Logger: quiet})
	e.goPacing = goPacing
	if err := e.AddChannel(Channel{ID: "ch1", Source: rateStream(t, 2_000_000)}); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	fds := make([]int, subs)
	for i := range fds {
		fd, port, err := loopbackSocket()
		if err != nil {
			t.Fatal(err)
		}
		defer syscall.Close(fd)
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<20)
		fds[i] = fd
		if _, err := e.Subscribe("ch1", loopbackAddr(port), SubscribeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	ch := e.channels["ch1"]
	e.mu.Unlock()
	time.Sleep(2200 * time.Millisecond) // past the loop point at 2s
	e.Close()                           // the channel's figures stand still from here
	ch.mu.Lock()
	st := ch.st
	ch.mu.Unlock()
	if st.Packets < 378 {
		t.Fatalf("%d datagrams sent in 2.2s of a 2s loop of 378", st.Packets)
	}
	buf := make([]byte, 2048)
	for i, fd := range fds {
		var media, reports int
		var last uint16
		for {
			k, err := syscall.Read(fd, buf)
			if err != nil || k < 2 {
				break
			}
			switch pt := buf[1]; {
			case pt&0x7F == payloadTypeMP2T:
				seq := binary.BigEndian.Uint16(buf[2:4])
				if media > 0 && seq != last+1 {
					t.Fatalf("subscriber %d: sequence %d after %d (datagram %d)", i, seq, last, media)
				}
				last = seq
				media++
			case pt == 200: // RTCP sender report
				reports++
			}
		}
		if uint64(media) != st.Packets {
			t.Errorf("subscriber %d got %d datagrams of %d", i, media, st.Packets)
		}
		if reports < 3 {
			t.Errorf("subscriber %d got %d sender reports in 2.2s, at one each 300ms", i, reports)
		}
	}
	if st.Sends != st.Packets*subs || st.Dropped != 0 {
		t.Errorf("%d sends, %d dropped, of %d datagrams to %d subscribers", st.Sends, st.Dropped, st.Packets, subs)
	}
}

// loopbackAddr returns 127.0.0.1:port.
func loopbackAddr(port int) *net.UDPAddr {
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
}
