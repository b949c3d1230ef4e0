package live

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// sendBuffer is the socket send buffer asked for: room for bursts to
// hundreds of subscribers.
const sendBuffer = 8 << 20

// listen binds the engine's IPv4 UDP socket.
func listen(addr string) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			if syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUFFORCE, sendBuffer) != nil {
				_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, sendBuffer)
			}
		})
	}}
	pc, err := lc.ListenPacket(context.Background(), "udp4", addr)
	if err != nil {
		return nil, err
	}
	return pc.(*net.UDPConn), nil
}

// sender sends datagrams without ever waiting: a datagram the kernel
// cannot queue at once (EAGAIN, ENOBUFS) fails instead of blocking the
// channel.
type sender struct {
	raw syscall.RawConn
}

func newSender(conn *net.UDPConn) (*sender, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	return &sender{raw: raw}, nil
}

// send sends b to to, or fails at once.
func (s *sender) send(b []byte, to netip.AddrPort) error {
	sa := &syscall.SockaddrInet4{Port: int(to.Port()), Addr: to.Addr().As4()}
	var err error
	cerr := s.raw.Write(func(fd uintptr) bool {
		err = syscall.Sendto(int(fd), b, syscall.MSG_DONTWAIT, sa)
		return true // never wait for the socket to become writable
	})
	if cerr != nil {
		return cerr
	}
	return err
}

// preciseSleep sleeps for d, a few milliseconds at most, within about
// 0.1ms: Go's timers may fire a millisecond late, the kernel's
// nanosleep does not. It blocks its thread, which the runtime replaces.
func preciseSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
