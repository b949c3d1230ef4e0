package app

import (
	"context"
	"errors"
	"net"
	"net/url"
	"syscall"
)

// isNetworkError reports whether err is a failure to reach a server at
// all, rather than an answer.
func isNetworkError(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, context.DeadlineExceeded)
}

// hasNetwork reports whether the box can reach server's host at all: a
// server on the box itself always can; otherwise the box needs an
// interface that is up with an address other than loopback.
func hasNetwork(server string) bool {
	if u, err := url.Parse(server); err == nil {
		host := u.Hostname()
		if host == "localhost" {
			return true
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return true
		}
	}
	return len(addresses()) > 0
}

// addresses lists the box's addresses beyond loopback, "eth0 192.0.2.10",
// on interfaces that are up.
func addresses() []string {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, ad := range addrs {
			ipn, ok := ad.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
				continue
			}
			out = append(out, ifc.Name+" "+ipn.IP.String())
		}
	}
	return out
}
