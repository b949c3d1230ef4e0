package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a progress bar with speed on a terminal line.
type progress struct {
	w            io.Writer
	what         string
	total, done_ int64
	start, last  time.Time
}

func newProgress(w io.Writer, what string, total int64) *progress {
	now := time.Now()
	return &progress{w: w, what: what, total: total, start: now}
}

// Write counts n bytes done.
func (p *progress) Write(b []byte) (int, error) {
	p.add(int64(len(b)))
	return len(b), nil
}

func (p *progress) add(n int64) {
	p.done_ += n
	if now := time.Now(); now.Sub(p.last) >= 200*time.Millisecond {
		p.last = now
		p.draw(now)
	}
}

func (p *progress) draw(now time.Time) {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = float64(p.done_) / float64(p.total)
	}
	fill := int(frac * width)
	speed := float64(p.done_) / max(now.Sub(p.start).Seconds(), 1e-3) / (1 << 20)
	fmt.Fprintf(p.w, "\r%-7s [%s%s] %3.0f%% %d/%d MiB %.1f MiB/s ", p.what,
		strings.Repeat("#", fill), strings.Repeat(" ", width-fill), 100*frac, p.done_>>20, p.total>>20, speed)
}

func (p *progress) done() {
	p.draw(time.Now())
	fmt.Fprintf(p.w, "in %s\n", time.Since(p.start).Round(100*time.Millisecond))
}
