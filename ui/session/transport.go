package session

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/manbang/manbang/player"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/screen"
)

// The player's track choice, as the UI expects it once the player has it:
// until then the track menus say there is one audio track and no
// subtitles.
type (
	// trackLister lists the stream's elementary streams.
	trackLister interface {
		Tracks() []media.Stream
	}
	// audioSelecter plays the audio stream with the given PID.
	audioSelecter interface {
		SelectAudio(pid uint16) error
	}
	// subtitler lists the subtitle streams and shows one by PID (0 turns
	// them off).
	subtitler interface {
		SubtitleTracks() []media.Stream
		SelectSubtitles(pid uint16) error
	}
)

// transport is a *player.Player as the Player screen's Transport. The
// player's Seek and SetSpeed wait for the pipeline to restart, so they run
// on a goroutine of the control's own: the render loop never waits, and
// of requests made while one runs only the latest is carried out.
type transport struct {
	p   *player.Player
	log *slog.Logger

	mu      sync.Mutex
	pending func() error // the latest request not yet carried out
	wake    chan struct{}
}

var _ screen.Transport = (*transport)(nil)

// newTransport returns the control of p; its goroutine ends with ctx.
func newTransport(ctx context.Context, p *player.Player, log *slog.Logger, wg *sync.WaitGroup) *transport {
	c := &transport{p: p, log: log, wake: make(chan struct{}, 1)}
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.run(ctx)
	}()
	return c
}

func (c *transport) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
		c.mu.Lock()
		f := c.pending
		c.pending = nil
		c.mu.Unlock()
		if f == nil {
			continue
		}
		if err := f(); err != nil && ctx.Err() == nil {
			c.log.Warn("player control", "err", err)
		}
	}
}

// later queues f, replacing a request still waiting.
func (c *transport) later(f func() error) {
	c.mu.Lock()
	c.pending = f
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *transport) SetPaused(p bool) { c.p.SetPaused(p) }

// Status implements screen.Transport.
func (c *transport) Status() screen.Status { return statusOf(c.p.Stats()) }

// statusOf is the part of a player's statistics the Player screen shows.
func statusOf(st player.Stats) screen.Status {
	return screen.Status{
		PositionMS: st.PositionMS, DurationMS: st.DurationMS, Reconnecting: st.Reconnecting,
		Width: st.Width, Height: st.Height, VideoCodec: st.VideoCodec, AudioCodec: st.AudioCodec,
		AudioLang: st.AudioLang, AudioOutput: st.AudioOutput, BitrateKbps: st.BitrateKbps,
		PresentedFrames: st.PresentedFrames, DroppedFrames: st.DroppedFrames, DecodeErrors: st.DecodeErrors,
		AVDriftMSMax: st.AVDriftMSMax, PacketsLost: st.PacketsLost, PacketsRecovered: st.PacketsRecovered,
	}
}

// Seek implements screen.Transport.
func (c *transport) Seek(pos time.Duration) error {
	if err := c.p.SeekError(); err != nil {
		return err
	}
	c.later(func() error { return c.p.Seek(pos) })
	return nil
}

// SetSpeed implements screen.Transport with the nearest speed the player
// has.
func (c *transport) SetSpeed(speed float64) error {
	if err := c.p.SeekError(); err != nil {
		return err
	}
	n := nearestSpeed(speed)
	c.later(func() error { return c.p.SetSpeed(n) })
	return nil
}

// nearestSpeed returns the speed of player.Speeds closest to speed.
func nearestSpeed(speed float64) int {
	best := 1
	for _, s := range player.Speeds {
		if math.Abs(float64(s)-speed) < math.Abs(float64(best)-speed) {
			best = s
		}
	}
	return best
}

// streams returns the streams of kind, and the index among them of the
// one in use (by the player's statistics), or -1.
func (c *transport) streams(kind media.Kind, inUse string) ([]media.Stream, int) {
	l, ok := any(c.p).(trackLister)
	if !ok {
		return nil, -1
	}
	var out []media.Stream
	cur := -1
	for _, s := range l.Tracks() {
		if s.Kind != kind || s.Codec == "" {
			continue
		}
		if cur < 0 && inUse != "" && s.Language == inUse {
			cur = len(out)
		}
		out = append(out, s)
	}
	return out, cur
}

func tracks(ss []media.Stream) []screen.Track {
	out := make([]screen.Track, len(ss))
	for i, s := range ss {
		out[i] = screen.Track{Lang: s.Language, Label: s.Codec}
	}
	return out
}

// AudioTracks implements screen.Transport: an HLS title's audio renditions
// (its languages as separate playlists) when it has some, else the
// program's audio streams.
func (c *transport) AudioTracks() ([]screen.Track, int) {
	if rends, cur := c.p.AudioRenditions(); len(rends) > 0 {
		out := make([]screen.Track, len(rends))
		for i, r := range rends {
			out[i] = screen.Track{Lang: r.Language, Label: r.Name}
		}
		return out, max(cur, 0)
	}
	st := c.p.Stats()
	ss, cur := c.streams(media.KindAudio, st.AudioLang)
	if len(ss) == 0 {
		if st.AudioCodec == "" {
			return nil, -1
		}
		return []screen.Track{{Lang: st.AudioLang, Label: st.AudioCodec}}, 0
	}
	return tracks(ss), max(cur, 0)
}

// SetAudioTrack implements screen.Transport.
func (c *transport) SetAudioTrack(i int) error {
	if rends, _ := c.p.AudioRenditions(); len(rends) > 0 {
		if i < 0 || i >= len(rends) {
			return errUnsupported
		}
		c.later(func() error { return c.p.SelectRendition(i) })
		return nil
	}
	ss, _ := c.streams(media.KindAudio, "")
	sel, ok := any(c.p).(audioSelecter)
	if !ok || i < 0 || i >= len(ss) {
		return errUnsupported
	}
	pid := ss[i].PID
	c.later(func() error { return sel.SelectAudio(pid) })
	return nil
}

// Subtitles implements screen.Transport.
func (c *transport) Subtitles() ([]screen.Track, int) {
	sub, ok := any(c.p).(subtitler)
	if !ok {
		return nil, -1
	}
	return tracks(sub.SubtitleTracks()), -1
}

// SetSubtitles implements screen.Transport.
func (c *transport) SetSubtitles(i int) error {
	sub, ok := any(c.p).(subtitler)
	if !ok {
		return errUnsupported
	}
	ss := sub.SubtitleTracks()
	var pid uint16
	switch {
	case i >= len(ss):
		return errUnsupported
	case i >= 0:
		pid = ss[i].PID
	}
	c.later(func() error { return sub.SelectSubtitles(pid) })
	return nil
}

// errUnsupported is what the controls answer for what this player cannot
// do yet.
var errUnsupported = errors.New("player: not supported")
