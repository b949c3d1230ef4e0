package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
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

// With a firmware directory in its data, serve answers the boxes' firmware
// query itself (no token needed) beside the API.
func TestServeFirmware(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "firmware"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := start(t, "--demo", "--demo-titles", "1", "--demo-channels", "-1", "--demo-duration", "3s",
		"--addr", "127.0.0.1:0", "--data", dir)
	resp, err := http.Get(s.url + "/api/v1/firmware?model=manbang-arm64&channel=stable")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// No release of that model: not found, and not the API's 401.
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusNoContent {
		t.Errorf("firmware query answered %s", resp.Status)
	}
	resp, err = http.Get(s.url + "/api/v1/categories")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the API without a token answered %s; want 401", resp.Status)
	}
}
