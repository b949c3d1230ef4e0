//go:build linux && cgo

package live

import (
	"time"

	"github.com/manbang/manbang/headend/live/paced"
)

// pacedAhead is how long before its time a slot goes to the paced
// thread: more than the 1-3ms by which Go's scheduler may delay the
// channel's goroutine, so that the thread always has the slot in hand.
const pacedAhead = 20 * time.Millisecond

// pacedSlots sends a channel's slots from a thread of its own, outside
// Go's scheduler (package paced).
type pacedSlots struct {
	s       *paced.Sender
	refs    [paced.Slots]slotRef // the slots handed over, not yet collected: a ring
	in, out uint32
	lowered uint32 // the thread's Lowered already counted
}

// slotRef is a slot handed to the thread: f's destinations from i on
// (as many as the slot's results).
type slotRef struct {
	f *fanOut
	i int
}

// startPaced starts c's paced sending thread, at the engine's real-time
// priority, and returns it with what priority it got and why that is
// less than asked; without such a thread, it returns a nil sender and
// why.
func startPaced(c *channel) (slotSender, string, error) {
	raw, err := c.e.conn.SyscallConn()
	if err != nil {
		return nil, "", err
	}
	var fd uintptr
	if err := raw.Control(func(f uintptr) { fd = f }); err != nil {
		return nil, "", err
	}
	// The socket stays open until every channel has stopped, and with
	// it its paced thread (Engine.Close).
	s, got, err := paced.Start(int(fd), c.e.cfg.RealtimePriority)
	if s == nil {
		return nil, "", err
	}
	return &pacedSlots{s: s}, got, err
}

func (p *pacedSlots) ahead() time.Duration { return pacedAhead }

func (p *pacedSlots) take(_ *channel, f *fanOut, i, k int, at time.Time) bool {
	if !p.s.Take(at, f.msgs[i:i+k], f.data, f.sr) {
		return false
	}
	p.refs[p.in%paced.Slots] = slotRef{f, i}
	p.in++
	return true
}

func (p *pacedSlots) collect(c *channel) {
	p.s.Done(func(sent []time.Time) { p.record(c, sent) })
	p.countLowered(c)
}

func (p *pacedSlots) close(c *channel) {
	p.s.Close(func(sent []time.Time) { p.record(c, sent) })
	p.countLowered(c)
}

// record records the next slot handed over, sent at the times sent.
func (p *pacedSlots) record(c *channel, sent []time.Time) {
	r := &p.refs[p.out%paced.Slots]
	p.out++
	f, i, sends, drops := r.f, r.i, 0, 0
	*r = slotRef{} // no reference to a finished fan-out
	for j, t := range sent {
		if t.IsZero() {
			f.offsets[i+j], drops = notSent, drops+1
		} else {
			f.offsets[i+j], sends = t.Sub(f.due), sends+1
		}
	}
	c.slotSent(f, len(sent), sends, drops)
}

// countLowered adds the times the thread left real-time priority since
// the last call to the channel's figures.
func (p *pacedSlots) countLowered(c *channel) {
	if l := p.s.Lowered(); l != p.lowered {
		c.mu.Lock()
		c.st.Lowered += int(l - p.lowered)
		c.mu.Unlock()
		p.lowered = l
	}
}
