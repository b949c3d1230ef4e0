package app

import (
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/screen"
)

// drainEvents handles the keys that came, reporting whether any did.
func (a *App) drainEvents() bool {
	any := false
	for {
		select {
		case ev := <-a.keys:
			a.handle(ev)
			any = true
		default:
			return any
		}
	}
}

// handle gives a key to the top screen; keys it leaves, and the keys that
// mean the same everywhere (Home, Menu, volume), are the app's.
func (a *App) handle(ev remote.Event) {
	if len(a.stack) == 0 {
		return
	}
	if ev.Action == remote.Press {
		t := ev.Time
		if t.IsZero() {
			t = time.Now()
		}
		a.lastKey = keyTiming{pressed: t, frame: a.frames}
	}
	switch ev.Key {
	case remote.KeyVolumeUp, remote.KeyVolumeDown, remote.KeyMute:
		if ev.Action == remote.Press || ev.Action == remote.Repeat {
			a.volume(ev.Key, ev.Action == remote.Press)
		}
		return
	case remote.KeyHome:
		if ev.Action == remote.Press && a.home != nil {
			a.popTo(a.home)
		}
		return
	}
	if a.top().Handle(ev) || ev.Action != remote.Press {
		return
	}
	if a.home == nil { // playing one stream: nowhere else to go
		return
	}
	switch ev.Key {
	case remote.KeyMenu:
		a.openScreen(screen.NewSettings(a))
	case remote.KeyRed:
		a.openScreen(screen.NewLive(a))
	case remote.KeyGreen:
		a.openScreen(screen.NewGuide(a))
	case remote.KeyBlue:
		a.openScreen(screen.NewSearch(a))
	case remote.KeyBack:
		if a.top() != a.home {
			a.Back()
		}
	case remote.KeyChannelUp, remote.KeyChannelDown, remote.KeyLastChannel:
		a.resumeLive(ev.Key)
	}
}

// volume changes the volume or mutes, and shows it.
func (a *App) volume(k remote.Key, first bool) {
	s := a.st.Settings
	switch k {
	case remote.KeyVolumeUp:
		s.Volume, s.Muted = min(s.Volume+5, 100), false
	case remote.KeyVolumeDown:
		s.Volume = max(s.Volume-5, 0)
	case remote.KeyMute:
		if !first {
			return
		}
		s.Muted = !s.Muted
	}
	a.Apply(s)
	a.volUntil = a.now().Add(volumeShown)
}

// HandleKey handles one key event at once, as if it had come from a
// remote: for tests that step the app frame by frame.
func (a *App) HandleKey(ev remote.Event) { a.handle(ev) }
