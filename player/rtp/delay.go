package rtp

import "time"

// Playout delay bounds and gains (see delayModel).
const (
	// DefaultMaxDelay bounds the playout delay the jitter buffer adds.
	DefaultMaxDelay = 250 * time.Millisecond
	// DefaultStartHold is how long the first packets are held at the start
	// of a stream, for packets sent before the first one to arrive.
	DefaultStartHold = 10 * time.Millisecond
	// startPackets is how many packets the start waits for (up to the
	// bound of the delay), so that the jitter has been seen before
	// anything is handed out.
	startPackets = 4
	// delayJitters is the delay in units of the jitter estimate: the
	// variation of transit times is about three times their mean
	// deviation for the delays of a loaded network.
	delayJitters = 4
	// riseGain and fallGain weigh a new transit difference into the
	// jitter estimate: rises are believed at once, falls slowly (RFC 3550
	// A.8 uses 1/16 either way, for reports).
	riseGain = 1.0 / 4
	fallGain = 1.0 / 16
	// shrinkGain is the part of the gap to a lower target the delay
	// closes per packet: at a few hundred packets a second it takes
	// seconds to shrink, so that a lull between bursts of jitter does not
	// open the buffer to the next burst.
	shrinkGain = 1.0 / 512
)

// delayModel estimates the interarrival jitter of a stream as RFC 3550
// 6.4.1 defines it (the mean deviation of the difference of transit times
// of successive packets, from their RTP timestamps and arrival times) and
// derives the playout delay from it: delayJitters times the estimate,
// at most max, rising at once and shrinking slowly.
type delayModel struct {
	max        time.Duration // 0: no delay at all
	epoch      time.Time
	transit    float64 // of the previous packet, in seconds
	hasTransit bool
	jitter     float64 // seconds
	delay      time.Duration
	// peak is the largest transit difference since the restart: the
	// start, before the estimate has settled, holds for at least that.
	peak  time.Duration
	n     int       // packets since the restart
	first time.Time // arrival of the first of them
}

// restart forgets the transit times of a previous numbering or source,
// keeping the delay: the network is the same.
func (m *delayModel) restart() { m.hasTransit, m.peak, m.n = false, 0, 0 }

// arrival takes the packet with RTP timestamp ts arrived at now.
func (m *delayModel) arrival(ts uint32, now time.Time) {
	if m.max <= 0 {
		return
	}
	if m.n == 0 {
		m.first = now
	}
	m.n++
	if m.epoch.IsZero() || !m.hasTransit {
		m.epoch = now
		m.transit = -float64(ts) / clockRate
		m.hasTransit = true
		return
	}
	arr := now.Sub(m.epoch).Seconds()
	transit := arr - float64(ts)/clockRate
	d := transit - m.transit
	// Timestamps wrap at 2^32: take the difference modulo the span.
	if span := float64(1<<32) / clockRate; d > span/2 {
		d -= span
	} else if d < -span/2 {
		d += span
	}
	m.transit = transit
	if d < 0 {
		d = -d
	}
	d = min(d, m.max.Seconds()) // one stall does not blow the estimate up
	m.peak = max(m.peak, time.Duration(d*float64(time.Second)))
	gain := fallGain
	if d > m.jitter {
		gain = riseGain
	}
	m.jitter += (d - m.jitter) * gain
	target := min(time.Duration(delayJitters*m.jitter*float64(time.Second)), m.max)
	if target >= m.delay {
		m.delay = target
	} else {
		m.delay -= time.Duration(float64(m.delay-target) * shrinkGain)
	}
}

// jitterMS returns the jitter estimate in milliseconds.
func (m *delayModel) jitterMS() float64 { return m.jitter * 1000 }
