package app

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/screen"
)

// hlsTitle is a 30-second HLS VOD title of one-second segments, small,
// made with ffmpeg once for the package.
var hlsTitle = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "manbang-ui-hls")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "30",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
		"-c:a", "aac", "-b:a", "64k", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
		"-hls_segment_filename", filepath.Join(dir, "seg%03d.ts"), filepath.Join(dir, "index.m3u8"))
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", &exec.Error{Name: "ffmpeg " + string(out), Err: err}
	}
	atExit(func() { os.RemoveAll(dir) })
	return dir, nil
})

// exits are run by TestMain once every test is done: they remove the
// fixtures the tests share.
var exits struct {
	sync.Mutex
	fs []func()
}

func atExit(f func()) {
	exits.Lock()
	exits.fs = append(exits.fs, f)
	exits.Unlock()
}

func runExits() {
	exits.Lock()
	defer exits.Unlock()
	for _, f := range exits.fs {
		f()
	}
}

// mediaServer serves a directory on a fixed loopback port that it can stop
// and start again, as a head-end killed and restarted.
type mediaServer struct {
	dir, addr string
	srv       *http.Server
	done      chan struct{}
}

func startMediaServer(t *testing.T, dir string) *mediaServer {
	m := &mediaServer{dir: dir, addr: "127.0.0.1:0"}
	if err := m.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.stop)
	return m
}

func (m *mediaServer) start() error {
	l, err := net.Listen("tcp", m.addr)
	if err != nil {
		return err
	}
	m.addr = l.Addr().String()
	m.srv = &http.Server{Handler: http.FileServer(http.Dir(m.dir))}
	m.done = make(chan struct{})
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		srv.Serve(l)
	}(m.srv, m.done)
	return nil
}

// stop closes the listener and every connection, and waits for the
// server's goroutine.
func (m *mediaServer) stop() {
	if m.srv == nil {
		return
	}
	m.srv.Close()
	<-m.done
	m.srv = nil
}

// until runs frames, the app's clock moving with the real one, until ok
// holds for the player's state; it fails the test after limit.
func (ta *testApp) until(what string, limit time.Duration, ok func(playerReport) bool) playerReport {
	ta.t.Helper()
	deadline := time.Now().Add(limit)
	last := time.Now()
	for time.Now().Before(deadline) {
		now := time.Now()
		ta.clock.advance(now.Sub(last))
		last = now
		ta.step()
		if st, is := ta.playerReport(); is && ok(st) {
			return st
		}
		select {
		case <-ta.woken:
		case <-time.After(20 * time.Millisecond): // nothing posted: a frame again
		}
	}
	ta.t.Fatalf("timed out waiting for %s; screen %s %+v", what, topName(ta), ta.state())
	return playerReport{}
}

func position(st playerReport) time.Duration {
	if st.Stats == nil {
		return 0
	}
	return time.Duration(st.Stats.PositionMS * float64(time.Millisecond))
}

// The media server goes away mid-play for longer than the player keeps
// trying, and comes back on the same port: the box shows the error (or
// that it reconnects), keeps retrying while the viewer stays, and plays
// the title on from where it was once the server is back.
func TestAppSurvivesAServerOutage(t *testing.T) {
	dir, err := hlsTitle()
	if err != nil {
		t.Skipf("no test stream: %v", err)
	}
	media := startMediaServer(t, dir)
	op := apptest.NewFakeOperator(t)
	op.Stream = "http://" + media.addr + "/index.m3u8"
	ta := startApp(t, op, nil)
	homeReady(ta)
	ta.Play(op.Titles[0], 0)
	before := ta.until("playing past 3 s", time.Minute, func(st playerReport) bool {
		if st.State == screen.PlayError {
			t.Fatalf("playback failed: %s", st.Error)
		}
		return st.State == screen.PlayPlaying && position(st) > 3*time.Second
	})
	media.stop()
	// The player has a budget for reconnecting on its own; past it, the
	// error screen takes over and retries.
	sawReconnecting := false
	ta.until("the error screen", 90*time.Second, func(st playerReport) bool {
		sawReconnecting = sawReconnecting || st.Reconnecting
		return st.State == screen.PlayError
	})
	attempts := ta.pb.Attempts()
	ta.until("two retries that fail", time.Minute, func(st playerReport) bool {
		return ta.pb.Attempts() >= attempts+2 && st.State == screen.PlayError
	})
	t.Logf("reconnecting shown: %v; position before the outage %v", sawReconnecting, position(before))
	if err := media.start(); err != nil {
		t.Fatalf("restart the media server on %s: %v", media.addr, err)
	}
	after := ta.until("playing again", time.Minute, func(st playerReport) bool {
		return st.State == screen.PlayPlaying && st.Stats != nil && st.Stats.PresentedFrames > 0
	})
	if pos := position(after); pos < position(before)-time.Second {
		t.Errorf("playing again at %v; it was at %v before the outage", pos, position(before))
	}
	if n := topName(ta); n != "player" {
		t.Errorf("on %s after the outage", n)
	}
	ta.press(remote.KeyBack)
	if n := topName(ta); n == "player" {
		t.Errorf("Back did not leave the player")
	}
}
