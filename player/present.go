package player

import (
	"sync"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/clock"
	"github.com/manbang/manbang/player/media"
)

// Timing decisions of the presenter.
const (
	// lateDrop: a frame later than this is dropped when the next one is
	// already waiting, so video catches up with the clock instead of
	// trailing it.
	lateDrop = 40 * time.Millisecond
	// timelineJump: a frame further than this from the clock belongs to a
	// new timeline (discontinuity, wrap, encoder restart); the clock is
	// re-anchored instead of waiting it out.
	timelineJump = 3 * time.Second
	// audioStale: when the audio position has not moved for this long
	// (underrun, or the audio track ended), video follows the wall clock,
	// which carries on from the last audio position.
	audioStale = 250 * time.Millisecond
	// audioRejoin: after video re-anchored on a new timeline, audio is
	// master again once its position is this close to the wall clock.
	audioRejoin = time.Second
	// maxSleep bounds one wait so that pause, close and clock jumps are
	// noticed promptly.
	maxSleep = 20 * time.Millisecond
	// driftSmoothing is the weight of each frame's offset from the audio
	// clock in the A/V drift, a moving average over about ten frames: a
	// lasting offset shows in full within a second, one late wake-up of
	// a busy CPU hardly.
	driftSmoothing = 0.1
)

// masterClock is audio-mastered while audio plays, and falls back to a wall
// clock that continues from the last audio position otherwise.
type masterClock struct {
	sink audio.Sink
	wall *clock.Wall

	mu         sync.Mutex
	audioOn    bool
	lastAudio  time.Duration
	lastChange time.Time
	// realigned is set when video re-anchored the wall clock on a new
	// timeline that the audio heard now has not reached yet.
	realigned bool
}

func newMasterClock(sink audio.Sink) *masterClock {
	return &masterClock{sink: sink, wall: clock.NewWall(nil)}
}

func (m *masterClock) audioStarted() {
	m.mu.Lock()
	m.audioOn = true
	m.mu.Unlock()
}

func (m *masterClock) audioEnded() {
	m.mu.Lock()
	m.audioOn = false
	m.mu.Unlock()
}

// audioRunning reports whether audio has started playing.
func (m *masterClock) audioRunning() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.audioOn
}

func (m *masterClock) setPaused(p bool) { m.wall.SetPaused(p) }

// reset forgets the clock for a new position (a seek): the next frame
// anchors it.
func (m *masterClock) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.audioOn, m.realigned, m.lastAudio = false, false, 0
	m.wall.Reset()
}

// now returns the master time, whether the clock runs, and whether it is
// the audio position.
func (m *masterClock) now() (t time.Duration, ok, fromAudio bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.audioOn {
		if a, aok := m.sink.Position(); aok {
			if a != m.lastAudio {
				m.lastAudio, m.lastChange = a, time.Now()
				if !m.realigned {
					m.wall.Start(a)
				}
			}
			if m.realigned {
				if w, _ := m.wall.Now(); absDur(a-w) < audioRejoin {
					m.realigned = false
				}
			}
			if !m.realigned && time.Since(m.lastChange) < audioStale {
				return a, true, true
			}
		}
	}
	t, ok = m.wall.Now()
	return t, ok, false
}

// start anchors the wall clock at the first frame.
func (m *masterClock) start(t time.Duration) { m.wall.Start(t) }

// realign anchors the wall clock on a new timeline, which the audio
// clock follows once its own position gets there.
func (m *masterClock) realign(t time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wall.Start(t)
	m.realigned = m.audioOn
}

// presentLoop shows each decoded frame when the master clock reaches it:
// at once in Fast mode and in trick play.
func (p *Player) presentLoop(pl *pipeline) {
	defer pl.wg.Done()
	var frameDur, prevPTS time.Duration
	first := true
	for s := range pl.frames {
		f := s.f
		if d := f.PTS - prevPTS; d > 0 && d < time.Second {
			frameDur = d
		}
		prevPTS = f.PTS
		p.rebase(pl, s, first, frameDur)
		if p.opts.Fast || pl.speed != 1 {
			first = false
			p.present(f, 0, false)
			continue
		}
		switch {
		case first && p.master.audioRunning():
			// Audio gave up waiting for the picture and runs behind it:
			// the picture is shown at once, the clock follows it, and
			// audio catches up by dropping what comes before it.
			p.master.realign(f.PTS)
		case s.newTimeline && !first:
			p.master.realign(f.PTS)
		}
		late, drift, fromAudio, ok := p.waitFor(pl, f)
		if !ok {
			f.Release()
			break
		}
		if late > max(lateDrop, frameDur) && len(pl.frames) > 0 {
			f.Release()
			p.update(func(s *Stats) { s.DroppedFrames++ })
			continue
		}
		// The first frame of a pipeline sets the clock: it has no drift.
		if first || s.newTimeline {
			p.resetDrift()
		}
		if first {
			// Before present, which hands the frame over.
			pl.firstVideo.Store(int64(f.PTS))
		}
		p.present(f, drift, fromAudio && !first && !s.newTimeline)
		first = false
		pl.ready()
	}
	for s := range pl.frames {
		s.f.Release()
	}
}

// waitFor blocks until f is due, and says how late it is then and how
// far it is from the clock (negative: behind it).
func (p *Player) waitFor(pl *pipeline, f *media.VideoFrame) (late, drift time.Duration, fromAudio, ok bool) {
	for {
		now, started, audioMaster := p.master.now()
		if !started {
			p.master.start(f.PTS)
			return 0, 0, false, true
		}
		d := f.PTS - now
		if d > timelineJump || d < -timelineJump {
			p.master.start(f.PTS)
			return 0, 0, false, true
		}
		if d <= 0 {
			return -d, d, audioMaster, true
		}
		t := time.NewTimer(min(d, maxSleep))
		select {
		case <-t.C:
		case <-pl.ctx.Done():
			t.Stop()
			return 0, 0, false, false
		}
	}
}

// resetDrift starts the drift average afresh, when the clock re-anchors.
func (p *Player) resetDrift() {
	p.mu.Lock()
	p.drift = 0
	p.mu.Unlock()
}

// rebase keeps the position (time from the start of the presentation)
// continuous: it maps presentation times to positions from the first
// frame of a pipeline, the first frame after a discontinuity, and each
// trick-play step.
func (p *Player) rebase(pl *pipeline, s shown, first bool, frameDur time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case pl.speed != 1:
		p.posBase, p.ptsBase = time.Duration(pl.stepAt.Load()), time.Duration(pl.stepTarget.Load())
	case first && pl.seeked:
		p.posBase, p.ptsBase = pl.at, time.Duration(pl.videoFrom.Load())
	case first && p.stats.PresentedFrames == 0:
		p.posBase, p.ptsBase = 0, s.f.PTS
	case first || s.newTimeline:
		p.posBase, p.ptsBase = p.position+frameDur, s.f.PTS
	}
}

func (p *Player) present(f *media.VideoFrame, drift time.Duration, measured bool) {
	p.update(func(s *Stats) {
		if s.PresentedFrames == 0 {
			s.FirstFrameMS = msec(time.Since(p.started))
		}
		s.PresentedFrames++
		p.position = max(0, p.posBase+f.PTS-p.ptsBase)
		s.PositionMS = msec(p.position)
		if measured {
			p.drift += driftSmoothing * (msec(drift) - p.drift)
			s.AVDriftMS = p.drift
			s.AVDriftMSMax = max(s.AVDriftMSMax, p.drift, -p.drift)
		}
	})
	if p.opts.Video == nil {
		f.Release()
		return
	}
	p.opts.Video.Present(f)
}
