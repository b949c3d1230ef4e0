package player

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/media"
)

// frameLog is a VideoSink that keeps what it was shown, and lets a test
// wait for the n-th frame.
type frameLog struct {
	mu     sync.Mutex
	pts    []time.Duration
	widths map[int]bool
	more   chan struct{} // closed at each frame
}

func newFrameLog() *frameLog { return &frameLog{more: make(chan struct{}), widths: map[int]bool{}} }

func (l *frameLog) Present(f *media.VideoFrame) {
	l.mu.Lock()
	l.pts = append(l.pts, f.PTS)
	l.widths[f.Width] = true
	close(l.more)
	l.more = make(chan struct{})
	l.mu.Unlock()
	f.Release()
}

// first returns a channel closed when the first frame has been shown.
func (l *frameLog) first() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pts) > 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	return l.more
}

// len returns how many frames have been shown.
func (l *frameLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pts)
}

// since returns the presentation times of the frames shown from the n-th.
func (l *frameLog) since(n int) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.pts[min(n, len(l.pts)):]...)
}

// wait blocks until n frames have been shown, failing the test after 30
// seconds or when the player ends first.
func (l *frameLog) wait(t *testing.T, p *Player, n int) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		got, more := len(l.pts), l.more
		l.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-more:
		case <-p.Done():
			if l.len() < n {
				t.Fatalf("playback ended (%v) after %d frames, waiting for %d", p.Err(), l.len(), n)
			}
		case <-deadline.C:
			t.Fatalf("timed out waiting for frame %d (have %d)", n, l.len())
		}
	}
}

// toneSink is a silent sink that keeps the first channel of what it plays,
// so that a test can tell which audio track it was given.
type toneSink struct {
	*audio.Silent
	mu      sync.Mutex
	samples []int16
	rate    int
}

func newToneSink() *toneSink { return &toneSink{Silent: audio.NewSilent(nil)} }

func (s *toneSink) Write(ctx context.Context, f *media.AudioFrame) error {
	s.mu.Lock()
	for i := 0; i < len(f.Samples); i += f.Channels {
		s.samples = append(s.samples, f.Samples[i])
	}
	s.rate = f.SampleRate
	s.mu.Unlock()
	return s.Silent.Write(ctx, f)
}

// reset forgets what was played so far.
func (s *toneSink) reset() {
	s.mu.Lock()
	s.samples = nil
	s.mu.Unlock()
}

// hz estimates the frequency of the tone played from its upward zero
// crossings.
func (s *toneSink) hz() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	crossings, low, first, last := 0, false, 0, 0
	for i, v := range s.samples {
		switch {
		case v < -500:
			low = true
		case v > 500 && low:
			if crossings == 0 {
				first = i
			}
			crossings++
			last, low = i, false
		}
	}
	if crossings < 2 {
		return 0
	}
	return float64(crossings-1) * float64(s.rate) / float64(last-first)
}
