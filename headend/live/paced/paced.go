//go:build linux && cgo

package paced

/*
#include "paced.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/ipv4"
)

// The limits of one slot.
const (
	MaxDests  = C.PACED_MAX_DESTS  // destinations of one slot
	MaxData   = C.PACED_MAX_DATA   // the largest datagram
	MaxReport = C.PACED_MAX_REPORT // the largest report sent after it
)

// Slots is the number of slots a Sender holds: at 570 datagrams a
// second to 500 destinations (6 Mbit/s), 16 slots of 32 a datagram,
// 20ms ahead is about 180 of them.
const Slots = 256

// Sender is a sending thread and the slots handed to it. Its methods are
// for one goroutine.
type Sender struct {
	p         *C.paced
	slots     []C.paced_slot
	refTime   time.Time // taken together with refMono
	refMono   int64     // CLOCK_MONOTONIC nanoseconds
	taken     uint32    // slots handed over (the ring's tail)
	collected uint32    // slots whose results Done has given
	sent      []time.Time
	closed    bool
	lowered   uint32 // Lowered, once closed
}

// Start starts a sending thread on the socket fd (which must stay open
// until Close) at SCHED_FIFO priority prio, where permitted, or nice -10;
// prio <= 0 asks for neither. It returns the Sender, what priority the
// thread got (for the log), and why it got less than asked.
func Start(fd, prio int) (*Sender, string, error) {
	p := C.paced_start(C.int(fd), C.int(prio), Slots)
	if p == nil {
		return nil, "", errors.New("paced: cannot start the sending thread")
	}
	s := &Sender{
		p:       p,
		slots:   unsafe.Slice(p.slots, Slots),
		refTime: time.Now(),
		refMono: int64(C.paced_now()),
		sent:    make([]time.Time, MaxDests),
	}
	var got string
	var err error
	switch p.got_policy {
	case 1:
		got = fmt.Sprintf("SCHED_FIFO %d", min(prio, 99))
	case 2:
		got, err = "nice -10", fmt.Errorf("SCHED_FIFO %d: %w", min(prio, 99), syscall.Errno(p.rt_errno))
	default:
		got = "normal"
		if prio > 0 {
			err = fmt.Errorf("SCHED_FIFO %d: %w; nice -10: %w", min(prio, 99), syscall.Errno(p.rt_errno), syscall.Errno(p.nice_errno))
		} else {
			got = "normal (not asked)"
		}
	}
	return s, got, err
}

// Room returns how many slots Take may be given now.
func (s *Sender) Room() int {
	return Slots - int(s.taken-s.collected)
}

// Take hands over a slot: data, and then report if it is not empty, to
// the destinations of msgs (their Addr, a *net.UDPAddr with an IPv4
// address; a message without one is refused), at at or as soon after
// as the thread can, but never before the slots taken earlier. It
// reports false, taking nothing, when the Sender has no Room, when msgs
// has more than MaxDests messages, or data or report are too long.
func (s *Sender) Take(at time.Time, msgs []ipv4.Message, data, report []byte) bool {
	if s.closed || s.Room() == 0 || len(msgs) > MaxDests || len(data) > MaxData || len(report) > MaxReport {
		return false
	}
	sl := &s.slots[s.taken&(Slots-1)]
	sl.at = C.int64_t(s.mono(at))
	sl.n = C.int32_t(len(msgs))
	sl.data_len = C.int32_t(len(data))
	sl.report_len = C.int32_t(len(report))
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&sl.data[0])), MaxData), data)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&sl.report[0])), MaxReport), report)
	to := unsafe.Slice((*syscall.RawSockaddrInet4)(unsafe.Pointer(&sl.to[0])), MaxDests)
	for i, m := range msgs {
		to[i] = syscall.RawSockaddrInet4{} // family 0: the kernel refuses it
		if ua, ok := m.Addr.(*net.UDPAddr); ok && ua.IP.To4() != nil {
			to[i].Family = syscall.AF_INET
			to[i].Port = uint16(ua.Port>>8) | uint16(ua.Port&0xff)<<8 // network byte order
			copy(to[i].Addr[:], ua.IP.To4())
		}
	}
	old := s.taken
	s.taken++
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&s.p.tail)), s.taken)
	if atomic.LoadUint32((*uint32)(unsafe.Pointer(&s.p.head))) == old { // the thread may be waiting for slots
		C.paced_wake(s.p)
	}
	return true
}

// Done calls fn for each slot sent since the last call, in the order
// they were taken, with when each destination's datagram left: the time
// the sendmmsg call that carried it returned, or the zero Time where the
// kernel refused it. sent is valid during the call only.
func (s *Sender) Done(fn func(sent []time.Time)) {
	head := atomic.LoadUint32((*uint32)(unsafe.Pointer(&s.p.head)))
	for ; s.collected != head; s.collected++ {
		sl := &s.slots[s.collected&(Slots-1)]
		sent := s.sent[:sl.n]
		for i := range sent {
			sent[i] = time.Time{}
			if ns := int64(sl.sent[i]); ns != 0 {
				sent[i] = s.refTime.Add(time.Duration(ns - s.refMono))
			}
		}
		fn(sent)
	}
}

// Lowered returns how many times the thread, behind its slots, went
// back to normal priority.
func (s *Sender) Lowered() uint32 {
	if s.closed {
		return s.lowered
	}
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&s.p.lowered)))
}

// Close sends the slots still waiting, each at its time (a few
// milliseconds at most), ends the thread, calls fn
// for every slot not yet given to Done, and frees the Sender.
func (s *Sender) Close(fn func(sent []time.Time)) {
	if s.closed {
		return
	}
	C.paced_join(s.p)
	s.Done(fn)
	s.lowered = uint32(s.p.lowered)
	s.closed = true
	C.paced_free(s.p)
	s.p, s.slots = nil, nil
}

// mono returns t on CLOCK_MONOTONIC, in nanoseconds.
func (s *Sender) mono(t time.Time) int64 {
	return s.refMono + int64(t.Sub(s.refTime))
}
