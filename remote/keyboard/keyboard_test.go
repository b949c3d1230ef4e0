package keyboard

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/keymap"
)

func TestTranslate(t *testing.T) {
	now := time.Unix(1, 0)
	cases := []struct {
		k      glfw.Key
		a      glfw.Action
		want   remote.Key
		action remote.Action
		ok     bool
	}{
		{glfw.KeyEnter, glfw.Press, remote.KeyOK, remote.Press, true},
		{glfw.KeyEscape, glfw.Release, remote.KeyBack, remote.Release, true},
		{glfw.KeyDown, glfw.Repeat, remote.KeyDown, remote.Repeat, true},
		{glfw.KeyKP7, glfw.Press, remote.Key7, remote.Press, true},
		{glfw.KeyF2, glfw.Press, remote.KeyGreen, remote.Press, true},
		{glfw.KeyQ, glfw.Press, remote.KeyNone, remote.Press, false},
	}
	for _, c := range cases {
		ev, ok := Translate(c.k, c.a, now)
		if ok != c.ok || ev.Key != c.want || (ok && (ev.Action != c.action || ev.Source != "keyboard" || !ev.Time.Equal(now))) {
			t.Errorf("Translate(%v, %v) = %+v, %v; want key %v action %v, %v", c.k, c.a, ev, ok, c.want, c.action, c.ok)
		}
	}
}

// previousKeys is the map that was Go code before key maps became data:
// the built-in keyboard.map must keep it.
var previousKeys = map[glfw.Key]remote.Key{
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

func TestBuiltInMapKeepsTheDefaults(t *testing.T) {
	if !maps.Equal(Keys, previousKeys) {
		t.Errorf("Keys\n got %v\nwant %v", Keys, previousKeys)
	}
}

func TestLoadATechniciansMap(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "kb.map"), []byte("keyboard Q back\nkeyboard Enter -\nkeyboard Hyper ok\n"), 0o644)
	m, errs := keymap.Load([]string{dir})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	keys, errs := Load(m)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "kb.map:3: unknown keyboard key") {
		t.Errorf("errors %v; want one for line 3", errs)
	}
	if keys[glfw.KeyQ] != remote.KeyBack || keys[glfw.KeyEscape] != remote.KeyBack {
		t.Errorf("Q or Escape not back: %v", keys)
	}
	if _, ok := TranslateWith(keys, glfw.KeyEnter, glfw.Press, time.Now()); ok {
		t.Error("an unmapped Enter still translates")
	}
	for _, n := range []string{"enter", "KP0", "F25", "a", "PageUp", "GraveAccent"} {
		if _, err := KeyCode(n); err != nil {
			t.Error(err)
		}
	}
}
