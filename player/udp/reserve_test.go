package udp

import (
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"
)

// sendTo sends each datagram to 127.0.0.1:port.
func sendTo(t *testing.T, port int, datagrams ...[]byte) {
	t.Helper()
	c, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, d := range datagrams {
		if _, err := c.Write(d); err != nil {
			t.Fatal(err)
		}
	}
}

// readAll reads n datagrams from conn, failing after a deadline.
func readAll(t *testing.T, conn *net.UDPConn, n int) [][]byte {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got [][]byte
	buf := make([]byte, 2048)
	for range n {
		k, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %d datagrams: %v", len(got), err)
		}
		got = append(got, append([]byte(nil), buf[:k]...))
	}
	return got
}

// TestReserveKeepsEarlyDatagrams sends datagrams to a reserved port before
// Listen: Listen of that port must take the reserved socket over, with
// every datagram in it, first one included (the start of a fast channel
// change burst, sent as soon as the head-end is told the port).
func TestReserveKeepsEarlyDatagrams(t *testing.T) {
	for _, listen := range []string{":%d", "0.0.0.0:%d", "[::]:%d"} {
		t.Run(listen, func(t *testing.T) {
			r, err := Reserve(":0", ListenConfig{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			early := [][]byte{[]byte("first, the key frame"), []byte("second"), []byte("third")}
			sendTo(t, r.Port(), early...)
			addr := fmt.Sprintf(listen, r.Port())
			conn, err := Listen(addr, ListenConfig{})
			if err != nil {
				t.Fatalf("Listen %s of a reserved port: %v", addr, err)
			}
			defer conn.Close()
			late := []byte("after Listen")
			sendTo(t, r.Port(), late)
			got := readAll(t, conn, 4)
			for i, want := range append(early, late) {
				if !bytes.Equal(got[i], want) {
					t.Errorf("datagram %d: %q, want %q", i, got[i], want)
				}
			}
			// Closing the reservation once Listen has it leaves the socket
			// open: it is the reader's now.
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			sendTo(t, r.Port(), []byte("after Close"))
			if got := readAll(t, conn, 1); string(got[0]) != "after Close" {
				t.Errorf("after the reservation's Close: %q", got[0])
			}
		})
	}
}

// TestReserveRelease checks that Close frees a reservation not taken, that
// a Listen on another address does not take it, and that a second
// Listen of the port binds anew (and fails while the first holds it).
func TestReserveRelease(t *testing.T) {
	r, err := Reserve(":0", ListenConfig{})
	if err != nil {
		t.Fatal(err)
	}
	port := r.Port()
	if c, err := Listen(fmt.Sprintf("127.0.0.2:%d", port), ListenConfig{}); err == nil {
		c.Close()
		t.Errorf("Listen on 127.0.0.2:%d succeeded beside a reservation on every address", port)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	c, err := Listen(fmt.Sprintf(":%d", port), ListenConfig{})
	if err != nil {
		t.Fatalf("the port is not free after Close: %v", err)
	}
	defer c.Close()
	if c2, err := Listen(fmt.Sprintf(":%d", port), ListenConfig{}); err == nil {
		c2.Close()
		t.Error("a second Listen of the port took a socket already taken")
	}

	r2, err := Reserve("127.0.0.1:0", ListenConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if _, ok := take(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: r2.Port()}); ok {
		t.Error("a reservation on 127.0.0.1 was taken for 127.0.0.2")
	}
	if _, err := Reserve("239.1.2.3:5000", ListenConfig{}); err == nil {
		t.Error("a multicast group was reserved")
	}
	if _, err := Reserve("nonsense", ListenConfig{}); err == nil {
		t.Error("a bad address was reserved")
	}
}
