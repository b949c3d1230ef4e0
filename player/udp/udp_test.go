package udp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// tsPackets returns n TS packets whose byte 4 is its index.
func tsPackets(n int) []byte {
	var b []byte
	for i := range n {
		p := make([]byte, tsPacketSize)
		p[0], p[1], p[3], p[4] = tsSyncByte, 0x01, 0x10, byte(i)
		b = append(b, p...)
	}
	return b
}

// rtpWrap puts payload in an RTP packet with the given first byte (for
// CSRC count, extension and padding bits), adding what those bits need.
func rtpWrap(first byte, payload []byte) []byte {
	b := []byte{first, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}
	for range first & 0x0F {
		b = append(b, 0, 0, 0, 9)
	}
	if first&0x10 != 0 {
		b = append(b, 0xBE, 0xDE, 0, 1, 1, 2, 3, 4)
	}
	b = append(b, payload...)
	if first&0x20 != 0 {
		b = append(b, 0, 0, 3)
	}
	return b
}

func TestTSPayload(t *testing.T) {
	seven := tsPackets(7)
	tests := []struct {
		name string
		in   []byte
		want []byte
		kind PayloadKind
	}{
		{"raw", seven, seven, RawTS},
		{"raw one", seven[:188], seven[:188], RawTS},
		{"raw truncated", seven[:188*3+50], seven[:188*3], Truncated},
		{"rtp", rtpWrap(0x80, seven), seven, RTPWrapped},
		{"rtp with csrc, extension and padding", rtpWrap(0x80|0x20|0x10|2, seven), seven, RTPWrapped},
		{"rtp not ts", rtpWrap(0x80, []byte("hello")), nil, NotTS},
		{"rtp header cut", rtpWrap(0x80|0x10, nil)[:14], nil, NotTS},
		{"rtp padding beyond", []byte{0xA0, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 200}, nil, NotTS},
		{"rtp version 1", append([]byte{0x40}, rtpWrap(0x80, seven)[1:]...), nil, NotTS},
		{"short", seven[:100], nil, NotTS},
		{"empty", nil, nil, NotTS},
		{"garbage", []byte("GET / HTTP/1.1\r\n"), nil, NotTS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, kind := TSPayload(tc.in)
			if !bytes.Equal(got, tc.want) || kind != tc.kind {
				t.Errorf("got %d bytes, kind %d; want %d bytes, kind %d", len(got), kind, len(tc.want), tc.kind)
			}
		})
	}
}

// FuzzTSPayload: TSPayload never panics, and returns whole TS packets
// from within the datagram.
func FuzzTSPayload(f *testing.F) {
	f.Add(tsPackets(7))
	f.Add(rtpWrap(0x80|0x20|0x10|2, tsPackets(2)))
	f.Add([]byte{0x90, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, kind := TSPayload(b)
		if kind == NotTS {
			if got != nil {
				t.Fatal("NotTS with bytes")
			}
			return
		}
		if len(got) == 0 || len(got)%tsPacketSize != 0 || got[0] != tsSyncByte || len(got) > len(b) {
			t.Fatalf("kind %d: %d bytes from %d", kind, len(got), len(b))
		}
	})
}

// openLoopback opens a Reader on a free loopback port and a socket to
// send to it.
func openLoopback(t *testing.T, cfg Config) (*Reader, *net.UDPConn) {
	t.Helper()
	r, err := Open(context.Background(), "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	c, err := net.DialUDP("udp", nil, r.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return r, c
}

func TestReader(t *testing.T) {
	r, c := openLoopback(t, Config{})
	seven := tsPackets(7)
	for _, d := range [][]byte{seven, []byte("junk"), rtpWrap(0x80, seven[:188*2]), seven[:188+7]} {
		if _, err := c.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	want := append(append(append([]byte(nil), seven...), seven[:188*2]...), seven[:188]...)
	got := make([]byte, len(want))
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(r, got[:100]) // a read smaller than a datagram
		if err == nil {
			_, err = io.ReadFull(r, got[100:])
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("read did not end")
	}
	if !bytes.Equal(got, want) {
		t.Error("bytes differ")
	}
	st := r.Stats()
	if st.Datagrams != 3 || st.Malformed != 1 || st.RTP != 1 || st.Truncated != 1 || st.Bytes != int64(len(want)) || st.Sender != c.LocalAddr().String() {
		t.Errorf("stats %+v", st)
	}
}

func TestReaderTimeout(t *testing.T) {
	r, _ := openLoopback(t, Config{Timeout: 50 * time.Millisecond})
	_, err := r.Read(make([]byte, 188))
	var nd *NoDataError
	if !errors.As(err, &nd) || !nd.Timeout() {
		t.Fatalf("read: %v, want NoDataError", err)
	}
	if want := "udp: no packets on 127.0.0.1:0 for 50ms"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestReaderClose(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, how := range []string{"close", "cancel"} {
		t.Run(how, func(t *testing.T) {
			r, err := Open(ctx, "127.0.0.1:0", Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			done := make(chan error, 1)
			go func() {
				_, err := r.Read(make([]byte, 188))
				done <- err
			}()
			want := ErrClosed
			if how == "close" {
				r.Close()
			} else {
				cancel()
				want = context.Canceled
			}
			select {
			case err := <-done:
				if !errors.Is(err, want) {
					t.Errorf("read: %v, want %v", err, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("read not unblocked")
			}
		})
	}
}

func TestListenErrors(t *testing.T) {
	tests := []struct {
		addr  string
		iface string
		want  string
	}{
		{"nonsense", "", `address "nonsense": address nonsense: missing port in address`},
		{"[ff0e::1]:1234", "", "join [ff0e::1]:1234: IPv6 multicast is not supported"},
		{"239.255.0.1:1234", "nosuch0", `join 239.255.0.1:1234: interface "nosuch0": route ip+net: no such network interface`},
	}
	for _, tc := range tests {
		c, err := Listen(tc.addr, ListenConfig{Interface: tc.iface})
		if err == nil {
			c.Close()
			t.Errorf("Listen(%q) succeeded", tc.addr)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("Listen(%q): %q, want %q", tc.addr, err, tc.want)
		}
	}
}
