package sources

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/evdev"
)

// plainOpener opens FIFOs as remotes that have KEY_OK.
type plainOpener struct{}

type plainDevice struct{ *os.File }

func (plainOpener) Open(path string) (evdev.Device, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	return plainDevice{f}, err
}

func (plainDevice) Info() (evdev.Info, error) {
	var info evdev.Info
	info.Keys.Add(0x160)
	return info, nil
}
func (plainDevice) Grab() error { return nil }

// logs records log messages.
type logs struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	l.mu.Lock()
	l.msgs = append(l.msgs, b.String())
	l.mu.Unlock()
	return nil
}
func (l *logs) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logs) WithGroup(string) slog.Handler      { return l }
func (l *logs) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.msgs, "\n")
}

func TestStart(t *testing.T) {
	devs, maps := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(maps, "tech.map"), []byte("evdev KEY_OK menu\nevdev KEY_NOPE ok\n"), 0o644)
	tmp := filepath.Join(t.TempDir(), "event0")
	if err := syscall.Mkfifo(tmp, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	os.Rename(tmp, filepath.Join(devs, "event0"))

	l := &logs{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, err := Start(ctx, Config{
		Evdev:      EvdevConfig{Dir: devs, Opener: plainOpener{}},
		LIRC:       LIRCConfig{Socket: filepath.Join(devs, "no-lircd")},
		CEC:        CECConfig{Device: filepath.Join(devs, "no-cec0")},
		KeymapDirs: []string{maps},
		Logger:     slog.New(l),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.CEC != nil {
		t.Error("a CEC source without an adapter")
	}
	b := evdev.AppendRecord(nil, evdev.Record{Type: 1, Code: 0x160, Value: 1})
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-in.Events():
		if ev.Key != remote.KeyMenu || ev.Action != remote.Press || !strings.HasPrefix(ev.Source, "evdev:") {
			t.Errorf("got %v %v from %s; want the technician's menu from evdev", ev.Key, ev.Action, ev.Source)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event from the evdev remote")
	}
	text := l.text()
	for _, want := range []string{"no lircd socket; LIRC skipped", "no CEC adapter; HDMI-CEC skipped", "tech.map:2: unknown evdev key"} {
		if !strings.Contains(text, want) {
			t.Errorf("log has no %q:\n%s", want, text)
		}
	}
	if len(in.Keymap.Entries("keyboard")) == 0 {
		t.Error("no keyboard map for the UI")
	}
}

func TestStartOnAMachineWithNothing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	in, err := Start(ctx, Config{
		Evdev: EvdevConfig{Dir: filepath.Join(dir, "input")}, LIRC: LIRCConfig{Disable: true},
		CEC: CECConfig{Device: filepath.Join(dir, "cec0")}, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	// The Input still works: the keyboard and the control endpoint.
	in.Input() <- remote.Event{Key: remote.KeyOK, Action: remote.Press, Source: "keyboard"}
	if ev := <-in.Events(); ev.Key != remote.KeyOK {
		t.Errorf("got %v", ev.Key)
	}
	cancel() // ends the sources, as Close does
	in.Close()
	if _, err := Start(ctx, Config{}); err == nil {
		t.Error("Start with an ended context succeeded")
	}
}
