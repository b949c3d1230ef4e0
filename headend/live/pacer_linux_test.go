package live

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWaiter checks each way a wait ends: its deadline (never before
// it), a wake during the wait, and a wake between seq and the wait.
func TestWaiter(t *testing.T) {
	t.Parallel()
	far := func() time.Time { return time.Now().Add(time.Hour) }
	tests := []struct {
		name     string
		deadline func() time.Time
		before   bool // wake between seq and wait
		during   bool // wake while waiting
	}{
		{name: "deadline", deadline: func() time.Time { return time.Now().Add(3 * time.Millisecond) }},
		{name: "deadline past", deadline: func() time.Time { return time.Now().Add(-time.Second) }},
		{name: "deadline very near", deadline: func() time.Time { return time.Now().Add(20 * time.Microsecond) }},
		{name: "wake before", deadline: far, before: true},
		{name: "wake during", deadline: far, during: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w waiter
			seq := w.seq()
			if tc.before {
				w.wake()
			}
			deadline := tc.deadline()
			done := make(chan time.Time)
			go func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				w.wait(seq, deadline)
				done <- time.Now()
			}()
			if tc.during {
				// A wake before the wait began ends it as well: either
				// way the wait must end.
				w.wake()
			}
			select {
			case at := <-done:
				if !tc.before && !tc.during && at.Before(deadline) {
					t.Errorf("woke %v before the deadline", deadline.Sub(at))
				}
			case <-time.After(waitLimit):
				t.Fatal("the wait did not end")
			}
		})
	}
}

// TestWaiterManyWakes wakes a waiter again and again while it waits in a
// loop, as subscribers arriving wake a channel: every wake ends a wait.
func TestWaiterManyWakes(t *testing.T) {
	t.Parallel()
	var w waiter
	const rounds = 200
	woke := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for range rounds {
			seq := w.seq()
			woke <- struct{}{}
			w.wait(seq, time.Now().Add(time.Hour))
		}
		close(woke)
	}()
	limit := time.After(waitLimit)
	for range rounds {
		select {
		case <-woke:
			w.wake()
		case <-limit:
			t.Fatal("a wake was lost")
		}
	}
	select {
	case <-woke:
	case <-limit:
		t.Fatal("a wake was lost")
	}
}

// schedOther is Linux's SCHED_OTHER, the normal policy.
const schedOther = 0

// TestRaisePriority raises a thread's priority as a channel does: to
// SCHED_FIFO where permitted (root), else to what the process may, saying
// why; a priority of 0 leaves the thread alone; lowerPriority undoes it.
func TestRaisePriority(t *testing.T) {
	t.Parallel()
	type result struct {
		got    string
		err    error
		policy uint32
		prio   uint32
	}
	run := func(prio int, lower bool) result {
		ch := make(chan result)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			got, err := raisePriority(prio)
			if lower && err == nil {
				err = lowerPriority()
			}
			r := result{got: got, err: err}
			if attr, err := unix.SchedGetAttr(0, 0); err == nil {
				r.policy, r.prio = attr.Policy, attr.Priority
			}
			ch <- r
		}()
		return <-ch
	}
	if r := run(0, false); r.err != nil || r.policy != schedOther {
		t.Errorf("priority 0: %+v, want the thread left at SCHED_OTHER", r)
	}
	r := run(DefaultRealtimePriority, false)
	if os.Geteuid() != 0 {
		if r.err == nil && r.policy != unix.SCHED_FIFO {
			t.Errorf("not root: %+v, want SCHED_FIFO or an error saying why not", r)
		}
		t.Logf("not root: got %s (%v)", r.got, r.err)
		return
	}
	if r.err != nil || r.policy != unix.SCHED_FIFO || r.prio != DefaultRealtimePriority || !strings.Contains(r.got, "SCHED_FIFO") {
		t.Errorf("as root: %+v, want SCHED_FIFO %d", r, DefaultRealtimePriority)
	}
	if r := run(DefaultRealtimePriority, true); r.err != nil || r.policy != schedOther {
		t.Errorf("raised, then lowered: %+v, want SCHED_OTHER", r)
	}
}
