package rtp

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// source is the address a Receiver hears: the addresses of a host, and
// a port (0: any).
type source struct {
	addrs []netip.Addr
	port  uint16
}

// resolveSource parses Config.Source, "host" or "host:port", and looks
// the host up. An empty s gives the zero source, to be learnt from the
// first packet.
func resolveSource(ctx context.Context, s string) (source, error) {
	if s == "" {
		return source{}, nil
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	}
	host = strings.Trim(host, "[]")
	var src source
	if port != "" {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return source{}, fmt.Errorf("rtp: source %q: bad port %q", s, port)
		}
		src.port = uint16(n)
	}
	if host == "" {
		return source{}, fmt.Errorf("rtp: source %q: no host", s)
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return source{}, fmt.Errorf("rtp: source %q: %w", s, err)
	}
	for _, a := range addrs {
		src.addrs = append(src.addrs, a.Unmap())
	}
	return src, nil
}

// known reports whether the source has been given or learnt.
func (s *source) known() bool { return len(s.addrs) > 0 }

// admits reports whether a datagram from a comes from the source.
func (s *source) admits(a netip.AddrPort) bool {
	if s.port != 0 && a.Port() != s.port {
		return false
	}
	ip := a.Addr().Unmap()
	for _, x := range s.addrs {
		if x == ip {
			return true
		}
	}
	return false
}

// learn makes the host of a the source: any port, for a sender that
// restarts (a new SSRC, on probation) may send from another.
func (s *source) learn(a netip.AddrPort) {
	s.addrs, s.port = []netip.Addr{a.Addr().Unmap()}, 0
}
