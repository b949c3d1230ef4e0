package screen

import (
	"fmt"
	"math"
	"time"

	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// Draw implements Screen.
func (p *Player) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := p.host.Lang()
	full := draw.Rect{W: w, H: h}
	if p.song != nil && p.frame == nil && p.state != PlayError {
		p.drawSong(c, now)
		return
	}
	c.FillRect(full, draw.Black)
	if p.frame != nil && p.state != PlayError {
		c.Video(full, p.frame)
	}
	switch p.state {
	case PlayOpening:
		draw.BoldText(c, margin*s, h/2, ellipsizeBold(c, p.heading(), 36*s, w-2*margin*s), 36*s, colText)
		c.Text(margin*s, h/2+48*s, i18n.T(lang, i18n.Opening), 24*s, colTextDim)
		spinner(c, now, margin*s+spinnerSize*s, h/2+110*s, s)
	case PlayError:
		if p.channel == nil {
			failurePanel(c, full, p.fail, lang, now)
			return
		}
		// A channel that fails keeps its banner, so the viewer knows which
		// it is and zaps on.
		failurePanel(c, draw.Rect{W: w, H: h - 260*s}, p.fail, lang, now)
		p.drawBanner(c, now, s)
		p.digits.draw(c, s)
		return
	}
	if p.channel != nil {
		if now.Before(p.bannerUntil) || p.state == PlayOpening {
			p.drawBanner(c, now, s)
		}
	} else if p.state != PlayOpening && p.osdVisible(now) {
		p.drawOSD(c, s)
	}
	if p.info && p.ctl != nil {
		p.drawInfo(c, s)
	}
	if p.menu != menuNone && p.ctl != nil {
		p.drawMenu(c, s)
	}
	p.digits.draw(c, s)
	if now.Before(p.toastUntil) {
		toast(c, p.toast, s)
	}
}

// heading is what the screen is playing: the title, or the channel.
func (p *Player) heading() string {
	lang := p.host.Lang()
	if p.channel != nil {
		return channelNumber(p.channel.Number) + "  " + p.channel.Name.In(lang)
	}
	return p.title.Name.In(lang)
}

// drawOSD draws the title and progress bar over the bottom of the video.
func (p *Player) drawOSD(c draw.Canvas, s float32) {
	w, h := c.Size()
	lang := p.host.Lang()
	panel := draw.Rect{X: 0, Y: h - 170*s, W: w, H: 170 * s}
	c.FillRect(panel, colPanel)
	draw.BoldText(c, margin*s, panel.Y+52*s, ellipsizeBold(c, p.title.Name.In(lang), 30*s, w-460*s), 30*s, colText)
	p.drawPlayState(c, w-margin*s, panel.Y+52*s, s)
	pos := p.Position()
	if !p.seekAt.IsZero() && p.clock.Sub(p.seekAt) < seekHold {
		pos = p.seekTo
	}
	total := p.total()
	bar := draw.Rect{X: margin * s, Y: panel.Y + 84*s, W: w - 2*margin*s, H: 10 * s}
	var frac float32
	if total > 0 {
		frac = float32(min(max(float64(pos)/float64(total), 0), 1))
	}
	progressBar(c, bar, frac, colAccent)
	if total > 0 {
		c.RoundRect(draw.Rect{X: bar.X + bar.W*frac - 9*s, Y: bar.Y - 4*s, W: 18 * s, H: 18 * s}, 9*s, colText)
	}
	c.Text(bar.X, bar.Bottom()+34*s, formatClock(pos), 22*s, colText)
	if total > 0 {
		rightText(c, bar.Right(), bar.Bottom()+34*s, "-"+formatClock(total-pos), 22*s, colText)
	}
	hint := ellipsize(c, i18n.T(lang, i18n.HintPlayer), 18*s, w-2*margin*s-260*s)
	hw, _, _ := c.MeasureText(hint, 18*s)
	c.Text((w-hw)/2, bar.Bottom()+34*s, hint, 18*s, colTextDim)
}

// drawPlayState draws the playback's state ending at x: paused, the end,
// or the fast-forward or rewind speed, with its icon.
func (p *Player) drawPlayState(c draw.Canvas, x, y float32, s float32) {
	lang := p.host.Lang()
	var label string
	icon := iconNone
	switch {
	case p.state == PlayEnded:
		label = i18n.T(lang, i18n.EndOfTitle)
	case p.state == PlayPaused:
		label, icon = i18n.T(lang, i18n.Paused), iconPause
	case p.speed > 1:
		label, icon = fmt.Sprintf("×%g", p.speed), iconForward
	case p.speed < 0:
		label, icon = fmt.Sprintf("×%g", math.Abs(p.speed)), iconRewind
	default:
		return
	}
	tw, _, _ := draw.MeasureBoldText(c, label, 26*s)
	draw.BoldText(c, x-tw, y, label, 26*s, colAccent)
	if icon != iconNone {
		drawIcon(c, icon, draw.Rect{X: x - tw - 46*s, Y: y - 24*s, W: 30 * s, H: 26 * s}, colAccent)
	}
}

// drawBanner draws the live channel's banner: number, name, logo, clock,
// and what it shows now and next.
func (p *Player) drawBanner(c draw.Canvas, now time.Time, s float32) {
	w, h := c.Size()
	lang := p.host.Lang()
	panel := draw.Rect{X: margin * s, Y: h - 276*s, W: w - 2*margin*s, H: 232 * s}
	c.RoundRect(panel, 16*s, colPanel)
	x := panel.X + 28*s
	if p.channel.LogoURL != "" {
		logo := draw.Rect{X: x, Y: panel.Y + 24*s, W: 128 * s, H: 72 * s}
		if img := p.host.Poster(p.channel.LogoURL); img != nil {
			c.Image(logo, img)
		} else {
			c.RoundRect(logo, 6*s, colRaised)
		}
		x = logo.Right() + 24*s
	}
	draw.BoldText(c, x, panel.Y+58*s, channelNumber(p.channel.Number), 36*s, colAccent)
	nw, _, _ := draw.MeasureBoldText(c, channelNumber(p.channel.Number), 36*s)
	draw.BoldText(c, x+nw+20*s, panel.Y+58*s, ellipsizeBold(c, p.channel.Name.In(lang), 30*s, panel.Right()-x-nw-160*s), 30*s, colText)
	rightText(c, panel.Right()-28*s, panel.Y+56*s, now.Format("15:04"), 26*s, colTextDim)
	badge(c, panel.Right()-28*s, panel.Y+72*s, i18n.T(lang, i18n.Live), s)
	drawNowNext(c, lang, p.now, p.next, now, panel.X+28*s, panel.Y+124*s, panel.W-56*s, s, 0)
	if p.info || p.state == PlayOpening {
		return
	}
	c.Text(panel.X+28*s, panel.Bottom()+28*s, ellipsize(c, i18n.T(lang, i18n.HintLivePlayer), 18*s, panel.W), 18*s, colTextDim)
}

// drawInfo shows the stream's technical facts for the viewer (and the
// technician on the phone with them).
func (p *Player) drawInfo(c draw.Canvas, s float32) {
	st := p.ctl.Status()
	lang := p.host.Lang()
	w, _ := c.Size()
	lines := [][2]string{
		{i18n.T(lang, i18n.InfoVideo), fmt.Sprintf("%dx%d %s", st.Width, st.Height, st.VideoCodec)},
		{i18n.T(lang, i18n.InfoAudio), st.AudioCodec + " " + st.AudioLang},
		{i18n.T(lang, i18n.InfoBitrate), fmt.Sprintf("%.0f kb/s", st.BitrateKbps)},
		{i18n.T(lang, i18n.InfoOutput), st.AudioOutput},
		{"", i18n.T(lang, i18n.InfoFrames, st.PresentedFrames, st.DroppedFrames, st.DecodeErrors)},
		{"", i18n.T(lang, i18n.InfoDrift, st.AVDriftMSMax)},
	}
	if st.PacketsLost > 0 || st.PacketsRecovered > 0 {
		lines = append(lines, [2]string{"", i18n.T(lang, i18n.InfoNetwork, st.PacketsLost, st.PacketsRecovered)})
	}
	box := draw.Rect{X: w - 600*s, Y: 40 * s, W: 540 * s, H: float32(len(lines))*32*s + 76*s}
	c.RoundRect(box, 12*s, colPanel)
	draw.BoldText(c, box.X+24*s, box.Y+44*s, i18n.T(lang, i18n.StreamInfo), 22*s, colAccent)
	for i, l := range lines {
		y := box.Y + 84*s + float32(i)*32*s
		x := box.X + 24*s
		if l[0] != "" {
			c.Text(x, y, l[0], 19*s, colTextDim)
			x += 150 * s
		}
		c.Text(x, y, ellipsize(c, l[1], 19*s, box.Right()-x-24*s), 19*s, colText)
	}
}

// drawMenu draws the open track menu at the right of the screen.
func (p *Player) drawMenu(c draw.Canvas, s float32) {
	lang := p.host.Lang()
	w, h := c.Size()
	entries := p.menuEntries()
	title := i18n.T(lang, i18n.AudioTrack)
	_, cur := p.ctl.AudioTracks()
	if p.menu == menuSubtitles {
		title = i18n.T(lang, i18n.Subtitles)
		_, cur = p.ctl.Subtitles()
		cur++
	}
	box := draw.Rect{X: w - 440*s, Y: 60 * s, W: 380 * s, H: h - 120*s}
	c.RoundRect(box, 14*s, colPanel)
	draw.BoldText(c, box.X+24*s, box.Y+48*s, title, 24*s, colAccent)
	for i, e := range entries {
		r := draw.Rect{X: box.X + 12*s, Y: box.Y + 72*s + float32(i)*52*s, W: box.W - 24*s, H: 46 * s}
		if r.Bottom() > box.Bottom()-40*s {
			break
		}
		fg := colText
		if i == p.menuPick {
			c.RoundRect(r, 8*s, colFocus)
			fg = colBackground
		}
		mark := "   "
		if i == cur {
			mark = "✓ "
		}
		c.Text(r.X+14*s, r.Y+31*s, ellipsize(c, mark+e, 20*s, r.W-28*s), 20*s, fg)
	}
	c.Text(box.X+24*s, box.Bottom()-18*s, ellipsize(c, i18n.T(lang, i18n.HintTracks), 16*s, box.W-48*s), 16*s, colTextDim)
}
