package player

import (
	"errors"
	"fmt"
	"time"

	"github.com/manbang/manbang/player/media"
)

// Trick play (SetSpeed) shows keyframes only: every stepInterval of real
// time, the position moves by speed × stepInterval, the track is sought
// there and the first keyframe at or after it is decoded and shown at
// once, without sound. Fast-forward past the end ends playback, as
// reaching the end does; rewind stops at the first picture and holds it
// until the speed changes.
const stepInterval = 500 * time.Millisecond

// Speeds SetSpeed accepts: 1 is normal playback, the rest fast-forward
// (positive) and rewind (negative).
var Speeds = []int{-32, -16, -8, -4, -2, 1, 2, 4, 8, 16, 32}

// maxKeyframeSearch bounds the video packets one trick-play step reads
// looking for a keyframe.
const maxKeyframeSearch = 2000

// ErrPastEnd is returned by Seek for a position at or past the end of
// the presentation; playback goes on where it was.
var ErrPastEnd = errors.New("player: seek past the end")

// ErrNoPictures is returned by SetSpeed for fast-forward and rewind of a
// stream without video (an audio file): trick play steps through
// pictures. Seek works.
var ErrNoPictures = errors.New("player: this stream has no pictures to fast-forward or rewind through")

// Seekable reports whether Seek and SetSpeed can work: the input is a VOD
// HLS presentation, a container file, or a plain MPEG-TS file (local, or
// over HTTP from a server that answers Range requests) with timestamps.
func (p *Player) Seekable() bool { return p.in.seekable }

// SeekError returns nil when Seek and SetSpeed can work, and otherwise
// the error they give: ErrNotSeekable, wrapped with the reason when there
// is one (an HTTP server without Range requests…), for the user to read.
func (p *Player) SeekError() error {
	if p.in.seekable {
		return nil
	}
	return p.in.notSeekableErr()
}

// notSeekableErr is the error of Seek and SetSpeed on an input that
// cannot seek: ErrNotSeekable, with the reason when there is one.
func (in *input) notSeekableErr() error {
	if in.notSeekable != nil {
		return in.notSeekable
	}
	return ErrNotSeekable
}

// Duration returns the length of the presentation, or 0 when it is live or
// unknown.
func (p *Player) Duration() time.Duration { return p.in.duration }

// Seek moves playback to t from the start of the presentation, at normal
// speed. It restarts the stages at the HLS segment containing t (for a
// file, at the keyframe at or before t) and decodes and discards what
// comes before t, so that the first frame shown is the one at t (within a
// frame) and sound starts with it. A plain MPEG-TS file restarts at the
// keyframe at or before t, found by its timestamps. It returns once the
// old position has stopped and the new one has started. Live streams
// give ErrNotSeekable, and so do streams that cannot seek for a reason,
// which the error gives (a server without Range requests); a position at
// or past the end gives ErrPastEnd. Playback goes on as it was after
// either.
func (p *Player) Seek(t time.Duration) error {
	if !p.in.seekable {
		return p.in.notSeekableErr()
	}
	if d := p.in.duration; d > 0 && t >= d {
		return fmt.Errorf("%w: %v of %v", ErrPastEnd, t, d)
	}
	return p.restart(max(t, 0), 1)
}

// SetSpeed sets the speed: 1 plays normally (from where trick play has
// got to), and the other values of Speeds fast-forward or rewind by
// stepping through keyframes (see stepInterval). Live streams give
// ErrNotSeekable, and streams without video ErrNoPictures.
func (p *Player) SetSpeed(n int) error {
	valid := false
	for _, s := range Speeds {
		valid = valid || s == n
	}
	if !valid {
		return fmt.Errorf("player: speed %d: want one of %v", n, Speeds)
	}
	if !p.in.seekable {
		return p.in.notSeekableErr()
	}
	if n != 1 && !p.hasPictures() {
		return ErrNoPictures
	}
	p.mu.Lock()
	speed, pos := p.stats.Speed, p.position
	p.mu.Unlock()
	if speed == n {
		return nil
	}
	return p.restart(pos, n)
}

// hasPictures reports whether the stream has a video stream to decode, as
// far as is known: a file's streams are known from Open, a transport
// stream's once its PMT has been read (until then, it is taken to have).
func (p *Player) hasPictures() bool {
	streams := p.Tracks()
	if len(streams) == 0 && p.in.main.file != nil {
		streams = p.in.main.file.Streams()
	}
	return len(streams) == 0 || hasKind(streams, media.KindVideo)
}

// restart replaces the running pipeline with one starting at `at` at the
// given speed. When the new one cannot start, playback ends with that
// error.
func (p *Player) restart(at time.Duration, speed int) error {
	return p.restartWith(at, speed, nil)
}

// restartWith is restart that calls between, if not nil, once the old
// pipeline has stopped and before the new one starts: the moment to swap
// a track.
func (p *Player) restartWith(at time.Duration, speed int, between func()) error {
	p.ctl.Lock()
	defer p.ctl.Unlock()
	if p.ctx.Err() != nil {
		return errEnded
	}
	p.mu.Lock()
	old := p.pl
	if p.ended {
		p.mu.Unlock()
		return errEnded
	}
	old.handedOver = true
	p.mu.Unlock()

	p.stop(old)
	if between != nil {
		between()
	}
	p.sink.Flush()
	p.master.reset()
	pl, err := p.startPipeline(at, true, speed)
	if err != nil {
		p.fail(err)
		old.next <- nil
		return err
	}
	p.mu.Lock()
	p.pl = pl
	p.stats.Speed = speed
	p.mu.Unlock()
	old.next <- pl
	return nil
}

// trickFeed is the feed of a trick-play pipeline: it steps the position
// through the main track and queues one keyframe per step.
func (p *Player) trickFeed(pl *pipeline, tr *track) {
	defer pl.wg.Done()
	defer close(pl.videoPkts)
	pos := pl.at
	for {
		if !p.waitUnpaused(pl) {
			return
		}
		step := time.Now()
		a, err := tr.seek(pos)
		if err != nil {
			if pl.ctx.Err() == nil {
				p.fail(fmt.Errorf("trick play: seek to %v: %w", pos, err))
			}
			return
		}
		found, err := p.stepKeyframe(pl, tr, a)
		switch {
		case pl.ctx.Err() != nil:
			return
		case err != nil:
			p.fail(fmt.Errorf("trick play at %v: %w", pos, err))
			return
		case !found && pl.speed > 0:
			return // past the last keyframe: the end
		}
		if pos == 0 && pl.speed < 0 {
			<-pl.ctx.Done() // rewound to the start: hold the picture
			return
		}
		pos += time.Duration(pl.speed) * stepInterval
		if d := p.in.duration; d > 0 && pos >= d {
			return
		}
		pos = max(pos, 0)
		t := time.NewTimer(time.Until(step.Add(stepInterval)))
		select {
		case <-t.C:
		case <-pl.ctx.Done():
			t.Stop()
			return
		}
	}
}

// waitUnpaused holds trick play while playback is paused, and reports
// false when the pipeline ends meanwhile.
func (p *Player) waitUnpaused(pl *pipeline) bool {
	for {
		p.mu.Lock()
		paused := p.stats.Paused
		p.mu.Unlock()
		if !paused {
			return true
		}
		t := time.NewTimer(maxSleep)
		select {
		case <-t.C:
		case <-pl.ctx.Done():
			t.Stop()
			return false
		}
	}
}

// stepKeyframe reads the track from a seek until the first video keyframe
// at or after the position asked for, and queues it. It reports whether it
// found one before the end of the track.
func (p *Player) stepKeyframe(pl *pipeline, tr *track, a anchor) (bool, error) {
	dmx := tr.newDemuxer(pl.ctx)
	var video *media.Stream
	target, targetSet := time.Duration(0), false
	for n := 0; n < maxKeyframeSearch; {
		pkt, err := dmx.Next()
		if err != nil {
			if pl.ctx.Err() != nil || isEnd(err) {
				return false, nil
			}
			return false, err
		}
		if video == nil {
			if video, _ = pickStreams(dmx.Streams(), ""); video == nil {
				continue
			}
			pl.videoParams.Store(tr.params(video.PID))
			pl.videoSAR.Store(tr.sampleAspect(video.PID))
			pl.hasVideo.Store(true)
		}
		if pkt.Stream.PID != video.PID || !pkt.HasPTS {
			continue
		}
		n++
		if !targetSet {
			target, targetSet = a.target(pkt.PTS), true
		}
		if !pkt.Keyframe || pkt.PTS < target {
			continue
		}
		pl.stepAt.Store(int64(a.at))
		pl.stepTarget.Store(int64(target))
		select {
		case pl.videoPkts <- pkt:
			return true, nil
		case <-pl.ctx.Done():
			return false, nil
		}
	}
	return false, nil
}
