package media

import (
	"runtime"
	"testing"
	"time"
)

// TestPool checks the planes' sizes, their reuse through the pool, and
// that frames the pool drops give their memory back without harm.
func TestPool(t *testing.T) {
	tests := []struct{ w, h, y, c int }{
		{1920, 1080, 1920 * 1080, 960 * 540},
		{641, 361, 641 * 361, 321 * 181},
		{2, 2, 4, 1},
	}
	p := NewPool(2)
	for _, tc := range tests {
		f := p.Get(tc.w, tc.h)
		if len(f.Y) != tc.y || len(f.U) != tc.c || len(f.V) != tc.c || cap(f.Y) != tc.y || cap(f.U) != tc.c {
			t.Fatalf("%dx%d: planes %d/%d/%d, want %d/%d/%d", tc.w, tc.h, len(f.Y), len(f.U), len(f.V), tc.y, tc.c, tc.c)
		}
		f.Y[len(f.Y)-1], f.U[len(f.U)-1], f.V[len(f.V)-1] = 1, 2, 3
		if f.Y[len(f.Y)-1] != 1 || f.U[len(f.U)-1] != 2 || f.V[len(f.V)-1] != 3 {
			t.Fatal("planes overlap")
		}
		serial := f.Serial
		f.Release()
		g := p.Get(tc.w, tc.h)
		if &g.Y[0] != &f.Y[0] || g.Serial == serial {
			t.Errorf("%dx%d: a released frame was not reused with a new serial", tc.w, tc.h)
		}
		g.Release()
	}
	// Many frames dropped by a small pool: their mappings go with them.
	for range 64 {
		fs := []*VideoFrame{p.Get(1280, 720), p.Get(1280, 720), p.Get(1280, 720)}
		for _, f := range fs {
			f.Y[0] = 1
			f.Release()
		}
	}
	runtime.GC()
	runtime.GC()
	f := p.Get(1280, 720)
	f.Y[0], f.V[len(f.V)-1] = 7, 7
	f.Release()
}

// TestWrap checks that a wrapped frame gives its planes back once, on
// Release, and that one dropped without Release gives them back when it
// is collected.
func TestWrap(t *testing.T) {
	p := NewPool(2)
	freed := make(chan int, 2)
	y, u, v := make([]byte, 4), make([]byte, 1), make([]byte, 1)
	f := p.Wrap(2, 2, y, u, v, func() { freed <- 1 })
	g := p.Get(2, 2)
	if !f.Shared() || g.Shared() || f.Serial == 0 || g.Serial == f.Serial || &f.Y[0] != &y[0] || f.ChromaWidth() != 1 {
		t.Fatalf("wrapped frame: serial %d (next %d), planes not the ones given", f.Serial, g.Serial)
	}
	g.Release()
	f.Release()
	f.Release() // a second Release must not free twice
	if n := len(freed); n != 1 {
		t.Fatalf("freed %d times after Release, want 1", n)
	}
	<-freed
	if h := p.Get(2, 2); &h.Y[0] == &y[0] {
		t.Error("the pool handed out a wrapped frame's planes")
	}

	dropped := make(chan struct{})
	func() {
		p.Wrap(2, 2, y, u, v, func() { close(dropped) })
	}()
	deadline := time.After(10 * time.Second)
	for {
		runtime.GC()
		select {
		case <-dropped:
			return
		case <-deadline:
			t.Fatal("a wrapped frame dropped without Release never freed its planes")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
