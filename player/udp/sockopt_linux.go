package udp

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// socketOptionsSet reports whether the control functions set the receive
// buffer themselves; elsewhere Listen uses SetReadBuffer.
const socketOptionsSet = true

// controlUnicast sets the receive buffer of a unicast socket.
func controlUnicast(bufSize int) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { setReadBuffer(int(fd), bufSize) })
	}
}

// controlMulticast sets the receive buffer, SO_REUSEADDR, and turns off
// IP_MULTICAST_ALL so that the socket bound to 0.0.0.0:port receives only
// the groups it joins, not every group joined on the host with that port.
func controlMulticast(bufSize int) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, c syscall.RawConn) error {
		var err error
		cerr := c.Control(func(fd uintptr) {
			setReadBuffer(int(fd), bufSize)
			if err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
				return
			}
			err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0)
		})
		if cerr != nil {
			return cerr
		}
		return err
	}
}

// setReadBuffer asks for a receive buffer of n bytes: forced beyond
// net.core.rmem_max when the process may (CAP_NET_ADMIN), else as much as
// the kernel allows. A refusal is not an error: the socket still works.
func setReadBuffer(fd, n int) {
	if syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, n) == nil {
		return
	}
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
