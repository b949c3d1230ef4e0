package player

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/player/avcodec"
	"github.com/manbang/manbang/player/media"
)

// noTarget is the "discard nothing" value of a pipeline's targets.
const noTarget = math.MinInt64

// targetSlack absorbs the rounding between the demuxer's timestamps (90
// kHz ticks) and the decoders' (microseconds) when comparing them with a
// seek target.
const targetSlack = time.Millisecond

// before reports whether media at pts comes before the target from.
func before(pts time.Duration, from int64) bool {
	return from != noTarget && pts < time.Duration(from)-targetSlack
}

// pipeline is one run of the stages from a position: a feed goroutine per
// track (demuxer), the packet queues, the video and audio decoders, the
// frame queue and the presenter. Seek and SetSpeed replace it with a new
// one; the input, the audio sink and the clock outlive it.
type pipeline struct {
	ctx    context.Context
	cancel context.CancelFunc
	// speed is 1 for playback, else the FF/RW speed of a pipeline that
	// steps through keyframes.
	speed int
	// at is where the pipeline started, for position reports; seeked says
	// it started at a seek rather than at the stream's own start.
	at     time.Duration
	seeked bool

	videoPkts chan *media.Packet
	audioPkts chan *media.Packet
	frames    chan shown

	// videoReady is closed when the first frame has been presented, or
	// when there will be none: audio holds its first sample until then,
	// so that sound and picture start together.
	videoReady chan struct{}
	readyOnce  sync.Once

	wg   sync.WaitGroup
	done chan struct{} // closed when every goroutine has ended
	next chan *pipeline
	// handedOver is set (under Player.mu) when Seek or SetSpeed takes the
	// pipeline over: its end is not the end of playback, and its successor
	// (nil when there is none) comes on next.
	handedOver bool

	// Set by a feed before it queues the first packet of a stream, read by
	// the decode loops after they receive it.
	videoParams, audioParams atomic.Pointer[avcodec.CodecParams]
	// videoSAR is the container's sample aspect ratio of the video
	// (num<<32 | den), 0 if it gives none: the shape of pictures whose
	// codec says nothing of it (VP8 in WebM).
	videoSAR atomic.Uint64
	// Decoded media before these presentation times is discarded: the
	// decode-and-discard part of a seek. noTarget: nothing is.
	videoFrom, audioFrom atomic.Int64
	// firstVideo is the presentation time of the first frame shown
	// (noTarget until then): audio before it is dropped.
	firstVideo atomic.Int64
	// Presentation time of the last packet queued, per kind, and whether
	// the kind plays at all: the buffer level.
	queuedVideo, queuedAudio atomic.Int64
	hasVideo, hasAudio       atomic.Bool
	// The step a trick-play frame belongs to: its position and the
	// presentation time that position maps to.
	stepAt, stepTarget atomic.Int64
}

// shown is a decoded frame on its way to the presenter.
type shown struct {
	f *media.VideoFrame
	// newTimeline marks the first frame after a discontinuity: the clock
	// and the position re-anchor on it.
	newTimeline bool
}

// startPipeline starts the stages. With seek set, the tracks are first
// positioned at `at` (for speed 1; a trick-play pipeline positions them at
// each step itself).
func (p *Player) startPipeline(at time.Duration, seek bool, speed int) (*pipeline, error) {
	ctx, cancel := context.WithCancel(p.ctx)
	pl := &pipeline{
		ctx: ctx, cancel: cancel, speed: speed, at: at, seeked: seek,
		videoPkts: make(chan *media.Packet, videoPacketQueue),
		audioPkts: make(chan *media.Packet, audioPacketQueue),
		frames:    make(chan shown, frameQueue),
		done:      make(chan struct{}),
		next:      make(chan *pipeline, 1),

		videoReady: make(chan struct{}),
	}
	pl.videoFrom.Store(noTarget)
	pl.audioFrom.Store(noTarget)
	pl.firstVideo.Store(noTarget)
	tracks := p.in.tracks()
	anchors := make([]*anchor, len(tracks))
	if seek && speed == 1 {
		for i, tr := range tracks {
			a, err := tr.seek(at)
			if err != nil {
				cancel()
				return nil, fmt.Errorf("seek to %v: %w", at, err)
			}
			anchors[i] = &a
		}
	}
	if speed != 1 {
		close(pl.audioPkts) // trick play is silent
		pl.wg.Add(1)
		go p.trickFeed(pl, p.in.main)
	} else {
		mainAudio := p.in.alt == nil
		pl.wg.Add(1)
		go p.feed(pl, p.in.main, anchors[0], true, mainAudio)
		if !mainAudio {
			pl.wg.Add(1)
			go p.feed(pl, p.in.alt, anchors[1], false, true)
		}
	}
	pl.wg.Add(3)
	go p.videoLoop(pl)
	go p.audioLoop(pl)
	go p.presentLoop(pl)
	go func() {
		pl.wg.Wait()
		close(pl.done)
	}()
	return pl, nil
}

// ready says that audio may start: the first frame is on screen, or there
// is no video.
func (pl *pipeline) ready() { pl.readyOnce.Do(func() { close(pl.videoReady) }) }

// maxAudioHold bounds how long audio waits for the first picture: longer
// than the GOP of a live channel (0.5 to 2 s, sometimes more), which a
// channel change without fast channel change waits through for its
// first keyframe.
const maxAudioHold = 3 * time.Second

// waitReady holds audio until the first picture is shown (or for
// maxAudioHold), and reports false when the pipeline ends meanwhile.
func (pl *pipeline) waitReady() bool {
	t := time.NewTimer(maxAudioHold)
	defer t.Stop()
	select {
	case <-pl.videoReady:
	case <-t.C:
	case <-pl.ctx.Done():
		return false
	}
	return true
}

// stop ends the pipeline and waits for its goroutines: it cancels them,
// and interrupts the reads its demuxers may be blocked in.
func (p *Player) stop(pl *pipeline) {
	pl.cancel()
	for _, tr := range p.in.tracks() {
		tr.interrupt()
	}
	<-pl.done
	for s := range pl.frames {
		s.f.Release()
	}
}

// bufferLevel is the media decoded or queued ahead of the clock: from the
// clock to the last packet queued of the kind (video, audio) that has the
// least.
func (pl *pipeline) bufferLevel(now time.Duration) time.Duration {
	level := time.Duration(math.MaxInt64)
	if pl.hasVideo.Load() {
		level = min(level, time.Duration(pl.queuedVideo.Load())-now)
	}
	if pl.hasAudio.Load() {
		level = min(level, time.Duration(pl.queuedAudio.Load())-now)
	}
	// Across a discontinuity the queue and the clock are on different
	// timelines for a moment: no sensible level then.
	if level < 0 || level > maxBufferLevel {
		return 0
	}
	return level
}

// maxBufferLevel bounds a plausible buffer level; anything above is a
// timeline mismatch, not media.
const maxBufferLevel = time.Minute
