package live

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Subscription is a unicast receiver of a channel: a box at one address
// and port. It ends on Close, when the box has sent no RTCP (and the
// head-end has not called Refresh) for the engine's SubscriberTimeout,
// when the same address subscribes to another channel, or when the
// channel or the engine stops.
type Subscription struct {
	e        *Engine
	c        *channel
	dst      netip.AddrPort
	addr     *net.UDPAddr // dst, as batched sends take it
	since    time.Time
	lastSeen atomic.Int64 // unix nanoseconds of the last RTCP or Refresh
	done     chan struct{}
	once     sync.Once
	err      error // why it ended; set before done is closed

	// Guarded by c.mu.
	bursting   bool
	cursor     uint64 // n of the next burst datagram
	burstStart time.Time
	burstAt    int64 // schedule time of the burst's first datagram
	sent       uint64
	resent     uint64
	rtxTokens  float64   // retransmission budget left (take)
	rtxAt      time.Time // when it was last counted
	boxSSRC    uint32    // the SSRC of the box's reports, once one came
	report     *ReceiverStats
	pacing     offsetHist // offsets of its live datagrams
}

func newSubscription(e *Engine, c *channel, dst netip.AddrPort) *Subscription {
	s := &Subscription{e: e, c: c, dst: dst, addr: net.UDPAddrFromAddrPort(dst), since: time.Now(), done: make(chan struct{}),
		pacing: newOffsetHist()}
	s.lastSeen.Store(s.since.UnixNano())
	return s
}

// Channel returns the ID of the channel subscribed to.
func (s *Subscription) Channel() string { return s.c.cfg.ID }

// Addr returns the subscriber's address, where the stream goes.
func (s *Subscription) Addr() *net.UDPAddr { return net.UDPAddrFromAddrPort(s.dst) }

// RTCPAddr returns where the box sends its RTCP (receiver reports, NACKs):
// the engine's socket, which is also where the stream comes from.
func (s *Subscription) RTCPAddr() *net.UDPAddr { return s.e.Addr() }

// Locator returns the locator the box plays the subscription with, such
// as "rtp://@:5000?rtcp=192.0.2.1:40000" (see Engine.Locator).
func (s *Subscription) Locator() string {
	return s.e.locator(s.c, fmt.Sprintf(":%d", s.dst.Port()))
}

// Refresh keeps the subscription alive for another SubscriberTimeout, as
// RTCP from the box does: for boxes that send none (raw UDP), the
// head-end refreshes on their behalf, for instance on each API call.
func (s *Subscription) Refresh() { s.lastSeen.Store(time.Now().UnixNano()) }

// Done is closed when the subscription has ended.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err returns why the subscription ended (ErrUnsubscribed after Close,
// ErrExpired, ErrMoved, ErrRemoved, ErrGoodbye, ErrClosed), or nil while
// it lasts.
func (s *Subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close stops sending to the subscriber.
func (s *Subscription) Close() error {
	s.end(ErrUnsubscribed)
	return nil
}

// Stats returns the subscription's statistics.
func (s *Subscription) Stats() SubscriberStats {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	return s.statsLocked()
}

func (s *Subscription) statsLocked() SubscriberStats {
	st := SubscriberStats{
		Addr:     s.dst.String(),
		Since:    s.since,
		LastSeen: time.Unix(0, s.lastSeen.Load()),
		Bursting: s.bursting,
		Sent:     s.sent,
		Resent:   s.resent,
	}
	if s.report != nil {
		r := *s.report
		st.Report = &r
	}
	return st
}

// end ends the subscription once, for reason.
func (s *Subscription) end(reason error) {
	s.once.Do(func() {
		s.err = reason
		s.c.remove(s)
		s.e.forget(s)
		close(s.done)
	})
}
