package app

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/operator/update/sdnotify"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/screen"
)

// The healthy marker, which lets the update service confirm the slot the
// box booted, is written only once Home showed its rows and a video frame
// was presented, not on either alone.
func TestAppHealthyMarker(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	ts, err := clip()
	if err != nil {
		t.Skipf("no test stream: %v", err)
	}
	op.Media, op.Stream = ts, op.URL+"/media/clip.ts"
	marker := filepath.Join(t.TempDir(), "run", "healthy")
	ta := startApp(t, op, func(c *Config) { c.HealthyMarker = marker })
	homeReady(ta)
	for range 5 {
		ta.step()
	}
	if _, err := os.Stat(marker); !errors.Is(err, fs.ErrNotExist) || ta.healthy {
		t.Fatalf("Home alone wrote the marker: %v", err)
	}
	ta.Play(op.Titles[0], 0)
	ta.settle("a frame and the marker", func() bool {
		st, ok := ta.state().(screen.PlayerState)
		if ok && st.State == screen.PlayError {
			t.Fatalf("playback failed: %s", st.Error)
		}
		_, err := os.Stat(marker)
		return err == nil
	})
	if !ta.sawFrame || !ta.sawHome {
		t.Errorf("marker written with Home %v, frame %v", ta.sawHome, ta.sawFrame)
	}
	b, _ := os.ReadFile(marker)
	if !strings.HasPrefix(string(b), "healthy ") {
		t.Errorf("marker holds %q", b)
	}
}

// A video frame without Home (the operator never answered) is not
// healthy.
func TestAppNotHealthyWithoutHome(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	op.FailUntil = 1 << 30
	marker := filepath.Join(t.TempDir(), "healthy")
	ta := startApp(t, op, func(c *Config) { c.HealthyMarker = marker })
	homeFailed(ta)
	ta.sawFrame = true
	for range 5 {
		ta.step()
	}
	if _, err := os.Stat(marker); !errors.Is(err, fs.ErrNotExist) || ta.healthy {
		t.Fatalf("a failed Home wrote the marker: %v", err)
	}
}

// The render loop tells systemd it is ready after the first frame, then
// pets the watchdog, through the socket in NOTIFY_SOCKET.
func TestAppNotifiesSystemd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Setenv("NOTIFY_SOCKET", path)
	t.Setenv("WATCHDOG_USEC", "2000000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	n := sdnotify.New()
	defer n.Close()
	ta := startApp(t, apptest.NewFakeOperator(t), func(c *Config) { c.Notifier = n })
	read := func() string {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		b := make([]byte, 64)
		k, err := conn.Read(b)
		if err != nil {
			t.Fatal(err)
		}
		return string(b[:k])
	}
	ta.step()
	if got := read(); got != "READY=1" {
		t.Fatalf("first message %q, want READY=1", got)
	}
	if got := read(); got != "WATCHDOG=1" {
		t.Fatalf("second message %q, want WATCHDOG=1", got)
	}
	// Frames within half the watchdog interval send nothing more; the
	// next frame after it does.
	ta.step()
	ta.step()
	ta.clock.advance(time.Second)
	ta.step()
	if got := read(); got != "WATCHDOG=1" {
		t.Fatalf("then %q, want WATCHDOG=1", got)
	}
	conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if k, err := conn.Read(make([]byte, 64)); err == nil {
		t.Errorf("an extra message after one interval (%d bytes)", k)
	}
}

// The control endpoint's state counts the goroutines, for soak tests.
func TestStateCountsGoroutines(t *testing.T) {
	ta := startApp(t, apptest.NewFakeOperator(t), nil)
	homeReady(ta)
	b, err := json.Marshal(ta.Report())
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Goroutines *int `json:"goroutines"`
		Frames     int  `json:"frames"`
	}
	if err := json.Unmarshal(b, &got); err != nil || got.Goroutines == nil || *got.Goroutines < 2 || got.Frames == 0 {
		t.Errorf("state %s", b)
	}
}
