package live

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"math"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
)

const (
	// payloadTypeMP2T is RTP's static payload type of MPEG-TS.
	payloadTypeMP2T = 33
	// rtpHeader is the size of the RTP header the engine writes.
	rtpHeader = 12
	// maxLate is how far behind its schedule a channel may fall (a
	// stalled machine) before it re-anchors its clock rather than send
	// the backlog in a rush.
	maxLate = 500 * time.Millisecond
	// maxReceivers bounds the receiver reports kept per channel.
	maxReceivers = 4096
	// slotSpacing is the time a fan-out allots each destination: a
	// loopback send takes about 4µs on a small machine, so a fan-out to
	// n destinations is spread over n*slotSpacing, at most the stream's
	// mean interval between datagrams (fanout.go), and its sender is
	// busy a third of the time, so that sends slowed by a busy machine
	// do not pile up.
	slotSpacing = 12 * time.Microsecond
	// maxBusy is how long a channel at real-time priority may send
	// without sleeping before its thread goes back to normal priority,
	// until it catches up.
	maxBusy = 50 * time.Millisecond
	// maxFanOuts bounds the fan-outs under way: more, and the channel
	// has fallen behind (maxLate).
	maxFanOuts = 64
)

// batchSize is the number of messages per sendmmsg call, and of
// destinations per slot of a fan-out: small enough that the time the
// call returns is a close bound of when each of its datagrams left (a
// call of 32 takes 0.1-0.3ms on loopback), large enough that the system
// call, and the wait for the slot, cost little per datagram.
const batchSize = 32

// notSent marks the offset of a message the kernel refused.
const notSent = time.Duration(math.MinInt64)

// channel is a playing channel: the goroutine that paces its datagrams
// out, and the state its subscribers and RTCP share.
type channel struct {
	e         *Engine
	cfg       Channel
	prog      *program
	isRTP     bool
	group     netip.AddrPort // invalid when unicast only
	groupAddr *net.UDPAddr   // group, as batched sends take it
	ssrc      uint32
	rtxSSRC   uint32
	tsBase    uint32
	seqBase   uint16
	wait      waiter        // woken by a subscriber's arrival and by stop
	quit      chan struct{} // closed by stop
	exited    chan struct{} // closed when run returns
	running   atomic.Bool
	once      sync.Once

	mu        sync.Mutex
	stopped   bool
	subs      []*Subscription
	hist      history
	hasRAP    bool
	lastRAP   uint64 // n of the newest datagram starting a random access point
	receivers map[netip.AddrPort]ReceiverStats
	st        ChannelStats // counters; lists filled in by snapshot
	pacing    pacing
	lead      time.Duration // written by run with mu held; see PacingStats
	interval  time.Duration // the stream's mean interval between datagrams
	rtxSeq    uint16

	// Owned by run.
	srDue      bool   // a sender report goes with the next fan-out
	n          uint64 // number of the next live datagram
	loop       int64
	chunkIx    int
	shift90    int64 // loop * period in 90 kHz ticks, mod 2^33
	start      time.Time
	next       entry          // the next live datagram, built ahead
	slots      slotSender     // sends the fan-outs' slots
	fanOuts    []*fanOut      // under way, in the order they started
	spare      []*fanOut      // done, for reuse
	msgs       []ipv4.Message // toAll's messages
	bufs       [][]byte       // the messages' Buffers, one each
	burst      []burstSend
	offsets    []time.Duration // of the messages of msgs
	ctlOffsets []time.Duration // of a slot's sender reports, not recorded
	scratch    sendScratch     // sendmmsg's arguments
}

// burstSend is a datagram of a burst, to send once the lock is released.
type burstSend struct {
	to   netip.AddrPort
	data []byte
}

func newChannel(e *Engine, ch Channel, prog *program) *channel {
	c := &channel{
		e: e, cfg: ch, prog: prog,
		isRTP:     ch.Transport == TransportRTP,
		ssrc:      randomUint32(),
		rtxSSRC:   randomUint32(),
		tsBase:    randomUint32(),
		seqBase:   uint16(randomUint32()),
		quit:      make(chan struct{}),
		exited:    make(chan struct{}),
		hist:      newHistory(historySize(prog, e.cfg.History, e.cfg.HistoryPackets)),
		receivers: map[netip.AddrPort]ReceiverStats{},
		interval:  time.Duration(prog.period*1000/27) * time.Nanosecond / time.Duration(len(prog.chunks)),
	}
	if ch.Group != nil {
		c.group = ch.Group.AddrPort()
		c.group = netip.AddrPortFrom(c.group.Addr().Unmap(), c.group.Port())
		c.groupAddr = net.UDPAddrFromAddrPort(c.group)
		c.pacing.group = newOffsetHist()
	}
	c.st = ChannelStats{ID: ch.ID, Transport: ch.Transport, SSRC: c.ssrc}
	if ch.Group != nil {
		c.st.Group = ch.Group.String()
	}
	return c
}

// historySize returns how many datagrams of prog to keep: those of its
// longest GOP and of d more, at most limit.
func historySize(prog *program, d time.Duration, limit int) int {
	perLoop := len(prog.chunks)
	gop, run := 0, 0
	for i := range 2 * perLoop { // twice round: a GOP may span the loop point
		if prog.chunks[i%perLoop].rap {
			run = 0
		}
		run++
		gop = max(gop, run)
	}
	gop = min(gop, perLoop)
	loop := time.Duration(prog.period*1000/27) * time.Nanosecond
	extra := int(float64(perLoop) * d.Seconds() / loop.Seconds())
	return min(gop+extra+1, limit)
}

// run paces the channel out until ctx ends or stop. It keeps its thread
// to itself and sleeps on the kernel's timers; the thread ends with it.
// Where there is a paced thread, it hands that the slots ahead, at
// normal priority; elsewhere it sends them itself, at a raised priority
// (Config.RealtimePriority).
func (c *channel) run(ctx context.Context) {
	runtime.LockOSThread() // never unlocked: the thread's priority goes with it
	c.running.Store(true)
	defer close(c.exited)
	log := c.e.log.With("channel", c.cfg.ID)
	// The slots of the fan-outs go from a paced thread of their own
	// where there is one; this goroutine then prepares them ahead, at
	// normal priority. Without one, it sends them itself, at real-time
	// priority.
	var (
		prio     string
		err      error
		realtime bool
	)
	if !c.e.goPacing {
		c.slots, prio, err = startPaced(c)
	}
	if c.slots == nil {
		if err != nil {
			log.Warn("live: no paced sending thread; the channel's goroutine sends", "err", err)
		}
		c.slots = goSlots{}
		prio, err = raisePriority(c.e.cfg.RealtimePriority)
		realtime = err == nil && c.e.cfg.RealtimePriority > 0
	} else {
		_, _ = raisePriority(0) // timer slack only
		prio = "paced thread at " + prio
	}
	if err != nil {
		log.Info("live: pacing thread priority not raised as asked", "got", prio, "err", err)
	}
	lowered := false      // while behind, the thread is at normal priority
	sleptAt := time.Now() // the last wait that was not already over
	stopWatch := context.AfterFunc(ctx, c.wait.wake)
	defer stopWatch()

	log.Info("live: channel playing", "transport", c.cfg.Transport, "group", c.st.Group,
		"loop", time.Duration(c.prog.period*1000/27)*time.Nanosecond, "ssrc", c.ssrc, "priority", prio)
	c.start = time.Now()
	c.prepare()
	nextSR := c.start
	nextExpiry := c.start.Add(c.e.cfg.SubscriberTimeout / 4)
	for {
		seq := c.wait.seq() // a wake from here on cuts the wait short
		if c.stopping(ctx) {
			c.flush()
			c.bye()
			return
		}
		now := time.Now()
		c.slots.collect(c)
		// A datagram's fan-out starts c.lead before it is due, with its
		// first slot (see fanout.go), which goes to c.slots ahead.
		// While too many are under way (the sender cannot keep up), none
		// starts, and the channel falls behind.
		ahead := c.slots.ahead()
		for due := c.due(c.next.at); !due.Add(-c.lead-ahead).After(now) && len(c.fanOuts) < maxFanOuts; due = c.due(c.next.at) {
			if late := now.Sub(due.Add(-c.lead - ahead)); late > maxLate {
				c.start = c.start.Add(late)
				due = now
				c.mu.Lock()
				c.st.Stalls++
				c.mu.Unlock()
				log.Warn("live: channel fell behind; clock re-anchored", "late", late)
			}
			c.sendLive(due)
			c.prepare()
		}
		// Slots go to c.slots between ahead and ahead/2 before their time,
		// so that a paced thread's are handed over some at a time.
		wake := c.due(c.next.at).Add(-c.lead - ahead/2)
		if len(c.fanOuts) >= maxFanOuts { // not before the sender has room
			wake = now.Add(fullRetry)
		}
		if next, ok := c.sendSlots(now); ok && next.Before(wake) {
			wake = next
		}
		if b, ok := c.sendBursts(now); ok && b.Before(wake) {
			wake = b
		}
		// A sender report goes with the next fan-out, each destination's
		// right after its datagram, so that it delays none.
		if c.isRTP && !now.Before(nextSR) {
			c.srDue = true
			nextSR = now.Add(c.e.cfg.ReportInterval)
		}
		if !now.Before(nextExpiry) {
			c.expire(now)
			nextExpiry = now.Add(min(c.e.cfg.SubscriberTimeout/4, time.Second))
		}
		if c.isRTP && nextSR.Before(wake) {
			wake = nextSR
		}
		if nextExpiry.Before(wake) {
			wake = nextExpiry
		}
		// A channel behind its schedule sends without sleeping: at
		// real-time priority it would keep a core from everything else.
		switch {
		case c.wait.wait(seq, wake):
			sleptAt = time.Now()
			if lowered {
				lowered = false
				_, _ = raisePriority(c.e.cfg.RealtimePriority)
			}
		case realtime && !lowered && time.Since(sleptAt) > maxBusy:
			lowered = true
			if err := lowerPriority(); err != nil {
				log.Warn("live: pacing thread priority not lowered", "err", err)
			}
			c.mu.Lock()
			c.st.Lowered++
			c.mu.Unlock()
		}
	}
}

// stopping reports whether the channel must stop.
func (c *channel) stopping(ctx context.Context) bool {
	select {
	case <-c.quit:
		return true
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// due returns the wall time of schedule time at (27 MHz ticks).
func (c *channel) due(at int64) time.Time {
	return c.start.Add(time.Duration(at/27) * time.Microsecond)
}

// prepare builds the next live datagram into c.next.
func (c *channel) prepare() {
	ch := c.prog.chunks[c.chunkIx]
	at := c.loop*c.prog.period + c.prog.at[ch.start]
	c.mu.Lock()
	buf := c.hist.recycle()
	c.mu.Unlock()
	ts := c.tsBase + uint32(at/ticksPer90)
	if c.isRTP {
		buf = append(buf, 0x80, payloadTypeMP2T)
		buf = binary.BigEndian.AppendUint16(buf, c.seqBase+uint16(c.n))
		buf = binary.BigEndian.AppendUint32(buf, ts)
		buf = binary.BigEndian.AppendUint32(buf, c.ssrc)
	}
	buf = c.prog.appendChunk(buf, ch, c.loop, c.shift90)
	c.next = entry{n: c.n, at: at, ts: ts, rap: ch.rap, data: buf}
	if c.chunkIx++; c.chunkIx == len(c.prog.chunks) {
		c.chunkIx = 0
		c.loop++
		c.shift90 = (c.shift90 + c.prog.period/ticksPer90) % wrap33
	}
}

// sendLive starts the fan-out of the next datagram to the group and the
// subscribers that are not bursting (sendSlots sends it, slot by slot),
// and keeps it in the history.
func (c *channel) sendLive(due time.Time) {
	e := c.next
	f := c.newFanOut()
	f.due, f.data = due, e.data
	c.mu.Lock()
	c.hist.push(e)
	if e.rap {
		c.hasRAP, c.lastRAP = true, e.n
	}
	if c.group.IsValid() {
		f.group = true
		f.msgs = append(f.msgs, ipv4.Message{Addr: c.groupAddr})
	}
	for _, s := range c.subs {
		if s.bursting && s.cursor == e.n { // caught up
			s.bursting = false
		}
		if !s.bursting {
			f.subs = append(f.subs, s)
			f.msgs = append(f.msgs, ipv4.Message{Addr: s.addr})
			s.sent++
		}
	}
	c.st.Packets++
	c.st.Bytes += uint64(len(e.data) - c.headerLen())
	c.st.Loops = int(c.loop)
	n := len(f.msgs)
	f.w = c.spread(n)
	c.lead = -slot(f.w, 0, min(batchSize, n), n) // for the next fan-out too
	c.mu.Unlock()

	// Every destination keeps its place in the order, and so its slot.
	// Nothing here allocates once the fan-outs' slices have grown to the
	// number of destinations.
	f.bufs = slices.Grow(f.bufs[:0], n)[:n]
	for i := range f.msgs {
		f.bufs[i] = e.data
		f.msgs[i].Buffers = f.bufs[i : i+1 : i+1]
	}
	f.offsets = slices.Grow(f.offsets[:0], n)[:n]
	if c.srDue && n > 0 {
		c.srDue = false
		f.sr = c.senderReport(time.Now())
	}
	c.n++
	if n == 0 {
		c.spare = append(c.spare, f)
		return
	}
	c.fanOuts = append(c.fanOuts, f)
}

// record counts a destination's offset; c.mu is held.
func (c *channel) record(h *offsetHist, offset time.Duration) {
	if offset == notSent {
		return
	}
	h.add(offset)
	c.pacing.abs.add(offset)
}

func (c *channel) count(err error, sends, drops int) (int, int) {
	if err != nil {
		return sends, drops + 1
	}
	return sends + 1, drops
}

func (c *channel) headerLen() int {
	if c.isRTP {
		return rtpHeader
	}
	return 0
}

// sendBursts sends the bursting subscribers what is due of their bursts,
// and returns when the next burst datagram is due.
func (c *channel) sendBursts(now time.Time) (next time.Time, ok bool) {
	rate := c.e.cfg.BurstRate
	c.burst = c.burst[:0]
	c.mu.Lock()
	for _, s := range c.subs {
		if !s.bursting {
			continue
		}
		if s.cursor < c.hist.oldest() { // fell out of the history: go on from its start
			s.cursor = c.hist.oldest()
		}
		for s.cursor < c.n {
			e, _ := c.hist.get(s.cursor)
			due := s.burstStart.Add(time.Duration(float64(e.at-s.burstAt)/27/rate) * time.Microsecond)
			if due.After(now) {
				if !ok || due.Before(next) {
					next, ok = due, true
				}
				break
			}
			c.burst = append(c.burst, burstSend{s.dst, e.data})
			s.cursor++
			s.sent++
		}
		if s.cursor == c.n {
			s.bursting = false
		}
	}
	c.mu.Unlock()
	sends, drops := 0, 0
	for _, b := range c.burst {
		sends, drops = c.count(c.e.out.send(b.data, b.to), sends, drops)
	}
	if len(c.burst) > 0 {
		c.mu.Lock()
		c.st.Sends += uint64(sends)
		c.st.Dropped += uint64(drops)
		c.mu.Unlock()
	}
	return next, ok
}

// add starts sending to s, bursting from the last random access point
// when asked.
func (c *channel) add(s *Subscription, opts SubscribeOptions) {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		s.end(ErrRemoved)
		return
	}
	if opts.FastChannelChange && c.hasRAP {
		if e, ok := c.hist.get(c.lastRAP); ok {
			s.bursting, s.cursor = true, c.lastRAP
			s.burstStart, s.burstAt = time.Now(), e.at
			c.st.Bursts++
		}
	}
	c.subs = append(c.subs, s)
	c.mu.Unlock()
	c.wait.wake()
}

// remove stops sending to s.
func (c *channel) remove(s *Subscription) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := slices.Index(c.subs, s); i >= 0 {
		c.subs = slices.Delete(c.subs, i, i+1)
		s.pacing.addJitter(&c.pacing.gone)
		s.pacing.reset()
	}
}

// expire ends the subscriptions that have gone quiet.
func (c *channel) expire(now time.Time) {
	limit := now.Add(-c.e.cfg.SubscriberTimeout).UnixNano()
	c.mu.Lock()
	var gone []*Subscription
	for _, s := range c.subs {
		if s.lastSeen.Load() < limit {
			gone = append(gone, s)
		}
	}
	c.mu.Unlock()
	for _, s := range gone {
		c.e.log.Info("live: subscriber expired", "channel", c.cfg.ID, "addr", s.dst.String())
		s.end(ErrExpired)
	}
}

// stop ends the channel: its goroutine (which says goodbye), then its
// subscriptions, with reason.
func (c *channel) stop(reason error) {
	c.once.Do(func() {
		close(c.quit)
		c.wait.wake()
		if c.running.Load() {
			<-c.exited
		}
		c.mu.Lock()
		c.stopped = true
		subs := slices.Clone(c.subs)
		c.mu.Unlock()
		for _, s := range subs {
			s.end(reason)
		}
		c.e.log.Info("live: channel stopped", "channel", c.cfg.ID, "reason", reason.Error())
	})
}

func randomUint32() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
