package live

import (
	"net"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
)

// TestSendAll sends a fan-out of several batches to loopback sockets:
// every datagram arrives, and each has its offset.
func TestSendAll(t *testing.T) {
	t.Parallel()
	conn, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out, err := newSender(conn)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3*batchSize + 10
	var rx []*net.UDPConn
	for range 4 {
		r, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		rx = append(rx, r)
	}
	payload := []byte("datagram")
	msgs := make([]ipv4.Message, n)
	for i := range msgs {
		msgs[i] = ipv4.Message{Addr: rx[i%len(rx)].LocalAddr(), Buffers: [][]byte{payload}}
	}
	offsets := make([]time.Duration, n)
	start := time.Now()
	var sc sendScratch
	sends, drops := out.sendAll(msgs, start, offsets, &sc)
	if sends != n || drops != 0 {
		t.Fatalf("sent %d, dropped %d; want %d sent", sends, drops, n)
	}
	for i, off := range offsets {
		if off < 0 || (i > 0 && off < offsets[i-1]) {
			t.Errorf("message %d: offset %v after %v, want a later one", i, off, offsets[max(i-1, 0)])
		}
	}
	buf := make([]byte, 64)
	got := 0
	for _, r := range rx {
		r.SetReadDeadline(time.Now().Add(waitLimit))
		for range n / len(rx) {
			if _, err := r.Read(buf); err != nil {
				t.Fatalf("after %d datagrams: %v", got, err)
			}
			got++
		}
	}
}
