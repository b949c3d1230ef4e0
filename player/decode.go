package player

import (
	"fmt"
	"time"

	"github.com/manbang/manbang/player/avcodec"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/player/mp3"
)

// audioDecoder is what the audio loop needs of a decoder: go-mp3 for MP3,
// libavcodec for the rest.
type audioDecoder interface {
	Decode(p *media.Packet) ([]*media.AudioFrame, error)
	Close() error
}

func newAudioDecoder(codec string) (audioDecoder, error) {
	if codec == media.CodecMP3 {
		return mp3.NewDecoder(), nil
	}
	return avcodec.NewAudioDecoder(codec)
}

// videoLoop decodes video packets into frames for the presenter.
func (p *Player) videoLoop() {
	defer p.wg.Done()
	defer close(p.frames)
	var dec *avcodec.VideoDecoder
	defer func() {
		if dec != nil {
			dec.Close()
		}
	}()
	send := func(frames []*media.VideoFrame) bool {
		for i, f := range frames {
			p.update(func(s *Stats) {
				s.VideoFrames++
				s.Width, s.Height, s.Interlaced = f.Width, f.Height, s.Interlaced || f.Interlaced
			})
			select {
			case p.frames <- f:
			case <-p.ctx.Done():
				for _, g := range frames[i:] {
					g.Release()
				}
				return false
			}
		}
		return true
	}
	for pkt := range p.videoPkts {
		if dec == nil {
			var err error
			dec, err = avcodec.NewVideoDecoder(pkt.Stream.Codec, avcodec.VideoOptions{Threads: p.opts.Threads, Pool: p.pool})
			if err != nil {
				p.fail(fmt.Errorf("video: %w", err))
				return
			}
			p.update(func(s *Stats) { s.VideoCodec = dec.Name() })
		}
		frames, err := dec.Decode(pkt)
		if err != nil {
			p.update(func(s *Stats) { s.DecodeErrors++ })
			p.log.Debug("video decode error", "err", err)
		}
		if !send(frames) {
			return
		}
	}
	if dec != nil && p.ctx.Err() == nil {
		frames, _ := dec.Flush()
		send(frames)
	}
}

// audioLoop decodes audio packets and writes them to the sink, whose
// position becomes the master clock.
func (p *Player) audioLoop() {
	defer p.wg.Done()
	defer p.master.audioEnded()
	var dec audioDecoder
	defer func() {
		if dec != nil {
			dec.Close()
		}
	}()
	for pkt := range p.audioPkts {
		if dec == nil {
			var err error
			if dec, err = newAudioDecoder(pkt.Stream.Codec); err != nil {
				// Video without sound is still worth watching.
				p.log.Warn("audio track cannot be decoded; playing without sound", "codec", pkt.Stream.Codec, "err", err)
				p.update(func(s *Stats) { s.DecodeErrors++ })
				for range p.audioPkts {
				}
				return
			}
		}
		frames, err := dec.Decode(pkt)
		if err != nil {
			p.update(func(s *Stats) { s.DecodeErrors++ })
			p.log.Debug("audio decode error", "err", err)
		}
		for _, f := range frames {
			if p.opts.Fast {
				p.update(func(s *Stats) { s.AudioMS += msec(f.Duration()) })
				continue
			}
			if err := p.sink.Write(p.ctx, f); err != nil {
				return
			}
			p.master.audioStarted()
			p.update(func(s *Stats) { s.AudioMS += msec(f.Duration()) })
		}
	}
}

func msec(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
