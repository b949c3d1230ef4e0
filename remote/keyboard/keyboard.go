// Package keyboard is the remote source for keyboards seen by GLFW: the
// developer's keyboard, and USB keyboards plugged into a box. Its key map
// is data (keyboard lines of remote/keymap files). It only
// registers a GLFW key callback, which GLFW runs on the main thread during
// PollEvents; it makes no GL calls.
package keyboard

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/keymap"
)

// Keys maps keyboard keys to remote keys: the built-in keyboard map
// (assets/keymaps/keyboard.map). The layout follows what a developer
// reaches for: arrows, Enter for OK, Escape or Backspace for Back, digits,
// and function keys for the coloured buttons.
var Keys = defaultKeys()

func defaultKeys() map[glfw.Key]remote.Key {
	m, _ := keymap.Default() // the built-in maps are tested to be clean
	keys, _ := Load(m)
	return keys
}

// KeyCode returns the GLFW key of a key map name: GLFW's Key constant
// without "Key", in any case ("Enter", "KP0", "F1", "A", "PageUp").
func KeyCode(name string) (glfw.Key, error) {
	if k, ok := keyNames[strings.ToLower(name)]; ok {
		return k, nil
	}
	return glfw.KeyUnknown, fmt.Errorf("unknown keyboard key %q (want a GLFW key name: Enter, KP0, F1, A, PageUp...)", name)
}

// Load returns the keyboard map of m (keymap.Load: the built-in maps and
// the technician's), and an error for each line naming no GLFW key.
func Load(m *keymap.Map) (map[glfw.Key]remote.Key, []error) {
	return keymap.Resolve(m.Entries(keymap.Keyboard), KeyCode)
}

// Translate returns the remote event for a GLFW key event, with Keys.
func Translate(k glfw.Key, a glfw.Action, now time.Time) (remote.Event, bool) {
	return TranslateWith(Keys, k, a, now)
}

// TranslateWith returns the remote event for a GLFW key event, with keys.
func TranslateWith(keys map[glfw.Key]remote.Key, k glfw.Key, a glfw.Action, now time.Time) (remote.Event, bool) {
	key, ok := keys[k]
	if !ok {
		return remote.Event{}, false
	}
	act := remote.Press
	switch a {
	case glfw.Repeat:
		act = remote.Repeat
	case glfw.Release:
		act = remote.Release
	}
	return remote.Event{Key: key, Action: act, Source: "keyboard", Time: now}, true
}

// Attach sends w's key events to out (a remote.Hub's Input), with Keys. A
// full queue drops the event rather than stall the render loop.
func Attach(w *glfw.Window, out chan<- remote.Event, log *slog.Logger) {
	AttachWith(w, Keys, out, log)
}

// AttachWith is Attach with the key map keys (Load).
func AttachWith(w *glfw.Window, keys map[glfw.Key]remote.Key, out chan<- remote.Event, log *slog.Logger) {
	w.SetKeyCallback(func(_ *glfw.Window, k glfw.Key, _ int, a glfw.Action, _ glfw.ModifierKey) {
		ev, ok := TranslateWith(keys, k, a, time.Now())
		if !ok {
			return
		}
		select {
		case out <- ev:
		default:
			if log != nil {
				log.Warn("key queue full; key dropped", "key", ev.Key)
			}
		}
	})
}
