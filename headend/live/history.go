package live

// entry is one datagram of a channel, as sent live.
type entry struct {
	n    uint64 // packet number since the channel started
	at   int64  // due time, 27 MHz ticks after the channel's start
	ts   uint32 // RTP timestamp
	rap  bool   // starts with a random access point
	data []byte // the datagram: RTP header and TS, or TS alone
}

// history is a ring of the last datagrams of a channel, for
// retransmission and fast channel change bursts. The channel's goroutine
// alone pushes and recycles; everything is guarded by the channel's
// mutex.
type history struct {
	ring  []entry
	count int
	head  uint64 // n of the next push
}

func newHistory(size int) history {
	return history{ring: make([]entry, max(size, 16))}
}

// recycle makes room for the next push: when the ring is full it forgets
// the oldest entry and returns its buffer, emptied, for reuse.
func (h *history) recycle() []byte {
	if h.count < len(h.ring) {
		return nil
	}
	e := &h.ring[h.head%uint64(len(h.ring))]
	h.count--
	b := e.data[:0]
	*e = entry{}
	return b
}

// push adds the datagram numbered h.head. The caller has called
// recycle first.
func (h *history) push(e entry) {
	h.ring[e.n%uint64(len(h.ring))] = e
	h.head = e.n + 1
	h.count = min(h.count+1, len(h.ring))
}

// get returns entry n if the ring still holds it.
func (h *history) get(n uint64) (*entry, bool) {
	if n >= h.head || h.head-n > uint64(h.count) {
		return nil, false
	}
	return &h.ring[n%uint64(len(h.ring))], true
}

// oldest returns the number of the oldest entry held.
func (h *history) oldest() uint64 { return h.head - uint64(h.count) }

// find returns the newest entry whose RTP sequence number is seq, given
// that packet n has sequence number seqBase+n (mod 2^16).
func (h *history) find(seq, seqBase uint16) (*entry, bool) {
	if h.count == 0 {
		return nil, false
	}
	last := h.head - 1
	back := uint64(uint16(uint16(last) + seqBase - seq))
	if back > last {
		return nil, false
	}
	return h.get(last - back)
}
