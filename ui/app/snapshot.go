package app

import (
	"runtime"

	"github.com/manbang/manbang/player"
	"github.com/manbang/manbang/ui/screen"
)

// Snapshot is the app's state as the control endpoint reports it,
// published after every frame.
type Snapshot struct {
	Lang string `json:"lang"`
	// Frames counts the frames the loop ran, Drawn those it drew and
	// showed: an idle screen runs none.
	Frames   uint64    `json:"frames"`
	Drawn    uint64    `json:"drawn"`
	Screen   any       `json:"current"`
	Stack    []string  `json:"stack"`
	Volume   int       `json:"volume"`
	Muted    bool      `json:"muted"`
	Overscan int       `json:"overscan"`
	Key      keyTiming `json:"last_key"`
	Operator string    `json:"operator"`
	// Goroutines is runtime.NumGoroutine() when the state is asked for:
	// soak tests watch it for leaks.
	Goroutines int `json:"goroutines"`
}

// playerReport is the Player screen's state with the player's own
// statistics, for the screen of the stream playing.
type playerReport struct {
	screen.PlayerState
	Stats *player.Stats `json:"stats,omitempty"`
}

// publish stores the state the control endpoint reports until the next
// frame.
func (a *App) publish() {
	names := make([]string, len(a.stack))
	for i, s := range a.stack {
		names[i] = s.Name()
	}
	var cur any
	if len(a.stack) > 0 {
		top := a.top()
		cur = top.State()
		if ps, ok := cur.(screen.PlayerState); ok && a.pb != nil && top == screen.Screen(a.playing()) {
			r := playerReport{PlayerState: ps}
			if p := a.pb.Player(); p != nil {
				st := p.Stats()
				r.Stats = &st
			}
			cur = r
		}
	}
	a.snap.Store(&Snapshot{
		Lang: a.Lang(), Frames: a.frames, Drawn: a.drawn, Screen: cur, Stack: names,
		Volume: a.st.Settings.Volume, Muted: a.st.Settings.Muted, Overscan: a.st.Settings.Overscan,
		Key: a.lastKey, Operator: a.st.Settings.Operator,
	})
}

// Report is the control endpoint's state: the last frame's snapshot with
// the goroutines counted now; nil before the first frame.
func (a *App) Report() any {
	s := a.snap.Load()
	if s == nil {
		return nil
	}
	c := *s
	c.Goroutines = runtime.NumGoroutine()
	return &c
}
