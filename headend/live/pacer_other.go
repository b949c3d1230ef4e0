//go:build !linux

package live

import (
	"sync"
	"time"
)

// DefaultRealtimePriority is the SCHED_FIFO priority of the pacing
// threads of the zero Config (Linux only).
const DefaultRealtimePriority = 10

// raisePriority does nothing: real-time scheduling is Linux's here.
func raisePriority(int) (string, error) { return "normal (not Linux)", nil }

// lowerPriority does nothing: see raisePriority.
func lowerPriority() error { return nil }

// waiter is where a channel's goroutine sleeps: until a deadline or
// until wake.
type waiter struct {
	once sync.Once
	ch   chan struct{}
}

func (w *waiter) init() { w.once.Do(func() { w.ch = make(chan struct{}, 1) }) }

// seq is unused here: a wake is kept in the channel until a wait takes it.
func (w *waiter) seq() uint32 { return 0 }

// wake ends the current or next wait.
func (w *waiter) wake() {
	w.init()
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// wait sleeps until deadline or a wake, and reports whether deadline
// was ahead.
func (w *waiter) wait(_ uint32, deadline time.Time) bool {
	w.init()
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-w.ch:
	}
	return true
}
