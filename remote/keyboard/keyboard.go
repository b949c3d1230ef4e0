// Package keyboard is the remote source for keyboards seen by GLFW: the
// developer's keyboard, and USB keyboards plugged into a box. It only
// registers a GLFW key callback, which GLFW runs on the main thread during
// PollEvents; it makes no GL calls.
package keyboard

import (
	"log/slog"
	"time"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/manbang/manbang/remote"
)

// Keys maps keyboard keys to remote keys. The layout follows what a
// developer reaches for: arrows, Enter for OK, Escape or Backspace for
// Back, digits, and function keys for the coloured buttons.
var Keys = map[glfw.Key]remote.Key{
	glfw.KeyUp: remote.KeyUp, glfw.KeyDown: remote.KeyDown,
	glfw.KeyLeft: remote.KeyLeft, glfw.KeyRight: remote.KeyRight,
	glfw.KeyEnter: remote.KeyOK, glfw.KeyKPEnter: remote.KeyOK,
	glfw.KeyEscape: remote.KeyBack, glfw.KeyBackspace: remote.KeyBack,
	glfw.KeyHome: remote.KeyHome, glfw.KeyM: remote.KeyMenu, glfw.KeyI: remote.KeyInfo,
	glfw.Key0: remote.Key0, glfw.Key1: remote.Key1, glfw.Key2: remote.Key2,
	glfw.Key3: remote.Key3, glfw.Key4: remote.Key4, glfw.Key5: remote.Key5,
	glfw.Key6: remote.Key6, glfw.Key7: remote.Key7, glfw.Key8: remote.Key8, glfw.Key9: remote.Key9,
	glfw.KeyKP0: remote.Key0, glfw.KeyKP1: remote.Key1, glfw.KeyKP2: remote.Key2,
	glfw.KeyKP3: remote.Key3, glfw.KeyKP4: remote.Key4, glfw.KeyKP5: remote.Key5,
	glfw.KeyKP6: remote.Key6, glfw.KeyKP7: remote.Key7, glfw.KeyKP8: remote.Key8, glfw.KeyKP9: remote.Key9,
	glfw.KeyPageUp: remote.KeyChannelUp, glfw.KeyPageDown: remote.KeyChannelDown,
	glfw.KeyL:     remote.KeyLastChannel,
	glfw.KeyEqual: remote.KeyVolumeUp, glfw.KeyKPAdd: remote.KeyVolumeUp,
	glfw.KeyMinus: remote.KeyVolumeDown, glfw.KeyKPSubtract: remote.KeyVolumeDown,
	glfw.KeyU:     remote.KeyMute,
	glfw.KeySpace: remote.KeyPlayPause, glfw.KeyS: remote.KeyStop,
	glfw.KeyF: remote.KeyFastForward, glfw.KeyR: remote.KeyRewind,
	glfw.KeyF1: remote.KeyRed, glfw.KeyF2: remote.KeyGreen,
	glfw.KeyF3: remote.KeyYellow, glfw.KeyF4: remote.KeyBlue,
}

// Translate returns the remote event for a GLFW key event.
func Translate(k glfw.Key, a glfw.Action, now time.Time) (remote.Event, bool) {
	key, ok := Keys[k]
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

// Attach sends w's key events to out. A full queue drops the event rather
// than stall the render loop.
func Attach(w *glfw.Window, out chan<- remote.Event, log *slog.Logger) {
	w.SetKeyCallback(func(_ *glfw.Window, k glfw.Key, _ int, a glfw.Action, _ glfw.ModifierKey) {
		ev, ok := Translate(k, a, time.Now())
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
