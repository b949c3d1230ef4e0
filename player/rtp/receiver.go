// Package rtp receives MPEG-TS carried over RTP (RFC 3550, RFC 2250:
// payload type 33, usually seven TS packets per RTP packet), the
// transport of multicast IPTV, and turns it back into a TS byte stream.
//
// A Receiver puts packets back in order in a bounded reorder buffer,
// keeps the RFC 3550 reception statistics (loss, interarrival jitter),
// sends receiver reports, asks the sender for missing packets with RTCP
// generic NACKs (RFC 4585) and takes back retransmissions (RFC 4588,
// a retransmission payload type carrying the original sequence number,
// or a plain resend with the same SSRC). A packet neither received nor
// recovered in time is given up, and the demuxer sees a TS continuity
// error. A change of SSRC (the sender restarted) resets the sequence
// state and marks a discontinuity.
//
// RTCP is multiplexed on the media socket (RFC 5761): reports and NACKs
// leave from the port the stream arrives on, which is where the Manbang
// head-end sends retransmissions.
package rtp

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/udp"
)

// ErrClosed is returned by Read after Close.
var ErrClosed = errors.New("rtp: receiver closed")

// Defaults of the zero Config.
const (
	DefaultLatency        = 150 * time.Millisecond
	DefaultBufferPackets  = 512
	DefaultQueuePackets   = 4096
	DefaultReportInterval = time.Second
)

// Config holds the settings of a Receiver.
type Config struct {
	udp.ListenConfig
	// Timeout ends the stream with a *udp.NoDataError when no RTP packet
	// has arrived for this long. Default udp.DefaultTimeout.
	Timeout time.Duration
	// Latency is how long a missing packet is waited for (reordered, or
	// retransmitted on request) beyond the playout delay before it is
	// given up. Default 150ms.
	Latency time.Duration
	// MaxDelay bounds the playout delay: packets are held for about as
	// long as the latest packets lately arrived behind the fastest (none
	// on a quiet network), at most this long, so that packets a jittery
	// network delays still come in order and are not asked for again.
	// Default
	// DefaultMaxDelay; negative means no playout delay (and no hold of
	// the first packets).
	MaxDelay time.Duration
	// BufferPackets bounds the reorder buffer: a hole is given up rather
	// than hold more packets than this behind it. Default 512.
	BufferPackets int
	// QueuePackets bounds the packets in order waiting for Read; beyond
	// it packets are dropped (Stats.Overflow). Default 4096, about 5 MB.
	QueuePackets int
	// PayloadType of the media; default 33 (MP2T).
	PayloadType uint8
	// RTXPayloadType of RFC 4588 retransmissions; default 96.
	RTXPayloadType uint8
	// RTCP is the sender's RTCP address ("host:port"), where receiver
	// reports and NACKs go. Empty means the address the RTP packets come
	// from (symmetric RTP, as the Manbang head-end sends).
	RTCP string
	// Source is where the stream comes from: "host" (any port of that
	// host) or "host:port". Datagrams from any other address are dropped
	// (Stats.Foreign), and a multicast group is joined for that source
	// alone (a source-specific join, IGMPv3). Empty means the host of the
	// first RTP packet received.
	Source string
	// NoRTCP sends no RTCP at all (and so no NACKs).
	NoRTCP bool
	// NoNACK sends receiver reports but never asks for retransmissions.
	NoNACK bool
	// ReportInterval between receiver reports. Default 1s.
	ReportInterval time.Duration
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = udp.DefaultTimeout
	}
	if c.Latency <= 0 {
		c.Latency = DefaultLatency
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = DefaultMaxDelay
	}
	if c.BufferPackets <= 0 {
		c.BufferPackets = DefaultBufferPackets
	}
	if c.QueuePackets <= 0 {
		c.QueuePackets = DefaultQueuePackets
	}
	if c.PayloadType == 0 {
		c.PayloadType = PayloadTypeMP2T
	}
	if c.RTXPayloadType == 0 {
		c.RTXPayloadType = DefaultRTXPayloadType
	}
	if c.ReportInterval <= 0 {
		c.ReportInterval = DefaultReportInterval
	}
	return c
}

// Stats counts what a Receiver has done.
type Stats struct {
	SSRC            uint32  // the source being played
	Sender          string  // address the stream comes from
	Packets         int     // RTP packets of the original stream received
	Bytes           int64   // TS bytes handed to Read
	Lost            int     // packets given up: never received nor recovered in time
	Recovered       int     // packets missing, then received after a NACK
	Reordered       int     // packets that arrived out of order and were put back
	Duplicate       int     // packets received twice, dropped
	Late            int     // packets that arrived after being given up, dropped
	Overflow        int     // packets dropped because Read fell behind
	Malformed       int     // datagrams neither RTP of the expected types nor RTCP
	Stray           int     // packets far out of sequence, dropped
	Probation       int     // packets of a new source held until it replaced the old one
	SSRCChanges     int     // sender restarts
	Resyncs         int     // sequence restarts within one SSRC
	RTXPackets      int     // retransmissions received
	NACKs           int     // NACK packets sent
	NACKedPackets   int     // sequence numbers asked for
	ReceiverReports int     // receiver reports sent
	SenderReports   int     // sender reports received
	Byes            int     // goodbyes of the source received
	Foreign         int     // datagrams from an address other than the source's, dropped
	ForeignRTX      int     // retransmissions with another SSRC than the source's retransmissions, dropped
	JitterMS        float64 // RFC 3550 interarrival jitter
	DelayMS         float64 // the playout delay that follows it
}

// chunk is a run of TS packets waiting for Read.
type chunk struct {
	data    []byte
	discont bool // the first bytes after a timeline break
}

// Receiver is the TS byte stream of one RTP session. Read and Close may
// be called from different goroutines, Stats and SourceStats from any.
type Receiver struct {
	cfg     Config
	name    string // the address listened on, as given
	conn    *net.UDPConn
	ctx     context.Context
	stopCtx func() bool
	rtcpTo  netip.AddrPort // fixed RTCP destination, if configured
	done    chan struct{}  // closed when the loop has ended
	out     chan chunk
	closed  atomic.Bool
	err     error // why the loop ended; read after done

	cur     []byte // Read side: unread rest of the current chunk
	readPos int64  // Read side: bytes handed out

	mu      sync.Mutex
	stats   Stats
	discont []int64

	lp loopState // owned by the loop goroutine
}

// Open listens on addr (a multicast group to join, or a unicast address;
// see udp.Listen) and returns the Receiver of the RTP stream arriving
// there. ctx bounds the life of the Receiver.
func Open(ctx context.Context, addr string, cfg Config) (*Receiver, error) {
	cfg = cfg.withDefaults()
	var to netip.AddrPort
	if cfg.RTCP != "" && !cfg.NoRTCP {
		ua, err := net.ResolveUDPAddr("udp", cfg.RTCP)
		if err != nil {
			return nil, fmt.Errorf("rtp: RTCP address %q: %w", cfg.RTCP, err)
		}
		to = ua.AddrPort()
	}
	src, err := resolveSource(ctx, cfg.Source)
	if err != nil {
		return nil, err
	}
	if len(src.addrs) > 0 && !cfg.ListenConfig.Source.IsValid() {
		cfg.ListenConfig.Source = src.addrs[0]
	}
	conn, err := udp.Listen(addr, cfg.ListenConfig)
	if err != nil {
		return nil, fmt.Errorf("rtp: %w", err)
	}
	r := &Receiver{
		cfg:    cfg,
		name:   addr,
		conn:   conn,
		ctx:    ctx,
		rtcpTo: to,
		done:   make(chan struct{}),
		out:    make(chan chunk, cfg.QueuePackets),
	}
	r.lp.init(cfg)
	r.lp.src = src
	r.stopCtx = context.AfterFunc(ctx, r.wakeLoop)
	go r.loop()
	return r, nil
}

// LocalAddr returns the address the socket is bound to.
func (r *Receiver) LocalAddr() *net.UDPAddr { return r.conn.LocalAddr().(*net.UDPAddr) }

// Read reads TS bytes, whole 188-byte packets in sequence order. It
// blocks until packets arrive, and fails with a *udp.NoDataError when
// none has for the timeout, or ErrClosed after Close.
func (r *Receiver) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		var c chunk
		select {
		case c = <-r.out:
		case <-r.done:
			select {
			case c = <-r.out:
			default:
				return 0, r.err
			}
		}
		r.cur = c.data
		if c.discont {
			r.mu.Lock()
			if len(r.discont) == maxDiscontinuities {
				r.discont = append(r.discont[:0], r.discont[1:]...)
			}
			r.discont = append(r.discont, r.readPos)
			r.mu.Unlock()
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	r.readPos += int64(n)
	r.mu.Lock()
	r.stats.Bytes += int64(n)
	r.mu.Unlock()
	return n, nil
}

// Close stops receiving, says goodbye to the sender (RTCP BYE), unblocks
// a Read in progress and returns once the receiving goroutine has ended
// and the socket is closed.
func (r *Receiver) Close() error {
	if !r.closed.Swap(true) {
		r.stopCtx()
		r.wakeLoop()
	}
	<-r.done
	return nil
}

// wakeLoop makes the loop's socket read return at once, so that it sees
// Close or the context's end.
func (r *Receiver) wakeLoop() { _ = r.conn.SetReadDeadline(time.Now()) }

// Stats returns counters of what the Receiver has done so far.
func (r *Receiver) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// SourceStats implements media.StatsSource.
func (r *Receiver) SourceStats() media.SourceStats {
	s := r.Stats()
	return media.SourceStats{
		PacketsLost:      s.Lost,
		PacketsRecovered: s.Recovered,
		PacketsReordered: s.Reordered,
		PacketsDuplicate: s.Duplicate,
		JitterMS:         s.JitterMS,
		SSRCChanges:      s.SSRCChanges,
		PacketsForeign:   s.Foreign + s.ForeignRTX,
	}
}

// maxDiscontinuities bounds how many discontinuity offsets a Receiver
// keeps.
const maxDiscontinuities = 256

// Discontinuities returns the stream offsets, in bytes from the start of
// the stream, at which a new source began (the most recent 256): a
// demuxer crossing one must expect timestamps and continuity counters to
// jump.
func (r *Receiver) Discontinuities() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.discont...)
}

// DiscontinuityBetween reports whether a discontinuity begins at a stream
// offset in [from, to): whether reading those bytes crossed one.
func (r *Receiver) DiscontinuityBetween(from, to int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, off := range r.discont {
		if off >= from && off < to {
			return true
		}
	}
	return false
}

// randomSSRC returns a random SSRC for the box's own RTCP.
func randomSSRC() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
