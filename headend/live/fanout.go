package live

import (
	"slices"
	"time"

	"golang.org/x/net/ipv4"
)

// A datagram's fan-out is spread over a window around the time its PCR
// schedules it, in slots of batchSize destinations: a destination's send
// time then depends on its place in the order, not on how long the sends
// before it took, which varies from one fan-out to the next by half or
// more on a loaded machine. The fan-outs of datagrams close together
// (a stream's bitrate is seldom even) overlap: their slots go in the
// order of their times, so each destination still gets its datagrams in
// order, each at its own constant offset from the schedule.

// fanOut is a datagram on its way to its destinations, slot by slot.
type fanOut struct {
	due     time.Time       // the datagram's schedule
	w       time.Duration   // the window its slots are spread over
	data    []byte          // the datagram
	sr      []byte          // a sender report to send with it, or nil
	group   bool            // msgs[0] is the multicast group
	msgs    []ipv4.Message  // the destinations, group first
	bufs    [][]byte        // the messages' Buffers, one each
	subs    []*Subscription // the unicast destinations, in msgs' order
	offsets []time.Duration // of msgs, from due, as their slots are sent
	next    int             // the first destination of the next slot to hand over
	sent    int             // destinations whose slot has been sent
	sends   int
	drops   int
}

// slotTime returns when f's next slot goes.
func (f *fanOut) slotTime() time.Time {
	n := len(f.msgs)
	return f.due.Add(slot(f.w, f.next, min(batchSize, n-f.next), n))
}

// spread returns the window a fan-out to n destinations is spread over:
// slotSpacing each, at most the stream's mean interval between
// datagrams. It depends on n alone, so that a destination's place in the
// window stays put from one datagram to the next.
func (c *channel) spread(n int) time.Duration {
	return min(time.Duration(n)*slotSpacing, c.interval)
}

// slot returns when the slot of destinations i..i+k of n goes, from the
// datagram's schedule: the slots are spread evenly over the window w,
// the window's middle on the schedule. A fan-out of one slot goes on
// time, as does one to no destination (n == 0).
func slot(w time.Duration, i, k, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return w*time.Duration(2*i+k)/time.Duration(2*n) - w/2
}

// newFanOut returns an empty fan-out, reusing a finished one's memory.
func (c *channel) newFanOut() *fanOut {
	if k := len(c.spare); k > 0 {
		f := c.spare[k-1]
		c.spare = c.spare[:k-1]
		return f
	}
	return &fanOut{}
}

// sendSlots hands c.slots, in the order of their times, the slots of
// the fan-outs under way whose time is not more than c.slots.ahead()
// after now, and returns when it must be called again (half that before
// the next slot's time), if any slot is left. A slot carries the
// datagram to its destinations and then, if the fan-out has one, the
// sender report.
func (c *channel) sendSlots(now time.Time) (next time.Time, ok bool) {
	ahead := c.slots.ahead()
	for {
		var f *fanOut // the earliest slot; on a tie, the older datagram
		var at time.Time
		for _, g := range c.fanOuts {
			if g.next == len(g.msgs) {
				continue // all its slots handed over
			}
			if t := g.slotTime(); f == nil || t.Before(at) {
				f, at = g, t
			}
		}
		if f == nil {
			return time.Time{}, false
		}
		if at.After(now.Add(ahead)) {
			return at.Add(-ahead / 2), true
		}
		i, k := f.next, min(batchSize, len(f.msgs)-f.next)
		f.next += k // before take, which may finish f
		if !c.slots.take(c, f, i, k, at) {
			f.next = i
			return now.Add(fullRetry), true
		}
	}
}

// fullRetry is how soon a channel whose sender had no room for a slot
// tries again.
const fullRetry = time.Millisecond

// slotSent records that f's slot of k destinations has been sent (its
// offsets set), with sends and drops among them; when it was the
// fan-out's last, the fan-out is finished.
func (c *channel) slotSent(f *fanOut, k, sends, drops int) {
	f.sends, f.drops = f.sends+sends, f.drops+drops
	if f.sent += k; f.sent == len(f.msgs) {
		c.finish(f)
	}
}

// finish records a fan-out that has reached every destination.
func (c *channel) finish(f *fanOut) {
	c.mu.Lock()
	offsets := f.offsets
	if f.group {
		c.record(&c.pacing.group, offsets[0])
		offsets = offsets[1:]
	}
	for i, s := range f.subs {
		c.record(&s.pacing, offsets[i])
	}
	c.st.Sends += uint64(f.sends)
	c.st.Dropped += uint64(f.drops)
	c.mu.Unlock()
	c.recycle(f)
}

// recycle takes f off the fan-outs under way and keeps its memory for
// the next.
func (c *channel) recycle(f *fanOut) {
	if i := slices.Index(c.fanOuts, f); i >= 0 {
		c.fanOuts = slices.Delete(c.fanOuts, i, i+1)
	}
	clear(f.subs) // no references to ended subscriptions
	clear(f.msgs)
	clear(f.bufs)
	*f = fanOut{msgs: f.msgs[:0], bufs: f.bufs[:0], subs: f.subs[:0], offsets: f.offsets[:0]}
	c.spare = append(c.spare, f)
}

// flush hands over the rest of the fan-outs under way and ends c.slots
// once it has sent them, each slot at its time: a stopping channel ends
// what it started.
func (c *channel) flush() {
	for {
		c.slots.collect(c)
		if _, ok := c.sendSlots(time.Now().Add(time.Hour)); !ok {
			break
		}
		time.Sleep(fullRetry) // the sender is full: let it send some
	}
	c.slots.close(c)
}
