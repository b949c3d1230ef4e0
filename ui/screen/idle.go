package screen

import (
	"time"

	"github.com/manbang/manbang/remote"
)

// The now-playing screen stays as it is for as long as a song plays, and
// a TV left on with it would keep its shape: after dimAfter with no key it
// dims, and what it still shows moves every dimShift.
const (
	dimAfter = time.Minute
	dimShift = 3 * time.Minute
)

// dimPlaces are where the dimmed screen's text goes in turn, as offsets
// from its place on the lit screen (at 720 lines).
var dimPlaces = [][2]float32{{0, 0}, {90, 170}, {30, 330}, {150, 80}, {60, 250}}

// idle is how long the viewer has left the remote alone, for a screen
// that dims.
type idle struct {
	keyAt   time.Time  // the last key
	woke    remote.Key // the key that woke the screen, taken until let go
	holding bool
}

// dimmed reports whether the screen is dimmed at now.
func (d *idle) dimmed(now time.Time) bool { return !now.Before(d.keyAt.Add(dimAfter)) }

// wakes notes a key and reports whether it is only to wake the screen:
// the first press on the screen dimmed (dim), and the same key held until
// it is let go, so that it does nothing else.
func (d *idle) wakes(ev remote.Event, now time.Time, dim bool) bool {
	if d.holding && ev.Key == d.woke {
		d.holding = ev.Action != remote.Release
		d.keyAt = now
		return true
	}
	if !pressed(ev) {
		return false
	}
	d.keyAt = now
	if dim {
		d.woke, d.holding = ev.Key, true
	}
	return dim
}

// shift returns where the dimmed screen's text is moved to at now.
func (d *idle) shift(now time.Time) (dx, dy float32) {
	k := int(now.Sub(d.keyAt.Add(dimAfter)) / dimShift)
	p := dimPlaces[max(k, 0)%len(dimPlaces)]
	return p[0], p[1]
}

// wake is when the screen next dims or its dimmed text moves.
func (d *idle) wake(now time.Time) time.Time {
	dim := d.keyAt.Add(dimAfter)
	if now.Before(dim) {
		return dim
	}
	return dim.Add((now.Sub(dim)/dimShift + 1) * dimShift)
}
