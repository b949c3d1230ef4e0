package live

import (
	"slices"
	"time"
)

// slotSender sends the slots of a channel's fan-outs at their times:
// pacedSlots, a real-time thread of its own, where there is one, and
// goSlots, the channel's goroutine, elsewhere.
type slotSender interface {
	// ahead returns how long before its time a slot is handed over.
	ahead() time.Duration
	// take hands over f's slot of destinations i..i+k, due at at, and
	// reports false if the sender has no room for it now.
	take(c *channel, f *fanOut, i, k int, at time.Time) bool
	// collect records the slots sent since the last call, with
	// c.slotSent.
	collect(c *channel)
	// close sends the slots it has left, at their times, records them,
	// and ends the sender.
	close(c *channel)
}

// goSlots sends each slot from the channel's goroutine, which takes it
// when it is due.
type goSlots struct{}

func (goSlots) ahead() time.Duration { return 0 }

func (goSlots) take(c *channel, f *fanOut, i, k int, _ time.Time) bool {
	sends, drops := c.e.out.sendAll(f.msgs[i:i+k], f.due, f.offsets[i:i+k], &c.scratch)
	if f.sr != nil {
		for j := i; j < i+k; j++ {
			f.bufs[j] = f.sr // the datagram has gone: its messages carry the report now
		}
		c.ctlOffsets = slices.Grow(c.ctlOffsets[:0], k)[:k]
		c.e.out.sendAll(f.msgs[i:i+k], f.due, c.ctlOffsets, &c.scratch)
	}
	c.slotSent(f, k, sends, drops)
	return true
}

func (goSlots) collect(*channel) {}
func (goSlots) close(*channel)   {}
