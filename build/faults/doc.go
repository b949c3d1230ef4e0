// Package faults is Manbang's fault suite: the box playing RTP and HLS
// through lossy, reordering, jittery and failing networks and servers,
// killed in the middle of writing its state, and soaked for half an hour.
// The tests carry the build tag "faults" and run from the Makefile:
//
//	make faults        everything but the soak, and every fuzz target for 2 minutes
//	make faults-short  the short version CI runs (a few minutes, no fuzzing)
//	make soak          30 minutes of playback with channel changes
//
// The network faults are made by a userspace relay on loopback (a UDP
// relay for RTP and its RTCP, an HTTP relay for HLS), because the kernel
// here has no netem qdisc; no traffic leaves 127.0.0.0/8.
package faults
