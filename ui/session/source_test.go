package session

import (
	"testing"

	"github.com/manbang/manbang/operator"
)

// TestWithRTCPSource checks the locator a session plays: a unicast RTP
// stream is heard only from the head-end (issue 21, finding 6).
func TestWithRTCPSource(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       operator.Session
		unicast bool
		want    string
	}{
		{"unicast with the engine's address", operator.Session{URL: "rtp://@:5004", Kind: operator.StreamRTP, RTCP: "192.0.2.10:6005"}, true,
			"rtp://@:5004?rtcp=192.0.2.10:6005&source=192.0.2.10:6005"},
		{"unicast without it: the API's host", operator.Session{URL: "rtp://@:5004", Kind: operator.StreamRTP}, true,
			"rtp://@:5004?source=headend.example"},
		{"unicast, source already named", operator.Session{URL: "rtp://@:5004?source=192.0.2.7", Kind: operator.StreamRTP}, true,
			"rtp://@:5004?source=192.0.2.7"},
		{"multicast names no source: the first sender's is kept", operator.Session{URL: "rtp://@239.255.42.1:5000", Kind: operator.StreamRTP}, false,
			"rtp://@239.255.42.1:5000"},
		{"HLS", operator.Session{URL: "https://headend.example/a.m3u8", Kind: operator.StreamHLS}, false,
			"https://headend.example/a.m3u8"},
	} {
		if got := withRTCP(tc.s, tc.unicast, "headend.example"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
