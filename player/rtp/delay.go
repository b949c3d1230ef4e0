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
	// floorGain is the part of its distance to a slower packet's transit
	// time the floor rises by: it follows a lasting rise (a longer
	// route, a sender clock slower than the box's) in a few thousand
	// packets, while the jitter of single packets hardly moves it.
	floorGain = 1.0 / 1024
	// shrinkGain is the part of the gap to a lower lateness the delay
	// closes per packet: at a few hundred packets a second it takes
	// seconds to shrink, so that a lull between bursts of jitter does not
	// open the buffer to the next burst.
	shrinkGain = 1.0 / 512
)

// delayModel derives the playout delay from how late packets arrive. The
// transit time of a packet (its arrival time less its RTP timestamp, RFC
// 3550 6.4.1) is the network's delay plus a constant; the fastest packets
// set a floor, and a packet's lateness is its transit above the floor.
// The delay is the largest lateness seen lately: it rises at once to a
// packet's lateness, since a packet that late would have been late, and
// shrinks slowly. A packet held for it after arrival is then due after
// every packet sent before it has had the time to arrive, so packets come
// out in order and a late one is not asked for again. On a quiet network
// it is about zero; under network jitter it is about the spread of the
// delays, not a multiple of it. It is at most max.
type delayModel struct {
	max   time.Duration // 0: no delay at all
	epoch time.Time
	// Transit times in seconds from the epoch, against the extended RTP
	// timestamps (unwrapped from the first packet's).
	lastTS  uint32
	extTS   int64
	floor   float64
	started bool
	delay   time.Duration
	n       int       // packets since the restart
	first   time.Time // arrival of the first of them
}

// restart forgets the transit times of a previous numbering or source,
// keeping the delay: the network is the same.
func (m *delayModel) restart() { m.started, m.n = false, 0 }

// arrival takes the packet with RTP timestamp ts arrived at now.
func (m *delayModel) arrival(ts uint32, now time.Time) {
	if m.max <= 0 {
		return
	}
	if m.n == 0 {
		m.first = now
	}
	m.n++
	if !m.started {
		m.epoch, m.lastTS, m.extTS = now, ts, 0
		m.floor, m.started = 0, true
		return
	}
	// Timestamps wrap at 2^32, and reordered packets step back: the
	// signed difference extends them.
	m.extTS += int64(int32(ts - m.lastTS))
	m.lastTS = ts
	transit := now.Sub(m.epoch).Seconds() - float64(m.extTS)/clockRate
	if transit <= m.floor {
		m.floor = transit
		m.shrink(0)
		return
	}
	late := transit - m.floor
	m.floor += late * floorGain
	l := min(time.Duration(late*float64(time.Second)), m.max) // one stall does not blow the delay up
	if l >= m.delay {
		m.delay = l
	} else {
		m.shrink(l)
	}
}

// shrink moves the delay a step towards a lower lateness l.
func (m *delayModel) shrink(l time.Duration) {
	m.delay -= time.Duration(float64(m.delay-l) * shrinkGain)
}
