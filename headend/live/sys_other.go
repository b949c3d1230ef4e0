//go:build !linux

package live

import (
	"net"
	"net/netip"
	"time"
)

// listen binds the engine's IPv4 UDP socket.
func listen(addr string) (*net.UDPConn, error) {
	ua, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return nil, err
	}
	return net.ListenUDP("udp4", ua)
}

// sender sends datagrams, waiting at most a millisecond for the socket.
type sender struct{ conn *net.UDPConn }

func newSender(conn *net.UDPConn) (*sender, error) { return &sender{conn: conn}, nil }

func (s *sender) send(b []byte, to netip.AddrPort) error {
	_ = s.conn.SetWriteDeadline(time.Now().Add(time.Millisecond))
	_, err := s.conn.WriteToUDPAddrPort(b, to)
	return err
}

// preciseSleep sleeps for d.
func preciseSleep(d time.Duration) { time.Sleep(d) }
