package screen

import (
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// Layout of the programme guide: channels down, time across.
const (
	epgTop      = 148 // the first channel row
	epgRowH     = 56
	epgRows     = 8
	epgChanW    = 220 // the channel column
	epgSpan     = 2 * time.Hour
	epgSlot     = 30 * time.Minute
	epgMaxDays  = 7 // how far the guide goes back and ahead
	epgStepless = 30 * time.Minute
)

// Guide is the programme guide: a grid of channels by time, a day at a
// time, moved through programme by programme.
type Guide struct {
	host     BrowseHost
	channels []operator.Channel
	loaded   bool
	fail     *Failure
	retried  time.Time
	progs    guide
	day      int       // 0 today, -1 yesterday...
	fetched  int       // the day progs are for; epgMaxDays+1 when none
	view     time.Time // the time at the left edge
	cursor   time.Time // the time the focus is at
	row      int
	scroll   anim
	now      time.Time
}

// NewGuide returns the guide for today and fetches the channels.
func NewGuide(host BrowseHost) *Guide {
	g := &Guide{host: host, progs: guide{}, fetched: epgMaxDays + 1}
	now := host.Now()
	g.view = now.Truncate(epgSlot)
	g.cursor = now
	g.fetchChannels()
	return g
}

// Name implements Screen.
func (g *Guide) Name() string { return "guide" }

func (g *Guide) fetchChannels() {
	g.host.Channels(func(chs []operator.Channel, err error) {
		if err != nil {
			f := failureOf(err, g.host.Now())
			g.fail = &f
			return
		}
		g.fail, g.channels, g.loaded = nil, chs, true
		if i, ok := lastChannel(g.host, chs); ok {
			g.row = i
		}
		g.fetchDay()
	})
}

// dayStart returns midnight (local) of the day shown.
func (g *Guide) dayStart() time.Time {
	y, m, d := g.host.Now().Date()
	return time.Date(y, m, d+g.day, 0, 0, 0, 0, g.host.Now().Location())
}

func (g *Guide) fetchDay() {
	day := g.day
	from := g.dayStart()
	g.host.Guide(from, from.Add(24*time.Hour), func(ps []operator.Programme, err error) {
		if day != g.day {
			return
		}
		if err != nil {
			f := failureOf(err, g.host.Now())
			g.fail = &f
			return
		}
		if g.fetched == day-1 || g.fetched == day+1 {
			// The cursor crossed midnight: the programmes of the day it
			// came from stay beside the new day's, so the hours around
			// midnight in view are whole.
			start := g.dayStart()
			ps = append(ps, g.progs.within(start.Add(-epgSpan), start.Add(24*time.Hour+epgSpan))...)
		}
		g.fail, g.progs, g.fetched = nil, newGuide(ps), day
	})
}

// focused returns the focused channel and programme, if any.
func (g *Guide) focused() (*operator.Channel, *operator.Programme) {
	if g.row >= len(g.channels) {
		return nil, nil
	}
	ch := &g.channels[g.row]
	p, _ := g.progs.at(ch.ID, g.cursor)
	return ch, p
}

// Handle implements Screen.
func (g *Guide) Handle(ev remote.Event) bool {
	if !pressed(ev) {
		return isNavKey(ev.Key) || ev.Key == remote.KeyBack
	}
	ch, p := g.focused()
	switch ev.Key {
	case remote.KeyBack:
		if firstPress(ev) {
			g.host.Back()
		}
	case remote.KeyUp:
		g.row = max(g.row-1, 0)
	case remote.KeyDown:
		g.row = min(g.row+1, max(len(g.channels)-1, 0))
	case remote.KeyChannelUp:
		g.row = max(g.row-epgRows, 0)
	case remote.KeyChannelDown:
		g.row = min(g.row+epgRows, max(len(g.channels)-1, 0))
	case remote.KeyLeft:
		if p != nil {
			g.cursor = p.Start.Add(-time.Minute)
		} else {
			g.cursor = g.cursor.Add(-epgStepless)
		}
	case remote.KeyRight:
		if p != nil {
			g.cursor = p.Stop
		} else {
			g.cursor = g.cursor.Add(epgStepless)
		}
	case remote.KeyFastForward, remote.KeyYellow:
		g.shiftDay(1)
	case remote.KeyRewind, remote.KeyBlue:
		g.shiftDay(-1)
	case remote.KeyOK, remote.KeyPlayPause:
		if !firstPress(ev) || ch == nil {
			return true
		}
		now := g.host.Now()
		switch {
		case p == nil || (!p.Start.After(now) && p.Stop.After(now)):
			g.host.PlayChannel(*ch)
		case !p.Stop.After(now) && ch.Catchup != nil:
			g.host.PlayProgramme(*ch, *p)
		}
	default:
		return false
	}
	g.keepInDay()
	return true
}

// shiftDay moves the guide a day on or back, keeping the time of day.
func (g *Guide) shiftDay(d int) {
	day := min(max(g.day+d, -epgMaxDays), epgMaxDays)
	if day == g.day {
		return
	}
	shift := time.Duration(day-g.day) * 24 * time.Hour
	g.day = day
	g.cursor = g.cursor.Add(shift)
	g.view = g.view.Add(shift)
	g.progs = guide{}
	g.fetchDay()
}

// keepInDay moves to the next or previous day when the cursor leaves the
// one shown, and scrolls the view so the cursor stays in it. The
// programmes shown stay until the new day's arrive: a programme running
// over midnight stays focused rather than the row going blank.
func (g *Guide) keepInDay() {
	start := g.dayStart()
	switch {
	case g.cursor.Before(start) && g.day > -epgMaxDays:
		g.day--
		g.fetchDay()
	case !g.cursor.Before(start.Add(24*time.Hour)) && g.day < epgMaxDays:
		g.day++
		g.fetchDay()
	}
	for g.cursor.Before(g.view) {
		g.view = g.view.Add(-epgSlot)
	}
	for !g.cursor.Before(g.view.Add(epgSpan - epgSlot)) {
		g.view = g.view.Add(epgSlot)
	}
}

// Update implements Screen.
func (g *Guide) Update(now time.Time) {
	g.now = now
	if g.fail != nil && !g.fail.RetryAt.IsZero() && !now.Before(g.fail.RetryAt) && g.retried != g.fail.RetryAt {
		g.retried = g.fail.RetryAt
		if g.loaded {
			g.fetchDay()
		} else {
			g.fetchChannels()
		}
	}
	g.scroll.target(float32(min(max(0, g.row-epgRows/2), max(0, len(g.channels)-epgRows))))
	g.scroll.update(now)
}

// GuideState is the guide's report to the control endpoint.
type GuideState struct {
	Screen     string `json:"screen"`
	Day        int    `json:"day"`
	Channels   int    `json:"channels"`
	Programmes int    `json:"programmes"`
	ChannelID  string `json:"channel_id,omitempty"`
	Programme  string `json:"programme,omitempty"`
	Start      string `json:"start,omitempty"`
	Error      string `json:"error,omitempty"`
}

// State implements Screen.
func (g *Guide) State() any {
	s := GuideState{Screen: g.Name(), Day: g.day, Channels: len(g.channels)}
	for _, ps := range g.progs {
		s.Programmes += len(ps)
	}
	if g.fail != nil {
		s.Error = g.fail.Detail
	}
	ch, p := g.focused()
	if ch != nil {
		s.ChannelID = ch.ID
	}
	if p != nil {
		s.Programme, s.Start = p.Title.In(g.host.Lang()), p.Start.Format(time.RFC3339)
	}
	return s
}

// Draw implements Screen.
func (g *Guide) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := g.host.Lang()
	background(c, i18n.T(lang, i18n.GuideTitle), now)
	area := draw.Rect{Y: 90 * s, W: w, H: h - 120*s}
	switch {
	case !g.loaded && g.fail != nil:
		failurePanel(c, area, *g.fail, lang, now)
		return
	case !g.loaded:
		loading(c, area, i18n.T(lang, i18n.LoadingGuide), now)
		return
	case len(g.channels) == 0:
		centreText(c, area, h/2, i18n.T(lang, i18n.NoLiveTV), 28*s, colText)
		hints(c, i18n.T(lang, i18n.HintError))
		return
	}
	tw, _, _ := draw.MeasureBoldText(c, i18n.T(lang, i18n.GuideTitle), headerSize*s)
	draw.BoldText(c, margin*s+tw+32*s, headerY*s, i18n.Day(lang, g.dayStart(), now), 24*s, colText)

	grid := draw.Rect{X: (margin + epgChanW) * s, Y: epgTop * s, W: w - (2*margin+epgChanW)*s, H: epgRows * epgRowH * s}
	perMin := grid.W / float32(epgSpan.Minutes())
	xOf := func(t time.Time) float32 { return grid.X + float32(t.Sub(g.view).Minutes())*perMin }
	// The time ruler.
	for t := g.view; t.Before(g.view.Add(epgSpan)); t = t.Add(epgSlot) {
		x := xOf(t)
		c.Text(x+6*s, grid.Y-14*s, t.Format("15:04"), 18*s, colTextDim)
		c.FillRect(draw.Rect{X: x, Y: grid.Y - 34*s, W: 1 * s, H: 26 * s}, colTextDim.Fade(0.5))
	}
	first := g.scroll.value()
	c.PushClip(draw.Rect{X: 0, Y: grid.Y, W: w, H: grid.H})
	for i, ch := range g.channels {
		y := grid.Y + (float32(i)-first)*epgRowH*s
		if y+epgRowH*s < grid.Y || y > grid.Bottom() {
			continue
		}
		g.drawRow(c, i, ch, y, grid, xOf, now, s)
	}
	c.PopClip()
	// The line at now moves on with the clock, once a minute.
	if x := xOf(now.Truncate(time.Minute)); x >= grid.X && x < grid.Right() {
		c.FillRect(draw.Rect{X: x - 1*s, Y: grid.Y - 8*s, W: 2 * s, H: grid.H + 8*s}, colLive)
	}
	g.drawFocused(c, grid, now, s)
	hints(c, i18n.T(lang, i18n.HintGuide))
}

func (g *Guide) drawRow(c draw.Canvas, i int, ch operator.Channel, y float32, grid draw.Rect, xOf func(time.Time) float32, now time.Time, s float32) {
	lang := g.host.Lang()
	rowH := (epgRowH - 6) * s
	name := draw.Rect{X: margin * s, Y: y, W: (epgChanW - 12) * s, H: rowH}
	c.RoundRect(name, 6*s, colPanelSolid)
	draw.BoldText(c, name.X+12*s, y+rowH/2+7*s, channelNumber(ch.Number), 20*s, colAccent)
	c.Text(name.X+64*s, y+rowH/2+7*s, ellipsize(c, ch.Name.In(lang), 19*s, name.W-76*s), 19*s, colText)
	_, focusedProg := g.focused()
	end := g.view.Add(epgSpan)
	ps := g.progs[ch.ID]
	if len(ps) == 0 {
		r := draw.Rect{X: grid.X, Y: y, W: grid.W, H: rowH}
		col := colRaised.Fade(0.5)
		if i == g.row {
			focusRing(c, r, 6*s, s)
			col = colRaised
		}
		c.RoundRect(r, 6*s, col)
		label := i18n.T(lang, i18n.NoProgramme)
		if g.fetched != g.day {
			label = i18n.T(lang, i18n.Loading)
		}
		c.Text(r.X+12*s, y+rowH/2+7*s, label, 18*s, colTextDim)
		return
	}
	for pi := range ps {
		p := &ps[pi]
		if !p.Stop.After(g.view) || !p.Start.Before(end) {
			continue
		}
		x0, x1 := max(xOf(p.Start), grid.X), min(xOf(p.Stop), grid.Right())
		r := draw.Rect{X: x0 + 2*s, Y: y, W: x1 - x0 - 4*s, H: rowH}
		focused := i == g.row && focusedProg == p
		bg, fg := colRaised, colText
		switch {
		case focused:
			bg, fg = colFocus, colBackground
		case !p.Start.After(now) && p.Stop.After(now):
			bg = draw.RGB(0x34465c)
		case !p.Stop.After(now):
			fg = colTextDim
		}
		c.RoundRect(r, 6*s, bg)
		if r.W > 24*s {
			c.PushClip(r)
			c.Text(r.X+10*s, y+rowH/2+7*s, ellipsize(c, p.Title.In(lang), 18*s, r.W-20*s), 18*s, fg)
			c.PopClip()
		}
	}
}

// drawFocused describes the focused programme under the grid.
func (g *Guide) drawFocused(c draw.Canvas, grid draw.Rect, now time.Time, s float32) {
	lang := g.host.Lang()
	ch, p := g.focused()
	if ch == nil || p == nil {
		return
	}
	y := grid.Bottom() + 36*s
	w, _ := c.Size()
	line := p.Start.Format("15:04") + "–" + p.Stop.Format("15:04") + "  " + p.Title.In(lang)
	if !p.Stop.After(now) && ch.Catchup != nil {
		line += "  ·  " + i18n.T(lang, i18n.Catchup)
	}
	draw.BoldText(c, margin*s, y, ellipsizeBold(c, line, 22*s, w-2*margin*s), 22*s, colText)
	c.Text(margin*s, y+30*s, ellipsize(c, p.Description.In(lang), 18*s, w-2*margin*s), 18*s, colTextDim)
}
