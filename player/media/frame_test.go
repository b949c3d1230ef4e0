package media

import (
	"runtime"
	"testing"
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
