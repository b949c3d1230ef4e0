package player

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/manbang/manbang/player/udp"
)

// Reservation is a UDP port bound for a live unicast stream before the
// sender is asked for it (see udp.Reservation): what arrives before Open
// is kept, and Open of "rtp://@:PORT" or "udp://@:PORT" reads it.
type Reservation = udp.Reservation

// ReserveRTPPort binds an even UDP port on every address, with the odd
// port above it free (the RTCP port of RFC 3550, though the box sends its
// RTCP from the RTP port), and holds it for Open. Close the reservation
// once Open has returned: it releases the port if Open did not take it.
func ReserveRTPPort() (*Reservation, error) {
	for range 20 {
		r, err := udp.Reserve(":0", udp.ListenConfig{})
		if err != nil {
			return nil, fmt.Errorf("rtp port: %w", err)
		}
		port := r.Port()
		if port%2 == 1 || port >= 65535 {
			r.Close()
			continue
		}
		c, err := net.ListenPacket("udp", ":"+strconv.Itoa(port+1))
		if err != nil {
			r.Close()
			continue
		}
		c.Close()
		return r, nil
	}
	return nil, errors.New("rtp port: no free even port found")
}
