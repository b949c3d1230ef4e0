package ui

import (
	"context"
	"image"
	"image/color"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/screen"
)

// benchApp is a testApp for benchmarks: Home ready with its posters.
func benchApp(b *testing.B) *testApp {
	needGL(b)
	op := newFakeOperator(b)
	// More titles, so rows scroll far.
	for i := 0; i < 40; i++ {
		tt := op.titles[i%len(op.titles)]
		tt.ID = tt.ID + "x" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		op.titles = append(op.titles, tt)
	}
	return startAppB(b, op)
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
		ta.input <- remote.Event{Key: k, Action: remote.Press, Source: "bench", Time: time.Now()}
		ta.input <- remote.Event{Key: k, Action: remote.Release, Source: "bench", Time: time.Now()}
		ta.clock.advance(frameTime)
		var d time.Duration
		do(func() {
			start := time.Now()
			ta.App.step(ta.clock.now())
			ta.r.Finish()
			d = time.Since(start)
			if ta.r.Stats().DrawCalls == 0 {
				skipped++
			}
		})
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
		ta.input <- remote.Event{Key: k, Action: remote.Press, Source: "bench", Time: pressed}
		n := 0
		for {
			n++
			ta.clock.advance(frameTime)
			do(func() {
				ta.App.step(ta.clock.now())
				ta.r.Finish()
			})
			if f := ta.state().(screen.HomeState).Focus; f == nil || before == nil || f.Col != before.Col || n > 10 {
				break
			}
		}
		times = append(times, time.Since(pressed))
		frames = append(frames, float64(n))
		ta.input <- remote.Event{Key: k, Action: remote.Release, Source: "bench", Time: time.Now()}
		ta.step()
	}
	b.StopTimer()
	frameStats(b, times)
	b.ReportMetric(slices.Max(frames), "max-frames")
}

// TestIdleHomeIsNotRedrawn checks that frames showing nothing new are
// neither drawn nor swapped, that a key press is drawn at once, and that a
// screenshot still gets a drawn frame.
func TestIdleHomeIsNotRedrawn(t *testing.T) {
	ta := startApp(t, newFakeOperator(t), nil)
	homeReady(ta)
	ta.calm()
	drawn := func() int {
		var n int
		do(func() {
			ta.App.step(ta.clock.now())
			n = ta.r.Stats().DrawCalls
		})
		return n
	}
	drawn() // the frame after calm may still show the last of a glide
	for i := range 5 {
		if n := drawn(); n != 0 {
			t.Fatalf("idle frame %d made %d draw calls", i, n)
		}
	}
	ta.input <- remote.Event{Key: remote.KeyRight, Action: remote.Press, Source: "test", Time: time.Now()}
	ta.input <- remote.Event{Key: remote.KeyRight, Action: remote.Release, Source: "test", Time: time.Now()}
	ta.clock.advance(frameTime)
	if n := drawn(); n == 0 {
		t.Fatal("the frame after a key press was not drawn")
	}
	ta.calm()
	drawn()

	type result struct {
		img *image.RGBA
		err error
	}
	got := make(chan result, 1)
	go func() {
		img, err := ta.App.screenshot(context.Background())
		got <- result{img, err}
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		ta.step()
		select {
		case r := <-got:
			if r.err != nil {
				t.Fatal(r.err)
			}
			if c := r.img.RGBAAt(testW/2, testH/2); c == (color.RGBA{A: 255}) {
				t.Errorf("the screenshot of an idle Home is black in the middle")
			}
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no screenshot after a minute")
		}
		runtime.Gosched()
	}
}
