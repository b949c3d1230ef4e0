package hls

import "time"

// Adaptive switching (RFC 8216 6.3.2 leaves the policy to the client).
// After each segment the loader measures the throughput of its download;
// before the next one it picks the variant from two estimates of it and
// from how much media the player has buffered:
//
//   - the estimate is the lowest of the last measurement and of a fast and
//     a slow moving average of the measurements, so that a drop is
//     believed at once and a rise only once it lasts;
//   - a variant fits when its BANDWIDTH is at most safetyFactor of the
//     estimate; the candidate is the highest that fits (the lowest when
//     none does), never above Config.MaxBandwidth;
//   - a lower candidate is switched to at once, unless the buffer is
//     comfortable and the current variant still fits the estimate itself;
//   - a higher candidate is switched to only with at least upBuffer of
//     media buffered, so that a switch up never risks a stall.
//
// Switches happen at segment boundaries: the next segment, by media
// sequence number, comes from the new variant's playlist.
const (
	safetyFactor  = 0.8
	fastAlpha     = 0.5
	slowAlpha     = 0.15
	maxUpBuffer   = 5 * time.Second
	comfortBuffer = 10 * time.Second
	// minSampleBytes: smaller downloads say more about latency than about
	// bandwidth and are not measured.
	minSampleBytes = 4 * 1024
)

// abr holds the throughput estimate and decides switches.
type abr struct {
	last, fast, slow float64 // bits per second; 0 before the first sample
}

// sample records a download of n bytes that took d.
func (a *abr) sample(n int, d time.Duration) {
	if n < minSampleBytes || d <= 0 {
		return
	}
	bps := float64(n) * 8 / d.Seconds()
	a.last = bps
	if a.fast == 0 {
		a.fast, a.slow = bps, bps
		return
	}
	a.fast += fastAlpha * (bps - a.fast)
	a.slow += slowAlpha * (bps - a.slow)
}

// estimate returns the throughput to plan with, in bits per second, or 0
// before any sample.
func (a *abr) estimate() float64 { return min(a.last, a.fast, a.slow) }

// choose returns the index in vs of the variant to fetch the next segment
// from. cur is the variant playing, allowed says which variants may be
// chosen at all, buffer is the media buffered ahead of playback and
// target the playlist's target duration.
func (a *abr) choose(vs []variant, allowed func(int) bool, cur int, buffer, target time.Duration) int {
	est := a.estimate()
	if est == 0 {
		return cur
	}
	cand, lowest := -1, -1
	for i, v := range vs {
		if !allowed(i) {
			continue
		}
		if lowest < 0 || v.bandwidth < vs[lowest].bandwidth {
			lowest = i
		}
		if float64(v.bandwidth) <= safetyFactor*est && (cand < 0 || v.bandwidth > vs[cand].bandwidth) {
			cand = i
		}
	}
	if cand < 0 {
		cand = lowest
	}
	if cand < 0 {
		return cur
	}
	switch c, b := vs[cand].bandwidth, vs[cur].bandwidth; {
	case c < b:
		if buffer >= comfortBuffer && float64(b) <= est {
			return cur
		}
		return cand
	case c > b:
		if buffer < min(target+target/2, maxUpBuffer) {
			return cur
		}
		return cand
	}
	return cur
}

// bufferModel estimates the media buffered ahead of playback when the
// player does not report it: each delivered segment adds its duration, and
// real time passing drains it, never below zero.
type bufferModel struct {
	level time.Duration
	at    time.Time
}

func (b *bufferModel) now(t time.Time) time.Duration {
	if b.at.IsZero() {
		return 0
	}
	return max(0, b.level-t.Sub(b.at))
}

func (b *bufferModel) add(d time.Duration, t time.Time) {
	b.level, b.at = b.now(t)+d, t
}
