package player

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/manbang/manbang/player/demux"
	"github.com/manbang/manbang/player/hls"
	"github.com/manbang/manbang/player/media"
)

// missingAfter is how much of one stream may go by while a stream the PMT
// announced carries nothing, before that one is reported missing and
// another is chosen in its place, if there is one.
const missingAfter = 3 * time.Second

// router is a feed's view of the streams: which it plays, and which have
// shown up at all.
type router struct {
	wantVideo, wantAudio bool
	lang                 string
	video, audio         *media.Stream
	chosen               bool
	pmts                 int // demuxer's PMT count when the choice was made
	seen                 map[uint16]bool
	span                 [2]struct{ first, last time.Duration } // video, audio PTS seen
	spanOK               [2]bool
	reported             map[uint16]bool
	ccErrors             int // continuity errors counted so far
}

// feed is a track's demuxer goroutine: it picks the streams to play and
// queues their packets for the decoders, closing the queues it owns when
// the track ends. With a seek anchor, it sets the pipeline's discard
// targets from the first timestamp it reads.
func (p *Player) feed(pl *pipeline, tr *track, a *anchor, ownVideo, ownAudio bool) {
	defer pl.wg.Done()
	if ownVideo {
		defer close(pl.videoPkts)
	}
	if ownAudio {
		defer close(pl.audioPkts)
	}
	dmx := tr.newDemuxer(pl.ctx)
	r := &router{wantVideo: ownVideo && tr.video, wantAudio: ownAudio && tr.audio, lang: p.opts.AudioLang,
		seen: map[uint16]bool{}, reported: map[uint16]bool{}}
	for {
		pkt, err := dmx.Next()
		if err != nil {
			p.feedEnded(pl, dmx, r, err)
			return
		}
		if tr.file != nil {
			tr.fileBytes.Add(int64(len(pkt.Data)))
		}
		if !r.chosen || r.streamsChanged(dmx) {
			if err := p.choose(pl, tr, dmx, r); err != nil {
				p.fail(err)
				return
			}
		}
		if r.wantAudio {
			r.followSelection(p, pl, tr, dmx)
		}
		r.note(pkt)
		p.checkMissing(r, dmx)
		var out chan *media.Packet
		switch {
		case r.video != nil && pkt.Stream.PID == r.video.PID:
			out = pl.videoPkts
		case r.audio != nil && pkt.Stream.PID == r.audio.PID:
			out = pl.audioPkts
		default:
			continue
		}
		// The seek target comes from the first timestamp of the video (a
		// segment starts with a keyframe), or of the audio without video.
		if a != nil && pkt.HasPTS && (out == pl.videoPkts || r.video == nil) {
			target := a.target(pkt.PTS)
			if ownVideo {
				pl.videoFrom.Store(int64(target))
			}
			if ownAudio {
				pl.audioFrom.Store(int64(target))
			}
			a = nil
		}
		select {
		case out <- pkt:
		case <-pl.ctx.Done():
			return
		}
		if pkt.HasPTS {
			if out == pl.videoPkts {
				pl.queuedVideo.Store(int64(pkt.PTS))
			} else {
				pl.queuedAudio.Store(int64(pkt.PTS))
			}
		}
		r.countContinuity(p, dmx)
	}
}

// countContinuity adds the continuity errors the demuxer has found since
// last time to the statistics, which sum those of every track and of every
// pipeline.
func (r *router) countContinuity(p *Player, dmx demuxer) {
	ts, ok := dmx.(*demux.TS)
	if !ok {
		return
	}
	if ce := ts.Stats().ContinuityErrors; ce != r.ccErrors {
		d := ce - r.ccErrors
		r.ccErrors = ce
		p.update(func(s *Stats) { s.ContinuityErrors += d })
	}
}

// feedEnded sorts out why a track ended. An error ends playback once what
// is queued has played: the last seconds before a source fails are
// still worth showing.
func (p *Player) feedEnded(pl *pipeline, dmx demuxer, r *router, err error) {
	r.countContinuity(p, dmx)
	switch {
	case pl.ctx.Err() != nil, errors.Is(err, hls.ErrInterrupted):
		// Replaced or closed.
	case errors.Is(err, io.EOF) && !r.chosen:
		p.setErr(errors.New("stream ended before any audio or video"))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
	default:
		p.setErr(err)
	}
}

// streamsChanged reports whether the demuxer has followed a new PMT since
// the streams were chosen.
func (r *router) streamsChanged(dmx demuxer) bool {
	ts, ok := dmx.(*demux.TS)
	return ok && ts.Stats().PMTVersions != r.pmts
}

// choose picks the streams the feed plays (again, after a PMT change) and
// tells the pipeline and the statistics.
func (p *Player) choose(pl *pipeline, tr *track, dmx demuxer, r *router) error {
	streams := dmx.Streams()
	if ts, ok := dmx.(*demux.TS); ok {
		r.pmts = ts.Stats().PMTVersions
	}
	video, audio := pickStreams(streams, r.lang)
	if sel := selected(streams, uint16(p.audioPID.Load())); sel != nil {
		audio = sel
	}
	if tr == p.in.main {
		p.mu.Lock()
		p.streams = streams
		p.mu.Unlock()
	}
	if !r.wantVideo {
		video = nil
	}
	if !r.wantAudio {
		audio = nil
	}
	if video == nil && audio == nil {
		if !r.chosen && (r.wantVideo && r.wantAudio || !hasKind(streams, media.KindVideo) && !hasKind(streams, media.KindAudio)) {
			return fmt.Errorf("no playable stream: %s", describeStreams(streams))
		}
		if !r.chosen {
			p.warn(fmt.Sprintf("no %s stream in %s", wantedKind(r), describeStreams(streams)))
		}
	}
	r.video, r.audio, r.chosen = video, audio, true
	if video == nil && r.wantVideo {
		pl.ready() // audio need not wait for pictures
	}
	r.span, r.spanOK = [2]struct{ first, last time.Duration }{}, [2]bool{}
	if video != nil {
		pl.videoParams.Store(tr.params(video.PID))
		pl.videoSAR.Store(tr.sampleAspect(video.PID))
		pl.hasVideo.Store(true)
	}
	if audio != nil {
		pl.audioParams.Store(tr.params(audio.PID))
		pl.hasAudio.Store(true)
	}
	p.update(func(s *Stats) {
		if video != nil && s.VideoCodec == "" {
			s.VideoCodec = video.Codec
		}
		if audio != nil {
			s.AudioCodec = audio.Codec
			if audio.Language != "" {
				s.AudioLang = audio.Language
			}
		}
	})
	return nil
}

// selected returns the audio stream SelectAudio chose, if it is among
// streams.
func selected(streams []media.Stream, pid uint16) *media.Stream {
	if pid == 0 {
		return nil
	}
	for i := range streams {
		if s := &streams[i]; s.PID == pid && s.Kind == media.KindAudio && s.Codec != "" {
			return s
		}
	}
	return nil
}

// followSelection switches the audio stream when SelectAudio asked for
// another one.
func (r *router) followSelection(p *Player, pl *pipeline, tr *track, dmx demuxer) {
	want := uint16(p.audioPID.Load())
	if want == 0 || r.audio != nil && r.audio.PID == want {
		return
	}
	sel := selected(dmx.Streams(), want)
	if sel == nil {
		return
	}
	r.audio = sel
	pl.audioParams.Store(tr.params(sel.PID))
	pl.hasAudio.Store(true)
	p.update(func(s *Stats) { s.AudioCodec, s.AudioLang = sel.Codec, sel.Language })
}

func wantedKind(r *router) string {
	if r.wantVideo {
		return "video"
	}
	return "audio"
}

func hasKind(streams []media.Stream, k media.Kind) bool {
	for _, s := range streams {
		if s.Kind == k && s.Codec != "" {
			return true
		}
	}
	return false
}

// note records that a packet of its stream has shown up, and how far each
// kind of the chosen streams has got.
func (r *router) note(pkt *media.Packet) {
	r.seen[pkt.Stream.PID] = true
	if !pkt.HasPTS {
		return
	}
	k := -1
	switch {
	case r.video != nil && pkt.Stream.PID == r.video.PID:
		k = 0
	case r.audio != nil && pkt.Stream.PID == r.audio.PID:
		k = 1
	}
	if k < 0 {
		return
	}
	if !r.spanOK[k] || pkt.Discontinuity {
		r.span[k].first, r.spanOK[k] = pkt.PTS, true
	}
	r.span[k].last = pkt.PTS
}

// checkMissing reports a chosen stream that carries nothing while the
// other has played for missingAfter (a PMT naming a stream that is not
// there), and switches to another stream of its kind that does carry
// data, if there is one. The rest plays on.
func (p *Player) checkMissing(r *router, dmx demuxer) {
	for k, st := range []*media.Stream{r.video, r.audio} {
		other := 1 - k
		if st == nil || r.seen[st.PID] || r.reported[st.PID] || !r.spanOK[other] ||
			r.span[other].last-r.span[other].first < missingAfter {
			continue
		}
		r.reported[st.PID] = true
		p.warn(fmt.Sprintf("PID %d (%s) is in the PMT but carries nothing", st.PID, st.Codec))
		var repl *media.Stream
		for _, s := range dmx.Streams() {
			if s.Kind == st.Kind && s.Codec != "" && r.seen[s.PID] {
				repl = &s
				break
			}
		}
		if k == 0 {
			r.video = repl
		} else {
			r.audio = repl
			if repl != nil {
				p.update(func(s *Stats) { s.AudioCodec, s.AudioLang = repl.Codec, repl.Language })
			}
		}
	}
}

// pickStreams chooses the first decodable video stream and the audio stream
// in lang (ISO 639-1 or -2), or the first decodable one.
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
			if audio == nil || (lang != "" && sameLanguage(s.Language, lang) && !sameLanguage(audio.Language, lang)) {
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
