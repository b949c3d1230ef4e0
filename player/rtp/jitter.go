package rtp

import "time"

// maxDropout is how far ahead of the expected sequence number a packet may
// jump and still belong to the same run (RFC 3550 A.1's MAX_DROPOUT);
// beyond it, or further behind than the buffer remembers, a packet starts
// probation: the sender is taken to have restarted its numbering only when
// the packet after it follows in sequence.
const maxDropout = 3000

// slotState is what a reorder buffer slot holds.
type slotState uint8

const (
	slotEmpty slotState = iota // never used, or reset
	slotHole                   // a sequence number not yet received
	slotFull                   // a packet waiting for its turn
	slotDone                   // handed out
	slotLost                   // given up
)

// slot is one sequence number of the reorder buffer's window.
type slot struct {
	state    slotState
	seq      uint16
	payload  []byte
	detected time.Time // for a hole: when it was first seen missing
	arrived  time.Time // for a packet: when it arrived (zero: due at once)
	nacks    uint8     // times a hole was NACKed
	lastNACK time.Time
}

// pushResult says what became of a packet given to push.
type pushResult int

const (
	pushInOrder   pushResult = iota // the next or a later packet, no hole filled
	pushFilled                      // filled a hole (reordered or retransmitted)
	pushRecovered                   // filled a hole that had been NACKed
	pushDuplicate                   // already buffered or handed out
	pushLate                        // its hole had already been given up
	pushStray                       // far out of sequence; held for probation
	pushResync                      // confirmed a new numbering: buffer restarted
)

// jitterBuffer puts RTP packets back in sequence order. It hands a packet
// out once all before it have been handed out and it has been held for the
// playout delay; a missing packet (a hole) is waited for at most the delay
// plus latency after it was found missing, and never while more than size
// packets would have to wait behind it. Holes given up are counted as
// lost, and their packets are left out: the TS continuity counters tell
// the demuxer.
//
// The playout delay follows the spread of the network's delays (see
// delayModel): zero on a quiet network, so that nothing is held that need not be. With
// adaptive on, the first packets are also held for at least startHold, so
// that packets sent before the first one to arrive can still take their
// place in front of it.
//
// It holds no lock and starts no goroutine: the receiver's loop owns it.
// Times are passed in, so tests and fuzzing control the clock.
type jitterBuffer struct {
	latency time.Duration
	slots   []slot // ring indexed by seq & mask; len is a power of two
	mask    uint16

	started bool
	next    uint16 // next sequence number to hand out
	highest uint16 // highest sequence number buffered or found missing
	badSeq  uint16 // probation: the sequence number that confirms a restart
	hasBad  bool
	out     [][]byte // payloads handed out, in order, until take
	// newHoles is set when a push finds packets missing; the owner
	// clears it once it has planned a NACK.
	newHoles bool

	// Counters since the start.
	lost   int // holes given up
	filled int // holes filled

	dm        delayModel
	startHold time.Duration // hold of the first packets; 0: none
	primed    bool          // a packet has been handed out since the start
}

// newJitterBuffer returns a buffer holding at most size packets (rounded
// up to a power of two, between 16 and 32768) for at most latency each.
func newJitterBuffer(size int, latency time.Duration) *jitterBuffer {
	n := 16
	for n < size && n < 1<<15 {
		n <<= 1
	}
	return &jitterBuffer{latency: latency, slots: make([]slot, n), mask: uint16(n - 1)}
}

// adaptive turns the playout delay on, up to maxDelay, and holds the
// first packets of each start for at least startHold.
func (j *jitterBuffer) adaptive(maxDelay, startHold time.Duration) {
	j.dm.max, j.startHold = maxDelay, startHold
}

func (j *jitterBuffer) slot(seq uint16) *slot { return &j.slots[seq&j.mask] }

// window is the number of sequence numbers the buffer can hold at once.
func (j *jitterBuffer) window() int { return len(j.slots) }

// push adds the packet seq with RTP timestamp ts, arrived at now, and
// hands out what is then in order.
func (j *jitterBuffer) push(seq uint16, ts uint32, payload []byte, now time.Time) pushResult {
	if !j.started {
		j.restart(seq)
	}
	j.dm.arrival(ts, now)
	delta := int(int16(seq - j.next))
	switch {
	case delta >= 0 && delta < maxDropout:
		j.hasBad = false
		return j.pushAhead(seq, delta, payload, now)
	case delta < 0 && !j.primed && -delta < j.window() && int(int16(j.highest-seq)) < j.window():
		// Sent before the packets held so far, none handed out yet: the
		// start moves back to it.
		j.hasBad = false
		for x := seq + 1; x != j.next; x++ {
			*j.slot(x) = slot{state: slotHole, seq: x, detected: now}
			j.newHoles = true
		}
		j.next = seq
		*j.slot(seq) = slot{state: slotFull, seq: seq, payload: payload, arrived: now}
		j.drain(now)
		return pushFilled
	case delta < 0 && -delta <= j.window():
		j.hasBad = false
		s := j.slot(seq)
		if s.seq == seq && s.state == slotLost {
			return pushLate
		}
		return pushDuplicate
	}
	if j.hasBad && seq == j.badSeq {
		j.flush()
		j.restart(seq)
		j.pushAhead(seq, 0, payload, now)
		return pushResync
	}
	j.badSeq, j.hasBad = seq+1, true
	return pushStray
}

// pushAhead stores a packet at or after next: delta = seq - next.
func (j *jitterBuffer) pushAhead(seq uint16, delta int, payload []byte, now time.Time) pushResult {
	for delta >= j.window() { // no room: give up the oldest
		j.advance()
		delta--
	}
	res := pushInOrder
	s := j.slot(seq)
	ahead := int(int16(seq - j.highest))
	switch {
	case ahead > 0:
		// New highest: every number between is a hole.
		for x := j.highest + 1; x != seq; x++ {
			*j.slot(x) = slot{state: slotHole, seq: x, detected: now}
			j.newHoles = true
		}
		j.highest = seq
	case s.seq == seq && s.state == slotHole:
		res = pushFilled
		if s.nacks > 0 {
			res = pushRecovered
		}
		j.filled++
	default: // at or before highest, not a hole: already here or handed out
		return pushDuplicate
	}
	*s = slot{state: slotFull, seq: seq, payload: payload, arrived: now}
	j.drain(now)
	return res
}

// fill puts a retransmitted packet in its hole. Unlike push, it never
// moves the window: a retransmission of anything but a hole is dropped.
func (j *jitterBuffer) fill(seq uint16, payload []byte, now time.Time) pushResult {
	if !j.started {
		return pushStray
	}
	delta := int(int16(seq - j.next))
	switch {
	case delta < 0 && -delta <= j.window():
		if s := j.slot(seq); s.seq == seq && s.state == slotLost {
			return pushLate
		}
		return pushDuplicate
	case delta < 0 || int(int16(j.highest-seq)) < 0:
		return pushStray
	}
	s := j.slot(seq)
	if s.seq != seq || s.state != slotHole {
		return pushDuplicate
	}
	*s = slot{state: slotFull, seq: seq, payload: payload}
	j.filled++
	j.drain(now)
	return pushRecovered
}

// restart makes seq the next packet of a fresh buffer.
func (j *jitterBuffer) restart(seq uint16) {
	for i := range j.slots {
		j.slots[i] = slot{}
	}
	j.started, j.primed = true, false
	j.dm.restart()
	j.next = seq
	j.highest = seq - 1
	j.hasBad = false
}

// drain hands out packets in order from next once they have been held
// for the playout delay, giving up holes that have waited the delay and
// latency.
func (j *jitterBuffer) drain(now time.Time) {
	for j.next != j.highest+1 {
		if due, ok := j.due(); ok && now.Before(due) {
			return
		}
		j.advance()
	}
}

// due returns when the packet or hole at next may be handed out or given
// up; false when at once.
func (j *jitterBuffer) due() (time.Time, bool) {
	s := j.slot(j.next)
	switch {
	case s.state == slotHole:
		return s.detected.Add(j.holeWait()), true
	case s.state == slotFull && !s.arrived.IsZero():
		due := s.arrived.Add(j.hold())
		if !j.primed && j.startHold > 0 && j.dm.n < startPackets {
			due = maxTime(due, j.dm.first.Add(j.dm.max))
		}
		return due, true
	}
	return time.Time{}, false
}

// hold is how long a packet is held before it is handed out: the playout
// delay, and at the start at least startHold.
func (j *jitterBuffer) hold() time.Duration {
	if !j.primed && j.startHold > 0 {
		return max(j.dm.delay, j.startHold)
	}
	return j.dm.delay
}

// holeWait is how long a hole is waited for: the packet may be late by
// the playout delay, and its retransmission takes up to latency.
func (j *jitterBuffer) holeWait() time.Duration { return j.dm.delay + j.latency }

// nackWait is how long a hole is left before it is asked for: at least
// first, and the playout delay, within which it may merely be late.
func (j *jitterBuffer) nackWait(first time.Duration) time.Duration {
	return max(first, j.dm.delay)
}

// advance hands out or gives up the packet at next, which may lie
// beyond the highest known when the buffer is forced forward.
func (j *jitterBuffer) advance() {
	s := j.slot(j.next)
	if j.next == j.highest+1 { // forced past everything known
		j.highest = j.next
		*s = slot{state: slotLost, seq: j.next}
		j.lost++
	} else if s.state == slotFull {
		j.out = append(j.out, s.payload)
		j.primed = true
		*s = slot{state: slotDone, seq: j.next}
	} else {
		*s = slot{state: slotLost, seq: j.next}
		j.lost++
	}
	j.next++
}

// flush hands out every buffered packet in order, giving up the holes
// between them, and stops the buffer: the next push starts afresh.
func (j *jitterBuffer) flush() {
	if !j.started {
		return
	}
	for j.next != j.highest+1 {
		j.advance()
	}
	j.started = false
}

// expire gives up holes that have waited latency, handing out what
// follows them.
func (j *jitterBuffer) expire(now time.Time) {
	if j.started {
		j.drain(now)
	}
}

// take returns the payloads handed out since the last take, in order.
func (j *jitterBuffer) take() [][]byte {
	out := j.out
	j.out = nil
	return out
}

// deadline returns when the head of the buffer will be handed out (a
// packet held) or given up (a hole), if anything waits there.
func (j *jitterBuffer) deadline() (time.Time, bool) {
	if !j.started || j.next == j.highest+1 {
		return time.Time{}, false
	}
	return j.due()
}

// buffered returns how many packets wait in the buffer.
func (j *jitterBuffer) buffered() int {
	n := 0
	if !j.started {
		return 0
	}
	for x := j.next; x != j.highest+1; x++ {
		if j.slot(x).state == slotFull {
			n++
		}
	}
	return n
}

// nackList returns up to max holes to ask the sender for: those missing
// for at least first and never asked for, and those asked for at least
// retry ago, fewer than tries times in all. It marks them asked for at
// now, and returns when the next of the others becomes due (zero if
// none).
func (j *jitterBuffer) nackList(now time.Time, first, retry time.Duration, tries uint8, max int) (seqs []uint16, nextDue time.Time) {
	if !j.started {
		return nil, time.Time{}
	}
	later := func(t time.Time) {
		if nextDue.IsZero() || t.Before(nextDue) {
			nextDue = t
		}
	}
	for x := j.next; x != j.highest+1; x++ {
		s := j.slot(x)
		if s.state != slotHole || s.nacks >= tries {
			continue
		}
		due := s.detected.Add(j.nackWait(first))
		if s.nacks > 0 {
			due = s.lastNACK.Add(retry)
		}
		if due.After(now) || len(seqs) >= max {
			later(due)
			continue
		}
		seqs = append(seqs, x)
		s.nacks++
		s.lastNACK = now
		if s.nacks < tries {
			later(now.Add(retry))
		}
	}
	return seqs, nextDue
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
