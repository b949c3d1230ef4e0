package player

import (
	"time"

	"github.com/manbang/manbang/player/media"
)

// soundOnly reports whether a pipeline plays sound without pictures (an
// audio file, a radio stream): the sound then moves the position, which
// pictures move otherwise.
func (pl *pipeline) soundOnly() bool { return !pl.hasVideo.Load() }

// audioPosition sets the position of a pipeline without pictures from the
// audio frame just decoded (and, in real time, written to the sink): to
// what the sink plays now, or in Fast mode to the end of the frame. The
// first frame of the pipeline anchors presentation times to positions, as
// the first picture does with video (rebase).
func (p *Player) audioPosition(pl *pipeline, f *media.AudioFrame, first bool) {
	heard := f.PTS + f.Duration()
	if !p.opts.Fast {
		t, ok := p.sink.Position()
		if !ok {
			return
		}
		heard = t
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if first {
		p.posBase, p.ptsBase = 0, f.PTS
		if from := pl.audioFrom.Load(); pl.seeked && from != noTarget {
			p.posBase, p.ptsBase = pl.at, time.Duration(from)
		}
	}
	p.setPositionLocked(heard)
}

// setPositionLocked sets the position to where the presentation time pts
// lies. p.mu is held.
func (p *Player) setPositionLocked(pts time.Duration) {
	p.position = max(0, p.posBase+pts-p.ptsBase)
	p.stats.PositionMS = msec(p.position)
}

// drain waits, at the end of the stream, until the sink has played what
// it holds (up to end, the presentation time after the last frame
// written): playback ends when the last sound has been heard, not a sink
// buffer before. It gives up when the sink's position stops moving while
// playback is not paused, and returns at once when the pipeline ends.
func (p *Player) drain(pl *pipeline, end time.Duration) {
	var last time.Duration
	moved := time.Now()
	for {
		t, ok := p.sink.Position()
		if !ok || t >= end-targetSlack {
			return
		}
		p.mu.Lock()
		paused := p.stats.Paused
		if pl.soundOnly() {
			p.setPositionLocked(t)
		}
		p.mu.Unlock()
		if t != last || paused {
			last, moved = t, time.Now()
		} else if time.Since(moved) > audioStale {
			return
		}
		timer := time.NewTimer(maxSleep)
		select {
		case <-timer.C:
		case <-pl.ctx.Done():
			timer.Stop()
			return
		}
	}
}
