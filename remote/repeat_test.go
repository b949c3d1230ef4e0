package remote

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Unix(1000, 0)

func ms(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

// step is one input to a Repeater: a raw event, or an Advance when key is
// KeyNone. Before each step the test advances through every deadline up to
// the step's time, as the Hub's timer does; an Advance step with source
// "jump" skips that, as when the Hub's goroutine was held up.
type step struct {
	at      int
	key     Key
	action  Action
	source  string
	timeout time.Duration
}

// trace renders events as "ms:source:key:action" for comparing.
func trace(evs []Event) string {
	var b []string
	for _, ev := range evs {
		b = append(b, fmt.Sprintf("%d:%s:%s:%s", ev.Time.Sub(t0).Milliseconds(), ev.Source, ev.Key, ev.Action))
	}
	return strings.Join(b, " ")
}

func TestRepeater(t *testing.T) {
	cfg := RepeatConfig{Delay: 400 * time.Millisecond, Interval: 100 * time.Millisecond, LongPress: 800 * time.Millisecond}
	lirc := 250 * time.Millisecond
	cases := []struct {
		name  string
		steps []step
		want  string
	}{
		{"tap", []step{{0, KeyUp, Press, "kb", 0}, {50, KeyUp, Release, "kb", 0}, {1000, KeyNone, 0, "", 0}},
			"0:kb:up:press 50:kb:up:release"},
		{"held with device repeats at its own rate", []step{
			{0, KeyDown, Press, "evdev", 0}, {250, KeyDown, Repeat, "evdev", 0}, {283, KeyDown, Repeat, "evdev", 0},
			{650, KeyNone, 0, "", 0}, {700, KeyDown, Release, "evdev", 0}},
			"0:evdev:down:press 400:evdev:down:repeat 500:evdev:down:repeat 600:evdev:down:repeat 700:evdev:down:repeat 700:evdev:down:release"},
		{"long OK", []step{{0, KeyOK, Press, "cec", 0}, {850, KeyNone, 0, "", 0}, {900, KeyOK, Release, "cec", 0}},
			"0:cec:ok:press 400:cec:ok:repeat 500:cec:ok:repeat 600:cec:ok:repeat 700:cec:ok:repeat 800:cec:ok:longpress 800:cec:ok:repeat 900:cec:ok:repeat 900:cec:ok:release"},
		{"short OK is not long", []step{{0, KeyOK, Press, "kb", 0}, {300, KeyOK, Release, "kb", 0}, {2000, KeyNone, 0, "", 0}},
			"0:kb:ok:press 300:kb:ok:release"},
		{"lirc: release by hold timeout", []step{
			{0, Key5, Press, "lirc", lirc}, {110, Key5, Repeat, "lirc", lirc}, {220, Key5, Repeat, "lirc", lirc},
			{330, Key5, Repeat, "lirc", lirc}, {440, Key5, Repeat, "lirc", lirc}, {1000, KeyNone, 0, "", 0}},
			"0:lirc:5:press 400:lirc:5:repeat 500:lirc:5:repeat 600:lirc:5:repeat 690:lirc:5:release"},
		{"lost first report", []step{{0, KeyLeft, Repeat, "lirc", lirc}, {100, KeyNone, 0, "", 0}},
			"0:lirc:left:press"},
		{"pressed again without release", []step{{0, Key1, Press, "lirc", lirc}, {100, Key1, Press, "lirc", lirc}},
			"0:lirc:1:press 100:lirc:1:release 100:lirc:1:press"},
		{"stray release", []step{{0, KeyRed, Release, "kb", 0}}, ""},
		{"fell behind: no burst", []step{{0, KeyUp, Press, "kb", 0}, {1000, KeyNone, 0, "jump", 0}, {1100, KeyUp, Release, "kb", 0}},
			"0:kb:up:press 400:kb:up:repeat 1100:kb:up:repeat 1100:kb:up:release"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewRepeater(cfg)
			var got []Event
			for _, s := range c.steps {
				for next, ok := r.Next(); ok && s.source != "jump" && !next.After(ms(s.at)); next, ok = r.Next() {
					got = append(got, r.Advance(next)...)
				}
				if s.key == KeyNone {
					got = append(got, r.Advance(ms(s.at))...)
					continue
				}
				got = append(got, r.Raw(Event{Key: s.key, Action: s.action, Source: s.source, Time: ms(s.at)}, s.timeout)...)
			}
			if tr := trace(got); tr != c.want {
				t.Errorf("got  %s\nwant %s", tr, c.want)
			}
		})
	}
}

func TestRepeaterNext(t *testing.T) {
	r := NewRepeater(RepeatConfig{Delay: 400 * time.Millisecond, Interval: 100 * time.Millisecond})
	if _, ok := r.Next(); ok {
		t.Fatal("Next with nothing held reports a time")
	}
	r.Raw(Event{Key: KeyOK, Action: Press, Source: "a", Time: ms(0)}, 0)
	r.Raw(Event{Key: KeyUp, Action: Press, Source: "b", Time: ms(100)}, 150*time.Millisecond)
	if next, ok := r.Next(); !ok || !next.Equal(ms(250)) {
		t.Errorf("Next = %v, %v; want the hold timeout at 250 ms", next.Sub(t0), ok)
	}
	if !r.Held("a", KeyOK) || r.Held("b", KeyOK) || !r.HeldElsewhere("b", KeyOK) || r.HeldElsewhere("a", KeyOK) {
		t.Error("Held/HeldElsewhere wrong")
	}
}

func TestParseAction(t *testing.T) {
	for a := Press; a <= LongPress; a++ {
		if got, err := ParseAction(a.String()); err != nil || got != a {
			t.Errorf("ParseAction(%q) = %v, %v", a, got, err)
		}
	}
	if _, err := ParseAction("tap"); err == nil {
		t.Error("ParseAction(tap) succeeded")
	}
}
