package control

import (
	"errors"
	"mime"
	"net"
	"net/http"
	"strings"
)

// sameSite puts the checks against web pages before the routes: a page
// the viewer (or a technician) has open in some browser may send requests
// to the endpoint, but it cannot choose its Host header, its Origin or a
// JSON content type without the browser asking the endpoint first.
//
//   - Host: on loopback only a loopback name or address; on the home
//     network only an IP address. A page whose DNS name was rebound to the
//     box's address sends its own name and is refused (DNS rebinding).
//   - Origin: absent (curl, the rig, a phone's own page) or the endpoint
//     itself. A request from another site's script is refused.
//   - POST bodies must be application/json, which a plain HTML form
//     cannot send: a cross-site text/plain or urlencoded form fails.
func sameSite(loopbackOnly bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkHost(r.Host, loopbackOnly); err != nil {
			writeError(w, http.StatusForbidden, err)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(o, "http://"+r.Host) {
			writeError(w, http.StatusForbidden, errors.New("requests from another site's page are refused"))
			return
		}
		if r.Method == http.MethodPost {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, errors.New("send the body as Content-Type: application/json"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// checkHost accepts a Host header (with or without a port) that names the
// box by address: a loopback one when loopbackOnly, else any IP address or
// localhost.
func checkHost(hostport string, loopbackOnly bool) error {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return errors.New("Host must be the box's address, not a name (DNS rebinding)")
	case loopbackOnly && !ip.IsLoopback():
		return errors.New("this endpoint answers on loopback only")
	}
	return nil
}
