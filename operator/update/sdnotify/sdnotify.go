// Package sdnotify tells systemd how the box's service is doing: READY=1
// once the UI runs and WATCHDOG=1 from the render loop, so that a hung UI
// is restarted (WatchdogSec= in the unit). It is the sd_notify protocol in
// pure Go: one datagram to the socket named by $NOTIFY_SOCKET. Without
// that variable (not started by systemd) every call does nothing.
package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
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
// interval in $WATCHDOG_USEC, when $WATCHDOG_PID, if set, is this process
// or its parent: on the box the service's main process is the kiosk
// compositor (cage), which starts the UI and passes its environment on,
// and the unit's NotifyAccess=all lets the UI pet the watchdog for it.
func New() *Notifier {
	n := &Notifier{addr: os.Getenv("NOTIFY_SOCKET")}
	if usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64); err == nil && usec > 0 {
		pid := os.Getenv("WATCHDOG_PID")
		if pid == "" || pid == strconv.Itoa(os.Getpid()) || pid == strconv.Itoa(os.Getppid()) {
			n.watchdog = time.Duration(usec) * time.Microsecond / 2
		}
	}
	return n
}

// Enabled reports whether the process runs under systemd's notify socket.
func (n *Notifier) Enabled() bool { return n.addr != "" }

// ErrBusy is returned when the notify socket cannot take a message now
// (systemd is not reading it): the message is dropped rather than
// waited for, so that the render loop never blocks on it.
var ErrBusy = errors.New("sdnotify: the socket is full; message dropped")

// Notify sends state, such as "READY=1" or "STATUS=playing". It never
// blocks: a message the socket cannot take at once is dropped (ErrBusy).
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
	if err := send(n.conn, []byte(state)); err != nil {
		return fmt.Errorf("sdnotify: %s: %w", state, err)
	}
	return nil
}

// send writes one datagram without waiting: the socket is non-blocking
// (Go's runtime makes it so), and the write is tried once instead of
// parking until the socket is writable.
func send(c *net.UnixConn, b []byte) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var werr error
	err = rc.Write(func(fd uintptr) bool {
		_, werr = syscall.Write(int(fd), b)
		return true // done, whatever happened: never wait
	})
	if err != nil {
		return err
	}
	if errors.Is(werr, syscall.EAGAIN) || errors.Is(werr, syscall.ENOBUFS) {
		return ErrBusy
	}
	return werr
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

// WatchdogInterval is how often Watchdog must be called for the watchdog
// to be petted in time (half of WatchdogSec), 0 when there is none.
func (n *Notifier) WatchdogInterval() time.Duration {
	if n.addr == "" {
		return 0
	}
	return n.watchdog
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
