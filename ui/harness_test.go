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
	"github.com/manbang/manbang/ui/app"
	"github.com/manbang/manbang/ui/app/apptest"
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

// testApp is the app against a fake operator, drawn in the test window
// by the GL renderer, its frames stepped by the test.
type testApp struct {
	*app.App
	t     testing.TB
	clock *testClock
	op    *apptest.FakeOperator
	r     *gfx.Renderer
	woken chan struct{}
}

// startApp starts the app on Home against op. edit, if not nil, changes
// the configuration first.
func startApp(t testing.TB, op *apptest.FakeOperator, edit func(*app.Config)) *testApp {
	t.Helper()
	needGL(t)
	clock := &testClock{t: apptest.T0}
	woken := make(chan struct{}, 1)
	cfg := app.Config{
		Operator: op.URL, Lang: "en", StateDir: t.TempDir(), CacheDir: t.TempDir(),
		Audio: audio.NewSilent(nil), Now: clock.now,
		Device: operator.DeviceRegistration{Model: "MB-100", Serial: "SN0001", Firmware: "1.2.3"},
		Wake: func() {
			select {
			case woken <- struct{}{}:
			default:
			}
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var r *gfx.Renderer
	do(func() { r, err = gfx.NewRenderer(testFonts) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close()
		do(r.Close)
		cancel()
	})
	return &testApp{App: a, t: t, clock: clock, op: op, r: r, woken: woken}
}

// step runs one frame as the shell's loop does.
func (ta *testApp) step() {
	now := ta.clock.now()
	ta.Step(now)
	var drawn bool
	do(func() {
		ta.r.Begin(testW, testH, draw.Black)
		ta.Draw(ta.r, now)
		if !ta.r.Changed() {
			ta.r.Discard()
			return
		}
		ta.r.End()
		testWin.SwapBuffers()
		drawn = true
	})
	ta.Presented(now, drawn)
}

// press handles keys, a press and a release each, and runs a frame.
func (ta *testApp) press(keys ...remote.Key) {
	for _, k := range keys {
		for _, act := range []remote.Action{remote.Press, remote.Release} {
			ta.HandleKey(remote.Event{Key: k, Action: act, Source: "test", Time: time.Now()})
		}
		ta.step()
	}
}

// settle runs frames until ok holds and the app is idle, waiting on the
// app's Wake for what goroutines post; it fails the test after a minute.
func (ta *testApp) settle(what string, ok func() bool) {
	ta.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ta.step()
		if ok() && !ta.Busy() {
			return
		}
		select {
		case <-ta.woken:
		case <-time.After(20 * time.Millisecond): // nothing posted: a frame again
		}
	}
	ta.t.Fatalf("timed out waiting for %s; screen %s", what, ta.Top().Name())
}

// state returns the top screen's state.
func (ta *testApp) state() any { return ta.Top().State() }

// capture draws a frame as of the app's clock and returns its pixels.
func (ta *testApp) capture() *image.RGBA {
	ta.t.Helper()
	var img *image.RGBA
	var err error
	do(func() {
		now := ta.clock.now()
		ta.Top().Update(now)
		ta.r.Begin(testW, testH, draw.Black)
		ta.Draw(ta.r, now)
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

// homeReady waits for Home's rows and their posters.
func homeReady(ta *testApp) {
	ta.t.Helper()
	ta.settle("Home's rows", func() bool {
		st, ok := ta.state().(screen.HomeState)
		return ok && st.Status == screen.HomeReady
	})
	ta.calm()
	ta.settle("posters", func() bool { return true })
}

// homeFailed waits for Home to give up on a failing operator.
func homeFailed(ta *testApp) {
	ta.t.Helper()
	ta.settle("the failure", func() bool {
		st, ok := ta.state().(screen.HomeState)
		return ok && st.Status == screen.HomeError
	})
}

// topIs waits until the top screen is name, then for what it loads.
func topIs(ta *testApp, name string, ok func(any) bool) {
	ta.t.Helper()
	ta.settle(name, func() bool { return ta.Top().Name() == name && (ok == nil || ok(ta.state())) })
	ta.calm()
	ta.settle("posters", func() bool { return true })
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
			time.Sleep(10 * time.Millisecond) // the window system answers on its own time
		}
		t.Fatalf("the window did not become %dx%d", w, h)
	}
	resize(w, h)
	return func() { resize(testW, testH) }
}
