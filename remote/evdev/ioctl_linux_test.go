package evdev

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The request numbers as linux/input.h computes them (gcc, Debian 12).
func TestIoctlNumbers(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"EVIOCGNAME(256)", eviocgname(256), 0x81004506},
		{"EVIOCGBIT(0, 4)", eviocgbit(0, 4), 0x80044520},
		{"EVIOCGBIT(EV_KEY, 96)", eviocgbit(evKey, 96), 0x80604521},
		{"EVIOCGRAB", eviocgrab(), 0x40044590},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x; want %#x", c.name, c.got, c.want)
		}
	}
	if len(KeySet{})*8 != 96 {
		t.Errorf("KeySet is %d bytes; EVIOCGBIT(EV_KEY) fills 96", len(KeySet{})*8)
	}
}

// A file that is not an input device opens but fails its queries, which
// the source reports and skips.
func TestSystemOnAPlainFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "event0")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dev, err := System{}.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	if _, err := dev.Info(); !errors.Is(err, syscall.ENOTTY) {
		t.Errorf("Info on a plain file: %v; want ENOTTY", err)
	}
	if err := dev.Grab(); !errors.Is(err, syscall.ENOTTY) {
		t.Errorf("Grab on a plain file: %v; want ENOTTY", err)
	}
	if _, err := (System{}).Open(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Open of a missing device succeeded")
	}
}
