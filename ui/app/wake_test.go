package app

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/screen"
)

// stillUntilWake checks the promise the loop sleeps on: with no key and no
// answer coming, the screen drawn just before the app's Wake time looks
// exactly as it does now. It returns the Wake time.
func stillUntilWake(t *testing.T, ta *testApp, what string) time.Time {
	t.Helper()
	now := ta.clock.now()
	ta.Step(now)
	before := slices.Clone(ta.draw(now).Ops())
	w := ta.Wake(now)
	if !w.IsZero() && !w.After(now.Add(2*time.Millisecond)) {
		t.Fatalf("%s: still animating a second after the last key (wake %v after now)", what, w.Sub(now))
	}
	later := w.Add(-time.Millisecond)
	if w.IsZero() {
		later = now.Add(time.Hour)
	}
	ta.clock.advance(later.Sub(now))
	ta.Step(later)
	after := ta.draw(later).Ops()
	if !reflect.DeepEqual(before, after) {
		t.Errorf("%s: the screen changed in the %v before its wake time, with nothing coming", what, later.Sub(now))
		for i := range min(len(before), len(after)) {
			if !reflect.DeepEqual(before[i], after[i]) {
				t.Logf("first difference, op %d: %+v, then %+v", i, before[i], after[i])
				break
			}
		}
	}
	return w
}

// Every screen says when it next changes by itself: the loop can sleep
// until then.
func TestScreensSayWhenTheyChange(t *testing.T) {
	ta := startApp(t, apptest.NewFakeOperator(t), nil)
	homeReady(ta)
	ta.calm()
	if w := stillUntilWake(t, ta, "home"); w.Sub(ta.clock.now()) > time.Minute {
		t.Errorf("home wakes in %v, after its clock's next minute", w.Sub(ta.clock.now()))
	}
	ta.press(remote.KeyRight)
	if w := ta.Wake(ta.clock.now()); w.After(ta.clock.now()) {
		t.Errorf("home does not animate the focus after a key: wake in %v", w.Sub(ta.clock.now()))
	}
	ta.calm()
	stillUntilWake(t, ta, "home after a key")

	for _, c := range []struct {
		key    remote.Key
		name   string
		loaded func(any) bool
	}{
		{remote.KeyRed, "live", func(s any) bool { return s.(screen.LiveState).Channels > 0 }},
		{remote.KeyGreen, "guide", func(s any) bool { return s.(screen.GuideState).Programmes > 0 }},
		{remote.KeyBlue, "search", nil},
		{remote.KeyMenu, "settings", func(s any) bool { return s.(screen.SettingsState).Values["network"] != "" }},
	} {
		ta.press(c.key)
		topIs(ta, c.name, c.loaded)
		ta.calm()
		stillUntilWake(t, ta, c.name)
		ta.press(remote.KeyHome)
		ta.calm()
	}

	// Typing digits on the live screen: they wait for the next digit.
	ta.press(remote.KeyRed)
	topIs(ta, "live", func(s any) bool { return s.(screen.LiveState).Channels > 0 })
	ta.calm()
	ta.press(remote.Key2)
	w := stillUntilWake(t, ta, "live with a digit typed")
	if d := w.Sub(ta.clock.now()); d > screen.DigitTimeout {
		t.Errorf("the typed digit is taken in %v, after the digit timeout", d)
	}
	ta.press(remote.KeyHome)
}

// A failure's countdown is redrawn once a second, not every frame.
func TestCountdownWakesEverySecond(t *testing.T) {
	op := apptest.NewFakeOperator(t)
	op.FailUntil = 1 << 30
	ta := startApp(t, op, nil)
	homeFailed(ta)
	ta.calm()
	now := ta.clock.now()
	w := stillUntilWake(t, ta, "the failure's countdown")
	if d := w.Sub(now); d <= 0 || d > time.Second {
		t.Errorf("the countdown wakes in %v, want within a second", d)
	}
}
