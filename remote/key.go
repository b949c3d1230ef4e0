// Package remote turns every input source of the box (keyboard, evdev, LIRC,
// HDMI-CEC, the network remote) into one stream of key events that the UI
// consumes. Nothing in ui/ knows where a key came from.
package remote

import (
	"fmt"
	"strings"
	"time"
)

// Key is a button of a set-top-box remote control.
type Key int

// The keys of a set-top-box remote. The zero value is KeyNone.
const (
	KeyNone Key = iota
	KeyUp
	KeyDown
	KeyLeft
	KeyRight
	KeyOK
	KeyBack
	KeyHome
	KeyMenu
	KeyInfo
	Key0
	Key1
	Key2
	Key3
	Key4
	Key5
	Key6
	Key7
	Key8
	Key9
	KeyChannelUp
	KeyChannelDown
	KeyLastChannel
	KeyVolumeUp
	KeyVolumeDown
	KeyMute
	KeyPlayPause
	KeyStop
	KeyFastForward
	KeyRewind
	KeyRed
	KeyGreen
	KeyYellow
	KeyBlue
	keyCount
)

var keyNames = [keyCount]string{
	KeyNone: "none", KeyUp: "up", KeyDown: "down", KeyLeft: "left", KeyRight: "right",
	KeyOK: "ok", KeyBack: "back", KeyHome: "home", KeyMenu: "menu", KeyInfo: "info",
	Key0: "0", Key1: "1", Key2: "2", Key3: "3", Key4: "4",
	Key5: "5", Key6: "6", Key7: "7", Key8: "8", Key9: "9",
	KeyChannelUp: "ch+", KeyChannelDown: "ch-", KeyLastChannel: "last",
	KeyVolumeUp: "vol+", KeyVolumeDown: "vol-", KeyMute: "mute",
	KeyPlayPause: "playpause", KeyStop: "stop", KeyFastForward: "ff", KeyRewind: "rw",
	KeyRed: "red", KeyGreen: "green", KeyYellow: "yellow", KeyBlue: "blue",
}

// String returns the key's name as used in key maps and the control API.
func (k Key) String() string {
	if k < 0 || k >= keyCount {
		return fmt.Sprintf("key(%d)", int(k))
	}
	return keyNames[k]
}

// Digit reports the digit of a digit key.
func (k Key) Digit() (int, bool) {
	if k >= Key0 && k <= Key9 {
		return int(k - Key0), true
	}
	return 0, false
}

// ParseKey returns the key with the given name (case-insensitive).
func ParseKey(name string) (Key, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for k, s := range keyNames {
		if s == n && Key(k) != KeyNone {
			return Key(k), nil
		}
	}
	return KeyNone, fmt.Errorf("unknown key %q", name)
}

// Action says whether an event is the first press, an auto-repeat while
// held, the release of a key, or that a key has been held long.
type Action int

// The actions of a key event.
const (
	Press Action = iota
	Repeat
	Release
	// LongPress comes once while a key that has a long meaning (OK by
	// default) has been held for the hub's long-press time; the key's
	// Repeats and its Release still follow as usual.
	LongPress
)

func (a Action) String() string {
	switch a {
	case Press:
		return "press"
	case Repeat:
		return "repeat"
	case Release:
		return "release"
	case LongPress:
		return "longpress"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Event is one key event from one input source.
type Event struct {
	Key    Key
	Action Action
	Source string // "keyboard", "evdev:/dev/input/event3", "lirc", "cec", "control", "network", ...
	Time   time.Time
}

// ParseAction returns the action with the given name ("press", "repeat",
// "release" or "longpress", case-insensitive).
func ParseAction(name string) (Action, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for a := Press; a <= LongPress; a++ {
		if a.String() == n {
			return a, nil
		}
	}
	return Press, fmt.Errorf("unknown key action %q", name)
}
