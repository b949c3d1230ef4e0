package udp

import (
	"context"
	"fmt"
	"net"
	"sync"
)

// Reservation is a unicast socket bound before its stream is asked for,
// held until Listen takes it over. A box that tells a sender its port
// (a live unicast session) and only then binds the port loses what the
// sender sends at once — the start of a fast channel change burst, with
// the key frame — to "port unreachable"; a socket bound first keeps it in
// its receive buffer until the reader comes.
type Reservation struct {
	conn *net.UDPConn
	port int
}

// reserved holds the reservations not yet taken, by port.
var reserved = struct {
	sync.Mutex
	m map[int]*Reservation
}{m: map[int]*Reservation{}}

// Reserve binds a unicast socket on addr (":0" picks a free port on every
// address) with the receive buffer of cfg, and holds it for the next
// Listen of its port on the same or an unspecified address, which takes
// it over instead of binding anew. Close releases it if Listen has not
// taken it.
func Reserve(addr string, cfg ListenConfig) (*Reservation, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("reserve %q: %w", addr, err)
	}
	if ua.IP.IsMulticast() {
		return nil, fmt.Errorf("reserve %s: a multicast group is joined, not reserved", addr)
	}
	bufSize := cfg.ReadBuffer
	if bufSize <= 0 {
		bufSize = DefaultReadBuffer
	}
	lc := net.ListenConfig{Control: controlUnicast(bufSize)}
	pc, err := lc.ListenPacket(context.Background(), "udp", ua.String())
	if err != nil {
		return nil, fmt.Errorf("reserve %s: %w", addr, err)
	}
	conn := pc.(*net.UDPConn)
	if !socketOptionsSet {
		_ = conn.SetReadBuffer(bufSize)
	}
	r := &Reservation{conn: conn, port: conn.LocalAddr().(*net.UDPAddr).Port}
	reserved.Lock()
	reserved.m[r.port] = r
	reserved.Unlock()
	return r, nil
}

// Port returns the port reserved.
func (r *Reservation) Port() int { return r.port }

// Close releases the socket unless Listen has taken it; after Close the
// port is free again. Closing twice is harmless.
func (r *Reservation) Close() error {
	reserved.Lock()
	mine := reserved.m[r.port] == r
	if mine {
		delete(reserved.m, r.port)
	}
	reserved.Unlock()
	if !mine {
		return nil
	}
	return r.conn.Close()
}

// take returns the reserved socket of ua's port, if any and if ua asks
// for the address it is bound to or none in particular, and forgets the
// reservation: the socket is the caller's now.
func take(ua *net.UDPAddr) (*net.UDPConn, bool) {
	if ua.Port == 0 {
		return nil, false
	}
	reserved.Lock()
	defer reserved.Unlock()
	r, ok := reserved.m[ua.Port]
	if !ok {
		return nil, false
	}
	bound := r.conn.LocalAddr().(*net.UDPAddr)
	if len(ua.IP) != 0 && !ua.IP.IsUnspecified() && !ua.IP.Equal(bound.IP) {
		return nil, false
	}
	delete(reserved.m, ua.Port)
	return r.conn, true
}
