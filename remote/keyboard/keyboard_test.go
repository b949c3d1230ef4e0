package keyboard

import (
	"testing"
	"time"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/manbang/manbang/remote"
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
