package player

import (
	"fmt"
	"runtime"
	"time"

	"github.com/manbang/manbang/player/avcodec"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/mp3"
)

// videoDecoder is what the video loop needs of a decoder. libavcodec's
// software decoders fill it, and so do its stand-alone hardware decoders
// (V4L2 memory-to-memory on set-top SoCs), chosen at run time.
type videoDecoder interface {
	Decode(p *media.Packet) ([]*media.VideoFrame, error)
	Flush() ([]*media.VideoFrame, error)
	Name() string
	Close() error
}

// audioDecoder is what the audio loop needs of a decoder: go-mp3 for MP3,
// libavcodec for the rest.
type audioDecoder interface {
	Decode(p *media.Packet) ([]*media.AudioFrame, error)
	// Flush returns what the decoder holds at the end of the stream.
	Flush() ([]*media.AudioFrame, error)
	Close() error
}

// hardwareDecoders name the V4L2 memory-to-memory decoders FFmpeg offers
// for each codec, tried first with Options.HardwareDecoder "auto".
var hardwareDecoders = map[string]string{
	media.CodecH264:       "h264_v4l2m2m",
	media.CodecHEVC:       "hevc_v4l2m2m",
	media.CodecMPEG2Video: "mpeg2_v4l2m2m",
}

// newVideoDecoder opens a decoder for codec: the hardware one the options
// ask for when it opens, the software one otherwise.
func (p *Player) newVideoDecoder(codec string, params *avcodec.CodecParams) (videoDecoder, error) {
	hw := p.opts.HardwareDecoder
	switch hw {
	case "", "none", "software":
		hw = ""
	case "auto":
		hw = hardwareDecoders[codec]
	}
	return avcodec.NewVideoDecoder(codec, avcodec.VideoOptions{
		Threads:      p.decoderThreads(codec),
		Pool:         p.pool,
		HardwareName: hw,
		Params:       params,
		Deinterlace:  !p.opts.NoDeinterlace,
	})
}

// decoderThreads returns the video decoder's threads for codec: as the
// options say; by default FFmpeg's choice (a thread per core and one
// more) when decoding as fast as possible; and when playing in real time,
// which needs a fraction of the throughput, one thread for H.264 (a core
// decodes 1080p H.264 several times faster than real time) and one per
// core, at most maxPlaybackThreads, for costlier codecs. Each frame
// thread holds pictures of its own: at 1080p a second thread costs about
// 16 MB of resident memory.
func (p *Player) decoderThreads(codec string) int {
	switch {
	case p.opts.Threads > 0, p.opts.Fast:
		return p.opts.Threads
	case codec == media.CodecH264:
		return 1
	}
	return min(runtime.NumCPU(), maxPlaybackThreads)
}

// maxPlaybackThreads bounds the default decoder threads of real-time
// playback.
const maxPlaybackThreads = 4

func newAudioDecoder(codec string, params *avcodec.CodecParams) (audioDecoder, error) {
	if codec == media.CodecMP3 {
		return mp3.NewDecoder(), nil
	}
	return avcodec.NewAudioDecoderWith(codec, avcodec.AudioOptions{Params: params})
}

// videoLoop decodes video packets into frames for the presenter. Frames
// before the pipeline's seek target are decoded (the pictures after them
// need them) but not shown. In trick play each keyframe is flushed out at
// once.
func (p *Player) videoLoop(pl *pipeline) {
	defer pl.wg.Done()
	defer close(pl.frames)
	defer pl.ready() // no more frames: audio need not wait
	var dec videoDecoder
	var codec string
	defer func() {
		if dec != nil {
			dec.Close()
		}
	}()
	var tl timelines
	var kw keyWait
	send := func(frames []*media.VideoFrame) bool {
		for i, f := range frames {
			if before(f.PTS, pl.videoFrom.Load()) {
				f.Release()
				continue
			}
			if f.Interlaced && !f.Deinterlaced && !p.opts.NoDeinterlace {
				p.deinterlaceUnavailable()
			}
			if sar := pl.videoSAR.Load(); f.AspectNum <= 0 && sar != 0 {
				f.AspectNum, f.AspectDen = int(sar>>32), int(sar&0xffffffff)
			}
			p.update(func(s *Stats) {
				s.VideoFrames++
				s.Width, s.Height = f.Width, f.Height
				s.Interlaced = s.Interlaced || f.Interlaced
				if f.Deinterlaced {
					s.DeinterlacedFrames++
				}
			})
			select {
			case pl.frames <- shown{f: f, newTimeline: tl.frame(f.PTS)}:
			case <-pl.ctx.Done():
				for _, g := range frames[i:] {
					g.Release()
				}
				return false
			}
		}
		return true
	}
	flush := func() bool {
		frames, err := dec.Flush()
		if err != nil {
			p.log.Debug("video flush", "err", err)
		}
		return send(frames)
	}
	for pkt := range pl.videoPkts {
		if dec != nil && pkt.Stream.Codec != codec {
			// A new PMT with another codec: what the old decoder holds
			// is shown, then a new one takes over.
			if !flush() {
				return
			}
			dec.Close()
			dec = nil
		}
		if dec == nil {
			var err error
			if dec, err = p.newVideoDecoder(pkt.Stream.Codec, pl.videoParams.Load()); err != nil {
				p.fail(fmt.Errorf("video: %w", err))
				return
			}
			codec = pkt.Stream.Codec
			kw = keyWait{keyed: !keyframeCodecs[codec]}
			p.update(func(s *Stats) { s.VideoCodec = dec.Name() })
		}
		if pkt.Discontinuity && pkt.HasPTS {
			tl.discontinuity(pkt.PTS)
		}
		if kw.skip(pkt) {
			continue
		}
		frames, err := dec.Decode(pkt)
		if err != nil {
			p.update(func(s *Stats) { s.DecodeErrors++ })
			p.log.Debug("video decode error", "err", err)
		}
		if !send(frames) {
			return
		}
		if pl.speed != 1 && !flush() {
			return
		}
	}
	if dec != nil && pl.ctx.Err() == nil {
		flush()
	}
}

// deinterlaceUnavailable says, once per player, that interlaced pictures
// are shown as coded because libavfilter could not be loaded.
func (p *Player) deinterlaceUnavailable() {
	err := avcodec.Deinterlacing()
	if err == nil || p.noDeint.Swap(true) {
		return
	}
	p.warn(fmt.Sprintf("interlaced video is shown as coded: %v", err))
}

// maxKeyWait bounds how much video keyWait drops while it waits for a
// keyframe: a stream whose keyframes are neither flagged nor recognised
// (an H.264 stream of recovery points without IDR pictures) is decoded
// from there on, and the decoder finds its own way in.
const maxKeyWait = 5 * time.Second

// keyframeCodecs are the video codecs whose keyframes the demuxers
// find even where the muxer does not flag them (demux.IsKeyframe): only
// these wait for one.
var keyframeCodecs = map[string]bool{media.CodecH264: true, media.CodecHEVC: true, media.CodecMPEG2Video: true}

// keyWait drops the video packets a decoder gets before its first
// keyframe: a live stream joined in the middle of a GOP (a channel change
// without fast channel change) starts with pictures that refer to
// pictures never received. Decoding them costs time and only gives
// errors; the keyframe that ends the wait is the first picture shown.
type keyWait struct {
	keyed   bool
	first   time.Duration // PTS of the first packet dropped
	dropped int
}

// skip reports whether pkt is to be dropped.
func (k *keyWait) skip(pkt *media.Packet) bool {
	if k.keyed {
		return false
	}
	if !pkt.Keyframe && (k.dropped == 0 || !pkt.HasPTS || absDur(pkt.PTS-k.first) < maxKeyWait) {
		if k.dropped == 0 && pkt.HasPTS {
			k.first = pkt.PTS
		}
		k.dropped++
		return true
	}
	k.keyed = true
	return false
}

// timelines finds the first decoded frame after a discontinuity. The
// decoder is not reset there (a timestamp jump in a continuous stream
// must not cost the reference pictures), so frames of the old timeline
// may still come out after the packet that began the new one: the first
// frame closer to the new timeline than to the last frame is the first
// of the new one.
type timelines struct {
	pending bool
	newPTS  time.Duration
	last    time.Duration
	any     bool
}

func (t *timelines) discontinuity(pts time.Duration) {
	t.pending, t.newPTS = true, pts
}

// frame reports whether the frame at pts begins a new timeline.
func (t *timelines) frame(pts time.Duration) bool {
	isNew := t.pending && (!t.any || absDur(pts-t.newPTS) < absDur(pts-t.last))
	if isNew {
		t.pending = false
	}
	t.last, t.any = pts, true
	return isNew
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// audioLoop decodes audio packets and writes them to the sink, whose
// position becomes the master clock (and, without pictures, the
// position). Audio before the pipeline's seek target is dropped. At the
// end of the stream it flushes the decoder and waits for the sink to play
// what it holds.
func (p *Player) audioLoop(pl *pipeline) {
	defer pl.wg.Done()
	defer p.master.audioEnded()
	var dec audioDecoder
	var stream media.Stream // the decoder's
	defer func() {
		if dec != nil {
			dec.Close()
		}
	}()
	failed, held := false, false
	// synced is set once audio has caught up with the first picture:
	// audio decoded before it (the rest of the GOP a live stream was
	// joined in) is dropped, so that sound starts with the picture.
	synced := false
	// positioned is set once a frame has anchored the position of a
	// pipeline without pictures; written and end say what the sink holds.
	positioned, written := false, false
	var end time.Duration
	// play sends decoded frames on to the sink, and reports false when
	// the pipeline ends meanwhile.
	play := func(frames []*media.AudioFrame) bool {
		for _, f := range frames {
			if before(f.PTS+f.Duration(), pl.audioFrom.Load()) {
				continue
			}
			if !p.opts.Fast {
				if !held {
					if !pl.waitReady() {
						return false
					}
					held = true
				}
				if !synced {
					if v := pl.firstVideo.Load(); v != noTarget {
						if f.PTS+f.Duration() <= time.Duration(v) {
							continue
						}
						synced = true
					}
				}
				if err := p.sink.Write(pl.ctx, f); err != nil {
					return false
				}
				p.master.audioStarted()
				written, end = true, f.PTS+f.Duration()
			}
			p.update(func(s *Stats) { s.AudioMS += msec(f.Duration()) })
			if pl.soundOnly() {
				p.audioPosition(pl, f, !positioned)
				positioned = true
			}
		}
		return true
	}
	for pkt := range pl.audioPkts {
		if (dec != nil || failed) && (pkt.Stream.Codec != stream.Codec || pkt.Stream.PID != stream.PID) {
			// Another track (SelectAudio, a new PMT): a decoder of its own.
			if dec != nil {
				dec.Close()
			}
			dec, failed = nil, false
		}
		if failed {
			continue
		}
		if dec == nil {
			var err error
			if dec, err = newAudioDecoder(pkt.Stream.Codec, pl.audioParams.Load()); err != nil {
				// Video without sound is still worth watching.
				p.warn(fmt.Sprintf("audio track (%s) cannot be decoded; playing without sound: %v", pkt.Stream.Codec, err))
				p.update(func(s *Stats) { s.DecodeErrors++ })
				failed, stream = true, pkt.Stream
				continue
			}
			stream = pkt.Stream
		}
		frames, err := dec.Decode(pkt)
		if err != nil {
			p.update(func(s *Stats) { s.DecodeErrors++ })
			p.log.Debug("audio decode error", "err", err)
		}
		if !play(frames) {
			return
		}
	}
	if pl.ctx.Err() != nil {
		return
	}
	if dec != nil {
		// Decoders with a delay (WMA, the MDCT codecs) hold the last frame
		// until told the stream is over.
		frames, err := dec.Flush()
		if err != nil {
			p.log.Debug("audio flush", "err", err)
		}
		if !play(frames) {
			return
		}
	}
	if written {
		p.drain(pl, end)
	}
}

func msec(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
