package ui

import (
	"context"
	"image/color"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/app"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/gfx"
	"github.com/manbang/manbang/ui/screen"
)

// benchApp is a testApp for benchmarks: Home ready with its posters.
func benchApp(b *testing.B) *testApp {
	needGL(b)
	op := apptest.NewFakeOperator(b)
	// More titles, so rows scroll far.
	for i := 0; i < 40; i++ {
		tt := op.Titles[i%len(op.Titles)]
		tt.ID = tt.ID + "x" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		op.Titles = append(op.Titles, tt)
	}
	return startApp(b, op, nil)
}

// frame runs one frame as the shell's loop does and waits until the GPU
// has finished it; it reports how long that took and whether the frame
// was drawn.
func (ta *testApp) frame() (time.Duration, bool) {
	var d time.Duration
	drawn := false
	do(func() {
		start := time.Now()
		now := ta.clock.now()
		ta.Step(now)
		ta.r.Begin(testW, testH, draw.Black)
		ta.Draw(ta.r, now)
		if ta.r.Changed() {
			ta.r.End()
			drawn = true
		} else {
			ta.r.Discard()
		}
		ta.r.Finish()
		d = time.Since(start)
	})
	ta.Presented(ta.clock.now(), drawn)
	return d, drawn
}

// frameStats reports the p50 and p99 of frame times as metrics.
func frameStats(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	if len(times) == 0 {
		return
	}
	p := func(q float64) float64 {
		return float64(times[min(len(times)-1, int(q*float64(len(times))))].Microseconds()) / 1000
	}
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// benchmarkHomeScroll moves the focus across and down Home a key a frame,
// with the animations running, and times each frame to the GPU's end
// (Mesa's llvmpipe under Xvfb in CI; a set-top GPU on a box).
func benchmarkHomeScroll(b *testing.B, w, h int) {
	ta := benchApp(b)
	homeReady(ta)
	resized := setWindowSize(b, w, h)
	defer resized()
	keys := []remote.Key{remote.KeyRight, remote.KeyRight, remote.KeyRight, remote.KeyDown, remote.KeyRight, remote.KeyRight, remote.KeyUp, remote.KeyLeft}
	var times []time.Duration
	i, skipped := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		k := keys[i%len(keys)]
		i++
		ta.HandleKey(remote.Event{Key: k, Action: remote.Press, Source: "bench", Time: time.Now()})
		ta.HandleKey(remote.Event{Key: k, Action: remote.Release, Source: "bench", Time: time.Now()})
		ta.clock.advance(frameTime)
		d, drawn := ta.frame()
		if !drawn {
			skipped++
		}
		times = append(times, d)
	}
	b.StopTimer()
	frameStats(b, times)
	b.ReportMetric(float64(ta.r.Stats().DrawCalls), "drawcalls/frame")
	// Every key moves something, so no frame may be skipped as unchanged:
	// the times are of frames drawn.
	b.ReportMetric(float64(skipped), "skipped-frames")
}

func BenchmarkHomeScroll720p(b *testing.B)  { benchmarkHomeScroll(b, 1280, 720) }
func BenchmarkHomeScroll1080p(b *testing.B) { benchmarkHomeScroll(b, 1920, 1080) }

// BenchmarkKeyToFrame measures from a key press reaching the UI to the end
// of the swap of the first frame showing its effect, in frames of the
// loop and in milliseconds.
func BenchmarkKeyToFrame(b *testing.B) {
	ta := benchApp(b)
	homeReady(ta)
	var frames []float64
	var times []time.Duration
	right := true
	for b.Loop() {
		before := ta.state().(screen.HomeState).Focus
		k := remote.KeyRight
		if !right {
			k = remote.KeyLeft
		}
		right = !right
		pressed := time.Now()
		ta.HandleKey(remote.Event{Key: k, Action: remote.Press, Source: "bench", Time: pressed})
		n := 0
		for {
			n++
			ta.clock.advance(frameTime)
			ta.frame()
			if f := ta.state().(screen.HomeState).Focus; f == nil || before == nil || f.Col != before.Col || n > 10 {
				break
			}
		}
		times = append(times, time.Since(pressed))
		frames = append(frames, float64(n))
		ta.HandleKey(remote.Event{Key: k, Action: remote.Release, Source: "bench", Time: time.Now()})
		ta.step()
	}
	b.StopTimer()
	frameStats(b, times)
	b.ReportMetric(slices.Max(frames), "max-frames")
}

// TestIdleLoopSleeps runs the shell's loop on the test window against a
// fake operator and checks that an idle Home runs no frames and draws
// none, that a key is drawn at once, and that a screenshot still gets a
// drawn frame.
func TestIdleLoopSleeps(t *testing.T) {
	needGL(t)
	op := apptest.NewFakeOperator(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &shell{
		cfg: Config{Config: app.Config{
			Operator: op.URL, Lang: "en", StateDir: t.TempDir(), CacheDir: t.TempDir(),
			Audio: audio.NewSilent(nil), Logger: slog.Default(),
		}},
		shots: make(chan chan shot, 4), now: time.Now, win: testWin,
	}
	s.cfg.Wake = func() { s.win.Wake() }
	a, err := app.New(ctx, s.cfg.Config)
	if err != nil {
		t.Fatal(err)
	}
	s.app = a
	do(func() { s.r, err = gfx.NewRenderer(testFonts) })
	if err != nil {
		t.Fatal(err)
	}
	s.setOpen(true)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		do(s.loop)
	}()
	defer func() {
		cancel()
		testWin.Wake()
		<-ended
		a.Close()
		do(s.r.Close)
	}()

	report := func() *app.Snapshot {
		r, _ := a.Report().(*app.Snapshot)
		if r == nil {
			return &app.Snapshot{}
		}
		return r
	}
	home := func() screen.HomeState {
		st, _ := report().Screen.(screen.HomeState)
		return st
	}
	deadline := time.Now().Add(time.Minute)
	for home().Status != screen.HomeReady {
		if time.Now().After(deadline) {
			t.Fatalf("Home not ready after a minute: %+v", report())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Posters come and the focus ring settles; then nothing moves.
	time.Sleep(time.Second)
	before := report()
	time.Sleep(2 * time.Second) // watching for frames that should not come
	after := report()
	// The clock's minute may turn over in these two seconds: one frame.
	if ran, drawn := after.Frames-before.Frames, after.Drawn-before.Drawn; ran > 1 || drawn > 1 {
		t.Errorf("an idle Home ran %d frames and drew %d in 2 s", ran, drawn)
	}

	focus := home().Focus
	a.Input() <- remote.Event{Key: remote.KeyRight, Action: remote.Press, Source: "test", Time: time.Now()}
	a.Input() <- remote.Event{Key: remote.KeyRight, Action: remote.Release, Source: "test", Time: time.Now()}
	for f := home().Focus; f == nil || focus == nil || f.Col == focus.Col; f = home().Focus {
		if time.Now().After(deadline) {
			t.Fatal("the key was not drawn")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if report().Drawn == after.Drawn {
		t.Error("the key moved the focus but no frame was drawn")
	}

	img, err := s.screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := img.RGBAAt(testW/2, testH/2); c == (color.RGBA{A: 255}) {
		t.Errorf("the screenshot of an idle Home is black in the middle")
	}
}
