package main

import "testing"

// TestLiveAddr: the live engine binds the API's IPv4 host unless told
// otherwise, so a head-end serving loopback only answers no RTCP from the
// network; every address when it sends multicast or its API is not on one
// IPv4 address.
func TestLiveAddr(t *testing.T) {
	for _, tc := range []struct {
		c    config
		want string
	}{
		{config{addr: "127.0.0.1:8080"}, "127.0.0.1:0"},
		{config{addr: "localhost:8080"}, "127.0.0.1:0"},
		{config{addr: "192.0.2.7:8080"}, "192.0.2.7:0"},
		{config{addr: "127.0.0.1:8080", liveAddr: "127.0.0.2:5004"}, "127.0.0.2:5004"},
		{config{addr: "127.0.0.1:8080", mcastIf: "eth0"}, ":0"},
		{config{addr: "0.0.0.0:8080"}, ":0"},
		{config{addr: ":8080"}, ":0"},
		{config{addr: "[::1]:8080"}, ":0"},
	} {
		if got := liveAddr(tc.c); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
}
