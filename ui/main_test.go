package ui

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/manbang/manbang/ui/gfx"
	"github.com/manbang/manbang/ui/text"
)

// GL needs the main OS thread. Tests run on other goroutines, so the main
// goroutine serves a queue of functions: tests call do to run GL code there.

func init() { runtime.LockOSThread() }

var (
	mainQueue = make(chan func())
	testWin   *gfx.Window
	testFonts *text.Fonts
	noGL      error // why GL tests skip, if they do
)

// The test window: every golden is taken at 1280x720.
const testW, testH = 1280, 720

func TestMain(m *testing.M) {
	flag.Parse()
	var err error
	if testFonts, err = text.Load(text.Config{}); err != nil {
		fmt.Fprintln(os.Stderr, "load fonts:", err)
		os.Exit(1)
	}
	testWin, noGL = gfx.OpenWindow(gfx.WindowConfig{Title: "ui test", Width: testW, Height: testH})
	if noGL == nil {
		fmt.Fprintln(os.Stderr, "ui tests on", testWin.GLInfo())
	}
	done := make(chan int)
	go func() { done <- m.Run() }()
	for {
		select {
		case f := <-mainQueue:
			f()
		case code := <-done:
			if testWin != nil {
				testWin.Close()
			}
			os.Exit(code)
		}
	}
}

// do runs f on the main thread and waits for it. A panic in f is re-raised
// on the caller's goroutine. f must not call t.Fatal or t.Skip.
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
