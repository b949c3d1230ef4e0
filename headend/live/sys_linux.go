package live

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
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
	pc  *ipv4.PacketConn
}

func newSender(conn *net.UDPConn) (*sender, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	return &sender{raw: raw, pc: ipv4.NewPacketConn(conn)}, nil
}

// batchSize is the number of messages per sendmmsg call: small enough
// that the time the call returns is a close bound of when each of its
// datagrams left (a call of 64 takes about 0.2ms on loopback), large
// enough that the system call costs little per datagram.
const batchSize = 64

// sendAll sends msgs in sendmmsg calls of batchSize, never waiting: a
// message the kernel refuses is dropped, and when the socket's buffer is
// full (EAGAIN, ENOBUFS) so is the rest of the batch. It appends to late,
// for each message sent, the time from due until the call that sent it
// returned, and returns the messages sent and dropped.
func (s *sender) sendAll(msgs []ipv4.Message, due time.Time, late []time.Duration) (sends, drops int, _ []time.Duration) {
	for i := 0; i < len(msgs); {
		n, err := s.pc.WriteBatch(msgs[i:min(i+batchSize, len(msgs))], syscall.MSG_DONTWAIT)
		at := time.Since(due)
		for range max(n, 0) {
			late = append(late, at)
		}
		if n > 0 {
			sends += n
			i += n
			continue
		}
		if err == nil || errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.ENOBUFS) {
			drops += len(msgs) - i // the socket is full: give up on the rest
			break
		}
		drops++ // this destination is refused; go on with the next
		i++
	}
	return sends, drops, late
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
