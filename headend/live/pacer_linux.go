package live

import (
	"fmt"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DefaultRealtimePriority is the SCHED_FIFO priority of the pacing
// threads of the zero Config.
const DefaultRealtimePriority = 10

// pacerNice is the nice value a pacing thread asks for when real-time
// scheduling is not permitted.
const pacerNice = -10

// raisePriority gives the calling thread (locked to its goroutine) the
// SCHED_FIFO priority prio, so that no ordinary thread of this or another
// program delays its fan-outs; where that is not permitted, nice
// pacerNice; where neither is, it stays as it was. prio <= 0 leaves the
// priority alone. In every case the thread's timer slack drops to 1ns,
// so that its sleeps end on time. Threads it creates start at normal
// priority (SCHED_RESET_ON_FORK). It returns what the thread got, for the
// log, and why it got less than asked.
func raisePriority(prio int) (string, error) {
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)
	if prio <= 0 {
		return "normal (not asked)", nil
	}
	attr := unix.SchedAttr{
		Size:     uint32(unsafe.Sizeof(unix.SchedAttr{})),
		Policy:   unix.SCHED_FIFO,
		Flags:    unix.SCHED_FLAG_RESET_ON_FORK,
		Priority: uint32(min(prio, 99)),
	}
	rtErr := unix.SchedSetAttr(0, &attr, 0)
	if rtErr == nil {
		return fmt.Sprintf("SCHED_FIFO %d", attr.Priority), nil
	}
	rtErr = fmt.Errorf("SCHED_FIFO %d: %w", attr.Priority, rtErr)
	if err := unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), pacerNice); err != nil {
		return "normal", fmt.Errorf("%w; nice %d: %w", rtErr, pacerNice, err)
	}
	return fmt.Sprintf("nice %d", pacerNice), rtErr
}

// lowerPriority puts the calling thread back to normal scheduling
// (SCHED_OTHER, nice 0) after raisePriority gave it SCHED_FIFO: a channel
// that has fallen behind sends without sleeping, and must not keep a core
// from everything else while it does.
func lowerPriority() error {
	attr := unix.SchedAttr{Size: uint32(unsafe.Sizeof(unix.SchedAttr{})), Flags: unix.SCHED_FLAG_RESET_ON_FORK}
	return unix.SchedSetAttr(0, &attr, 0)
}

// waiter is where a channel's goroutine sleeps: until a deadline on the
// monotonic clock, to within the kernel's wake-up latency (an absolute
// kernel timer, not one of Go's, which may fire a millisecond late), or
// until wake. It is a futex word: its count of wakes.
type waiter struct {
	word atomic.Uint32
}

// Linux's futex operations and clock.
const (
	futexWaitBitset = 9
	futexWake       = 1
	futexPrivate    = 128
	futexBitsetAny  = 0xffffffff
	clockMonotonic  = 1
)

// seq returns the count of wakes; a wait with it returns at once if wake
// has been called since.
func (w *waiter) seq() uint32 { return w.word.Load() }

// wake ends the current or next wait.
func (w *waiter) wake() {
	w.word.Add(1)
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&w.word)), futexWake|futexPrivate, 1, 0, 0, 0)
}

// wait sleeps until deadline, or until wake has been called since seq
// was taken, and reports whether deadline was ahead (so that it may have
// slept). It blocks its thread, in an ordinary system call: the
// goroutine's P is free for others meanwhile.
func (w *waiter) wait(seq uint32, deadline time.Time) bool {
	var now unix.Timespec
	if _, _, errno := unix.RawSyscall(unix.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&now)), 0); errno != 0 {
		time.Sleep(time.Until(deadline))
		return true
	}
	// Taken right after the monotonic clock was read, which is Go's.
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	ts := unix.NsecToTimespec(now.Nano() + int64(d))
	w.futexWait(seq, &ts)
	return true
}

// futexWait waits on the word while it holds seq, until the absolute
// monotonic time ts.
func (w *waiter) futexWait(seq uint32, ts *unix.Timespec) {
	for {
		_, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&w.word)), futexWaitBitset|futexPrivate,
			uintptr(seq), uintptr(unsafe.Pointer(ts)), 0, futexBitsetAny)
		switch errno {
		case unix.EINTR:
			continue
		case 0:
			if w.word.Load() == seq { // spurious
				continue
			}
			return
		case unix.ETIMEDOUT, unix.EAGAIN: // EAGAIN: the word moved before the wait
			return
		default: // no futexes: sleep on Go's timers
			var now unix.Timespec
			unix.RawSyscall(unix.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&now)), 0)
			time.Sleep(time.Duration(ts.Nano() - now.Nano()))
			return
		}
	}
}
