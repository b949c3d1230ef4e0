package ui

import (
	"context"
	"image"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/gfx"
	"github.com/manbang/manbang/ui/screen"
)

// testClock is the app's clock in tests: it moves only when told.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testApp is the whole UI against a fake operator, in the test window, its
// frames stepped by the test on the main thread.
type testApp struct {
	*App
	t     testing.TB
	clock *testClock
	op    *fakeOperator
}

// startApp starts the UI on Home against op. edit, if not nil, changes the
// configuration first.
func startApp(t *testing.T, op *fakeOperator, edit func(*Config)) *testApp {
	return startAppTB(t, op, edit)
}

// startAppB is startApp for benchmarks.
func startAppB(b *testing.B, op *fakeOperator) *testApp { return startAppTB(b, op, nil) }

func startAppTB(t testing.TB, op *fakeOperator, edit func(*Config)) *testApp {
	t.Helper()
	needGL(t)
	clock := &testClock{t: t0}
	cfg := Config{
		Operator: op.URL, Lang: "en", StateDir: t.TempDir(), CacheDir: t.TempDir(),
		Audio: audio.NewSilent(nil), Now: clock.now,
		Device: operator.DeviceRegistration{Model: "MB-100", Serial: "SN0001", Firmware: "1.2.3"},
	}
	if edit != nil {
		edit(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	do(func() {
		a.win = testWin
		a.r, err = gfx.NewRenderer(testFonts)
		if err != nil {
			return
		}
		a.posters = newPosterCache(a)
		a.home = screen.NewHome(a)
		a.push(a.home)
		a.Reload()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		do(func() {
			a.win = nil // the test window outlives the app
			a.close()
		})
		cancel()
	})
	return &testApp{App: a, t: t, clock: clock, op: op}
}

// setWindowSize makes the test window w x h for a while, and returns
// what puts it back.
func setWindowSize(t testing.TB, w, h int) func() {
	t.Helper()
	resize := func(w, h int) {
		do(func() { testWin.SetMode(w, h) })
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			var gw, gh int
			do(func() {
				testWin.PollEvents()
				gw, gh = testWin.Size()
			})
			if gw == w && gh == h {
				return
			}
			select {
			case <-time.After(10 * time.Millisecond): // the window system answers on its own time
			}
		}
		t.Fatalf("the window did not become %dx%d", w, h)
	}
	resize(w, h)
	return func() { resize(testW, testH) }
}

// step runs one frame.
func (ta *testApp) step() { do(func() { ta.App.step(ta.clock.now()) }) }

// press sends keys as the control endpoint does, a press and a release
// each, and runs a frame.
func (ta *testApp) press(keys ...remote.Key) {
	ta.t.Helper()
	for _, k := range keys {
		for _, act := range []remote.Action{remote.Press, remote.Release} {
			ta.input <- remote.Event{Key: k, Action: act, Source: "test", Time: time.Now()}
		}
		ta.step()
	}
}

// idle reports whether nothing the screens wait for is under way: Home's
// rows, posters.
func (ta *testApp) idle() bool {
	if ta.loading {
		return false
	}
	for _, e := range ta.posters.entries {
		if e.loading {
			return false
		}
	}
	return len(ta.tasks) == 0
}

// settle runs frames until ok holds and the app is idle, waiting on the
// task queue for what goroutines post; it fails the test after a minute.
func (ta *testApp) settle(what string, ok func() bool) {
	ta.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ta.step()
		if ok() && ta.idle() {
			return
		}
		select {
		case f := <-ta.tasks:
			do(f)
		case <-time.After(20 * time.Millisecond): // nothing posted: a frame again
		}
	}
	ta.t.Fatalf("timed out waiting for %s; screen %s", what, ta.top().Name())
}

// screen returns the top screen's state.
func (ta *testApp) state() any {
	var s any
	do(func() { s = ta.top().State() })
	return s
}

// capture draws a frame as of the app's clock and returns its pixels.
func (ta *testApp) capture() *image.RGBA {
	ta.t.Helper()
	var img *image.RGBA
	var err error
	do(func() {
		now := ta.clock.now()
		ta.top().Update(now)
		ta.r.Begin(testW, testH, draw.Black)
		ta.draw(ta.r, now)
		ta.r.End()
		if err = ta.r.Err(); err == nil {
			img, err = ta.r.Screenshot()
		}
		testWin.SwapBuffers()
	})
	if err != nil {
		ta.t.Fatal(err)
	}
	return img
}

// calm lets every animation end: the clock moves on a second and a frame
// is drawn.
func (ta *testApp) calm() {
	ta.clock.advance(time.Second)
	ta.step()
}
