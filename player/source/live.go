package source

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/manbang/manbang/player/rtp"
	"github.com/manbang/manbang/player/udp"
)

// liveParams are the query parameters a udp:// or rtp:// locator may
// carry, and the schemes that accept each.
var liveParams = map[string]string{
	"iface":   "udp rtp", // multicast interface name
	"timeout": "udp rtp", // no-data timeout, a Go duration
	"buffer":  "udp rtp", // socket receive buffer, bytes
	"rtcp":    "rtp",     // sender's RTCP address host:port, or "none"
	"latency": "rtp",     // reorder/retransmission wait, a Go duration
	"nack":    "rtp",     // "0" to never ask for retransmissions
	"source":  "rtp",     // the sender, host or host:port: the only one heard
}

// openLive opens a udp:// or rtp:// locator: the host part is the
// multicast group to join ("@239.1.2.3:1234") or the local address to
// listen on for unicast ("@:1234", "127.0.0.1:1234"); the query may set
// the parameters of liveParams.
func openLive(ctx context.Context, locator string, u *url.URL, scheme string, cfg Config) (io.ReadCloser, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("source: %s: "+format, append([]any{locator}, args...)...)
	}
	addr := u.Host
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return nil, fail("want %s://@group:port or %s://@:port", scheme, scheme)
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil && ip.IsMulticast() && ip.To4() == nil {
		return nil, fail("IPv6 multicast %w", ErrNotSupported)
	}
	lc := udp.ListenConfig{Interface: cfg.Interface}
	var timeout time.Duration
	rc := rtp.Config{}
	q := u.Query()
	for k, vs := range q {
		v := vs[len(vs)-1]
		if !strings.Contains(liveParams[k], scheme) {
			return nil, fail("unknown parameter %q", k)
		}
		switch k {
		case "iface":
			lc.Interface = v
		case "timeout", "latency":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, fail("%s=%q is not a positive duration", k, v)
			}
			if k == "timeout" {
				timeout = d
			} else {
				rc.Latency = d
			}
		case "buffer":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return nil, fail("buffer=%q is not a positive byte count", v)
			}
			lc.ReadBuffer = n
		case "rtcp":
			if v == "none" {
				rc.NoRTCP = true
			} else {
				rc.RTCP = v
			}
		case "source":
			rc.Source = v
		case "nack":
			rc.NoNACK = v == "0" || v == "off" || v == "false"
		}
	}
	if scheme == "udp" {
		r, err := udp.Open(ctx, addr, udp.Config{ListenConfig: lc, Timeout: timeout})
		if err != nil {
			return nil, err // one line, prefixed "udp:", naming the address
		}
		return r, nil
	}
	rc.ListenConfig, rc.Timeout = lc, timeout
	r, err := rtp.Open(ctx, addr, rc)
	if err != nil {
		return nil, err // one line, prefixed "rtp:", naming the address
	}
	return r, nil
}
