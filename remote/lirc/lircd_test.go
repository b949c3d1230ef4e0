package lirc

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
)

// lircdConf defines two remotes by hand, as irrecord would; the file
// driver needs no hardware, and SIMULATE checks names against it.
const lircdConf = `
begin remote
  name  myremote
  bits  16
  eps   30
  aeps  100
  one   0 0
  zero  0 0
  gap   100000
  begin codes
    KEY_OK      0x0001
    KEY_UP      0x0002
    KEY_RED     0x0003
    KEY_MUTE    0x0004
  end codes
end remote

begin remote
  name  otherremote
  bits  16
  eps   30
  aeps  100
  one   0 0
  zero  0 0
  gap   100000
  begin codes
    KEY_UP      0x0002
  end codes
end remote
`

// lircd is a real lircd (Debian's lirc package) on a socket in a temp dir.
type lircd struct {
	dir, socket string
	cmd         *exec.Cmd
	exited      chan error
}

func startLircd(t *testing.T, dir string) *lircd {
	t.Helper()
	bin, err := exec.LookPath("lircd")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/lircd"); err != nil {
			t.Skip("lircd is not installed (Debian: apt-get install lirc); skipping the tests against a real lircd")
		}
		bin = "/usr/sbin/lircd"
	}
	conf := filepath.Join(dir, "lircd.conf")
	opts := filepath.Join(dir, "lirc_options.conf")
	if err := os.WriteFile(conf, []byte(lircdConf), 0o644); err != nil {
		t.Fatal(err)
	}
	// An options file of our own, so the system's (/etc/lirc) is not read.
	if err := os.WriteFile(opts, []byte("[lircd]\nnodaemon = True\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := &lircd{dir: dir, socket: filepath.Join(dir, "lircd.socket")}
	l.cmd = exec.Command(bin, "--options-file="+opts, "--nodaemon", "--driver=file", "--device=/dev/null",
		"--output="+l.socket, "--pidfile="+filepath.Join(dir, "lircd.pid"),
		"--logfile="+filepath.Join(dir, "lircd.log"), "--allow-simulate", conf)
	if err := l.cmd.Start(); err != nil {
		t.Fatalf("start lircd: %v", err)
	}
	exited := make(chan error, 1)
	l.exited = exited
	go func() { exited <- l.cmd.Wait() }()
	t.Cleanup(func() { l.stop(t, l.exited) })
	deadline := time.After(15 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if c, err := net.Dial("unix", l.socket); err == nil {
			c.Close()
			return l
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "lircd.log"))
			t.Fatalf("lircd exited (%v):\n%s", err, log)
		case <-deadline:
			t.Fatal("lircd made no socket within 15 s")
		case <-tick.C:
		}
	}
}

// stop ends lircd (once; later calls do nothing).
func (l *lircd) stop(t *testing.T, exited chan error) {
	if l.cmd.Process == nil || exited == nil {
		return
	}
	l.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		l.cmd.Process.Kill()
		<-exited
	}
	close(exited)
	l.exited = nil
}

func (l *lircd) simulate(t *testing.T, code, repeat int, button, remote string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := fmt.Sprintf("SIMULATE %016x %02x %s %s", code, repeat, button, remote)
	if _, err := Send(ctx, l.socket, cmd); err != nil {
		t.Fatal(err)
	}
}

// logWatch hands the source's log messages to the test.
type logWatch struct{ msgs chan string }

func (w logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w logWatch) Handle(_ context.Context, r slog.Record) error {
	select {
	case w.msgs <- r.Message:
	default:
	}
	return nil
}
func (w logWatch) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w logWatch) WithGroup(string) slog.Handler      { return w }

func (w logWatch) wait(t *testing.T, prefix string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-w.msgs:
			if strings.HasPrefix(m, prefix) {
				return
			}
		case <-deadline:
			t.Fatalf("no log %q within 10 s", prefix)
		}
	}
}

func expect(t *testing.T, events chan remote.Event, key remote.Key, action remote.Action) {
	t.Helper()
	select {
	case ev := <-events:
		if ev.Key != key || ev.Action != action || ev.Source != "lirc" {
			t.Fatalf("got %v %v from %s; want %v %v from lirc", ev.Key, ev.Action, ev.Source, key, action)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no event within 10 s; want %v %v", key, action)
	}
}

func TestSourceAgainstRealLircd(t *testing.T) {
	l := startLircd(t, t.TempDir())
	logs := logWatch{make(chan string, 64)}
	src := New(Config{
		Socket: l.socket,
		Keys: map[string]remote.Key{
			"key_ok": remote.KeyOK, "key_up": remote.KeyDown, "myremote:key_up": remote.KeyUp, "key_red": remote.KeyRed,
		},
		Retry:  20 * time.Millisecond,
		Logger: slog.New(logs),
	})
	if src.HoldTimeout() != 250*time.Millisecond {
		t.Errorf("default hold timeout %v", src.HoldTimeout())
	}
	events := make(chan remote.Event, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, func(ev remote.Event) { events <- ev }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	logs.wait(t, "lirc: connected")

	l.simulate(t, 1, 0, "KEY_OK", "myremote")
	expect(t, events, remote.KeyOK, remote.Press)
	l.simulate(t, 1, 1, "KEY_OK", "myremote")
	expect(t, events, remote.KeyOK, remote.Repeat)
	l.simulate(t, 4, 0, "KEY_MUTE", "myremote") // unmapped: nothing
	l.simulate(t, 2, 0, "KEY_UP", "myremote")   // the remote's own mapping wins
	expect(t, events, remote.KeyUp, remote.Press)
	l.simulate(t, 2, 0, "KEY_UP", "otherremote")
	expect(t, events, remote.KeyDown, remote.Press)

	// irsend, the technician's tool, works the same.
	if irsend, err := exec.LookPath("irsend"); err == nil {
		out, err := exec.Command(irsend, "--device="+l.socket, "SIMULATE", "0000000000000003 00 KEY_RED myremote").CombinedOutput()
		if err != nil {
			t.Fatalf("irsend: %v: %s", err, out)
		}
		expect(t, events, remote.KeyRed, remote.Press)
	}

	// lircd rereads its config on SIGHUP and tells its clients.
	l.cmd.Process.Signal(syscall.SIGHUP)
	logs.wait(t, "lirc: lircd reread")
	l.simulate(t, 1, 0, "KEY_OK", "myremote")
	expect(t, events, remote.KeyOK, remote.Press)

	// lircd restarts: the source reconnects.
	l.stop(t, l.exited)
	logs.wait(t, "lirc: lost lircd")
	l2 := startLircd(t, l.dir)
	logs.wait(t, "lirc: connected")
	l2.simulate(t, 1, 0, "KEY_OK", "myremote")
	expect(t, events, remote.KeyOK, remote.Press)
}

func TestSendAgainstRealLircd(t *testing.T) {
	l := startLircd(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := Send(ctx, l.socket, "VERSION")
	if err != nil || !r.Success || len(r.Data) != 1 || !strings.HasPrefix(r.Data[0], "0.") {
		t.Errorf("VERSION: %+v, %v", r, err)
	}
	r, err = Send(ctx, l.socket, "LIST")
	if err != nil || strings.Join(r.Data, ",") != "myremote,otherremote" {
		t.Errorf("LIST: %+v, %v", r, err)
	}
	if r, err := Send(ctx, l.socket, "NO_SUCH_COMMAND"); err == nil || r == nil || r.Success {
		t.Errorf("an unknown command: %+v, %v; want lircd's ERROR", r, err)
	}
	if _, err := Send(ctx, l.socket, "VERSION\nLIST"); err == nil {
		t.Error("a command with a line break was sent")
	}
}
