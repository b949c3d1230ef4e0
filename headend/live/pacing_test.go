package live

import (
	"testing"
	"time"
)

func TestPacingHistograms(t *testing.T) {
	const us = time.Microsecond
	tests := []struct {
		name string
		// offsets per destination
		dests                 [][]time.Duration
		jitterP99, jitterMax  time.Duration
		absP50, absP99, absMx time.Duration
	}{
		{
			name:  "constant offsets are no jitter",
			dests: [][]time.Duration{rep(1000*us, 100), rep(3000*us, 100), rep(-500*us, 100)},
			// the median bucket's centre is within 25µs of each value
			jitterP99: 25 * us, jitterMax: 25 * us,
			absP50: 1000 * us, absP99: 3000 * us, absMx: 3000 * us,
		},
		{
			name: "three late datagrams in a hundred",
			dests: [][]time.Duration{
				append(rep(2000*us, 97), rep(4000*us, 3)...),
				append(rep(100*us, 97), rep(2100*us, 3)...),
			},
			jitterP99: 2000*us - 25*us, jitterMax: 2000*us - 25*us,
			absP50: 2000 * us, absP99: 4000 * us, absMx: 4000 * us,
		},
		{
			name:      "beyond the histograms' range",
			dests:     [][]time.Duration{append(rep(0, 99), 90*time.Millisecond)},
			jitterP99: 50 * us, jitterMax: 90*time.Millisecond - 25*us,
			absP50: 0, absP99: 50 * us, absMx: 90 * time.Millisecond,
		},
	}
	for _, tt := range tests {
		var abs absHist
		var j jitterHist
		for _, offs := range tt.dests {
			h := newOffsetHist()
			for _, o := range offs {
				h.add(o)
				abs.add(o)
			}
			h.addJitter(&j)
		}
		p50, p99 := abs.percentiles()
		if got := j.p99(); got < tt.jitterP99-offsetBucket || got > tt.jitterP99+offsetBucket {
			t.Errorf("%s: jitter p99 %v, want %v (± one bucket)", tt.name, got, tt.jitterP99)
		}
		if got := j.max; got < tt.jitterMax-offsetBucket || got > tt.jitterMax+offsetBucket {
			t.Errorf("%s: jitter max %v, want %v (± one bucket)", tt.name, got, tt.jitterMax)
		}
		if p50 < tt.absP50 || p50 > tt.absP50+offsetBucket || p99 < tt.absP99-offsetBucket || p99 > tt.absP99+offsetBucket || abs.max != tt.absMx {
			t.Errorf("%s: absolute p50 %v, p99 %v, max %v; want %v, %v, %v", tt.name, p50, p99, abs.max, tt.absP50, tt.absP99, tt.absMx)
		}
	}
}

func rep(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// TestOffsetHistReset checks that a reset histogram keeps its buckets
// (a fan-out must not allocate) and forgets its samples.
func TestOffsetHistReset(t *testing.T) {
	h := newOffsetHist()
	h.add(time.Millisecond)
	h.reset()
	if h.n != 0 || h.min != 0 || h.max != 0 || len(h.counts) != offsetBuckets {
		t.Fatalf("after reset: n %d, min %v, max %v, %d buckets", h.n, h.min, h.max, len(h.counts))
	}
	if allocs := testing.AllocsPerRun(100, func() { h.add(-time.Millisecond) }); allocs != 0 {
		t.Errorf("add allocates %v times", allocs)
	}
	if h.min != -time.Millisecond || h.max != -time.Millisecond {
		t.Errorf("min %v, max %v after negative samples", h.min, h.max)
	}
}
