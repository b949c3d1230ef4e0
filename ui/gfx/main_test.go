package gfx

import (
	"flag"
	"fmt"
	"image"
	"os"
	"runtime"
	"testing"

	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/text"
)

// GL needs the main OS thread. Tests run on other goroutines, so the main
// goroutine serves a queue of functions: tests call do to run GL code there.

func init() { runtime.LockOSThread() }

var (
	mainQueue = make(chan func())
	win       *Window
	fonts     *text.Fonts
	noGL      error // why GL tests skip, if they do
)

// Window size for tests: every test frame fits inside it.
const testW, testH = 1280, 720

func TestMain(m *testing.M) {
	flag.Parse()
	var err error
	if fonts, err = text.Load(text.Config{}); err != nil {
		fmt.Fprintln(os.Stderr, "load fonts:", err)
		os.Exit(1)
	}
	win, noGL = OpenWindow(WindowConfig{Title: "gfx test", Width: testW, Height: testH})
	if noGL == nil {
		fmt.Fprintln(os.Stderr, "gfx tests on", win.GLInfo())
	}
	done := make(chan int)
	go func() { done <- m.Run() }()
	for {
		select {
		case f := <-mainQueue:
			f()
		case code := <-done:
			if win != nil {
				win.Close()
			}
			os.Exit(code)
		}
	}
}

// do runs f on the main thread and waits for it. A panic in f is re-raised
// on the caller's goroutine. f must not call t.Fatal or t.Skip, which would
// end the main goroutine: return results and check them outside.
func do(f func()) {
	var p any
	finished := make(chan struct{})
	mainQueue <- func() {
		defer func() {
			p = recover()
			close(finished)
		}()
		f()
	}
	<-finished
	if p != nil {
		panic(p)
	}
}

// needGL skips the test when there is no display to open a window on.
func needGL(t testing.TB) {
	t.Helper()
	if noGL != nil {
		t.Skipf("no GL display (run under xvfb-run -a -s \"-screen 0 1920x1080x24\"): %v", noGL)
	}
}

// newTestRenderer makes a renderer on the main thread, closed at cleanup.
// An atlasSize of 0 means the default.
func newTestRenderer(t testing.TB, atlasSize int) *Renderer {
	t.Helper()
	needGL(t)
	if atlasSize == 0 {
		atlasSize = text.DefaultAtlasSize
	}
	var r *Renderer
	var err error
	do(func() { r, err = newRenderer(fonts, atlasSize) })
	if err != nil {
		t.Fatalf("new renderer: %v", err)
	}
	t.Cleanup(func() { do(r.Close) })
	return r
}

// frame draws one w x h frame cleared to clear with paint, on the main
// thread, and returns its screenshot.
func frame(t testing.TB, r *Renderer, w, h int, clear draw.Color, paint func(r *Renderer)) *image.RGBA {
	t.Helper()
	var (
		img *image.RGBA
		err error
	)
	do(func() {
		r.Begin(w, h, clear)
		paint(r)
		r.End()
		if err = r.Err(); err == nil {
			img, err = r.Screenshot()
		}
		win.SwapBuffers()
	})
	if err != nil {
		t.Fatalf("frame: %v", err)
	}
	return img
}
