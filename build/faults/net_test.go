//go:build faults

package faults

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/headend/live"
)

// rtpCase is one network fault on the live path.
type rtpCase struct {
	name  string
	imp   impairment
	query string // added to the rtp:// locator
	short bool   // also in faults-short
	// recoverable says the fault is one the box can fully repair
	// (reordering, duplication, jitter, loss with retransmission): the
	// picture must then be clean, with no decode or continuity error.
	recoverable bool
}

var rtpCases = []rtpCase{
	{name: "no fault (baseline)", short: true, recoverable: true},
	{name: "0.1% loss, retransmission", imp: impairment{Loss: 0.001}, recoverable: true},
	{name: "1% loss, retransmission", imp: impairment{Loss: 0.01}, short: true, recoverable: true},
	{name: "5% loss, retransmission", imp: impairment{Loss: 0.05}, recoverable: true},
	{name: "1% loss, no retransmission", imp: impairment{Loss: 0.01}, query: "?nack=0"},
	{name: "2% reordering", imp: impairment{Reorder: 0.02}, recoverable: true},
	{name: "2% duplication", imp: impairment{Duplicate: 0.02}, recoverable: true},
	{name: "50 ms jitter", imp: impairment{Jitter: 50 * time.Millisecond}, short: true, recoverable: true},
	{name: "2 s outage", imp: impairment{OutageAt: 2 * time.Second, Outage: 2 * time.Second}, short: true},
}

// criterion states what c must do to pass, for the report.
func (c rtpCase) criterion() string {
	var parts []string
	parts = append(parts, "frames shown, no error exit")
	if c.recoverable {
		parts = append(parts, "0 decode and 0 continuity errors")
	}
	if c.imp.Outage > 0 {
		parts = append(parts, "frames shown after the outage")
	}
	if !c.recoverable && c.imp.Outage == 0 {
		parts = append(parts, "errors allowed (not repairable)")
	}
	return strings.Join(parts, "; ")
}

// TestRTPNetworkFaults plays the live channel from the head-end's live
// engine through the impairing relay, with fast channel change and
// retransmission on, and reports what the box saw.
func TestRTPNetworkFaults(t *testing.T) {
	e := live.New(live.Config{Addr: "127.0.0.1:0", SubscriberTimeout: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	defer e.Close()
	if err := e.AddChannel(live.Channel{ID: "faults", Source: fixture.liveTS, Retransmit: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	secs := 12
	if testing.Short() {
		secs = 8
	}
	for i, c := range rtpCases {
		if testing.Short() && !c.short {
			continue
		}
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			st, relay := playThroughRelay(t, e, c, secs, uint64(i+1))
			expected := 30 * secs
			ok := true
			var why []string
			if st.PresentedFrames == 0 {
				ok = false
				why = append(why, "no frame shown")
			}
			if c.recoverable && (st.DecodeErrors > 0 || st.ContinuityErrors > 0) {
				ok = false
				why = append(why, fmt.Sprintf("%d decode and %d continuity errors from a repairable fault", st.DecodeErrors, st.ContinuityErrors))
			}
			if c.imp.Outage > 0 {
				// Frames after the outage must have been shown.
				before := int(30 * (c.imp.OutageAt + c.imp.Outage).Seconds())
				if st.PresentedFrames <= before {
					ok = false
					why = append(why, fmt.Sprintf("playback did not resume after the outage (%d frames shown)", st.PresentedFrames))
				}
			}
			// Seconds of the stream not shown, beyond the outage itself: the
			// time the box took to recover (and to start).
			notShown := float64(expected-st.PresentedFrames)/30 - c.imp.Outage.Seconds()
			report.add("rtp", c.name, verdict(ok), c.criterion(), st.DecodeErrors, st.ContinuityErrors, st.PacketsLost, st.PacketsRecovered,
				fmt.Sprintf("%d / %d", st.PresentedFrames, expected), fmt.Sprintf("%.1f", notShown),
				fmt.Sprintf("%d / %d / %d", relay.Dropped.Load(), relay.Duplicated.Load(), relay.Reordered.Load()))
			t.Logf("%s: %+v", c.name, st)
			if !ok {
				t.Errorf("%s: %s", c.name, strings.Join(why, "; "))
			}
		})
	}
}

// playThroughRelay plays the channel for secs through a relay with c's
// impairment and returns the box's statistics and the relay's counts.
func playThroughRelay(t *testing.T, e *live.Engine, c rtpCase, secs int, seed uint64) (stats, *relayCounts) {
	port := freeUDPPort(t)
	relay, err := newUDPRelay(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, c.imp, seed)
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	done := make(chan played, 1)
	go func() {
		done <- play(t, time.Duration(secs+30)*time.Second, fmt.Sprintf("rtp://@:%d%s", port, c.query),
			"--duration", fmt.Sprintf("%ds", secs), "--stall-timeout", "10s", "--log-level", "error")
	}()
	if err := waitUDPBound(port, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	sub, err := e.Subscribe("faults", relay.Addr(), live.SubscribeOptions{FastChannelChange: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	p := <-done
	if !p.exitOK {
		t.Errorf("manbang play ended with an error:\n%s", p.stderr)
	}
	return p.stats, &relay.Counts
}

// hlsCase is one network or server fault on the VOD path.
type hlsCase struct {
	name    string
	short   bool
	imp     impairment
	setup   func(*faultyServer)
	wantErr bool // the player must stop with an error (and not crash)
	// wantSwitch requires a variant switch (the cap is below the top
	// variant).
	wantSwitch bool
	// recoverable says that nothing is lost for good (TCP retransmits,
	// a cut or stalled response can be resumed, the server comes back):
	// every frame must then be decoded, with no decode error.
	recoverable bool
}

var hlsCases = []hlsCase{
	{name: "no fault (baseline)", short: true, recoverable: true},
	{name: "0.1% loss (connections cut)", imp: impairment{Loss: 0.001}, recoverable: true},
	{name: "1% loss (connections cut)", imp: impairment{Loss: 0.01}, recoverable: true},
	{name: "5% loss (connections cut)", imp: impairment{Loss: 0.05}, short: true, recoverable: true},
	{name: "50 ms jitter", imp: impairment{Jitter: 50 * time.Millisecond}, recoverable: true},
	{name: "2 s outage", imp: impairment{OutageAt: time.Second, Outage: 2 * time.Second}, short: true, recoverable: true},
	{name: "bandwidth cap 1 Mbit/s, top variant 1.6", imp: impairment{RateBps: 125_000}, short: true, wantSwitch: true, recoverable: true},
	{name: "server stalls mid-segment", setup: func(s *faultyServer) { s.StallSegment = 3 }, recoverable: true},
	{name: "garbage segment", setup: func(s *faultyServer) { s.GarbageSegment = 3 }, short: true},
	{name: "garbage playlists", setup: func(s *faultyServer) { s.GarbagePlaylists = true }, short: true, wantErr: true},
}

// criterion states what c must do to pass, for the report.
func (c hlsCase) criterion() string {
	switch {
	case c.wantErr:
		return "an error exit, no crash"
	case c.recoverable && c.wantSwitch:
		return "no error exit; every frame decoded; 0 decode errors; a switch down"
	case c.recoverable:
		return "no error exit; every frame decoded; 0 decode errors"
	}
	return "no error exit; 80% of frames shown; errors allowed (the segment is garbage)"
}

// TestHLSNetworkFaults plays the VOD ladder from a server that cuts,
// delays, refuses, throttles, stalls or garbles, and reports what the
// box saw. Reordering and duplication have no meaning over TCP.
func TestHLSNetworkFaults(t *testing.T) {
	for _, c := range hlsCases {
		if testing.Short() && !c.short {
			continue
		}
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			fs := newFaultyServer(fixture.hlsDir, c.imp)
			if c.setup != nil {
				c.setup(fs)
			}
			srv := httptest.NewServer(fs)
			defer srv.Close()
			p := play(t, 90*time.Second, srv.URL+"/master.m3u8", "--stall-timeout", "20s", "--log-level", "error")
			st := p.stats
			expected := 30 * fixture.hlsSecs
			ok := true
			var why []string
			switch {
			case c.wantErr && p.exitOK:
				ok = false
				why = append(why, "played garbage without an error")
			case !c.wantErr && !p.exitOK:
				ok = false
				why = append(why, "ended with an error: "+lastLine(p.stderr))
			case !c.wantErr && st.PresentedFrames < expected*8/10:
				ok = false
				why = append(why, fmt.Sprintf("only %d of %d frames shown", st.PresentedFrames, expected))
			}
			if c.recoverable && (st.VideoFrames < expected || st.DecodeErrors > 0) {
				ok = false
				why = append(why, fmt.Sprintf("%d of %d frames decoded, %d decode errors, from a fault that loses nothing", st.VideoFrames, expected, st.DecodeErrors))
			}
			if c.wantSwitch && st.VariantSwitches == 0 {
				ok = false
				why = append(why, "no variant switch under a cap below the top variant")
			}
			report.add("hls", c.name, verdict(ok), c.criterion(), st.DecodeErrors, st.ContinuityErrors, st.VariantSwitches,
				fmt.Sprintf("%d / %d / %d", st.VideoFrames, st.PresentedFrames, expected),
				fmt.Sprintf("%d / %d / %d / %d", fs.Cut.Load(), fs.Refused.Load(), fs.Stalled.Load(), fs.Resumed.Load()))
			t.Logf("%s: %+v (exit ok %v, %v)", c.name, st, p.exitOK, p.wall.Round(time.Millisecond))
			if !ok {
				t.Errorf("%s: %s", c.name, strings.Join(why, "; "))
			}
		})
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// freeUDPPort returns a loopback UDP port free at the moment.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// waitUDPBound waits until a socket is bound to the local UDP port.
func waitUDPBound(port int, deadline time.Duration) error {
	hex := fmt.Sprintf(":%04X ", port)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, f := range []string{"/proc/net/udp", "/proc/net/udp6"} {
			b, _ := os.ReadFile(f)
			for _, l := range strings.Split(string(b), "\n") {
				if fs := strings.Fields(l); len(fs) > 2 && strings.Contains(fs[1]+" ", hex) {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("udp port %d not bound within %v", port, deadline)
		case <-tick.C:
		}
	}
}
