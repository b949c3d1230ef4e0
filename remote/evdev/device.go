package evdev

import "io"

// KeySet is the set of key codes a device can send (EVIOCGBIT(EV_KEY)),
// in the kernel's bit layout.
type KeySet [(keyMax + 64) / 64]uint64

// Has reports whether code is in the set.
func (s *KeySet) Has(code uint16) bool {
	return int(code) <= keyMax && s[code/64]&(1<<(code%64)) != 0
}

// Add puts code in the set.
func (s *KeySet) Add(code uint16) {
	if int(code) <= keyMax {
		s[code/64] |= 1 << (code % 64)
	}
}

// Info is what a device tells about itself.
type Info struct {
	Name string // EVIOCGNAME: "gpio_ir_recv", "Xiaomi Remote"...
	Keys KeySet
}

// remoteKeys are keys that keyboards and mice do not have: a device with
// any of them is a remote.
var remoteKeys = []string{
	"KEY_OK", "KEY_SELECT", "KEY_CHANNELUP", "KEY_CHANNELDOWN", "KEY_RED", "KEY_GREEN",
	"KEY_YELLOW", "KEY_BLUE", "KEY_EPG", "KEY_NUMERIC_0", "KEY_TV", "KEY_PVR", "KEY_INFO",
}

// IsRemote reports whether a device with info looks like a remote control
// rather than a keyboard, a mouse or a power button.
func IsRemote(info Info) bool {
	for _, name := range remoteKeys {
		if info.Keys.Has(keyNames[name]) {
			return true
		}
	}
	return false
}

// Device is one open input device. The real one (System) is a thin layer
// of ioctls on /dev/input/event*; tests use plain files.
type Device interface {
	// Read reads whole input_event records.
	io.Reader
	// Info returns the device's name and keys.
	Info() (Info, error)
	// Grab takes the device for this program alone (EVIOCGRAB), so that
	// the console or the window system do not see its keys too.
	Grab() error
	Close() error
}

// Opener opens devices by path.
type Opener interface {
	Open(path string) (Device, error)
}
