package remote

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

type fakeSource struct {
	timeout time.Duration
	evs     chan Event
	done    chan struct{}
}

func newFake(timeout time.Duration) *fakeSource {
	return &fakeSource{timeout: timeout, evs: make(chan Event), done: make(chan struct{})}
}

func (f *fakeSource) Run(ctx context.Context, emit func(Event)) error {
	defer close(f.done)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-f.evs:
			emit(ev)
		}
	}
}

func (f *fakeSource) HoldTimeout() time.Duration { return f.timeout }

// next returns the hub's next event, failing the test after a deadline.
func next(t *testing.T, h *Hub) Event {
	t.Helper()
	select {
	case ev := <-h.Events():
		return ev
	case <-time.After(2 * time.Second):
		t.Fatal("no event from the hub within 2 s")
		return Event{}
	}
}

func expect(t *testing.T, h *Hub, key Key, action Action, source string) Event {
	t.Helper()
	ev := next(t, h)
	if ev.Key != key || ev.Action != action || ev.Source != source {
		t.Fatalf("got %v %v from %q; want %v %v from %q", ev.Key, ev.Action, ev.Source, key, action, source)
	}
	return ev
}

// slowRepeat keeps repeats out of the way of tests about other things.
var slowRepeat = RepeatConfig{Delay: time.Hour, Interval: time.Hour, LongPress: time.Hour}

func TestHubDropsTheSamePressFromASecondSource(t *testing.T) {
	h := NewHub(HubConfig{Repeat: slowRepeat})
	defer h.Close()
	ir := newFake(0)
	h.Add("ir", ir)
	now := time.Now()
	at := func(ms int) time.Time { return now.Add(time.Duration(ms) * time.Millisecond) }
	// Each event goes in after the one before has come out, so that the
	// hub sees them in order whatever channel they come by.
	steps := []struct {
		ev   Event
		want *Event // nil: dropped
	}{
		{Event{Key: KeyOK, Action: Press, Source: "cec", Time: at(0)}, &Event{Key: KeyOK, Action: Press, Source: "cec"}},
		{Event{Key: KeyOK, Action: Press, Source: "ir", Time: at(40)}, nil},
		{Event{Key: KeyOK, Action: Repeat, Source: "ir", Time: at(60)}, nil},
		{Event{Key: KeyOK, Action: Release, Source: "ir", Time: at(80)}, nil},
		{Event{Key: KeyOK, Action: Release, Source: "cec", Time: at(90)}, &Event{Key: KeyOK, Action: Release, Source: "cec"}},
		// The same key from the same source is a new press, however soon.
		{Event{Key: KeyOK, Action: Press, Source: "cec", Time: at(100)}, &Event{Key: KeyOK, Action: Press, Source: "cec"}},
		{Event{Key: KeyOK, Action: Release, Source: "cec", Time: at(120)}, &Event{Key: KeyOK, Action: Release, Source: "cec"}},
		// Another key from the other source passes.
		{Event{Key: KeyUp, Action: Press, Source: "ir", Time: at(130)}, &Event{Key: KeyUp, Action: Press, Source: "ir"}},
		// The same key from the other source after the window passes.
		{Event{Key: KeyOK, Action: Press, Source: "ir", Time: at(400)}, &Event{Key: KeyOK, Action: Press, Source: "ir"}},
	}
	var dropped int
	for _, s := range steps {
		if s.ev.Source == "ir" {
			ir.evs <- s.ev
		} else {
			h.Input() <- s.ev
		}
		if s.want == nil {
			dropped++
			continue
		}
		expect(t, h, s.want.Key, s.want.Action, s.want.Source)
	}
	if dropped != 3 {
		t.Fatalf("test table drops %d events", dropped)
	}
}

// TestHubKeepsTheEndpointsPresses: a press from the control endpoint or
// the network remote is a request of its own, never a double: a phone's
// Down and the remote's Down within the window are two presses, in both
// orders, and so are the control endpoint's and the phone's, and an IR
// press while a phone holds the key.
func TestHubKeepsTheEndpointsPresses(t *testing.T) {
	now := time.Now()
	at := func(ms int) time.Time { return now.Add(time.Duration(ms) * time.Millisecond) }
	for _, tc := range []struct {
		name  string
		first string
		then  string
		held  bool // the first still holds the key when the second presses
	}{
		{"phone then IR", SourceNetwork, "ir", false},
		{"IR then phone", "ir", SourceNetwork, false},
		{"phone then control", SourceNetwork, SourceControl, false},
		{"control then IR", SourceControl, "ir", false},
		{"IR while the phone holds", SourceNetwork, "ir", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHub(HubConfig{Repeat: slowRepeat})
			defer h.Close()
			h.Input() <- Event{Key: KeyDown, Action: Press, Source: tc.first, Time: at(0)}
			expect(t, h, KeyDown, Press, tc.first)
			if !tc.held {
				h.Input() <- Event{Key: KeyDown, Action: Release, Source: tc.first, Time: at(10)}
				expect(t, h, KeyDown, Release, tc.first)
			}
			h.Input() <- Event{Key: KeyDown, Action: Press, Source: tc.then, Time: at(40)}
			expect(t, h, KeyDown, Press, tc.then)
		})
	}
}

func TestHubDropsAPressWhileAnotherSourceHoldsTheKey(t *testing.T) {
	h := NewHub(HubConfig{Repeat: slowRepeat})
	defer h.Close()
	now := time.Now()
	h.Input() <- Event{Key: KeyDown, Action: Press, Source: "a", Time: now}
	h.Input() <- Event{Key: KeyDown, Action: Press, Source: "b", Time: now.Add(time.Second)}
	h.Input() <- Event{Key: KeyDown, Action: Release, Source: "b", Time: now.Add(time.Second + 1)}
	h.Input() <- Event{Key: KeyDown, Action: Release, Source: "a", Time: now.Add(time.Second + 2)}
	expect(t, h, KeyDown, Press, "a")
	expect(t, h, KeyDown, Release, "a")
}

func TestHubRepeatsAtItsOwnCadence(t *testing.T) {
	cfg := RepeatConfig{Delay: 60 * time.Millisecond, Interval: 30 * time.Millisecond, LongPress: 100 * time.Millisecond}
	h := NewHub(HubConfig{Repeat: cfg})
	defer h.Close()
	press := time.Now()
	h.Input() <- Event{Key: KeyOK, Action: Press, Source: "kb", Time: press}
	expect(t, h, KeyOK, Press, "kb")
	var long bool
	var beat time.Duration = -1
	for i := 0; i < 4; i++ {
		ev := next(t, h)
		if ev.Action == LongPress {
			if got := ev.Time.Sub(press); got != cfg.LongPress {
				t.Errorf("LongPress at %v; want %v", got, cfg.LongPress)
			}
			long = true
			continue
		}
		// Repeats keep to the beat: Delay + n*Interval, n rising (a
		// busy machine may skip a beat, never shift it).
		at := ev.Time.Sub(press)
		n := (at - cfg.Delay) / cfg.Interval
		if ev.Action != Repeat || at < cfg.Delay || (at-cfg.Delay)%cfg.Interval != 0 || n <= beat || (i == 0 && n != 0) {
			t.Fatalf("event %d: %v at %v; want a repeat on the beat after %v", i, ev.Action, at, beat)
		}
		beat = n
	}
	h.Input() <- Event{Key: KeyOK, Action: Release, Source: "kb"}
	for ev := next(t, h); ev.Action != Release; ev = next(t, h) {
		if ev.Action == LongPress {
			long = true
		}
	}
	if !long {
		t.Error("no LongPress while OK was held past the long-press time")
	}
}

func TestHubReleasesWhatASourceStopsRepeating(t *testing.T) {
	h := NewHub(HubConfig{Repeat: slowRepeat})
	defer h.Close()
	lirc := newFake(30 * time.Millisecond)
	h.Add("lirc", lirc)
	start := time.Now()
	lirc.evs <- Event{Key: Key7, Action: Press, Source: "lirc", Time: start}
	expect(t, h, Key7, Press, "lirc")
	ev := expect(t, h, Key7, Release, "lirc")
	if ev.Time.Sub(start) != 30*time.Millisecond {
		t.Errorf("released %v after the press; want the 30 ms hold timeout", ev.Time.Sub(start))
	}
}

// dropLog counts the hub's "queue full" warnings.
type dropLog struct{ drops chan string }

func (d dropLog) Enabled(context.Context, slog.Level) bool { return true }
func (d dropLog) Handle(_ context.Context, r slog.Record) error {
	d.drops <- r.Message
	return nil
}
func (d dropLog) WithAttrs([]slog.Attr) slog.Handler { return d }
func (d dropLog) WithGroup(string) slog.Handler      { return d }

func TestHubCloseStopsSourcesAndNeverBlocksOnAFullQueue(t *testing.T) {
	logs := dropLog{make(chan string, 8)}
	h := NewHub(HubConfig{Repeat: slowRepeat, Queue: 1, Logger: slog.New(logs)})
	src := newFake(0)
	h.Add("fake", src)
	for _, k := range []Key{KeyUp, KeyDown, KeyLeft} {
		src.evs <- Event{Key: k, Action: Press, Source: "fake"}
	}
	for range 2 {
		select {
		case msg := <-logs.drops:
			if !strings.Contains(msg, "queue full") {
				t.Errorf("log %q", msg)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("the hub did not report dropping keys on a full queue")
		}
	}
	h.Close()
	select {
	case <-src.done:
	default:
		t.Fatal("Close returned before the source's Run did")
	}
	if ev := <-h.Events(); ev.Key != KeyUp {
		t.Errorf("the queue kept %v; want the first key", ev.Key)
	}
	h.Close() // a second Close is harmless
}
