// Package clock provides the media clocks the player paces video against:
// the audio sink's position when there is sound, and a wall clock anchored
// at the first frame when there is none.
package clock

import (
	"sync"
	"time"
)

// Clock reports the media time being presented now. ok is false until the
// clock has started.
type Clock interface {
	Now() (t time.Duration, ok bool)
}

// Wall is a Clock that advances with real time from an anchor. It is safe
// for concurrent use.
type Wall struct {
	mu          sync.Mutex
	now         func() time.Time
	started     bool
	paused      bool
	anchorMedia time.Duration
	anchorWall  time.Time
}

// NewWall returns a stopped wall clock. now may be nil for time.Now; tests
// pass a fake.
func NewWall(now func() time.Time) *Wall {
	if now == nil {
		now = time.Now
	}
	return &Wall{now: now}
}

// Start anchors the clock so that Now returns media at this instant.
func (w *Wall) Start(media time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.started = true
	w.anchorMedia = media
	w.anchorWall = w.now()
}

// Started reports whether Start has been called.
func (w *Wall) Started() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.started
}

// Now implements Clock.
func (w *Wall) Now() (time.Duration, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.nowLocked(), w.started
}

func (w *Wall) nowLocked() time.Duration {
	if !w.started {
		return 0
	}
	if w.paused {
		return w.anchorMedia
	}
	return w.anchorMedia + w.now().Sub(w.anchorWall)
}

// SetPaused stops or restarts the clock's advance.
func (w *Wall) SetPaused(p bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if p == w.paused {
		return
	}
	w.anchorMedia = w.nowLocked()
	w.anchorWall = w.now()
	w.paused = p
}

// Reset stops the clock until the next Start; a pause stays in force.
func (w *Wall) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.started = false
}
