//go:build linux && cgo

package paced

import (
	"bytes"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
)

// sender starts a Sender on a loopback UDP socket, closed with the test.
func sender(t *testing.T, prio int) (*Sender, string, error) {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	f, err := conn.File() // a descriptor of its own, blocking: MSG_DONTWAIT keeps sends from waiting
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	s, got, err := Start(int(f.Fd()), prio)
	if s == nil {
		t.Fatalf("Start: %v", err)
	}
	return s, got, err
}

// receivers opens n loopback sockets and returns them with their
// addresses as messages.
func receivers(t *testing.T, n int) ([]*net.UDPConn, []ipv4.Message) {
	t.Helper()
	var rx []*net.UDPConn
	var msgs []ipv4.Message
	for range n {
		r, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		rx = append(rx, r)
		msgs = append(msgs, ipv4.Message{Addr: r.LocalAddr()})
	}
	return rx, msgs
}

// read returns the next datagram r receives within a second.
func read(t *testing.T, r *net.UDPConn) []byte {
	t.Helper()
	buf := make([]byte, 2048)
	r.SetReadDeadline(time.Now().Add(time.Second))
	n, _, err := r.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("receiver %s: %v", r.LocalAddr(), err)
	}
	return buf[:n]
}

// TestSlotsGoAtTheirTimes hands over slots some milliseconds ahead: each
// destination gets each datagram and then its report, in order, and no
// slot leaves before its time.
func TestSlotsGoAtTheirTimes(t *testing.T) {
	s, _, _ := sender(t, 0)
	rx, msgs := receivers(t, 5)
	start := time.Now().Add(5 * time.Millisecond)
	const slots = 4
	var ats []time.Time
	for i := range slots {
		at := start.Add(time.Duration(i) * 3 * time.Millisecond)
		ats = append(ats, at)
		var report []byte
		if i == 1 {
			report = []byte("report 1")
		}
		if !s.Take(at, msgs, []byte{'d', byte('0' + i)}, report) {
			t.Fatalf("slot %d not taken, with room for %d", i, s.Room())
		}
	}
	if got := s.Room(); got != Slots-slots {
		t.Errorf("Room() = %d after %d slots, want %d", got, slots, Slots-slots)
	}
	var done int
	deadline := time.Now().Add(time.Second)
	for done < slots && time.Now().Before(deadline) {
		s.Done(func(sent []time.Time) {
			if len(sent) != len(msgs) {
				t.Fatalf("slot %d: %d results for %d destinations", done, len(sent), len(msgs))
			}
			for j, at := range sent {
				if at.Before(ats[done]) {
					t.Errorf("slot %d, destination %d: sent %v before its time", done, j, ats[done].Sub(at))
				}
			}
			done++
		})
		time.Sleep(time.Millisecond)
	}
	if done != slots {
		t.Fatalf("%d of %d slots sent in a second", done, slots)
	}
	for _, r := range rx {
		for i := range slots {
			if got, want := read(t, r), []byte{'d', byte('0' + i)}; !bytes.Equal(got, want) {
				t.Fatalf("%s: %q, want datagram %q", r.LocalAddr(), got, want)
			}
			if i == 1 {
				if got := read(t, r); string(got) != "report 1" {
					t.Fatalf("%s: %q after datagram 1, want its report", r.LocalAddr(), got)
				}
			}
		}
	}
	s.Close(func([]time.Time) { t.Error("Close gave a slot that Done had given") })
}

// TestRefusedDestination sends to a slot with a destination the kernel
// refuses (no IPv4 address): that one is reported unsent, the others get
// the datagram.
func TestRefusedDestination(t *testing.T) {
	s, _, _ := sender(t, 0)
	rx, msgs := receivers(t, 2)
	msgs = []ipv4.Message{msgs[0], {Addr: &net.UDPAddr{IP: net.ParseIP("::1"), Port: 9}}, msgs[1]}
	if !s.Take(time.Now(), msgs, []byte("x"), nil) {
		t.Fatal("slot not taken")
	}
	var got []time.Time
	s.Close(func(sent []time.Time) { got = append(got, sent...) })
	if len(got) != 3 || got[0].IsZero() || !got[1].IsZero() || got[2].IsZero() {
		t.Errorf("sent %v, want the second (refused) alone zero", got)
	}
	for _, r := range rx {
		if d := read(t, r); string(d) != "x" {
			t.Errorf("%s: %q, want %q", r.LocalAddr(), d, "x")
		}
	}
}

// TestTakeRefuses checks what Take does not take: more destinations, a
// longer datagram or report than a slot holds, anything once the ring is
// full or the Sender closed.
func TestTakeRefuses(t *testing.T) {
	s, _, _ := sender(t, 0)
	_, msgs := receivers(t, 1)
	far := time.Now().Add(time.Hour)
	many := make([]ipv4.Message, MaxDests+1)
	for i := range many {
		many[i] = msgs[0]
	}
	tests := []struct {
		name         string
		msgs         []ipv4.Message
		data, report []byte
	}{
		{"too many destinations", many, []byte("x"), nil},
		{"datagram too long", msgs, make([]byte, MaxData+1), nil},
		{"report too long", msgs, []byte("x"), make([]byte, MaxReport+1)},
	}
	for _, tt := range tests {
		if s.Take(far, tt.msgs, tt.data, tt.report) {
			t.Errorf("%s: taken", tt.name)
		}
	}
	if !s.Take(time.Now(), many[:MaxDests], make([]byte, MaxData), make([]byte, MaxReport)) {
		t.Fatal("a slot at every limit was not taken")
	}
	// A slot is room again only once Done has given it.
	for s.Room() > 0 {
		if !s.Take(time.Now(), msgs, []byte("x"), nil) {
			t.Fatalf("not taken with room for %d", s.Room())
		}
	}
	if s.Take(time.Now(), msgs, []byte("x"), nil) {
		t.Error("taken with no room")
	}
	n := 0
	s.Close(func([]time.Time) { n++ })
	if n != Slots {
		t.Errorf("Close gave %d slots, want %d", n, Slots)
	}
	if s.Take(time.Now(), msgs, []byte("x"), nil) {
		t.Error("taken after Close")
	}
}

// TestPriority starts the thread at SCHED_FIFO: as root it gets it;
// otherwise it says what it got and why.
func TestPriority(t *testing.T) {
	s, got, err := sender(t, 10)
	defer s.Close(func([]time.Time) {})
	if os.Geteuid() != 0 {
		t.Logf("not root: got %s (%v)", got, err)
		if err == nil && got != "SCHED_FIFO 10" {
			t.Errorf("got %q with no error", got)
		}
		return
	}
	if err != nil || got != "SCHED_FIFO 10" {
		t.Errorf("as root: got %q, %v; want SCHED_FIFO 10", got, err)
	}
	s0, got, err := sender(t, 0)
	defer s0.Close(func([]time.Time) {})
	if err != nil || !strings.HasPrefix(got, "normal") {
		t.Errorf("priority 0: got %q, %v; want normal", got, err)
	}
}
