package screen

import (
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// guideBefore and guideAfter bound the programmes the channel list asks
// for around now.
const (
	guideBefore = 3 * time.Hour
	guideAfter  = 6 * time.Hour
)

// toastTime is how long a short message stays.
const toastTime = 2500 * time.Millisecond

// Live is the channel list: every channel with its logo and what it shows
// now and next. OK or a dialled number tunes to a channel.
type Live struct {
	host     BrowseHost
	channels []operator.Channel
	guide    guide
	loaded   bool
	fail     *Failure
	retried  time.Time
	focus    int
	scroll   anim
	digits   digitEntry
	toast    string
	toastEnd time.Time
	now      time.Time
}

// lastChannel returns where in chs is the channel the viewer watched last,
// where the channel list and the guide open.
func lastChannel(host Memory, chs []operator.Channel) (int, bool) {
	last := host.State().LastChannel
	for i, ch := range chs {
		if last != "" && ch.ID == last {
			return i, true
		}
	}
	return 0, false
}

// NewLive returns the channel list and fetches the channels.
func NewLive(host BrowseHost) *Live {
	l := &Live{host: host, guide: guide{}}
	l.fetch()
	return l
}

// Name implements Screen.
func (l *Live) Name() string { return "live" }

func (l *Live) fetch() {
	l.host.Channels(func(chs []operator.Channel, err error) {
		if err != nil {
			f := failureOf(err, l.host.Now())
			l.fail = &f
			return
		}
		l.fail, l.channels, l.loaded = nil, chs, true
		if i, ok := lastChannel(l.host, chs); ok {
			l.focus = i
		}
		l.focus = min(l.focus, max(len(chs)-1, 0))
		now := l.host.Now()
		l.host.Guide(now.Add(-guideBefore), now.Add(guideAfter), func(ps []operator.Programme, err error) {
			if err == nil {
				l.guide = newGuide(ps)
			}
		})
	})
}

// Handle implements Screen.
func (l *Live) Handle(ev remote.Event) bool {
	if l.digits.add(ev, l.host.Now()) {
		return true
	}
	if !pressed(ev) {
		return isNavKey(ev.Key) || ev.Key == remote.KeyBack
	}
	n := len(l.channels)
	switch ev.Key {
	case remote.KeyBack:
		if firstPress(ev) {
			l.host.Back()
		}
	case remote.KeyUp, remote.KeyChannelUp:
		l.focus = max(l.focus-1, 0)
	case remote.KeyDown, remote.KeyChannelDown:
		l.focus = min(l.focus+1, max(n-1, 0))
	case remote.KeyLeft, remote.KeyRight:
	case remote.KeyOK, remote.KeyPlayPause:
		if !firstPress(ev) {
			return true
		}
		if num, ok := l.digits.done(l.host.Now(), true); ok {
			l.tune(num)
			return true
		}
		if l.fail != nil && !l.loaded {
			l.fetch()
			return true
		}
		if l.focus < n {
			l.host.PlayChannel(l.channels[l.focus])
		}
	case remote.KeyGreen:
		if firstPress(ev) {
			l.host.Push(NewGuide(l.host))
		}
	default:
		return false
	}
	return true
}

// tune plays the channel with number num, or says there is none.
func (l *Live) tune(num int) {
	if i, ok := channelByNumber(l.channels, num); ok {
		l.focus = i
	}
	if !l.host.TuneNumber(num) {
		l.toast, l.toastEnd = i18n.T(l.host.Lang(), i18n.NoChannel, num), l.now.Add(toastTime)
	}
}

// Update implements Screen.
func (l *Live) Update(now time.Time) {
	l.now = now
	if num, ok := l.digits.done(now, false); ok {
		l.tune(num)
	}
	if l.fail != nil && !l.fail.RetryAt.IsZero() && !now.Before(l.fail.RetryAt) && l.retried != l.fail.RetryAt {
		l.retried = l.fail.RetryAt
		l.fetch()
	}
	l.scroll.target(float32(max(0, l.focus-4)))
	l.scroll.update(now)
}

// LiveState is the channel list's report to the control endpoint.
type LiveState struct {
	Screen    string `json:"screen"`
	Channels  int    `json:"channels"`
	Focus     int    `json:"focus"`
	ChannelID string `json:"channel_id,omitempty"`
	Number    int    `json:"number,omitempty"`
	Now       string `json:"now,omitempty"` // the focused channel's programme
	Digits    string `json:"digits,omitempty"`
	Error     string `json:"error,omitempty"`
	Message   string `json:"message,omitempty"`
}

// State implements Screen.
func (l *Live) State() any {
	s := LiveState{Screen: l.Name(), Channels: len(l.channels), Focus: l.focus, Digits: l.digits.typed}
	if l.fail != nil {
		s.Error = l.fail.Detail
	}
	if l.now.Before(l.toastEnd) {
		s.Message = l.toast
	}
	if l.focus < len(l.channels) {
		ch := l.channels[l.focus]
		s.ChannelID, s.Number = ch.ID, ch.Number
		if p, _ := l.guide.at(ch.ID, l.now); p != nil {
			s.Now = p.Title.In(l.host.Lang())
		}
	}
	return s
}

// Layout of the channel list.
const (
	liveRowH  = 62
	liveTop   = 96
	liveListW = 560
	liveShown = 9
)

// Draw implements Screen.
func (l *Live) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := l.host.Lang()
	background(c, i18n.T(lang, i18n.LiveTitle), now)
	area := draw.Rect{Y: 90 * s, W: w, H: h - 120*s}
	switch {
	case !l.loaded && l.fail != nil:
		failurePanel(c, area, *l.fail, lang, now)
		return
	case !l.loaded:
		loading(c, area, i18n.T(lang, i18n.LoadingChannels), now)
		return
	case len(l.channels) == 0:
		centreText(c, area, h/2, i18n.T(lang, i18n.NoLiveTV), 28*s, colText)
		hints(c, i18n.T(lang, i18n.HintError))
		return
	}
	list := draw.Rect{X: margin * s, Y: liveTop * s, W: liveListW * s, H: liveShown * liveRowH * s}
	c.PushClip(list)
	first := l.scroll.value()
	for i, ch := range l.channels {
		y := list.Y + (float32(i)-first)*liveRowH*s
		if y+liveRowH*s < list.Y || y > list.Bottom() {
			continue
		}
		r := draw.Rect{X: list.X, Y: y, W: list.W, H: (liveRowH - 6) * s}
		l.drawChannel(c, ch, r, i == l.focus, now, s)
	}
	c.PopClip()
	if l.focus < len(l.channels) {
		ch := l.channels[l.focus]
		pane := draw.Rect{X: list.Right() + 40*s, Y: liveTop * s, W: w - list.Right() - 40*s - margin*s, H: list.H}
		c.RoundRect(pane, 12*s, colPanelSolid)
		x, tw := pane.X+28*s, pane.W-56*s
		draw.BoldText(c, x, pane.Y+52*s, ellipsizeBold(c, channelNumber(ch.Number)+"  "+ch.Name.In(lang), 30*s, tw), 30*s, colText)
		p, next := l.guide.at(ch.ID, now)
		drawNowNext(c, lang, p, next, now, x, pane.Y+104*s, tw, s, 5)
	}
	l.digits.draw(c, s)
	if now.Before(l.toastEnd) {
		toast(c, l.toast, s)
	}
	hints(c, i18n.T(lang, i18n.HintLive))
}

func (l *Live) drawChannel(c draw.Canvas, ch operator.Channel, r draw.Rect, focused bool, now time.Time, s float32) {
	lang := l.host.Lang()
	fg, dim := colText, colTextDim
	if focused {
		c.RoundRect(r, 8*s, colFocus)
		fg, dim = colBackground, colRaised
	}
	draw.BoldText(c, r.X+16*s, r.Y+r.H/2+8*s, channelNumber(ch.Number), 22*s, colAccent)
	logo := draw.Rect{X: r.X + 78*s, Y: r.Y + 8*s, W: (r.H - 16*s) * 16 / 9, H: r.H - 16*s}
	if ch.LogoURL != "" {
		if img := l.host.Poster(ch.LogoURL); img != nil {
			c.Image(logo, img)
		} else {
			c.RoundRect(logo, 4*s, colRaised.Fade(0.6))
		}
	}
	x := logo.Right() + 16*s
	name := ch.Name.In(lang)
	c.Text(x, r.Y+26*s, ellipsize(c, name, 20*s, r.Right()-x-12*s), 20*s, fg)
	if p, _ := l.guide.at(ch.ID, now); p != nil {
		c.Text(x, r.Y+48*s, ellipsize(c, p.Title.In(lang), 16*s, r.Right()-x-12*s), 16*s, dim)
	}
}

// toast draws a short message at the top middle of the screen.
func toast(c draw.Canvas, msg string, s float32) {
	w, _ := c.Size()
	tw, _, _ := c.MeasureText(msg, 22*s)
	r := draw.Rect{X: (w - tw - 48*s) / 2, Y: 90 * s, W: tw + 48*s, H: 52 * s}
	c.RoundRect(r, 12*s, colPanel)
	c.Text(r.X+24*s, r.Y+34*s, msg, 22*s, colText)
}
