// Package udp receives live streams over UDP: it opens the socket a live
// source reads from (joining a multicast group, or listening for unicast),
// and reads raw MPEG-TS carried in datagrams (N×188 bytes each, the
// "udp://" streams of IPTV head-ends).
//
// The RTP transport (package rtp) uses the same sockets through Listen.
package udp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/ipv4"
)

// DefaultReadBuffer is the socket receive buffer (SO_RCVBUF) asked for
// when a ListenConfig leaves it zero: about 3 s of a 10 Mbit/s channel, so
// that a busy box does not drop datagrams in the kernel.
const DefaultReadBuffer = 4 << 20

// DefaultTimeout is how long a live source waits for packets before it
// gives up, when its configuration leaves the timeout zero.
const DefaultTimeout = 5 * time.Second

// ListenConfig says how to open a live stream's socket.
type ListenConfig struct {
	// Interface is the name of the network interface on which to join a
	// multicast group ("eth0"); empty lets the kernel choose by its
	// routes. Unused for unicast.
	Interface string
	// ReadBuffer is the socket receive buffer in bytes; default
	// DefaultReadBuffer. The kernel may grant less (net.core.rmem_max)
	// unless the process may force it (CAP_NET_ADMIN).
	ReadBuffer int
	// Source, if valid, is the only sender of a multicast group wanted:
	// the group is joined for it alone (a source-specific join, IGMPv3),
	// so that the network does not forward other senders' datagrams.
	// Unused for unicast.
	Source netip.Addr
}

// Listen returns a socket receiving the datagrams sent to addr:
//
//   - a multicast group and port ("239.1.2.3:1234"): the socket is bound
//     to the port on all addresses, with SO_REUSEADDR so that several
//     receivers may share it, joins the group (IGMP) on the configured
//     interface, and on Linux receives only the groups it joined itself
//     (IP_MULTICAST_ALL off) plus unicast datagrams to its port; with a
//     Source, only that source's datagrams to the group;
//   - a unicast address (":1234", "127.0.0.1:1234"): the socket is bound
//     to it, or is the socket Reserve bound on that port, taken over
//     with what it has received so far. Port 0 picks a free port.
//
// IPv6 multicast is not supported.
func Listen(addr string, cfg ListenConfig) (*net.UDPConn, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", addr, err)
	}
	bufSize := cfg.ReadBuffer
	if bufSize <= 0 {
		bufSize = DefaultReadBuffer
	}
	if !ua.IP.IsMulticast() {
		if conn, ok := take(ua); ok { // bound by Reserve: datagrams already in it are kept
			if cfg.ReadBuffer > 0 {
				setBuffer(conn, bufSize)
			}
			return conn, nil
		}
		lc := net.ListenConfig{Control: controlUnicast(bufSize)}
		pc, err := lc.ListenPacket(context.Background(), "udp", ua.String())
		if err != nil {
			return nil, fmt.Errorf("listen %s: %w", addr, err)
		}
		conn := pc.(*net.UDPConn)
		if !socketOptionsSet {
			_ = conn.SetReadBuffer(bufSize)
		}
		return conn, nil
	}
	if ua.IP.To4() == nil {
		return nil, fmt.Errorf("join %s: IPv6 multicast is not supported", addr)
	}
	var ifi *net.Interface
	if cfg.Interface != "" {
		if ifi, err = net.InterfaceByName(cfg.Interface); err != nil {
			return nil, fmt.Errorf("join %s: interface %q: %w", addr, cfg.Interface, err)
		}
	}
	lc := net.ListenConfig{Control: controlMulticast(bufSize)}
	pc, err := lc.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", ua.Port))
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	conn := pc.(*net.UDPConn)
	if !socketOptionsSet {
		_ = conn.SetReadBuffer(bufSize)
	}
	group := &net.UDPAddr{IP: ua.IP}
	if cfg.Source.Is4() || cfg.Source.Is4In6() {
		err = ipv4.NewPacketConn(conn).JoinSourceSpecificGroup(ifi, group, &net.UDPAddr{IP: cfg.Source.Unmap().AsSlice()})
	} else {
		err = ipv4.NewPacketConn(conn).JoinGroup(ifi, group)
	}
	if err != nil {
		conn.Close()
		on := ""
		if ifi != nil {
			on = " on " + ifi.Name
		}
		return nil, fmt.Errorf("join %s%s: %w", addr, on, err)
	}
	return conn, nil
}

// setBuffer asks for a receive buffer of n bytes on an open socket, as
// the control functions do on a new one.
func setBuffer(conn *net.UDPConn, n int) {
	if !socketOptionsSet {
		_ = conn.SetReadBuffer(n)
		return
	}
	if rc, err := conn.SyscallConn(); err == nil {
		_ = controlUnicast(n)("udp", "", rc)
	}
}

// NoDataError is the error of a live source that received nothing for
// its timeout: the stream has stopped, or never reached the box.
type NoDataError struct {
	Proto string        // "udp" or "rtp"
	Addr  string        // the address listened on, as in the locator
	For   time.Duration // the timeout
}

func (e *NoDataError) Error() string {
	return fmt.Sprintf("%s: no packets on %s for %v", e.Proto, e.Addr, e.For)
}

// Timeout reports true: a NoDataError is a timeout.
func (e *NoDataError) Timeout() bool { return true }

// IsTimeout reports whether err is a socket read deadline expiring.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
