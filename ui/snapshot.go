package ui

import (
	"context"
	"image"
	"runtime"

	"github.com/manbang/manbang/ui/screen"
)

// snapshot is the state published for the control endpoint each frame.
type snapshot struct {
	Lang     string    `json:"lang"`
	Frames   uint64    `json:"frames"`
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

// shot is a screenshot taken by the render loop, or why it could not be.
type shot struct {
	img *image.RGBA
	err error
}

// screenshot asks the render loop for the next frame's pixels.
func (a *App) screenshot(ctx context.Context) (*image.RGBA, error) {
	reply := make(chan shot, 1)
	select {
	case a.shots <- reply:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case s := <-reply:
		return s.img, s.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// publish stores the state the control endpoint reports until the next
// frame.
func (a *App) publish(top screen.Screen) {
	names := make([]string, len(a.stack))
	for i, s := range a.stack {
		names[i] = s.Name()
	}
	a.snap.Store(&snapshot{
		Lang: a.Lang(), Frames: a.frames, Screen: top.State(), Stack: names,
		Volume: a.st.Settings.Volume, Muted: a.st.Settings.Muted, Overscan: a.st.Settings.Overscan,
		Key: a.lastKey, Operator: a.st.Settings.Operator,
	})
}

// reportState is the control endpoint's state: the last frame's snapshot
// with the goroutines counted now; nil before the first frame.
func (a *App) reportState() any {
	s := a.snap.Load()
	if s == nil {
		return nil
	}
	c := *s
	c.Goroutines = runtime.NumGoroutine()
	return &c
}
