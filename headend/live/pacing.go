package live

import "time"

// Histograms of pacing offsets: 50µs buckets from -10ms to +30ms; offsets
// beyond go in the first or last bucket (the exact extremes are kept).
const (
	offsetBucket  = 50 * time.Microsecond
	offsetLow     = -10 * time.Millisecond
	offsetBuckets = 800
)

// offsetHist is a histogram of the pacing offsets of one destination.
type offsetHist struct {
	counts   []uint32 // allocated on the first sample
	n        uint64
	min, max time.Duration
}

func offsetIndex(d time.Duration) int {
	return min(max(int((d-offsetLow)/offsetBucket), 0), offsetBuckets-1)
}

// newOffsetHist returns a histogram with its buckets allocated, so that
// its first sample, in a fan-out, allocates nothing.
func newOffsetHist() offsetHist { return offsetHist{counts: make([]uint32, offsetBuckets)} }

// reset forgets the samples, keeping the buckets.
func (h *offsetHist) reset() {
	clear(h.counts)
	h.n, h.min, h.max = 0, 0, 0
}

func (h *offsetHist) add(d time.Duration) {
	if h.counts == nil {
		h.counts = make([]uint32, offsetBuckets)
	}
	if h.n == 0 {
		h.min, h.max = d, d
	}
	h.counts[offsetIndex(d)]++
	h.n++
	h.min, h.max = min(h.min, d), max(h.max, d)
}

// median returns the bucket of the median offset and its centre.
func (h *offsetHist) median() (int, time.Duration) {
	var cum uint64
	for i, c := range h.counts {
		if cum += uint64(c); cum >= (h.n+1)/2 {
			return i, offsetLow + time.Duration(i)*offsetBucket + offsetBucket/2
		}
	}
	return 0, 0
}

// addJitter adds h's samples, as distances in buckets from h's median,
// to j.
func (h *offsetHist) addJitter(j *jitterHist) {
	if h.n == 0 {
		return
	}
	m, centre := h.median()
	for i, c := range h.counts {
		if c > 0 {
			j.counts[abs(i-m)] += uint64(c)
		}
	}
	j.n += h.n
	j.max = max(j.max, h.max-centre, centre-h.min)
}

// jitterHist is a histogram of the distances of offsets from their
// destination's median, in buckets.
type jitterHist struct {
	counts [offsetBuckets]uint64
	n      uint64
	max    time.Duration
}

// p99 returns the 99th percentile, the upper edge of its bucket.
func (j *jitterHist) p99() time.Duration {
	if j.n == 0 {
		return 0
	}
	var cum uint64
	for i, c := range j.counts {
		if cum += c; cum >= j.n-j.n/100 {
			return min(time.Duration(i+1)*offsetBucket, max(j.max, 0))
		}
	}
	return j.max
}

// absHist is a histogram of absolute pacing offsets, 50µs buckets up to
// 200ms (later goes in the last).
type absHist struct {
	counts [4000]uint64
	n      uint64
	max    time.Duration
}

func (h *absHist) add(d time.Duration) {
	d = abs(d)
	h.counts[min(int(d/offsetBucket), len(h.counts)-1)]++
	h.n++
	h.max = max(h.max, d)
}

// percentiles returns the 50th and 99th percentiles, each the upper edge
// of its bucket.
func (h *absHist) percentiles() (p50, p99 time.Duration) {
	if h.n == 0 {
		return 0, 0
	}
	r50, r99 := (h.n+1)/2, h.n-h.n/100
	var cum uint64
	for i, c := range h.counts {
		cum += c
		edge := min(time.Duration(i+1)*offsetBucket, h.max)
		if p50 == 0 && cum >= r50 {
			p50 = edge
		}
		if cum >= r99 {
			return p50, edge
		}
	}
	return p50, h.max
}

// pacing is a channel's pacing record: every offset, and the jitter of
// the destinations that are gone (the present ones' is in their own
// offsetHist).
type pacing struct {
	abs   absHist
	group offsetHist // the multicast group's offsets
	gone  jitterHist
}

// resetPacingLocked starts the channel's pacing record afresh; c.mu is
// held.
func (c *channel) resetPacingLocked() {
	c.pacing.abs = absHist{}
	c.pacing.group.reset()
	c.pacing.gone = jitterHist{}
	for _, s := range c.subs {
		s.pacing.reset()
	}
}

// pacingStatsLocked returns the channel's pacing figures; c.mu is held.
func (c *channel) pacingStatsLocked() PacingStats {
	ps := PacingStats{Samples: c.pacing.abs.n, Max: c.pacing.abs.max, Lead: c.lead}
	ps.P50, ps.P99 = c.pacing.abs.percentiles()
	j := c.pacing.gone // a copy, added to
	c.pacing.group.addJitter(&j)
	for _, s := range c.subs {
		s.pacing.addJitter(&j)
	}
	ps.JitterP99, ps.JitterMax = j.p99(), max(j.max, 0)
	return ps
}

func abs[T ~int | ~int64](x T) T {
	if x < 0 {
		return -x
	}
	return x
}
