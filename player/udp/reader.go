package udp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by Read after Close.
var ErrClosed = errors.New("udp: reader closed")

const (
	tsPacketSize = 188
	tsSyncByte   = 0x47
	maxDatagram  = 64 << 10
)

// Config holds the settings of a raw UDP source.
type Config struct {
	ListenConfig
	// Timeout ends the stream with a *NoDataError when no datagram has
	// arrived for this long. Default DefaultTimeout.
	Timeout time.Duration
}

// Stats counts what a Reader has received.
type Stats struct {
	Datagrams int    // datagrams carrying TS packets
	Bytes     int64  // TS bytes handed to Read
	RTP       int    // of which RTP-wrapped, header stripped
	Malformed int    // datagrams dropped: not TS at all
	Truncated int    // datagrams whose length was not a multiple of 188, cut to whole packets
	Sender    string // address of the last sender
}

// Reader is the MPEG-TS byte stream received as UDP datagrams. It hands
// out whole 188-byte packets, in arrival order: raw UDP has no sequence
// numbers, so loss and reordering are left to the demuxer's continuity
// counters. Datagrams that turn out to be RTP-wrapped TS (RFC 2250) are
// accepted too, header stripped. Read and Close may be called from
// different goroutines.
type Reader struct {
	conn    *net.UDPConn
	name    string
	timeout time.Duration
	ctx     context.Context
	stop    func() bool // unregisters the context watch
	closed  atomic.Bool

	buf []byte
	cur []byte // unread TS bytes of the current datagram

	mu    sync.Mutex
	stats Stats
}

// Open listens on addr (see Listen: a multicast group to join, or a
// unicast address) and returns the stream of TS bytes arriving there.
// ctx bounds the life of the Reader.
func Open(ctx context.Context, addr string, cfg Config) (*Reader, error) {
	conn, err := Listen(addr, cfg.ListenConfig)
	if err != nil {
		return nil, fmt.Errorf("udp: %w", err)
	}
	r := &Reader{
		conn:    conn,
		name:    addr,
		timeout: cfg.Timeout,
		ctx:     ctx,
		buf:     make([]byte, maxDatagram),
	}
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	r.stop = context.AfterFunc(ctx, func() { conn.Close() })
	return r, nil
}

// LocalAddr returns the address the socket is bound to.
func (r *Reader) LocalAddr() *net.UDPAddr { return r.conn.LocalAddr().(*net.UDPAddr) }

// Read reads TS bytes. It waits at most the timeout for a datagram, then
// fails with a *NoDataError.
func (r *Reader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if err := r.receive(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	r.mu.Lock()
	r.stats.Bytes += int64(n)
	r.mu.Unlock()
	return n, nil
}

// receive waits for the next datagram and makes its TS packets current.
func (r *Reader) receive() error {
	if err := r.conn.SetReadDeadline(time.Now().Add(r.timeout)); err != nil {
		return r.readErr(err)
	}
	n, from, err := r.conn.ReadFromUDP(r.buf)
	if err != nil {
		return r.readErr(err)
	}
	ts, kind := TSPayload(r.buf[:n])
	r.mu.Lock()
	defer r.mu.Unlock()
	switch kind {
	case NotTS:
		r.stats.Malformed++
		return nil
	case RTPWrapped:
		r.stats.RTP++
	case Truncated:
		r.stats.Truncated++
	}
	r.stats.Datagrams++
	if from != nil {
		r.stats.Sender = from.String()
	}
	r.cur = ts
	return nil
}

func (r *Reader) readErr(err error) error {
	switch {
	case r.closed.Load():
		return ErrClosed
	case r.ctx.Err() != nil:
		return r.ctx.Err()
	case IsTimeout(err):
		return &NoDataError{Proto: "udp", Addr: r.name, For: r.timeout}
	}
	return fmt.Errorf("udp: read %s: %w", r.name, err)
}

// Close stops receiving and unblocks a Read in progress.
func (r *Reader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	r.stop()
	err := r.conn.Close()
	if errors.Is(err, net.ErrClosed) { // closed by the context already
		err = nil
	}
	return err
}

// Stats returns counters of what the Reader has received so far.
func (r *Reader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}
