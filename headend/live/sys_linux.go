package live

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
	"unsafe"

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
}

func newSender(conn *net.UDPConn) (*sender, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	return &sender{raw: raw}, nil
}

// mmsghdr is Linux's struct mmsghdr (Go pads it as C does).
type mmsghdr struct {
	hdr syscall.Msghdr
	len uint32
}

// sendScratch is a channel's memory for sendmmsg's arguments, reused
// from one fan-out to the next so that sending allocates nothing.
type sendScratch struct {
	hdrs  []mmsghdr
	iovs  []syscall.Iovec
	addrs []syscall.RawSockaddrInet4
	call  func(fd uintptr) bool // sendmmsg, as RawConn.Write takes it

	from, count int           // the call's messages
	sent        int           // its result
	errno       syscall.Errno // its error
}

// sendmmsg sends the scratch's messages from..from+count on fd.
func (sc *sendScratch) sendmmsg(fd uintptr) bool {
	r, _, e := syscall.RawSyscall6(sysSendmmsg, fd, uintptr(unsafe.Pointer(&sc.hdrs[sc.from])), uintptr(sc.count), syscall.MSG_DONTWAIT, 0, 0)
	sc.sent, sc.errno = int(r), e
	return true // never wait for the socket to become writable
}

// sendAll sends msgs in sendmmsg calls of batchSize, never waiting: a
// message the kernel refuses is dropped, and when the socket's buffer is
// full (EAGAIN, ENOBUFS) so is the rest of the batch. It sets offsets[i]
// (len(msgs) of them) to the time from due until the call that sent
// msgs[i] returned, or to notSent, and returns the messages sent and
// dropped.
//
// The calls are raw system calls: sendmmsg with MSG_DONTWAIT never
// blocks, and a raw call keeps the goroutine's P, which an ordinary
// system call of a fraction of a millisecond may lose to the runtime's
// monitor and then wait to get back, late.
func (s *sender) sendAll(msgs []ipv4.Message, due time.Time, offsets []time.Duration, sc *sendScratch) (sends, drops int) {
	sc.fill(msgs)
	if sc.call == nil {
		sc.call = sc.sendmmsg // once: a method value allocates
	}
	for i := 0; i < len(msgs); {
		sc.from, sc.count = i, min(batchSize, len(msgs)-i)
		err := s.raw.Write(sc.call)
		n, errno := sc.sent, sc.errno
		at := time.Since(due)
		if err == nil && errno == 0 && n > 0 {
			for k := range n {
				offsets[i+k] = at
			}
			sends += n
			i += n
			continue
		}
		if err != nil || errno == 0 || errno == syscall.EAGAIN || errno == syscall.ENOBUFS {
			for k := i; k < len(msgs); k++ {
				offsets[k] = notSent
			}
			drops += len(msgs) - i // the socket is full (or closed): give up on the rest
			break
		}
		offsets[i] = notSent
		drops++ // this destination is refused; go on with the next
		i++
	}
	return sends, drops
}

// fill sets the scratch's headers to msgs: one buffer each, to an IPv4
// address.
func (sc *sendScratch) fill(msgs []ipv4.Message) {
	n := len(msgs)
	if cap(sc.hdrs) < n {
		sc.hdrs = make([]mmsghdr, n)
		sc.iovs = make([]syscall.Iovec, n)
		sc.addrs = make([]syscall.RawSockaddrInet4, n)
	}
	sc.hdrs, sc.iovs, sc.addrs = sc.hdrs[:n], sc.iovs[:n], sc.addrs[:n]
	for i, m := range msgs {
		b := m.Buffers[0]
		sa := &sc.addrs[i]
		namelen := uint32(0) // no address: the kernel refuses the message (EDESTADDRREQ)
		if ua, ok := m.Addr.(*net.UDPAddr); ok && ua.IP.To4() != nil {
			sa.Family = syscall.AF_INET
			copy(sa.Addr[:], ua.IP.To4())
			sa.Port = uint16(ua.Port>>8) | uint16(ua.Port&0xff)<<8 // network byte order
			namelen = syscall.SizeofSockaddrInet4
		}
		iov := &sc.iovs[i]
		iov.Base = unsafe.SliceData(b)
		iov.SetLen(len(b))
		h := &sc.hdrs[i]
		h.hdr = syscall.Msghdr{Name: (*byte)(unsafe.Pointer(sa)), Namelen: namelen, Iov: iov}
		h.hdr.Iovlen = 1
		h.len = 0
	}
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
