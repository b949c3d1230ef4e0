//go:build !linux

package live

import (
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/ipv4"
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

// sendAll sends msgs one by one (see the Linux sendAll, which batches).
func (s *sender) sendAll(msgs []ipv4.Message, due time.Time, offsets []time.Duration, _ *sendScratch) (sends, drops int) {
	for i, m := range msgs {
		ap := m.Addr.(*net.UDPAddr).AddrPort()
		if s.send(m.Buffers[0], ap) != nil {
			offsets[i] = notSent
			drops++
			continue
		}
		offsets[i] = time.Since(due)
		sends++
	}
	return sends, drops
}

// sendScratch is the Linux sender's memory; other systems need none.
type sendScratch struct{}
