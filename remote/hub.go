package remote

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// A Source is one way key presses reach the box: an evdev device watcher,
// lircd, an HDMI-CEC adapter.
type Source interface {
	// Run sends the source's raw key events to emit until ctx ends: a Press
	// and a Release as the device reports them, and a Repeat for each
	// repeat the device makes on its own. emit is safe to call from any
	// goroutine. Run returns nil when ctx ends, or an error when the source
	// is gone for good.
	Run(ctx context.Context, emit func(Event)) error
}

// The sources of the box's own endpoints (remote/control): a press from
// one is never a double of another source's press.
const (
	SourceControl = "control" // the loopback control endpoint
	SourceNetwork = "network" // the network remote for phones
)

// ownPresses reports whether every press from source is its own.
func ownPresses(source string) bool {
	return source == SourceControl || source == SourceNetwork
}

// HoldTimeouter is implemented by a Source whose device reports no release
// (LIRC), or may lose one (HDMI-CEC): a key it has not repeated for
// HoldTimeout is released.
type HoldTimeouter interface {
	HoldTimeout() time.Duration
}

// HubConfig configures a Hub.
type HubConfig struct {
	Repeat RepeatConfig
	// Queue is the size of the Events channel (default 64). When the
	// consumer falls that far behind, new events are dropped.
	Queue int
	// DedupWindow: a Press of a key from one source within this time of a
	// Press of the same key from another source is the same press seen
	// twice (a TV remote over HDMI-CEC and IR at once) and is dropped with
	// its Repeats and Release (default 150 ms). Presses from the control
	// endpoint and the network remote (SourceControl, SourceNetwork) are
	// never doubles, nor doubled: each is a request of its own, and a
	// phone's Down just before the remote's Down is two presses.
	DedupWindow time.Duration
	Logger      *slog.Logger
}

// Hub fans in every source into one bounded channel of events with one
// auto-repeat cadence, without doubling a press that two sources saw.
type Hub struct {
	cfg    HubConfig
	log    *slog.Logger
	events chan Event
	input  chan Event
	raw    chan rawEvent
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex // guards closed and wg.Add against Close
	closed bool
	wg     sync.WaitGroup
}

type rawEvent struct {
	ev      Event
	timeout time.Duration
}

// NewHub starts a Hub. Close stops it and every source added to it.
func NewHub(cfg HubConfig) *Hub {
	if cfg.Queue <= 0 {
		cfg.Queue = 64
	}
	if cfg.DedupWindow <= 0 {
		cfg.DedupWindow = 150 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Hub{
		cfg:    cfg,
		log:    cfg.Logger,
		events: make(chan Event, cfg.Queue),
		input:  make(chan Event, 64),
		raw:    make(chan rawEvent, 256),
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.wg.Add(1)
	go h.loop()
	return h
}

// Events returns the merged events for the UI. The channel is never
// closed; a consumer selects on it along with its own end.
func (h *Hub) Events() <-chan Event { return h.events }

// Input returns the channel for raw events of sources that run no
// goroutine of their own: the keyboard callback (remote/keyboard.Attach)
// and the control endpoint. Events sent there report their releases.
func (h *Hub) Input() chan<- Event { return h.input }

// Add runs src until the Hub is closed. A source that fails is logged and
// left stopped; it never stops the others. Add after Close does nothing.
func (h *Hub) Add(name string, src Source) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	var timeout time.Duration
	if t, ok := src.(HoldTimeouter); ok {
		timeout = t.HoldTimeout()
	}
	emit := func(ev Event) {
		if ev.Time.IsZero() {
			ev.Time = time.Now()
		}
		select {
		case h.raw <- rawEvent{ev, timeout}:
		case <-h.ctx.Done():
		}
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		if err := src.Run(h.ctx, emit); err != nil && h.ctx.Err() == nil {
			h.log.Warn("remote: source stopped", "source", name, "err", err)
		}
	}()
}

// Close stops the Hub and its sources and waits for them.
func (h *Hub) Close() error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
	return nil
}

func (h *Hub) loop() {
	defer h.wg.Done()
	rep := NewRepeater(h.cfg.Repeat)
	d := dedup{window: h.cfg.DedupWindow, last: map[Key]pressMark{}, muted: map[holdID]time.Time{}}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if next, ok := rep.Next(); ok {
			timer.Reset(time.Until(next))
		} else {
			timer.Stop()
		}
		select {
		case <-h.ctx.Done():
			return
		case r := <-h.raw:
			h.send(d.filter(rep, r.ev, r.timeout))
		case ev := <-h.input:
			if ev.Time.IsZero() {
				ev.Time = time.Now()
			}
			h.send(d.filter(rep, ev, 0))
		case now := <-timer.C:
			h.send(rep.Advance(now))
		}
	}
}

func (h *Hub) send(evs []Event) {
	for _, ev := range evs {
		select {
		case h.events <- ev:
		default:
			h.log.Warn("remote: event queue full; key dropped", "key", ev.Key, "action", ev.Action, "source", ev.Source)
		}
	}
}

// dedup drops the second sighting of one press: a Press of a key within
// the window of another source's Press of it, or while another source
// holds it. The dropped source's Repeats and Release of that key go too.
type dedup struct {
	window time.Duration
	last   map[Key]pressMark
	muted  map[holdID]time.Time // until that time; zero: until its Release
}

type pressMark struct {
	source string
	at     time.Time
}

func (d *dedup) filter(rep *Repeater, ev Event, timeout time.Duration) []Event {
	id := holdID{ev.Source, ev.Key}
	if until, ok := d.muted[id]; ok {
		live := until.IsZero() || !ev.Time.After(until)
		switch {
		case ev.Action == Release:
			delete(d.muted, id)
			return rep.Advance(ev.Time)
		case ev.Action == Repeat && live:
			if timeout > 0 {
				d.muted[id] = ev.Time.Add(timeout)
			}
			return rep.Advance(ev.Time)
		}
		delete(d.muted, id)
		if ev.Action == Repeat {
			ev.Action = Press
		}
	}
	if ev.Action == Repeat && !rep.Held(ev.Source, ev.Key) {
		ev.Action = Press
	}
	if ev.Action == Press && !ownPresses(ev.Source) {
		m, ok := d.last[ev.Key]
		if (ok && m.source != ev.Source && !ownPresses(m.source) && absDur(ev.Time.Sub(m.at)) < d.window) || rep.HeldElsewhere(ev.Source, ev.Key) {
			var until time.Time
			if timeout > 0 {
				until = ev.Time.Add(timeout)
			}
			d.muted[id] = until
			return rep.Advance(ev.Time)
		}
		d.last[ev.Key] = pressMark{ev.Source, ev.Time}
	}
	return rep.Raw(ev, timeout)
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
