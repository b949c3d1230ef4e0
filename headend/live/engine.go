// Package live is the head-end's live TV streamer: it plays channels,
// each an MPEG-TS file looped forever, as RTP (RFC 3550 with RFC 2250's
// MPEG-TS payload: payload type 33, seven TS packets per packet, 90 kHz
// timestamps from the PCR) or as raw UDP, paced in real time by the
// PCR, to a multicast group and to unicast subscribers.
//
// Looping rewrites PCR, PTS and DTS by whole loop lengths and continues
// the continuity counters, so that a box sees one seamless timeline and
// no discontinuity at the loop point.
//
// A subscriber may ask for a fast channel change: it is first sent the
// stream from the last random access point (the PAT and PMT before the
// last keyframe) faster than real time, until it has caught up with the
// live stream. For RTP channels with Retransmit, the engine answers RTCP
// generic NACKs (RFC 4585) with RFC 4588 retransmissions from a bounded
// history: a separate SSRC and payload type 96, the original sequence
// number in the first two payload bytes, sent to the address the NACK
// came from. Receiver reports are kept per receiver.
//
// One UDP socket carries everything: media and sender reports go out of
// it, RTCP from boxes comes in to it (symmetric RTP, RFC 5761 style), so
// a box that sends its RTCP to where its packets come from reaches the
// engine. Sends never wait: a datagram the kernel cannot take at once is
// counted as dropped, so a slow or vanished subscriber never holds a
// channel back, and subscribers that send no RTCP for the subscriber
// timeout are dropped unless the head-end refreshes them.
//
// # Pacing
//
// Each live datagram has a schedule: the wall time its PCR says, from
// the channel's start. It goes to every destination in one fan-out: the
// multicast group, then the unicast subscribers in the order they
// subscribed, each keeping its place, in sendmmsg batches of 32. A
// datagram's offset at a destination is the time the sendmmsg call that
// carried it returned minus its schedule (an upper bound of when it
// left). The pacing jitter of a datagram at a destination is its offset
// minus that destination's median offset, and it is the figure held to
// 1ms: as TR 101 290's PCR overall jitter (PCR_OJ), it counts only the
// variation of arrival against the PCR schedule, for a receiver's clock
// recovery locks to a constant offset. The absolute offset |offset| is
// reported beside it (PacingStats).
//
// A fan-out to hundreds of destinations takes milliseconds, and how long
// varies from one datagram to the next by half or more on a loaded
// machine (about 4µs a send on loopback), so a destination late in a
// back-to-back fan-out would see all that variation as jitter. The
// fan-out is therefore spread over a window centred on the schedule, in
// slots of 32 destinations (fanout.go): 12µs a destination, at most the
// stream's mean interval between datagrams. A destination's send time
// then depends on its place in the order alone, and the fan-outs of
// datagrams close together overlap, their slots sent in the order of
// their times, so each destination still gets its datagrams in order.
// The price is an absolute offset of up to half the window (±2.6ms for
// 500 subscribers of a 2 Mbit/s channel), constant for each destination.
//
// What keeps the jitter down:
//   - the slots go out from a thread of the channel's own outside Go's
//     scheduler (package paced, with cgo on Linux), which sleeps to each
//     slot's time and sends it: Go's scheduler preempts a goroutine that
//     runs 10ms without being rescheduled, and a goroutine locked to its
//     thread then waits for another thread to give it back its
//     processor, 1-3ms when the other cores are busy. The channel's
//     goroutine hands the thread the slots 10-20ms ahead;
//   - the thread runs at SCHED_FIFO priority where permitted
//     (Config.RealtimePriority), so that no ordinary thread, of this
//     program or another, delays a fan-out (a thread that cannot keep
//     up, sending for 50ms without a pause, goes back to normal priority
//     until it has caught up, so as not to keep a core from everything
//     else: ChannelStats.Lowered);
//   - it sleeps on a futex with an absolute deadline on the monotonic
//     clock (a kernel timer, with no slack);
//   - sender reports go with a datagram's fan-out, each destination's
//     right after its datagram in the same slot, so that they delay no
//     fan-out;
//   - a fan-out allocates nothing, so the garbage collector seldom runs.
//
// Without cgo, each channel's goroutine sends its slots itself, from an
// OS thread of its own at the same priority, sleeping on a futex to each
// slot; Go's preemptions then show in the jitter.
//
// A kernel without preemption (PREEMPT_NONE) or a virtual machine whose
// host is busy may still wake the thread late: the figures are the
// machine's as much as the engine's.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sort"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
)

// Errors of the Engine's API, and reasons a Subscription ends.
var (
	ErrUnknownChannel = errors.New("live: no such channel")
	ErrClosed         = errors.New("live: engine closed")
	ErrExpired        = errors.New("live: subscription expired: no RTCP or refresh")
	ErrMoved          = errors.New("live: address subscribed to another channel")
	ErrRemoved        = errors.New("live: channel removed")
	ErrGoodbye        = errors.New("live: receiver said goodbye")
	ErrUnsubscribed   = errors.New("live: unsubscribed")
)

// Defaults of the zero Config.
const (
	DefaultSubscriberTimeout = 30 * time.Second
	DefaultReportInterval    = time.Second
	DefaultHistory           = 5 * time.Second
	DefaultHistoryPackets    = 8192
	DefaultBurstRate         = 2.0
	DefaultRTXPayloadType    = 96
)

// Config holds the settings of an Engine.
type Config struct {
	// Logger gets channel starts, stops and errors. Default slog.Default().
	Logger *slog.Logger
	// Addr is the local UDP address (IPv4) the engine sends from and
	// receives RTCP on. Default ":0": all addresses, a free port.
	Addr string
	// MulticastInterface is the name of the interface multicast leaves
	// by; empty lets the kernel choose by its routes.
	MulticastInterface string
	// TTL of multicast datagrams. Default 1: the local network only.
	TTL int
	// SubscriberTimeout drops a unicast subscriber from which no RTCP
	// has come, and which has not been refreshed, for this long.
	// Default 30s.
	SubscriberTimeout time.Duration
	// ReportInterval between RTCP sender reports. Default 1s.
	ReportInterval time.Duration
	// History is how much of each channel is kept for retransmission
	// and fast channel change, beyond its longest GOP. Default 5s.
	History time.Duration
	// HistoryPackets bounds the datagrams kept per channel whatever
	// History says. Default 8192 (about 11 MB).
	HistoryPackets int
	// BurstRate is the speed of a fast channel change burst, in times
	// real time. Default 2.
	BurstRate float64
	// RTXPayloadType of retransmissions. Default 96.
	RTXPayloadType uint8
	// RealtimePriority is the SCHED_FIFO priority (1-99) of the threads
	// that pace the channels out, one each, so that no ordinary thread,
	// of this program or another, delays a datagram. Default
	// DefaultRealtimePriority; negative leaves them at normal priority.
	// It needs CAP_SYS_NICE or an RLIMIT_RTPRIO; without, the threads ask
	// for nice -10 instead, and each channel logs what it got. A channel
	// that falls behind its schedule leaves real-time priority until it
	// catches up. Linux only.
	RealtimePriority int
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Addr == "" {
		c.Addr = ":0"
	}
	if c.TTL <= 0 {
		c.TTL = 1
	}
	if c.SubscriberTimeout <= 0 {
		c.SubscriberTimeout = DefaultSubscriberTimeout
	}
	if c.ReportInterval <= 0 {
		c.ReportInterval = DefaultReportInterval
	}
	if c.History <= 0 {
		c.History = DefaultHistory
	}
	if c.HistoryPackets <= 0 {
		c.HistoryPackets = DefaultHistoryPackets
	}
	if c.BurstRate <= 1 {
		c.BurstRate = DefaultBurstRate
	}
	if c.RealtimePriority == 0 {
		c.RealtimePriority = DefaultRealtimePriority
	}
	if c.RTXPayloadType == 0 {
		c.RTXPayloadType = DefaultRTXPayloadType
	}
	return c
}

// Transports of a Channel.
const (
	TransportRTP = "rtp"
	TransportUDP = "udp"
)

// Channel is one live channel.
type Channel struct {
	// ID names the channel in the API.
	ID string
	// Source is the path of the MPEG-TS file the channel loops. It must
	// carry PCRs; ffmpeg's mpegts output does.
	Source string
	// Group is the multicast group and port the channel is sent to; nil
	// sends to unicast subscribers only.
	Group *net.UDPAddr
	// Transport is TransportRTP (the default) or TransportUDP (raw TS,
	// no RTCP).
	Transport string
	// Retransmit answers NACKs with retransmissions (RTP only).
	Retransmit bool
}

// Engine plays live channels. Its methods may be called from any
// goroutine.
type Engine struct {
	cfg Config
	log *slog.Logger
	// goPacing makes channels send their slots from their goroutines
	// even where a paced thread could (tests of that way).
	goPacing bool

	mu       sync.Mutex
	ctx      context.Context
	cancel   context.CancelFunc
	conn     *net.UDPConn
	out      *sender
	started  bool
	closed   bool
	channels map[string]*channel
	bySSRC   map[uint32]*channel
	subs     map[netip.AddrPort]*Subscription
	wg       sync.WaitGroup
	// stopWatch stops the watch on Start's context.
	stopWatch func() bool
}

// New returns an engine with cfg; Start makes it play.
func New(cfg Config) *Engine {
	cfg = cfg.withDefaults()
	return &Engine{
		cfg:      cfg,
		log:      cfg.Logger,
		channels: map[string]*channel{},
		bySSRC:   map[uint32]*channel{},
		subs:     map[netip.AddrPort]*Subscription{},
	}
}

// AddChannel loads ch's source file and adds the channel; once the engine
// has started, the channel plays at once. Each channel gets a fresh random
// SSRC, so a box sees a restart of the engine as a new source.
func (e *Engine) AddChannel(ch Channel) error {
	if ch.ID == "" {
		return errors.New("live: channel without ID")
	}
	switch ch.Transport {
	case "":
		ch.Transport = TransportRTP
	case TransportRTP, TransportUDP:
	default:
		return fmt.Errorf("live: channel %s: unknown transport %q", ch.ID, ch.Transport)
	}
	if ch.Group != nil && (ch.Group.IP.To4() == nil || !ch.Group.IP.IsMulticast() || ch.Group.Port == 0) {
		return fmt.Errorf("live: channel %s: group %v is not an IPv4 multicast address and port", ch.ID, ch.Group)
	}
	prog, err := loadProgram(ch.Source)
	if err != nil {
		return fmt.Errorf("live: channel %s: %w", ch.ID, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if _, ok := e.channels[ch.ID]; ok {
		return fmt.Errorf("live: channel %s already exists", ch.ID)
	}
	c := newChannel(e, ch, prog)
	for e.bySSRC[c.ssrc] != nil || e.bySSRC[c.rtxSSRC] != nil {
		c.ssrc, c.rtxSSRC = randomUint32(), randomUint32()
	}
	e.channels[ch.ID] = c
	e.bySSRC[c.ssrc] = c
	if e.started {
		e.startChannel(c)
	}
	return nil
}

// RemoveChannel stops a channel (sending RTCP BYE) and ends its
// subscriptions with ErrRemoved.
func (e *Engine) RemoveChannel(id string) error {
	e.mu.Lock()
	c, ok := e.channels[id]
	if ok {
		delete(e.channels, id)
		delete(e.bySSRC, c.ssrc)
	}
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownChannel, id)
	}
	c.stop(ErrRemoved)
	return nil
}

// Start binds the engine's socket and plays every channel until ctx ends
// or Close is called.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.closed:
		return ErrClosed
	case e.started:
		return errors.New("live: engine already started")
	}
	conn, err := listen(e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("live: listen %s: %w", e.cfg.Addr, err)
	}
	pc := ipv4.NewPacketConn(conn)
	if err := pc.SetMulticastTTL(e.cfg.TTL); err != nil {
		conn.Close()
		return fmt.Errorf("live: multicast TTL %d: %w", e.cfg.TTL, err)
	}
	if name := e.cfg.MulticastInterface; name != "" {
		ifi, err := net.InterfaceByName(name)
		if err == nil {
			err = pc.SetMulticastInterface(ifi)
		}
		if err != nil {
			conn.Close()
			return fmt.Errorf("live: multicast interface %q: %w", name, err)
		}
	}
	out, err := newSender(conn)
	if err != nil {
		conn.Close()
		return fmt.Errorf("live: %w", err)
	}
	e.conn, e.out, e.started = conn, out, true
	e.ctx, e.cancel = context.WithCancel(ctx)
	e.wg.Add(1)
	go e.readRTCP()
	e.stopWatch = context.AfterFunc(e.ctx, func() { e.Close() })
	for _, c := range e.channels {
		e.startChannel(c)
	}
	e.log.Info("live: engine started", "addr", conn.LocalAddr().String(), "channels", len(e.channels))
	return nil
}

// startChannel starts c's goroutine; e.mu is held.
func (e *Engine) startChannel(c *channel) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		c.run(e.ctx)
	}()
}

// Addr returns the engine's socket address, where boxes send RTCP; nil
// before Start.
func (e *Engine) Addr() *net.UDPAddr {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return nil
	}
	return e.conn.LocalAddr().(*net.UDPAddr)
}

// Locator returns the locator a box plays the multicast stream of a
// channel with, such as "rtp://@239.1.2.3:5000?rtcp=192.0.2.1:40000":
// the group, and the engine's RTCP address when it is bound to one (else
// the box sends RTCP where the packets come from, which is the same).
func (e *Engine) Locator(channelID string) (string, error) {
	e.mu.Lock()
	c, ok := e.channels[channelID]
	e.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrUnknownChannel, channelID)
	}
	if c.cfg.Group == nil {
		return "", fmt.Errorf("live: channel %s is not multicast", channelID)
	}
	return e.locator(c, c.cfg.Group.String()), nil
}

// locator builds a box locator for channel c listening on addr.
func (e *Engine) locator(c *channel, addr string) string {
	loc := c.cfg.Transport + "://@" + addr
	if a := e.Addr(); c.cfg.Transport == TransportRTP && a != nil && !a.IP.IsUnspecified() {
		loc += "?rtcp=" + a.String()
	}
	return loc
}

// SubscribeOptions are the choices of a unicast subscription.
type SubscribeOptions struct {
	// FastChannelChange starts the subscription with a burst from the
	// last random access point, faster than real time (Config.BurstRate)
	// until it has caught up, so that the box can show a picture at once.
	FastChannelChange bool
}

// Subscribe starts sending channel channelID to dst (unicast). A
// subscription of dst to another channel ends (ErrMoved): a box changing
// channel on the same port needs only subscribe again. The subscription
// lasts until Close, the channel's removal, or SubscriberTimeout without
// RTCP from dst and without Refresh.
func (e *Engine) Subscribe(channelID string, dst *net.UDPAddr, opts SubscribeOptions) (*Subscription, error) {
	if dst == nil || dst.Port == 0 || dst.IP.To4() == nil {
		return nil, fmt.Errorf("live: subscriber address %v is not an IPv4 address and port", dst)
	}
	to := netip.AddrPortFrom(netip.AddrFrom4([4]byte(dst.IP.To4())), uint16(dst.Port))
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	c, ok := e.channels[channelID]
	if !ok {
		e.mu.Unlock()
		return nil, fmt.Errorf("%w: %s", ErrUnknownChannel, channelID)
	}
	old := e.subs[to]
	s := newSubscription(e, c, to)
	e.subs[to] = s
	e.mu.Unlock()
	if old != nil {
		old.end(ErrMoved)
	}
	c.add(s, opts)
	return s, nil
}

// forget removes s from the engine's index, if it is still there.
func (e *Engine) forget(s *Subscription) {
	e.mu.Lock()
	if e.subs[s.dst] == s {
		delete(e.subs, s.dst)
	}
	e.mu.Unlock()
}

// Stats returns the statistics of every channel, sorted by ID.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	chans := make([]*channel, 0, len(e.channels))
	for _, c := range e.channels {
		chans = append(chans, c)
	}
	e.mu.Unlock()
	var st Stats
	for _, c := range chans {
		st.Channels = append(st.Channels, c.snapshot())
	}
	sort.Slice(st.Channels, func(i, j int) bool { return st.Channels[i].ID < st.Channels[j].ID })
	return st
}

// Close stops every channel (sending RTCP BYE), ends every subscription
// with ErrClosed, closes the socket and waits for the engine's
// goroutines.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		e.wg.Wait()
		return nil
	}
	e.closed = true
	if e.stopWatch != nil {
		e.stopWatch()
	}
	chans := make([]*channel, 0, len(e.channels))
	for _, c := range e.channels {
		chans = append(chans, c)
	}
	e.mu.Unlock()
	for _, c := range chans {
		c.stop(ErrClosed)
	}
	if e.cancel != nil {
		e.cancel()
	}
	var err error
	if e.conn != nil {
		err = e.conn.Close()
	}
	e.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}
