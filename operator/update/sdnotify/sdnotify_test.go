package sdnotify

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func listen(t *testing.T) (*net.UnixConn, string) {
	path := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, path
}

func read(t *testing.T, c *net.UnixConn) string {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 256)
	n, err := c.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(b[:n])
}

func TestNotify(t *testing.T) {
	c, path := listen(t)
	t.Setenv("NOTIFY_SOCKET", path)
	t.Setenv("WATCHDOG_USEC", "2000000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	n := New()
	defer n.Close()
	if !n.Enabled() {
		t.Fatal("not enabled")
	}
	if err := n.Ready(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, c); got != "READY=1" {
		t.Fatalf("got %q", got)
	}
	t0 := time.Unix(1000, 0)
	n.Watchdog(t0)
	n.Watchdog(t0.Add(500 * time.Millisecond)) // not due: half of 2 s not passed
	n.Watchdog(t0.Add(time.Second))
	n.Notify("STATUS=done")
	for _, want := range []string{"WATCHDOG=1", "WATCHDOG=1", "STATUS=done"} {
		if got := read(t, c); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

func TestNotUnderSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	n := New()
	if n.Enabled() || n.Ready() != nil || n.Watchdog(time.Now()) != nil || n.Close() != nil {
		t.Fatal("a Notifier without a socket must do nothing")
	}
}

func TestOtherPIDsWatchdog(t *testing.T) {
	_, path := listen(t)
	t.Setenv("NOTIFY_SOCKET", path)
	t.Setenv("WATCHDOG_USEC", "1000")
	t.Setenv("WATCHDOG_PID", "1")
	if n := New(); n.watchdog != 0 {
		t.Fatal("watchdog meant for another process taken")
	}
}

// Under cage the service's main process is the compositor, the UI's
// parent: the watchdog meant for it is the UI's to pet.
func TestParentsWatchdog(t *testing.T) {
	_, path := listen(t)
	t.Setenv("NOTIFY_SOCKET", path)
	t.Setenv("WATCHDOG_USEC", "30000000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getppid()))
	if n := New(); n.watchdog != 15*time.Second {
		t.Fatalf("watchdog %v, want 15s", n.watchdog)
	}
}

// A socket nobody reads fills up; Notify then drops the message at once
// instead of blocking the render loop.
func TestNotifyNeverBlocks(t *testing.T) {
	_, path := listen(t) // never read
	t.Setenv("NOTIFY_SOCKET", path)
	n := New()
	defer n.Close()
	done := make(chan error, 1)
	go func() {
		var err error
		for i := 0; i < 100000 && err == nil; i++ {
			err = n.Notify("STATUS=filling the socket up with a message that is long enough to fill it sooner")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrBusy) {
			t.Fatalf("a full socket: %v, want ErrBusy", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Notify blocked on a full socket")
	}
}
