package screen

import (
	"fmt"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// PlayState is where a playback is.
type PlayState string

// Playback states.
const (
	PlayOpening PlayState = "opening"
	PlayPlaying PlayState = "playing"
	PlayPaused  PlayState = "paused"
	PlayError   PlayState = "error"
	PlayEnded   PlayState = "ended"
)

// osdShown is how long the on-screen display stays after a key press.
const osdShown = 4 * time.Second

// Control is what the Player screen asks of a playback.
type Control interface {
	SetPaused(p bool)
	Stats() player.Stats
}

// Player is the full-screen video with its on-screen display.
type Player struct {
	host     Host
	title    operator.Title
	state    PlayState
	err      string
	ctl      Control
	frame    *media.VideoFrame
	info     bool
	osdUntil time.Time
	now      func() time.Time
}

// NewPlayer returns the Player screen for t, opening.
func NewPlayer(host Host, t operator.Title, now func() time.Time) *Player {
	if now == nil {
		now = time.Now
	}
	return &Player{host: host, title: t, state: PlayOpening, now: now, osdUntil: now().Add(osdShown)}
}

// Name implements Screen.
func (p *Player) Name() string { return "player" }

// Title returns the title being played.
func (p *Player) Title() operator.Title { return p.title }

// SetControl attaches the started playback.
func (p *Player) SetControl(c Control) {
	p.ctl = c
	if p.state == PlayOpening {
		p.state = PlayPlaying
	}
}

// SetFrame sets the picture to show. The screen does not own the frame.
func (p *Player) SetFrame(f *media.VideoFrame) { p.frame = f }

// SetError shows that playback failed.
func (p *Player) SetError(err error) {
	p.state = PlayError
	p.err = err.Error()
}

// SetEnded marks the end of the title.
func (p *Player) SetEnded() { p.state = PlayEnded }

// Handle implements Screen.
func (p *Player) Handle(ev remote.Event) {
	if ev.Action == remote.Release {
		return
	}
	p.osdUntil = p.now().Add(osdShown)
	switch ev.Key {
	case remote.KeyBack, remote.KeyStop:
		if ev.Action == remote.Press {
			p.host.Back()
		}
	case remote.KeyOK, remote.KeyPlayPause:
		if ev.Action != remote.Press || p.ctl == nil {
			return
		}
		switch p.state {
		case PlayPlaying:
			p.state = PlayPaused
			p.ctl.SetPaused(true)
		case PlayPaused:
			p.state = PlayPlaying
			p.ctl.SetPaused(false)
		}
	case remote.KeyInfo:
		if ev.Action == remote.Press {
			p.info = !p.info
		}
	}
}

// PlayerState is the Player screen's report to the control endpoint.
type PlayerState struct {
	Screen  string        `json:"screen"`
	TitleID string        `json:"title_id"`
	Title   string        `json:"title"`
	State   PlayState     `json:"state"`
	Error   string        `json:"error,omitempty"`
	Stats   *player.Stats `json:"stats,omitempty"`
	Info    bool          `json:"info"`
}

// State implements Screen.
func (p *Player) State() any {
	s := PlayerState{Screen: p.Name(), TitleID: p.title.ID, Title: p.title.Name.In(p.host.Lang()), State: p.state, Error: p.err, Info: p.info}
	if p.ctl != nil {
		st := p.ctl.Stats()
		s.Stats = &st
	}
	return s
}

// Draw implements Screen.
func (p *Player) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := p.host.Lang()
	full := draw.Rect{W: w, H: h}
	c.FillRect(full, draw.Black)
	if p.frame != nil {
		c.Video(full, p.frame)
	}
	switch p.state {
	case PlayOpening:
		draw.BoldText(c, homeMargin*s, h/2, p.title.Name.In(lang), 36*s, colText)
		c.Text(homeMargin*s, h/2+48*s, i18n.T(lang, i18n.Opening), 24*s, colTextDim)
		return
	case PlayError:
		box := draw.Rect{X: w/2 - 380*s, Y: h/2 - 110*s, W: 760 * s, H: 220 * s}
		c.RoundRect(box, 16*s, colPanel)
		centreText(c, box, box.Y+64*s, i18n.T(lang, i18n.StreamFailed), 30*s, colError)
		centreText(c, box, box.Y+112*s, ellipsize(c, p.err, 18*s, box.W-48*s), 18*s, colTextDim)
		centreText(c, box, box.Y+176*s, i18n.T(lang, i18n.HintError), 20*s, colAccent)
		return
	}
	if p.state == PlayPaused || p.state == PlayEnded || now.Before(p.osdUntil) {
		p.drawOSD(c, s)
	}
	if p.info && p.ctl != nil {
		p.drawInfo(c, s)
	}
}

// drawOSD draws the title and progress bar over the bottom of the video.
func (p *Player) drawOSD(c draw.Canvas, s float32) {
	w, h := c.Size()
	lang := p.host.Lang()
	panel := draw.Rect{X: 0, Y: h - 170*s, W: w, H: 170 * s}
	c.FillRect(panel, colPanel)
	draw.BoldText(c, homeMargin*s, panel.Y+52*s, ellipsize(c, p.title.Name.In(lang), 30*s, w-400*s), 30*s, colText)
	switch p.state {
	case PlayPaused:
		draw.BoldText(c, w-homeMargin*s-200*s, panel.Y+52*s, "❚❚ "+i18n.T(lang, i18n.Paused), 26*s, colAccent)
	case PlayEnded:
		draw.BoldText(c, w-homeMargin*s-200*s, panel.Y+52*s, i18n.T(lang, i18n.EndOfTitle), 26*s, colAccent)
	}
	var pos time.Duration
	if p.ctl != nil {
		pos = time.Duration(p.ctl.Stats().PositionMS * float64(time.Millisecond))
	}
	total := time.Duration(p.title.DurationSec) * time.Second
	bar := draw.Rect{X: homeMargin * s, Y: panel.Y + 84*s, W: w - 2*homeMargin*s, H: 10 * s}
	c.RoundRect(bar, 5*s, colTextDim.Fade(0.4))
	if total > 0 {
		done := bar
		done.W = bar.W * float32(min(max(float64(pos)/float64(total), 0), 1))
		c.RoundRect(done, 5*s, colAccent)
	}
	c.Text(bar.X, bar.Bottom()+34*s, formatClock(pos), 22*s, colText)
	if total > 0 {
		rest := "-" + formatClock(total-pos)
		rw, _, _ := c.MeasureText(rest, 22*s)
		c.Text(bar.Right()-rw, bar.Bottom()+34*s, rest, 22*s, colText)
	}
	hint := i18n.T(lang, i18n.HintPlayer)
	hw, _, _ := c.MeasureText(hint, 18*s)
	c.Text((w-hw)/2, bar.Bottom()+34*s, hint, 18*s, colTextDim)
}

// drawInfo shows the stream's technical facts for the viewer (and the
// technician on the phone with them).
func (p *Player) drawInfo(c draw.Canvas, s float32) {
	st := p.ctl.Stats()
	w, _ := c.Size()
	lines := []string{
		i18n.T(p.host.Lang(), i18n.StreamInfo),
		fmt.Sprintf("%dx%d  %s / %s", st.Width, st.Height, st.VideoCodec, st.AudioCodec),
		fmt.Sprintf("%.0f kb/s", st.BitrateKbps),
		fmt.Sprintf("frames %d  dropped %d  errors %d", st.PresentedFrames, st.DroppedFrames, st.DecodeErrors),
		fmt.Sprintf("audio: %s  A/V drift max %.0f ms", st.AudioOutput, st.AVDriftMSMax),
	}
	box := draw.Rect{X: w - 560*s, Y: 40 * s, W: 500 * s, H: float32(len(lines))*32*s + 28*s}
	c.RoundRect(box, 12*s, colPanel)
	for i, l := range lines {
		col := colText
		if i == 0 {
			col = colAccent
		}
		c.Text(box.X+24*s, box.Y+42*s+float32(i)*32*s, l, 20*s, col)
	}
}
