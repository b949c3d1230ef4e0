package live

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/manbang/manbang/player/demux"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/rtp"
)

// TestStreamLoops plays a channel to a box past the loop point of its
// 2-second file: the box must see one seamless stream (no continuity
// error, no discontinuity, timestamps going on), paced in real time.
func TestStreamLoops(t *testing.T) {
	t.Parallel()
	e := startEngine(t, Config{}, Channel{Retransmit: true})
	b := newBox(t, rtp.Config{ReportInterval: 100 * time.Millisecond})
	start := time.Now()
	sub, err := e.Subscribe("ch1", b.addr(), SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sub.Locator(), fmt.Sprintf("rtp://@:%d?rtcp=%s", b.addr().Port, e.Addr()); got != want {
		t.Errorf("locator %q, want %q", got, want)
	}
	var first time.Duration
	b.w.until(t, "2.5s of video", func(pkts []seen, _ demux.Stats) bool {
		f, l, ok := videoSpan(pkts)
		first = f
		return ok && l-f >= 2500*time.Millisecond
	})
	wall := time.Since(start)
	pkts, ds := b.w.snapshot()
	if ds.ContinuityErrors != 0 {
		t.Errorf("%d continuity errors across the loop", ds.ContinuityErrors)
	}
	lastVideo := time.Duration(-1)
	audio := 0
	for _, p := range pkts {
		if p.discontinuity {
			t.Errorf("discontinuity at PTS %v", p.pts)
		}
		switch p.kind {
		case media.KindVideo:
			if p.pts <= lastVideo {
				t.Fatalf("video PTS %v after %v: the loop went back in time", p.pts, lastVideo)
			}
			if lastVideo >= 0 && p.pts-lastVideo != 40*time.Millisecond {
				t.Errorf("video PTS %v after %v, want one 25 fps frame later", p.pts, lastVideo)
			}
			lastVideo = p.pts
		case media.KindAudio:
			audio++
		}
	}
	if audio == 0 {
		t.Error("no audio")
	}
	st := channelStats(t, e)
	if st.Loops < 1 || st.Packets == 0 || st.Dropped != 0 {
		t.Errorf("channel stats %+v", st)
	}
	rs := b.rx.Stats()
	if rs.Lost != 0 || rs.SSRC != st.SSRC || rs.SenderReports == 0 {
		t.Errorf("receiver stats %+v", rs)
	}
	// Real time, loosely: 2.5s of content cannot have come in much less
	// (the stream starts at the file's start, with no backlog), nor the
	// receiver's interarrival jitter be large on loopback.
	content := lastVideo - first
	t.Logf("%v of video in %v; pacing %+v; receiver jitter %.2fms", content, wall, st.Pacing, rs.JitterMS)
	if wall < content*7/10 {
		t.Errorf("%v of video arrived in %v: faster than real time", content, wall)
	}
	if rs.JitterMS > 250 { // a noisy machine may stall the sender; loopback itself adds nothing
		t.Errorf("interarrival jitter %.1fms", rs.JitterMS)
	}
	if st.Pacing.Samples == 0 || st.Pacing.P50 > 50*time.Millisecond {
		t.Errorf("pacing %+v", st.Pacing)
	}
	// The box reports back.
	waitEngine(t, e, "a receiver report", func(st ChannelStats) bool {
		return len(st.Subscribers) == 1 && st.Subscribers[0].Report != nil
	})
	if ss := sub.Stats(); ss.Report.SSRC == 0 || ss.Report.TotalLost != 0 || ss.Sent == 0 {
		t.Errorf("subscriber stats %+v %+v", ss, *ss.Report)
	}
	// The box leaves: its goodbye ends the subscription.
	b.rx.Close()
	select {
	case <-sub.Done():
		if !errors.Is(sub.Err(), ErrGoodbye) {
			t.Errorf("subscription ended: %v, want goodbye", sub.Err())
		}
	case <-time.After(waitLimit):
		t.Fatal("the box's goodbye did not end the subscription")
	}
}

// TestFastChannelChange subscribes a second box in the middle of a GOP
// with a fast channel change: its stream must start with a keyframe from
// before the live point, and catch up with the live stream.
func TestFastChannelChange(t *testing.T) {
	t.Parallel()
	e := startEngine(t, Config{}, Channel{})
	live := newBox(t, rtp.Config{})
	if _, err := e.Subscribe("ch1", live.addr(), SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	// Wait until the live stream is 400-700ms past a keyframe: the next
	// one is 300ms away at least.
	var liveAt time.Duration
	live.w.until(t, "mid-GOP", func(pkts []seen, _ demux.Stats) bool {
		var key time.Duration = -1
		for _, p := range pkts {
			if p.kind == media.KindVideo && p.keyframe {
				key = p.pts
			}
		}
		_, l, ok := videoSpan(pkts)
		liveAt = l
		return ok && key >= 0 && l-key >= 400*time.Millisecond && l-key < 700*time.Millisecond
	})
	fcc := newBox(t, rtp.Config{})
	subscribed := time.Now()
	sub, err := e.Subscribe("ch1", fcc.addr(), SubscribeOptions{FastChannelChange: true})
	if err != nil {
		t.Fatal(err)
	}
	fcc.w.until(t, "a video packet", func(pkts []seen, _ demux.Stats) bool {
		_, _, ok := videoSpan(pkts)
		return ok
	})
	pkts, _ := fcc.w.snapshot()
	var firstVideo seen
	for _, p := range pkts {
		if p.kind == media.KindVideo {
			firstVideo = p
			break
		}
	}
	if !firstVideo.keyframe {
		t.Errorf("first video packet after the change (PTS %v) is not a keyframe", firstVideo.pts)
	}
	if firstVideo.pts > liveAt-400*time.Millisecond {
		t.Errorf("burst starts at PTS %v, live was at %v: not from the last keyframe", firstVideo.pts, liveAt)
	}
	// Caught up: the burst is over, and the box has reached what the
	// live box had when the change began. Covering the backlog while the
	// live stream went on is only possible faster than real time.
	waitEngine(t, e, "the burst to end", func(ChannelStats) bool { return !sub.Stats().Bursting })
	fcc.w.until(t, "the live point", func(pkts []seen, _ demux.Stats) bool {
		_, l, _ := videoSpan(pkts)
		return l >= liveAt
	})
	pkts, ds := fcc.w.snapshot()
	caught := time.Since(subscribed)
	_, last, _ := videoSpan(pkts)
	t.Logf("burst from %v behind live; %v of video in %v", liveAt-firstVideo.pts, last-firstVideo.pts, caught)
	if ds.ContinuityErrors != 0 {
		t.Errorf("%d continuity errors after the change", ds.ContinuityErrors)
	}
	if st := channelStats(t, e); st.Bursts != 1 {
		t.Errorf("%d bursts, want 1", st.Bursts)
	}
}

// TestSubscriberFates checks that a vanished subscriber and one that
// never reads do not hold the channel back, and that subscribers expire
// without RTCP while a box that reports stays.
func TestSubscriberFates(t *testing.T) {
	t.Parallel()
	e := startEngine(t, Config{SubscriberTimeout: time.Second}, Channel{})
	good := newBox(t, rtp.Config{ReportInterval: 50 * time.Millisecond})
	goodSub, err := e.Subscribe("ch1", good.addr(), SubscribeOptions{FastChannelChange: true})
	if err != nil {
		t.Fatal(err)
	}
	// Vanished: a port nobody listens on.
	gone, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	goneAddr := gone.LocalAddr().(*net.UDPAddr)
	gone.Close()
	// Slow: a socket with the smallest buffer that is never read.
	slow, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.SetReadBuffer(1)
	var quiet []*Subscription
	for _, a := range []*net.UDPAddr{goneAddr, slow.LocalAddr().(*net.UDPAddr)} {
		s, err := e.Subscribe("ch1", a, SubscribeOptions{FastChannelChange: true})
		if err != nil {
			t.Fatal(err)
		}
		quiet = append(quiet, s)
	}
	for _, s := range quiet {
		select {
		case <-s.Done():
			if !errors.Is(s.Err(), ErrExpired) {
				t.Errorf("subscription of %v ended: %v, want expired", s.Addr(), s.Err())
			}
		case <-time.After(waitLimit):
			t.Fatalf("subscription of %v did not expire", s.Addr())
		}
	}
	good.w.until(t, "1s of video", func(pkts []seen, _ demux.Stats) bool {
		f, l, ok := videoSpan(pkts)
		return ok && l-f >= time.Second
	})
	if err := goodSub.Err(); err != nil {
		t.Fatalf("the reporting box's subscription ended: %v", err)
	}
	if _, ds := good.w.snapshot(); ds.ContinuityErrors != 0 {
		t.Errorf("%d continuity errors", ds.ContinuityErrors)
	}
	st := channelStats(t, e)
	if len(st.Subscribers) != 1 || st.Subscribers[0].Addr != good.addr().String() {
		t.Errorf("subscribers %+v", st.Subscribers)
	}
	// Refresh keeps a subscription that sends no RTCP.
	before := goodSub.Stats().LastSeen
	goodSub.Refresh()
	if !goodSub.Stats().LastSeen.After(before) {
		t.Error("Refresh did not count as a sign of life")
	}
}

// TestSubscriptionEnds checks every way a subscription ends.
func TestSubscriptionEnds(t *testing.T) {
	t.Parallel()
	stream := testStream(t)
	e := New(Config{Addr: "127.0.0.1:0", Logger: quiet})
	for _, id := range []string{"a", "b"} {
		if err := e.AddChannel(Channel{ID: id, Source: stream}); err != nil {
			t.Fatal(err)
		}
	}
	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9} // discard: nothing is sent before Start
	s1, err := e.Subscribe("a", dst, SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s1.Locator(), "rtp://@:9"; got != want {
		t.Errorf("locator before start %q, want %q", got, want)
	}
	s2, err := e.Subscribe("b", dst, SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(s1.Err(), ErrMoved) || s2.Err() != nil {
		t.Errorf("after moving: %v, %v", s1.Err(), s2.Err())
	}
	if err := e.RemoveChannel("b"); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(s2.Err(), ErrRemoved) {
		t.Errorf("after removal: %v", s2.Err())
	}
	s3, err := e.Subscribe("a", dst, SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s3.Close()
	if !errors.Is(s3.Err(), ErrUnsubscribed) {
		t.Errorf("after Close: %v", s3.Err())
	}
	s4, _ := e.Subscribe("a", dst, SubscribeOptions{})
	e.Close()
	if !errors.Is(s4.Err(), ErrClosed) {
		t.Errorf("after engine Close: %v", s4.Err())
	}
	if _, err := e.Subscribe("a", dst, SubscribeOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe after Close: %v", err)
	}
}

func TestEngineErrors(t *testing.T) {
	t.Parallel()
	stream := testStream(t)
	e := New(Config{Addr: "127.0.0.1:0", Logger: quiet})
	defer e.Close()
	if err := e.AddChannel(Channel{ID: "a", Source: stream, Group: &net.UDPAddr{IP: net.IPv4(239, 255, 0, 1), Port: 5000}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no ID", e.AddChannel(Channel{Source: stream}), "live: channel without ID"},
		{"duplicate", e.AddChannel(Channel{ID: "a", Source: stream}), "live: channel a already exists"},
		{"transport", e.AddChannel(Channel{ID: "x", Source: stream, Transport: "srt"}), `live: channel x: unknown transport "srt"`},
		{"group", e.AddChannel(Channel{ID: "x", Source: stream, Group: &net.UDPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 5000}}),
			"live: channel x: group 10.0.0.1:5000 is not an IPv4 multicast address and port"},
		{"missing file", e.AddChannel(Channel{ID: "x", Source: "/nonexistent.ts"}), "live: channel x: open /nonexistent.ts: no such file or directory"},
		{"unknown channel", subscribeErr(e, "zz", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}), "live: no such channel: zz"},
		{"bad address", subscribeErr(e, "a", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}), "live: subscriber address 127.0.0.1:0 is not an IPv4 address and port"},
		{"remove unknown", e.RemoveChannel("zz"), "live: no such channel: zz"},
		{"bad engine address", New(Config{Addr: "nowhere", Logger: quiet}).Start(t.Context()), "live: listen nowhere: listen udp4: address nowhere: missing port in address"},
		{"bad interface", New(Config{Addr: "127.0.0.1:0", MulticastInterface: "nosuch0", Logger: quiet}).Start(t.Context()), `live: multicast interface "nosuch0": route ip+net: no such network interface`},
	}
	for _, tc := range tests {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, tc.err, tc.want)
		}
	}
	// Not started: a multicast channel must not play outside the tests'
	// own network namespaces.
	loc, err := e.Locator("a")
	if err != nil || loc != "rtp://@239.255.0.1:5000" {
		t.Errorf("locator %q, %v", loc, err)
	}
}

func subscribeErr(e *Engine, id string, dst *net.UDPAddr) error {
	s, err := e.Subscribe(id, dst, SubscribeOptions{})
	if err == nil {
		s.Close()
	}
	return err
}
