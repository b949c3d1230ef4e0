package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// schedLatency is the machine's own scheduling latency over a while, as
// cyclictest (Debian's rt-tests) measures it: how late a thread at a
// real-time priority wakes from a 1 ms timer.
type schedLatency struct {
	maxUS     int // the latest wake-up, µs
	overMS    int // wake-ups 1 ms late or more
	total     int // wake-ups
	available bool
}

// String says the figures for a note.
func (l schedLatency) String() string {
	if !l.available {
		return "the machine's own scheduling latency not measured (no cyclictest: make deps installs rt-tests)"
	}
	return fmt.Sprintf("the machine itself (cyclictest, one thread at SCHED_FIFO 9 waking every 1 ms beside the benchmark): latest wake-up %.2f ms late, %d of %d wake-ups 1 ms late or more",
		float64(l.maxUS)/1000, l.overMS, l.total)
}

// withSchedLatency runs fn while cyclictest measures the machine's
// scheduling latency at SCHED_FIFO prio, so that a pacing figure can be
// read beside what the machine allowed at the time. Without cyclictest
// it runs fn alone.
func withSchedLatency(ctx context.Context, prio int, fn func() error) (schedLatency, error) {
	if _, err := exec.LookPath("cyclictest"); err != nil {
		return schedLatency{}, fn()
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "cyclictest", "-m", "-q", "-p", strconv.Itoa(prio), "-t", "1", "-i", "1000", "-h", "1000")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return schedLatency{}, fmt.Errorf("cyclictest: %w", err)
	}
	ferr := fn()
	cmd.Process.Signal(os.Interrupt) // it prints its histogram and ends
	cmd.Wait()
	l, err := parseCyclictest(out.String())
	if ferr != nil {
		return l, ferr
	}
	return l, err
}

// parseCyclictest reads the summary lines of cyclictest -q -h 1000: the
// total, the maximum and the overflows (wake-ups 1000 µs late or more)
// of its one thread.
func parseCyclictest(s string) (schedLatency, error) {
	l := schedLatency{available: true}
	found := 0
	for _, line := range strings.Split(s, "\n") {
		for _, f := range []struct {
			prefix string
			v      *int
		}{{"# Total:", &l.total}, {"# Max Latencies:", &l.maxUS}, {"# Histogram Overflows:", &l.overMS}} {
			if rest, ok := strings.CutPrefix(line, f.prefix); ok {
				fields := strings.Fields(rest)
				if len(fields) == 0 {
					continue
				}
				n, err := strconv.Atoi(fields[0])
				if err != nil {
					return l, fmt.Errorf("cyclictest: %q: %w", line, err)
				}
				*f.v = n
				found++
			}
		}
	}
	if found < 3 {
		return l, fmt.Errorf("cyclictest printed no summary: %s", tail(s))
	}
	return l, nil
}
