package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player/demux"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/source"
)

// A box asking for a demo channel by unicast gets it from the live engine
// that serve starts, on 127.0.0.1, and it demuxes to video.
func TestServeStreamsLiveChannels(t *testing.T) {
	dir := t.TempDir()
	s := start(t, "--demo", "--demo-titles", "1", "--demo-channels", "1", "--demo-duration", "3s",
		"--addr", "127.0.0.1:0", "--data", dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := operator.NewClient(operator.ClientConfig{BaseURL: s.url, Tokens: &operator.MemoryTokenStore{}})
	if err != nil {
		t.Fatal(err)
	}
	chans, err := c.Channels(ctx)
	if err != nil || len(chans.Channels) != 1 {
		t.Fatalf("channels: %v, %+v", err, chans)
	}
	// Without --multicast-iface nothing is sent to a group: the box is
	// told to ask for unicast.
	if _, err := c.StartSession(ctx, operator.PlayRequest{ChannelID: chans.Channels[0].ID}); err == nil {
		t.Fatal("a multicast session was offered by a head-end that sends no multicast")
	}
	// The box listens before it asks, so that the burst finds it there;
	// its RTCP goes back to where the stream comes from.
	port := freeUDPPort(t)
	locator := fmt.Sprintf("rtp://@:%d", port)
	src, err := source.Open(ctx, locator, source.Config{})
	if err != nil {
		t.Fatalf("open %s: %v", locator, err)
	}
	defer src.Close()
	sess, err := c.StartSession(ctx, operator.PlayRequest{ChannelID: chans.Channels[0].ID, RTPPort: port, FCC: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.EndSession(context.Background(), sess.ID)
	if sess.URL != locator {
		t.Errorf("session URL %q, want %q", sess.URL, locator)
	}
	d := demux.NewTS(ctx, src)
	video := 0
	for video < 25 {
		p, err := d.Next()
		if err == io.EOF || err != nil {
			t.Fatalf("after %d video packets: %v", video, err)
		}
		if p.Stream.Kind == media.KindVideo {
			if video == 0 && !p.Keyframe {
				t.Error("the fast channel change burst did not start with a keyframe")
			}
			video++
		}
	}
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}
