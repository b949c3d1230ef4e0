// Package player turns a stream locator into frames on screen and sound in
// the speakers. It wires the stages — source (bytes), demux (packets),
// decoders (frames), audio sink and clock — with bounded queues, and decides
// timing in one place: the presenter shows each video frame when the master
// clock (the audio sink's position, or a wall clock without audio) reaches
// it, drops it when late, holds it when early. It makes no GL calls: frames
// go to a VideoSink that the UI (or the headless command) provides.
package player

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/demux"
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
	// AudioLang picks the audio track by ISO 639 language where the stream
	// has several; empty or absent means the first.
	AudioLang string
	// Threads for the video decoder; 0 lets the decoder choose.
	Threads int
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

// Player plays one stream. Create it with Open and end it with Close.
type Player struct {
	opts    Options
	log     *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	src     io.ReadCloser
	counter *countingReader
	sink    audio.Sink
	ownSink bool
	master  *masterClock
	pool    *media.Pool
	started time.Time

	videoPkts chan *media.Packet
	audioPkts chan *media.Packet
	frames    chan *media.VideoFrame

	wg   sync.WaitGroup
	done chan struct{}

	mu       sync.Mutex
	stats    Stats
	err      error
	firstPTS time.Duration // of the first frame presented
}

// Open starts playing locator (an HLS URL, an http .ts URL or a local file).
// It returns an error at once when the source cannot be opened; errors found
// later (a stream that is not MPEG-TS, a codec that cannot be decoded) end
// playback and are reported by Err after Done is closed.
func Open(ctx context.Context, locator string, opts Options) (*Player, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	started := time.Now()
	pctx, cancel := context.WithCancel(ctx)
	src, err := source.Open(pctx, locator, opts.Source)
	if err != nil {
		cancel()
		return nil, err
	}
	p := &Player{
		opts:      opts,
		log:       opts.Logger,
		ctx:       pctx,
		cancel:    cancel,
		src:       src,
		counter:   &countingReader{r: src},
		sink:      opts.Audio,
		pool:      media.NewPool(frameQueue + 4),
		started:   started,
		videoPkts: make(chan *media.Packet, videoPacketQueue),
		audioPkts: make(chan *media.Packet, audioPacketQueue),
		frames:    make(chan *media.VideoFrame, frameQueue),
		done:      make(chan struct{}),
	}
	if p.sink == nil {
		p.sink, p.ownSink = audio.Open(p.log), true
	}
	p.master = newMasterClock(p.sink)
	p.wg.Add(4)
	go p.demuxLoop()
	go p.videoLoop()
	go p.audioLoop()
	go p.presentLoop()
	go func() {
		p.wg.Wait()
		close(p.done)
	}()
	return p, nil
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
	p.mu.Lock()
	p.stats.Paused = paused
	p.mu.Unlock()
}

// Close stops playback and waits for every stage to end.
func (p *Player) Close() error {
	p.cancel()
	p.src.Close()
	if p.ownSink {
		p.sink.Close()
	}
	<-p.done
	for f := range p.frames {
		f.Release()
	}
	return nil
}

// fail records the first error that ends playback and stops every stage.
func (p *Player) fail(err error) {
	p.mu.Lock()
	if p.err == nil && p.ctx.Err() == nil {
		p.err = err
	}
	p.mu.Unlock()
	p.cancel()
}

func (p *Player) update(f func(s *Stats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

// demuxLoop reads the source, picks the streams to play and routes their
// packets to the decoders.
func (p *Player) demuxLoop() {
	defer p.wg.Done()
	defer close(p.videoPkts)
	defer close(p.audioPkts)
	dmx := demux.NewTS(p.ctx, p.counter)
	var video, audio *media.Stream
	chosen := false
	for {
		pkt, err := dmx.Next()
		if err != nil {
			p.update(func(s *Stats) { s.ContinuityErrors = dmx.Stats().ContinuityErrors })
			switch {
			case p.ctx.Err() != nil:
			case errors.Is(err, io.EOF) && !chosen:
				p.fail(errors.New("stream ended before any audio or video"))
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			default:
				p.fail(err)
			}
			return
		}
		if !chosen {
			video, audio = pickStreams(dmx.Streams(), p.opts.AudioLang)
			if video == nil && audio == nil {
				p.fail(fmt.Errorf("no playable stream: %s", describeStreams(dmx.Streams())))
				return
			}
			chosen = true
			p.update(func(s *Stats) {
				if video != nil {
					s.VideoCodec = video.Codec
				}
				if audio != nil {
					s.AudioCodec, s.AudioLang = audio.Codec, audio.Language
				}
			})
		}
		var out chan *media.Packet
		switch {
		case video != nil && pkt.Stream.PID == video.PID:
			out = p.videoPkts
		case audio != nil && pkt.Stream.PID == audio.PID:
			out = p.audioPkts
		default:
			continue
		}
		select {
		case out <- pkt:
		case <-p.ctx.Done():
			return
		}
		p.update(func(s *Stats) {
			s.ContinuityErrors = dmx.Stats().ContinuityErrors
			s.BytesRead = p.counter.n.Load()
		})
	}
}

// pickStreams chooses the first decodable video stream and the audio stream
// in lang, or the first decodable one.
func pickStreams(streams []media.Stream, lang string) (video, audio *media.Stream) {
	for i := range streams {
		s := &streams[i]
		if s.Codec == "" {
			continue
		}
		switch s.Kind {
		case media.KindVideo:
			if video == nil {
				video = s
			}
		case media.KindAudio:
			if audio == nil || (lang != "" && s.Language == lang && audio.Language != lang) {
				audio = s
			}
		}
	}
	return video, audio
}

func describeStreams(streams []media.Stream) string {
	if len(streams) == 0 {
		return "the program has no elementary streams"
	}
	d := ""
	for i, s := range streams {
		if i > 0 {
			d += ", "
		}
		codec := s.Codec
		if codec == "" {
			codec = "unsupported codec"
		}
		d += fmt.Sprintf("PID %d %s", s.PID, codec)
	}
	return d
}
