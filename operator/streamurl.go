package operator

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrStreamURL is the error of a stream locator from an operator that the
// box will not open.
var ErrStreamURL = errors.New("not a stream address the box opens from an operator")

// streamSchemes are the schemes an operator's stream may have: the
// head-end's HLS and DASH over HTTP(S), and live TV over RTP or UDP.
var streamSchemes = map[string]bool{"http": true, "https": true, "rtp": true, "udp": true}

// CheckStreamURL returns an error wrapping ErrStreamURL unless s is a
// stream address with a host and one of the schemes an operator's streams
// have (http, https, rtp, udp). Locators that come from an operator (a
// session's answer, a playlist's channel, a catch-up address) pass it
// before they are opened: a file:// URL or a plain path would have the box
// play, and so read, its own files on the operator's word.
func CheckStreamURL(s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrStreamURL, s, err)
	}
	if !streamSchemes[strings.ToLower(u.Scheme)] || u.Host == "" {
		return fmt.Errorf("%w: %q", ErrStreamURL, s)
	}
	return nil
}
