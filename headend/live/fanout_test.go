package live

import (
	"testing"
	"time"
)

func TestSlot(t *testing.T) {
	const w = 4 * time.Millisecond
	tests := []struct {
		name    string
		i, k, n int
		want    time.Duration
	}{
		{"one slot goes on time", 0, 10, 10, 0},
		{"one full slot goes on time", 0, 64, 64, 0},
		{"no destination goes on time", 0, 0, 0, 0},
		{"first of two halves", 0, 50, 100, -w / 4},
		{"second of two halves", 50, 50, 100, w / 4},
		{"first of 500 in 64s", 0, 64, 500, w*64/1000 - w/2},
		{"last of 500 in 64s", 448, 52, 500, w*948/1000 - w/2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slot(w, tt.i, tt.k, tt.n); got != tt.want {
				t.Errorf("slot(%v, %d, %d, %d) = %v, want %v", w, tt.i, tt.k, tt.n, got, tt.want)
			}
		})
	}
	// The slots of a fan-out are in order, inside the window, and its
	// destinations' mean time is the schedule.
	const n = 500
	var sum time.Duration // of each destination's slot
	prev := -w
	for i := 0; i < n; i += batchSize {
		k := min(batchSize, n-i)
		s := slot(w, i, k, n)
		if s <= prev || s < -w/2 || s > w/2 {
			t.Fatalf("slot of %d at %v after %v: out of order or outside ±%v", i, s, prev, w/2)
		}
		prev, sum = s, sum+time.Duration(k)*s
	}
	if mean := sum / n; mean < -time.Microsecond || mean > time.Microsecond {
		t.Errorf("the destinations' mean slot is %v from the schedule", mean)
	}
}

func TestSpread(t *testing.T) {
	c := &channel{interval: 5 * time.Millisecond}
	tests := []struct {
		n    int
		want time.Duration
	}{
		{0, 0},
		{1, slotSpacing},
		{100, 100 * slotSpacing},
		{500, 5 * time.Millisecond}, // capped at the interval
	}
	for _, tt := range tests {
		if got := c.spread(tt.n); got != tt.want {
			t.Errorf("spread(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}
