// Package audio presents decoded audio: to the sound device through oto,
// or, where no device opens, to a silent sink that consumes samples in real
// time so the box keeps playing. Either way the sink's position is the
// player's master clock.
package audio

import (
	"context"
	"sync"
	"time"

	"github.com/manbang/manbang/player/media"
)

// Sink plays decoded audio and reports how far it has got.
type Sink interface {
	// Write queues a frame. It blocks while the sink holds more than its
	// buffer target, and returns early with ctx's error when ctx ends.
	Write(ctx context.Context, f *media.AudioFrame) error
	// Position is the media time being heard now; ok is false until the
	// first frame has started playing.
	Position() (t time.Duration, ok bool)
	// SetPaused pauses or resumes playback (and with it the position).
	SetPaused(p bool)
	// Flush drops what is queued, for seeks and channel changes.
	Flush()
	// Name says what the sink is ("alsa", "silent").
	Name() string
	Close() error
}

// bufferTarget is how much audio a sink holds ahead of what is heard: large
// enough to ride out a slow decode on a busy set-top CPU, small enough that
// pause and channel change feel immediate.
const bufferTarget = 300 * time.Millisecond

// timelineBreak is how far a frame's PTS may be from the end of the audio
// before it, before the Silent sink takes it for a new timeline: decoders
// stamp consecutive frames to the millisecond.
const timelineBreak = 200 * time.Millisecond

// Silent is a Sink with no device: it consumes audio at real-time speed and
// discards it, so that the clock it reports runs as a sound card's would.
type Silent struct {
	mu     sync.Mutex
	cond   *sync.Cond
	now    func() time.Time
	closed bool
	paused bool

	started     bool
	anchorMedia time.Duration // media time at anchorWall
	anchorWall  time.Time
	end         time.Duration // media time of the end of what was written
}

// NewSilent returns a silent sink. now may be nil for time.Now.
func NewSilent(now func() time.Time) *Silent {
	if now == nil {
		now = time.Now
	}
	s := &Silent{now: now}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Name implements Sink.
func (s *Silent) Name() string { return "silent" }

// Write implements Sink.
func (s *Silent) Write(ctx context.Context, f *media.AudioFrame) error {
	d := f.Duration()
	s.mu.Lock()
	defer s.mu.Unlock()
	pos := s.positionLocked()
	switch {
	case !s.started:
		s.started = true
		s.anchorMedia, s.anchorWall = f.PTS, s.now()
		s.end = f.PTS
	case pos >= s.end:
		// Underrun: the clock stopped at end; restart it from the new frame.
		s.anchorMedia, s.anchorWall = f.PTS, s.now()
		s.end = f.PTS
	case f.PTS < s.end-timelineBreak || f.PTS > s.end+timelineBreak:
		// A timeline break (discontinuity, wrap, encoder restart, a gap):
		// follow it after what is queued has played.
		queued := s.end - pos
		s.anchorMedia, s.anchorWall = f.PTS-queued, s.now()
		s.end = f.PTS
	}
	s.end += d
	for !s.closed && s.end-s.positionLocked() > bufferTarget && ctx.Err() == nil {
		s.waitLocked(ctx, s.end-s.positionLocked()-bufferTarget)
	}
	if s.closed {
		return errClosed
	}
	return ctx.Err()
}

// waitLocked releases the lock for at most d, or until ctx ends or the sink
// changes state.
func (s *Silent) waitLocked(ctx context.Context, d time.Duration) {
	if s.paused {
		d = 50 * time.Millisecond
	}
	t := time.AfterFunc(d, s.wake)
	stop := context.AfterFunc(ctx, s.wake)
	s.cond.Wait()
	t.Stop()
	stop()
}

// wake wakes the waiting Write. It takes the lock, so that it cannot come
// between the waiter's check and its Wait: a timer of a few microseconds,
// or a context ending, could otherwise fire before the waiter is waiting,
// and the wake-up would be lost with nothing to send another. Playback
// then froze with the audio, on a busy machine.
func (s *Silent) wake() {
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *Silent) positionLocked() time.Duration {
	if !s.started {
		return 0
	}
	if s.paused {
		return min(s.anchorMedia, s.end)
	}
	return min(s.anchorMedia+s.now().Sub(s.anchorWall), s.end)
}

// Position implements Sink.
func (s *Silent) Position() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.positionLocked(), s.started
}

// SetPaused implements Sink.
func (s *Silent) SetPaused(p bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p == s.paused {
		return
	}
	s.anchorMedia, s.anchorWall = s.positionLocked(), s.now()
	s.paused = p
	s.cond.Broadcast()
}

// Flush implements Sink.
func (s *Silent) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started = false
	s.cond.Broadcast()
}

// Close implements Sink; a blocked Write returns.
func (s *Silent) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.cond.Broadcast()
	return nil
}
