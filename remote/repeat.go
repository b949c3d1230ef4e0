package remote

import (
	"slices"
	"time"
)

// RepeatConfig sets the one auto-repeat cadence that every source is
// brought to, whatever its device does on its own.
type RepeatConfig struct {
	// Delay is the time from a Press to its first Repeat (default 400 ms).
	Delay time.Duration
	// Interval is the time between Repeats (default 120 ms).
	Interval time.Duration
	// LongPress is how long a key of LongKeys must be held for a LongPress
	// event (default 800 ms).
	LongPress time.Duration
	// LongKeys are the keys that report a LongPress (default: OK).
	LongKeys []Key
}

func (c RepeatConfig) withDefaults() RepeatConfig {
	if c.Delay <= 0 {
		c.Delay = 400 * time.Millisecond
	}
	if c.Interval <= 0 {
		c.Interval = 120 * time.Millisecond
	}
	if c.LongPress <= 0 {
		c.LongPress = 800 * time.Millisecond
	}
	if c.LongKeys == nil {
		c.LongKeys = []Key{KeyOK}
	}
	return c
}

// Repeater turns the raw key events of sources into events with one
// cadence: a Press, Repeats at a steady rate after an initial delay while
// the key is held, a LongPress for long keys, and a Release. Raw Repeats
// that a device makes itself (evdev value 2, a LIRC repeat count, a CEC
// repeated User Control Pressed) only say the key is still held. A source
// that reports no releases gives a hold timeout: a key it stops repeating
// for that long is released.
//
// A Repeater is a pure state machine driven by the times in the events and
// by Advance; it is not safe for concurrent use. The Hub drives one.
type Repeater struct {
	cfg  RepeatConfig
	held map[holdID]*hold
}

type holdID struct {
	source string
	key    Key
}

type hold struct {
	next     time.Time // the next Repeat
	long     time.Time // the LongPress, zero when none is due
	deadline time.Time // the hold timeout, zero when the source reports releases
	timeout  time.Duration
}

// NewRepeater returns a Repeater with cfg's cadence.
func NewRepeater(cfg RepeatConfig) *Repeater {
	return &Repeater{cfg: cfg.withDefaults(), held: map[holdID]*hold{}}
}

// Raw takes one raw event of a source and returns the events it makes now.
// holdTimeout is the source's (zero when it reports releases). Raw first
// advances to ev.Time, so timers due before the event come first.
func (r *Repeater) Raw(ev Event, holdTimeout time.Duration) []Event {
	out := r.Advance(ev.Time)
	id := holdID{ev.Source, ev.Key}
	h := r.held[id]
	switch ev.Action {
	case Press:
		if h != nil { // pressed again without a release in between
			out = append(out, Event{Key: ev.Key, Action: Release, Source: ev.Source, Time: ev.Time})
		}
		out = append(out, ev)
		r.start(id, ev.Time, holdTimeout)
	case Repeat:
		if h == nil { // the source's first report was lost
			ev.Action = Press
			out = append(out, ev)
			r.start(id, ev.Time, holdTimeout)
			break
		}
		h.timeout = holdTimeout
		if holdTimeout > 0 {
			h.deadline = ev.Time.Add(holdTimeout)
		}
	case Release:
		if h != nil {
			delete(r.held, id)
			out = append(out, ev)
		}
	}
	return out
}

func (r *Repeater) start(id holdID, t time.Time, timeout time.Duration) {
	h := &hold{next: t.Add(r.cfg.Delay), timeout: timeout}
	if slices.Contains(r.cfg.LongKeys, id.key) {
		h.long = t.Add(r.cfg.LongPress)
	}
	if timeout > 0 {
		h.deadline = t.Add(timeout)
	}
	r.held[id] = h
}

// Advance returns the Repeats, LongPresses and timed-out Releases due at
// now, in time order. A Repeater that fell behind (a busy machine) skips
// the Repeats it missed rather than send them in a burst.
func (r *Repeater) Advance(now time.Time) []Event {
	var out []Event
	for id, h := range r.held {
		for {
			if !h.deadline.IsZero() && !h.deadline.After(now) &&
				!h.deadline.After(h.next) && (h.long.IsZero() || !h.deadline.After(h.long)) {
				out = append(out, Event{Key: id.key, Action: Release, Source: id.source, Time: h.deadline})
				delete(r.held, id)
				break
			}
			if !h.long.IsZero() && !h.long.After(now) && !h.long.After(h.next) {
				out = append(out, Event{Key: id.key, Action: LongPress, Source: id.source, Time: h.long})
				h.long = time.Time{}
				continue
			}
			if !h.next.After(now) {
				out = append(out, Event{Key: id.key, Action: Repeat, Source: id.source, Time: h.next})
				h.next = h.next.Add(r.cfg.Interval)
				if late := now.Sub(h.next); late >= 0 { // skip the beats missed, keep the beat
					h.next = h.next.Add((late/r.cfg.Interval + 1) * r.cfg.Interval)
				}
				continue
			}
			break
		}
	}
	slices.SortStableFunc(out, func(a, b Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if a.Source != b.Source {
			if a.Source < b.Source {
				return -1
			}
			return 1
		}
		return int(a.Key) - int(b.Key)
	})
	return out
}

// Next returns when Advance next has something to do, if anything is held.
func (r *Repeater) Next() (time.Time, bool) {
	var next time.Time
	for _, h := range r.held {
		for _, t := range []time.Time{h.next, h.long, h.deadline} {
			if !t.IsZero() && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
	}
	return next, !next.IsZero()
}

// Held reports whether source holds key.
func (r *Repeater) Held(source string, key Key) bool {
	_, ok := r.held[holdID{source, key}]
	return ok
}

// HeldElsewhere reports whether a source other than source holds key,
// the box's own endpoints (SourceControl, SourceNetwork) left out: what
// they hold is nobody else's press.
func (r *Repeater) HeldElsewhere(source string, key Key) bool {
	for id := range r.held {
		if id.key == key && id.source != source && !ownPresses(id.source) {
			return true
		}
	}
	return false
}
