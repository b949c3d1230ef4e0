package live

import (
	"slices"
	"strings"
	"time"
)

// Stats describes an Engine's channels.
type Stats struct {
	Channels []ChannelStats
}

// ChannelStats describes one channel.
type ChannelStats struct {
	ID        string
	Transport string
	Group     string // multicast group and port, or ""
	SSRC      uint32 // RTP source of the media (retransmissions use another)
	Loops     int    // times the source file has started over
	Packets   uint64 // datagrams of the stream produced (sent live)
	Bytes     uint64 // TS bytes produced
	Sends     uint64 // datagrams handed to the kernel, all destinations
	Dropped   uint64 // datagrams the kernel could not take at once
	Bursts    uint64 // fast channel change bursts started
	Stalls    int    // times the engine fell over 500ms behind and re-anchored its clock
	Lowered   int    // times the channel sent for 50ms without a pause and left real-time priority until it caught up
	NACKs     uint64 // NACK packets received
	NACKed    uint64 // sequence numbers asked for
	Resent    uint64 // retransmissions sent
	NotHeld   uint64 // sequence numbers asked for and no longer in the history
	// NACKsRefused are NACKs from an address that is not a subscriber of
	// the channel: never answered (a stranger, or a forged source).
	NACKsRefused uint64
	// OverBudget are sequence numbers a subscriber asked for beyond its
	// retransmission budget: not resent.
	OverBudget uint64
	Pacing     PacingStats
	// Subscribers are the unicast subscriptions.
	Subscribers []SubscriberStats
	// Receivers are the latest receiver reports, by address: unicast
	// subscribers and multicast listeners alike.
	Receivers []ReceiverStats
}

// PacingStats is how live datagrams left against the time their PCR
// schedules them, over every destination of every datagram; see the
// package comment for the definitions. Offset figures are of the
// absolute offset |offset|; jitter figures are of |offset - the median
// offset of the datagram's destination| (at 50µs resolution, rounded
// up), what a receiver's clock recovery sees.
type PacingStats struct {
	Samples   uint64
	P50       time.Duration // absolute offset
	P99       time.Duration
	Max       time.Duration
	JitterP99 time.Duration // offset minus the destination's median offset
	JitterMax time.Duration
	// Lead is how early each datagram's fan-out currently starts: its
	// first slot, in a window centred on the schedule.
	Lead time.Duration
}

// SubscriberStats describes one unicast subscription.
type SubscriberStats struct {
	Addr     string
	Since    time.Time
	LastSeen time.Time // last RTCP or Refresh
	Bursting bool      // still in its fast channel change burst
	Sent     uint64    // datagrams sent, burst included
	Resent   uint64    // retransmissions sent
	Report   *ReceiverStats
}

// ReceiverStats is the latest RTCP receiver report from one address.
type ReceiverStats struct {
	Addr         string
	SSRC         uint32 // the receiver's own SSRC
	FractionLost float64
	TotalLost    int
	HighestSeq   uint32 // extended highest sequence number received
	JitterMS     float64
	RTT          time.Duration // 0 until the receiver has seen a sender report
	At           time.Time
}

// snapshot returns the channel's statistics.
func (c *channel) snapshot() ChannelStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.st
	st.Pacing = c.pacingStatsLocked()
	for _, s := range c.subs {
		st.Subscribers = append(st.Subscribers, s.statsLocked())
	}
	for _, r := range c.receivers {
		st.Receivers = append(st.Receivers, r)
	}
	slices.SortFunc(st.Receivers, func(a, b ReceiverStats) int { return strings.Compare(a.Addr, b.Addr) })
	return st
}
