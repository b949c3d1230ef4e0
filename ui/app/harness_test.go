package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/text"
)

// The app's tests need no display: frames are drawn on a draw.Recorder
// measuring with the real fonts, at the 1280x720 of the goldens.
const testW, testH = 1280, 720

var (
	fontsOnce sync.Once
	fonts     *text.Fonts
	fontsErr  error
)

func testFonts(t testing.TB) *text.Fonts {
	t.Helper()
	fontsOnce.Do(func() { fonts, fontsErr = text.Load(text.Config{}) })
	if fontsErr != nil {
		t.Fatal(fontsErr)
	}
	return fonts
}

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

// testApp is the app against a fake operator, its frames stepped by the
// test and drawn on a recorder.
type testApp struct {
	*App
	t     testing.TB
	clock *testClock
	op    *apptest.FakeOperator
	rec   *draw.Recorder
	woken chan struct{} // the app's Wake
}

// startApp starts the app on Home against op. edit, if not nil, changes
// the configuration first.
func startApp(t testing.TB, op *apptest.FakeOperator, edit func(*Config)) *testApp {
	t.Helper()
	clock := &testClock{t: apptest.T0}
	woken := make(chan struct{}, 1)
	cfg := Config{
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
	a, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close()
		cancel()
	})
	return &testApp{App: a, t: t, clock: clock, op: op, rec: draw.NewRecorder(testW, testH, testFonts(t)), woken: woken}
}

// step runs one frame, as the shell's loop does, drawing it on the
// recorder.
func (ta *testApp) step() {
	now := ta.clock.now()
	ta.App.Step(now)
	ta.draw(now)
	ta.App.Presented(now, true)
}

// draw records the frame of now.
func (ta *testApp) draw(now time.Time) *draw.Recorder {
	ta.rec.Reset()
	ta.App.Draw(ta.rec, now)
	if err := ta.rec.Err(); err != nil {
		ta.t.Fatalf("drawing %s: %v", ta.top().Name(), err)
	}
	return ta.rec
}

// press sends keys as the control endpoint does, a press and a release
// each, and runs a frame.
func (ta *testApp) press(keys ...remote.Key) {
	ta.t.Helper()
	for _, k := range keys {
		for _, act := range []remote.Action{remote.Press, remote.Release} {
			ta.keys <- remote.Event{Key: k, Action: act, Source: "test", Time: time.Now()}
		}
		ta.step()
	}
}

// idle reports whether nothing the screens wait for is under way: Home's
// rows, posters, answers not yet handled.
func (ta *testApp) idle() bool { return !ta.Busy() }

// settle runs frames until ok holds and the app is idle, waiting on the
// app's Wake for what goroutines post; it fails the test after a minute.
func (ta *testApp) settle(what string, ok func() bool) {
	ta.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ta.step()
		if ok() && ta.idle() {
			return
		}
		select {
		case <-ta.woken:
		case <-time.After(20 * time.Millisecond): // nothing posted: a frame again
		}
	}
	ta.t.Fatalf("timed out waiting for %s; screen %s", what, ta.top().Name())
}

// playerReport returns the Player screen's state with the player's
// statistics, as the control endpoint reports it, if the player is on
// top.
func (ta *testApp) playerReport() (playerReport, bool) {
	st, ok := ta.state().(screen.PlayerState)
	if !ok {
		return playerReport{}, false
	}
	r := playerReport{PlayerState: st}
	if ta.pb != nil && ta.top() == screen.Screen(ta.playing()) && ta.pb.Player() != nil {
		s := ta.pb.Player().Stats()
		r.Stats = &s
	}
	return r, true
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
	ta.settle(name, func() bool {
		return ta.top().Name() == name && (ok == nil || ok(ta.state()))
	})
	ta.calm()
	ta.settle("posters", func() bool { return true })
}

// state returns the top screen's state.
func (ta *testApp) state() any { return ta.top().State() }

// calm lets every animation end: the clock moves on a second and a frame
// is drawn.
func (ta *testApp) calm() {
	ta.clock.advance(time.Second)
	ta.step()
}
