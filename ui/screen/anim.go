package screen

import "time"

// animTime is how long focus and scrolling take to glide to their place.
const animTime = 150 * time.Millisecond

// anim is a value gliding to its target: a scroll offset, a focus ring's
// position. A new target starts a glide from wherever the value is at the
// next Update, so the first frame after a key already moves.
type anim struct {
	from, to, cur float32
	start         time.Time
	pending       bool // a new target waits for its start time
	set           bool // the value has been given once
}

// target sets where the value glides to. The first target is taken at
// once: nothing glides in from zero.
func (a *anim) target(v float32) {
	if !a.set {
		a.from, a.to, a.cur, a.set = v, v, v, true
		return
	}
	if v == a.to {
		return
	}
	a.to = v
	a.pending = true
}

// jump puts the value at v without gliding.
func (a *anim) jump(v float32) {
	a.from, a.to, a.cur, a.set, a.pending = v, v, v, true, false
}

// update moves the value on to now.
func (a *anim) update(now time.Time) {
	if a.pending {
		a.from, a.start, a.pending = a.cur, now.Add(-animTime/5), false
	}
	if a.cur == a.to {
		return
	}
	t := float32(now.Sub(a.start)) / float32(animTime)
	if t >= 1 || t < 0 {
		a.cur = a.to
		return
	}
	// Ease out: fast at first, settling gently.
	e := 1 - (1-t)*(1-t)*(1-t)
	a.cur = a.from + (a.to-a.from)*e
}

// value returns the value as of the last update.
func (a *anim) value() float32 { return a.cur }

// moving reports whether the value is still gliding.
func (a *anim) moving() bool { return a.pending || a.cur != a.to }
