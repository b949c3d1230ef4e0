package clock

import (
	"testing"
	"time"
)

type fakeTime struct{ t time.Time }

func (f *fakeTime) now() time.Time          { return f.t }
func (f *fakeTime) advance(d time.Duration) { f.t = f.t.Add(d) }

func TestWall(t *testing.T) {
	ft := &fakeTime{t: time.Unix(1000, 0)}
	w := NewWall(ft.now)
	if _, ok := w.Now(); ok {
		t.Fatal("clock reports started before Start")
	}
	w.Start(10 * time.Second)
	ft.advance(500 * time.Millisecond)
	steps := []struct {
		name    string
		do      func()
		advance time.Duration
		want    time.Duration
	}{
		{"running", func() {}, 0, 10500 * time.Millisecond},
		{"paused holds", func() { w.SetPaused(true) }, time.Second, 10500 * time.Millisecond},
		{"resumed advances", func() { w.SetPaused(false) }, 250 * time.Millisecond, 10750 * time.Millisecond},
		{"re-anchored", func() { w.Start(2 * time.Second) }, 100 * time.Millisecond, 2100 * time.Millisecond},
	}
	for _, s := range steps {
		s.do()
		ft.advance(s.advance)
		got, ok := w.Now()
		if !ok || got != s.want {
			t.Errorf("%s: Now() = %v, %v; want %v, true", s.name, got, ok, s.want)
		}
	}
}
