// Package player turns a stream locator into frames on screen and sound in
// the speakers. It wires the stages — source (bytes), demux (packets),
// decoders (frames), audio sink and clock — with bounded queues, and decides
// timing in one place: the presenter shows each video frame when the master
// clock (the audio sink's position, or a wall clock without audio) reaches
// it, drops it when late, holds it when early. It makes no GL calls: frames
// go to a VideoSink that the UI (or the headless command) provides.
//
// A Player reads its input — an HLS presentation (with, where the variant
// has them, an alternative audio rendition as a second stream), an MPEG-TS
// over HTTP or in a file, or any other file libavformat reads (MP4,
// Matroska, MPEG-PS, M2TS, AVI, an audio file…) — through a pipeline of
// goroutines. Seek and SetSpeed replace the pipeline with one
// that starts elsewhere; a channel change is Close and Open.
package player

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/source"
)

// VideoSink receives each video frame when it is due. It takes ownership of
// the frame and must Release it when done. Present must not block.
type VideoSink interface {
	Present(f *media.VideoFrame)
}

// Options configure a Player.
type Options struct {
	Source source.Config
	// Audio is where sound goes. Nil opens the sound device, falling back
	// to a silent sink; the player closes a sink it opened itself.
	Audio audio.Sink
	// Video receives due frames; nil discards them (still counted).
	Video VideoSink
	// Fast presents frames as soon as they are decoded, without pacing:
	// for measuring decode speed and for quick diagnosis.
	Fast bool
	// AudioLang picks the audio track by language where the stream has
	// several (PMT languages, HLS audio renditions), as an ISO 639-1 or
	// 639-2 code: "ko" and "kor" are the same. Empty or absent means the
	// default (HLS) or the first track.
	AudioLang string
	// Threads for the video decoder; 0 chooses: FFmpeg's choice with
	// Fast, and in real time one thread for H.264 (each further frame
	// thread costs about 16 MB at 1080p) and one per core, up to four,
	// for other codecs.
	Threads int
	// HardwareDecoder selects the video decoder: "" (or "none") decodes in
	// software; "auto" tries the codec's V4L2 memory-to-memory decoder
	// (h264_v4l2m2m…) first; any other value names an FFmpeg decoder to
	// try first. Whatever cannot open falls back to software; Stats says
	// which decoder runs.
	HardwareDecoder string
	// NoDeinterlace shows interlaced pictures as coded (woven fields)
	// instead of deinterlacing them with yadif.
	NoDeinterlace bool
	// StartAt starts a VOD presentation or a file there instead of at
	// its beginning, as a Seek before the first frame.
	StartAt time.Duration
	Logger  *slog.Logger
}

// Queue sizes between stages. Packets are small, so the packet queues hold
// seconds of stream to absorb the interleaving of a TS mux; decoded frames
// are large, so few are held.
const (
	videoPacketQueue = 256
	audioPacketQueue = 512
	frameQueue       = 4
)

// maxWarnings bounds the problems Stats keeps.
const maxWarnings = 16

// Player plays one stream. Create it with Open and end it with Close.
type Player struct {
	opts    Options
	log     *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	in      *input
	sink    audio.Sink
	ownSink bool
	master  *masterClock
	pool    *media.Pool
	started time.Time
	done    chan struct{}

	ctl       sync.Mutex // serialises Seek and SetSpeed
	closeOnce sync.Once
	audioPID  atomic.Uint32 // the audio stream SelectAudio chose; 0: by language
	// noDeint is set once the player has said that interlaced pictures
	// are shown as coded because deinterlacing is unavailable.
	noDeint atomic.Bool

	mu      sync.Mutex
	pl      *pipeline      // the pipeline running
	ended   bool           // playback is over: no more pipelines
	streams []media.Stream // of the main track, as last demuxed
	stats   Stats
	err     error
	posBase time.Duration // position at ptsBase
	ptsBase time.Duration
	// position of the last frame presented
	position time.Duration
	drift    float64 // moving average of the A/V offset, in ms
	rate     rateMeter
}

// Open starts playing locator (an HLS URL, an http .ts URL, or a local
// file: plain MPEG-TS, or any container FFmpeg reads, told by its content
// rather than its name). It returns an error at once when the
// source cannot be opened; errors found later (a stream that is not
// MPEG-TS, a codec that cannot be decoded) end playback and are reported
// by Err after Done is closed.
func Open(ctx context.Context, locator string, opts Options) (*Player, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	started := time.Now()
	pctx, cancel := context.WithCancel(ctx)
	in, err := openInput(pctx, locator, opts)
	if err != nil {
		cancel()
		return nil, err
	}
	p := &Player{
		opts:    opts,
		log:     opts.Logger,
		ctx:     pctx,
		cancel:  cancel,
		in:      in,
		sink:    opts.Audio,
		pool:    media.NewPool(frameQueue + 4),
		started: started,
		done:    make(chan struct{}),
	}
	p.rate.start = started
	p.stats.Speed = 1
	p.stats.Seekable = in.seekable
	p.stats.DurationMS = msec(in.duration)
	p.stats.AudioLang = in.lang
	for _, w := range in.warnings {
		p.warn(w)
	}
	if p.sink == nil {
		p.sink, p.ownSink = audio.Open(p.log), true
	}
	p.master = newMasterClock(p.sink)
	if in.main.hls != nil && !opts.Fast {
		// Adaptive switching weighs the buffer the player really has.
		in.main.hls.SetBufferLevel(p.bufferLevel)
	}
	seek := opts.StartAt > 0 && in.seekable
	pl, err := p.startPipeline(opts.StartAt, seek, 1)
	if err != nil {
		p.closeInput()
		cancel()
		return nil, err
	}
	p.mu.Lock()
	p.pl = pl
	p.mu.Unlock()
	go p.supervise(pl)
	return p, nil
}

// supervise closes Done when playback ends: when a pipeline ends that
// Seek or SetSpeed has not taken over.
func (p *Player) supervise(pl *pipeline) {
	defer close(p.done)
	for pl != nil {
		<-pl.done
		p.mu.Lock()
		handedOver := pl.handedOver
		if !handedOver {
			p.ended = true
		}
		p.mu.Unlock()
		if !handedOver {
			return
		}
		pl = <-pl.next
	}
}

// Done is closed when playback has ended: the stream is over, failed, or
// the player was closed.
func (p *Player) Done() <-chan struct{} { return p.done }

// Err returns why playback ended, or nil if the stream played to its end.
func (p *Player) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// SetPaused pauses or resumes playback.
func (p *Player) SetPaused(paused bool) {
	p.sink.SetPaused(paused)
	p.master.setPaused(paused)
	p.update(func(s *Stats) { s.Paused = paused })
}

// Tracks returns the elementary streams of the stream playing (of its
// program, for MPEG-TS), as far as the demuxer knows them yet; streams
// without Codec cannot be played. HLS audio renditions are not among them:
// AudioRenditions lists those.
func (p *Player) Tracks() []media.Stream {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]media.Stream(nil), p.streams...)
}

// SelectAudio switches to the audio stream with the given PID (one of
// Tracks) for the rest of playback; 0 goes back to choosing by
// Options.AudioLang. A seekable stream restarts where it is, so that the
// switch is heard at once; a live one switches at the packets the demuxer
// reads next.
func (p *Player) SelectAudio(pid uint16) error {
	if p.in.alt != nil {
		return errors.New("player: the audio is an HLS rendition: switch it with SelectRendition")
	}
	if pid != 0 && selected(p.Tracks(), pid) == nil {
		return fmt.Errorf("player: no playable audio stream with PID %d", pid)
	}
	if p.audioPID.Swap(uint32(pid)) == uint32(pid) || !p.in.seekable {
		return nil
	}
	p.mu.Lock()
	speed, pos := p.stats.Speed, p.position
	p.mu.Unlock()
	if speed != 1 {
		return nil // trick play is silent; speed 1 restarts with it
	}
	return p.restart(pos, 1)
}

// Close stops playback and waits for every stage to end. It may be called
// more than once.
func (p *Player) Close() error {
	p.closeOnce.Do(func() {
		p.cancel()
		p.closeInput()
		if p.ownSink {
			p.sink.Close()
		}
	})
	<-p.done
	p.mu.Lock()
	pl := p.pl
	p.mu.Unlock()
	for s := range pl.frames {
		s.f.Release()
	}
	return nil
}

func (p *Player) closeInput() { p.in.close() }

// fail records the first error that ends playback and stops every stage.
func (p *Player) fail(err error) {
	p.setErr(err)
	p.cancel()
}

// setErr records the first error that ends playback, which ends when the
// stages have run dry.
func (p *Player) setErr(err error) {
	p.mu.Lock()
	if p.err == nil && p.ctx.Err() == nil {
		p.err = err
	}
	p.mu.Unlock()
}

// warn records and logs a problem that playback survives.
func (p *Player) warn(msg string) {
	p.log.Warn(msg)
	p.update(func(s *Stats) {
		for _, w := range s.Warnings {
			if w == msg {
				return
			}
		}
		if len(s.Warnings) < maxWarnings {
			s.Warnings = append(s.Warnings, msg)
		}
	})
}

func (p *Player) update(f func(s *Stats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

// errEnded is returned by Seek and SetSpeed once playback is over.
var errEnded = errors.New("player: playback has ended")
