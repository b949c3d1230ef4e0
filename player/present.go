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
	// maxSleep bounds one wait so that pause, close and clock jumps are
	// noticed promptly.
	maxSleep = 20 * time.Millisecond
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

func (m *masterClock) setPaused(p bool) { m.wall.SetPaused(p) }

// now returns the master time, and whether it is the audio position.
func (m *masterClock) now() (t time.Duration, ok, fromAudio bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.audioOn {
		if a, aok := m.sink.Position(); aok {
			if a != m.lastAudio {
				m.lastAudio, m.lastChange = a, time.Now()
				m.wall.Start(a)
			}
			if time.Since(m.lastChange) < audioStale {
				return a, true, true
			}
		}
	}
	t, ok = m.wall.Now()
	return t, ok, false
}

// start anchors the wall clock, for the first frame and for timeline jumps.
func (m *masterClock) start(t time.Duration) { m.wall.Start(t) }

// presentLoop shows each decoded frame when the master clock reaches it.
func (p *Player) presentLoop() {
	defer p.wg.Done()
	var frameDur time.Duration
	var prevPTS time.Duration
	for f := range p.frames {
		if d := f.PTS - prevPTS; d > 0 && d < time.Second {
			frameDur = d
		}
		prevPTS = f.PTS
		if p.opts.Fast {
			p.present(f, 0, false)
			continue
		}
		late, drift, fromAudio, ok := p.waitFor(f)
		if !ok {
			f.Release()
			break
		}
		if late > max(lateDrop, frameDur) && len(p.frames) > 0 {
			f.Release()
			p.update(func(s *Stats) { s.DroppedFrames++ })
			continue
		}
		p.present(f, drift, fromAudio)
	}
	for f := range p.frames {
		f.Release()
	}
}

// waitFor blocks until f is due, and says how late it is then.
func (p *Player) waitFor(f *media.VideoFrame) (late, drift time.Duration, fromAudio, ok bool) {
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
			return -d, -d, audioMaster, true
		}
		t := time.NewTimer(min(d, maxSleep))
		select {
		case <-t.C:
		case <-p.ctx.Done():
			t.Stop()
			return 0, 0, false, false
		}
	}
}

func (p *Player) present(f *media.VideoFrame, drift time.Duration, fromAudio bool) {
	p.update(func(s *Stats) {
		if s.PresentedFrames == 0 {
			s.FirstFrameMS = msec(time.Since(p.started))
			p.firstPTS = f.PTS
		}
		s.PresentedFrames++
		// Streams rarely start at PTS 0 (MPEG-TS muxers add an offset):
		// the position is counted from the first frame.
		s.PositionMS = msec(f.PTS - p.firstPTS)
		if fromAudio {
			s.AVDriftMSMax = max(s.AVDriftMSMax, msec(drift))
		}
	})
	if p.opts.Video == nil {
		f.Release()
		return
	}
	p.opts.Video.Present(f)
}
