// Package sdnotify tells systemd how the box's service is doing: READY=1
// once the UI runs and WATCHDOG=1 from the render loop, so that a hung UI
// is restarted (WatchdogSec= in the unit). It is the sd_notify protocol in
// pure Go: one datagram to the socket named by $NOTIFY_SOCKET. Without
// that variable (not started by systemd) every call does nothing.
package sdnotify

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// Notifier sends notifications to systemd.
type Notifier struct {
	mu   sync.Mutex
	addr string // "" when not under systemd
	conn *net.UnixConn
	// watchdog is half of WatchdogSec, or 0 when there is no watchdog.
	watchdog time.Duration
	last     time.Time
}

// New returns a Notifier for the socket in $NOTIFY_SOCKET and the watchdog
// interval in $WATCHDOG_USEC (when $WATCHDOG_PID, if set, is this process).
func New() *Notifier {
	n := &Notifier{addr: os.Getenv("NOTIFY_SOCKET")}
	if usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64); err == nil && usec > 0 {
		if pid := os.Getenv("WATCHDOG_PID"); pid == "" || pid == strconv.Itoa(os.Getpid()) {
			n.watchdog = time.Duration(usec) * time.Microsecond / 2
		}
	}
	return n
}

// Enabled reports whether the process runs under systemd's notify socket.
func (n *Notifier) Enabled() bool { return n.addr != "" }

// Notify sends state, such as "READY=1" or "STATUS=playing".
func (n *Notifier) Notify(state string) error {
	if n.addr == "" {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn == nil {
		name := n.addr
		if name[0] == '@' {
			name = "\x00" + name[1:] // abstract socket
		}
		c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
		if err != nil {
			return fmt.Errorf("sdnotify: %w", err)
		}
		n.conn = c
	}
	if _, err := n.conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sdnotify: %s: %w", state, err)
	}
	return nil
}

// Ready tells systemd that start-up is complete (Type=notify).
func (n *Notifier) Ready() error { return n.Notify("READY=1") }

// Watchdog pets the watchdog at most once per half watchdog interval; call
// it every frame from the render loop, it is cheap when nothing is due.
func (n *Notifier) Watchdog(now time.Time) error {
	if n.watchdog == 0 || n.addr == "" {
		return nil
	}
	n.mu.Lock()
	due := now.Sub(n.last) >= n.watchdog
	if due {
		n.last = now
	}
	n.mu.Unlock()
	if !due {
		return nil
	}
	return n.Notify("WATCHDOG=1")
}

// Close releases the socket.
func (n *Notifier) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn == nil {
		return nil
	}
	err := n.conn.Close()
	n.conn = nil
	return err
}
