package screen

import (
	"strconv"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// Layout of Home on the 1280x720 design grid.
const (
	homeTopRows  = 250 // where the first row's label sits
	tileW        = 232
	tileH        = 130
	tileGap      = 24
	rowH         = 215
	rowLabelSize = 24
	tileTextSize = 19
)

// Draw implements Screen.
func (h *Home) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, ht := c.Size()
	lang := h.host.Lang()
	background(c, i18n.T(lang, i18n.AppName), now)
	h.drawNav(c, s)
	area := draw.Rect{Y: 90 * s, W: w, H: ht - 120*s}
	switch h.status {
	case HomeLoading:
		loading(c, area, i18n.T(lang, i18n.LoadingCatalog), now)
		hints(c, i18n.T(lang, i18n.HintHome))
		h.drawNotice(c, now, s)
		return
	case HomeError:
		failurePanel(c, area, h.fail, lang, now)
		h.drawNotice(c, now, s)
		return
	}
	if len(h.rows) == 0 {
		centreText(c, area, ht/2, i18n.T(lang, i18n.CatalogEmpty), 30*s, colText)
		hints(c, i18n.T(lang, i18n.HintHome))
		h.drawNotice(c, now, s)
		return
	}
	h.drawDetails(c, s)
	top := homeTopRows * s
	c.PushClip(draw.Rect{Y: top - 34*s, W: w, H: ht - top - 22*s})
	sy := h.scrollY.value()
	for ri := range h.rows {
		y := top + (float32(ri)-sy)*rowH*s
		if y < top-rowH*s || y > ht-60*s { // a row whose label would meet the key hints
			continue
		}
		h.drawRow(c, ri, y, now, s)
	}
	c.PopClip()
	switch {
	case now.Before(h.noticeUntil):
		h.drawNotice(c, now, s)
	case h.fail.Detail != "":
		msg := i18n.T(lang, i18n.ServerDown) + " · " + i18n.T(lang, i18n.RetryIn, secondsUntil(now, h.fail.RetryAt))
		c.RoundRect(draw.Rect{X: w - 560*s, Y: 80 * s, W: 500 * s, H: 40 * s}, 8*s, colPanel)
		c.Text(w-545*s, 107*s, ellipsize(c, msg, 18*s, 470*s), 18*s, colError)
	case h.stale:
		// Quieter than a failure: the rows are usable, only not fresh.
		msg := ellipsize(c, i18n.T(lang, i18n.CatalogUpdating), 18*s, 470*s)
		tw, _, _ := c.MeasureText(msg, 18*s)
		c.RoundRect(draw.Rect{X: w - 90*s - tw, Y: 80 * s, W: tw + 30*s, H: 40 * s}, 8*s, colPanel)
		c.Text(w-75*s-tw, 107*s, msg, 18*s, colTextDim)
	}
	hints(c, i18n.T(lang, i18n.HintHome))
}

// drawNotice draws Home's notice while it shows: a medium came or went.
func (h *Home) drawNotice(c draw.Canvas, now time.Time, s float32) {
	if now.Before(h.noticeUntil) {
		w, _ := c.Size()
		toast(c, ellipsize(c, h.notice, 22*s, w-200*s), s)
	}
}

// drawNav draws the top bar's entries after the app's name.
func (h *Home) drawNav(c draw.Canvas, s float32) {
	lang := h.host.Lang()
	nw, _, _ := draw.MeasureBoldText(c, i18n.T(lang, i18n.AppName), headerSize*s)
	x := margin*s + nw + 40*s
	for i, key := range navItems {
		label := i18n.T(lang, key)
		tw, asc, desc := c.MeasureText(label, 20*s)
		r := draw.Rect{X: x, Y: 26 * s, W: tw + 36*s, H: 42 * s}
		fg := colTextDim
		if h.row < 0 && h.nav == i {
			c.RoundRect(r, 21*s, colFocus)
			fg = colBackground
		} else {
			c.RoundRect(r, 21*s, colRaised.Fade(0.6))
		}
		c.Text(r.X+18*s, r.Y+r.H/2+(asc-desc)/2, label, 20*s, fg)
		x = r.Right() + 12*s
	}
}

func (h *Home) drawRow(c draw.Canvas, ri int, y float32, now time.Time, s float32) {
	lang := h.host.Lang()
	r := h.rows[ri]
	w, _ := c.Size()
	labelCol := colTextDim
	if ri == h.row {
		labelCol = colText
	}
	draw.BoldText(c, margin*s, y, r.label(lang), rowLabelSize*s, labelCol)
	if ri == h.row {
		// The ring glides to the focused tile's place while rows and tiles
		// scroll under it.
		ring := draw.Rect{X: (margin + h.ringX.value()) * s, Y: (homeTopRows + h.ringY.value() + 16) * s, W: tileW * s, H: tileH * s}
		focusRing(c, ring, 10*s, s)
	}
	sx := h.scrollX[ri].value()
	pitch := (tileW + tileGap) * s
	for ci := max(0, int(sx)-1); ci < h.tiles(ri); ci++ {
		x := margin*s + (float32(ci)-sx)*pitch
		if x > w {
			break
		}
		if x+tileW*s < 0 {
			continue
		}
		focused := ri == h.row && ci == h.col[ri]
		tile := draw.Rect{X: x, Y: y + 16*s, W: tileW * s, H: tileH * s}
		if ci == len(r.Items) {
			h.drawSeeAll(c, r, tile, s)
			continue
		}
		h.drawTile(c, r.Items[ci], tile, ri, focused, now, s)
	}
}

func (h *Home) drawTile(c draw.Canvas, it Item, r draw.Rect, ri int, focused bool, now time.Time, s float32) {
	lang := h.host.Lang()
	col := colTextDim
	if focused {
		col = colText
	}
	if it.Medium != nil {
		c.RoundRect(r, 10*s, colRaised)
		drawStick(c, draw.Rect{X: r.X + r.W/2 - 18*s, Y: r.Y + 22*s, W: 36 * s, H: 52 * s}, colAccent)
		if it.Medium.Size > 0 {
			centreText(c, r, r.Bottom()-22*s, formatSize(lang, it.Medium.Size), 18*s, colTextDim)
		}
		c.Text(r.X, r.Bottom()+28*s, ellipsize(c, it.Medium.Label, tileTextSize*s, r.W), tileTextSize*s, col)
		return
	}
	if it.Channel != nil {
		c.RoundRect(r, 10*s, colRaised)
		logo := logoRect(r, s)
		if img := h.poster(it.Channel.LogoURL); img != nil {
			c.Image(logo, img)
		} else {
			centreText(c, r, r.Y+r.H/2, it.Channel.Name.In(lang), 24*s, colText)
		}
		draw.BoldText(c, r.X+12*s, r.Y+28*s, channelNumber(it.Channel.Number), 20*s, colAccent)
		badge(c, r.Right()-12*s, r.Y+10*s, i18n.T(lang, i18n.Live), s)
		label := it.Channel.Name.In(lang)
		if it.Now != nil {
			label = it.Now.Title.In(lang)
			frac := progressAt(*it.Now, now)
			progressBar(c, draw.Rect{X: r.X + 12*s, Y: r.Bottom() - 16*s, W: r.W - 24*s, H: 6 * s}, frac, colLive)
		}
		c.Text(r.X, r.Bottom()+28*s, ellipsize(c, label, tileTextSize*s, r.W), tileTextSize*s, col)
		return
	}
	picture(c, r, h.poster(it.Title.PosterURL), tileColours[ri%len(tileColours)], it.Title.Name.In(lang), s)
	if it.Progress > 0 {
		progressBar(c, draw.Rect{X: r.X + 12*s, Y: r.Bottom() - 16*s, W: r.W - 24*s, H: 6 * s}, it.Progress, colAccent)
	}
	c.Text(r.X, r.Bottom()+28*s, ellipsize(c, it.Title.Name.In(lang), tileTextSize*s, r.W), tileTextSize*s, col)
}

func (h *Home) drawSeeAll(c draw.Canvas, row Row, r draw.Rect, s float32) {
	lang := h.host.Lang()
	c.RoundRect(r, 10*s, colRaised)
	centreText(c, r, r.Y+r.H/2, i18n.T(lang, i18n.SeeAll)+" ›", 24*s, colText)
	if row.Total > 0 {
		centreText(c, r, r.Y+r.H/2+34*s, i18n.T(lang, i18n.SeeAllCount, row.Total), 18*s, colTextDim)
	}
}

// logoRect is where a channel logo sits in a tile: centred, 16:9 within
// the tile's middle.
func logoRect(r draw.Rect, s float32) draw.Rect {
	lh := r.H * 0.46
	return draw.Rect{X: r.X + (r.W-lh*16/9)/2, Y: r.Y + (r.H-lh)/2, W: lh * 16 / 9, H: lh}
}

// badge draws a small red label ending at x.
func badge(c draw.Canvas, x, y float32, label string, s float32) {
	tw, _, _ := draw.MeasureBoldText(c, label, 14*s)
	r := draw.Rect{X: x - tw - 16*s, Y: y, W: tw + 16*s, H: 22 * s}
	c.RoundRect(r, 4*s, colLive)
	draw.BoldText(c, r.X+8*s, r.Y+16*s, label, 14*s, colText)
}

func (h *Home) poster(url string) *draw.Image {
	if url == "" {
		return nil
	}
	return h.host.Poster(url)
}

// drawDetails describes the focused tile above the rows.
func (h *Home) drawDetails(c draw.Canvas, s float32) {
	it, see := h.focusedItem()
	lang := h.host.Lang()
	w, _ := c.Size()
	tw := w - 2*margin*s
	switch {
	case h.row < 0:
		return
	case see:
		row := h.rows[h.row]
		draw.BoldText(c, margin*s, 130*s, ellipsizeBold(c, row.label(lang), 32*s, tw), 32*s, colText)
		if row.Total > 0 {
			c.Text(margin*s, 168*s, i18n.T(lang, i18n.SeeAllCount, row.Total), 20*s, colAccent)
		}
	case it.Medium != nil:
		m := it.Medium
		draw.BoldText(c, margin*s, 130*s, ellipsizeBold(c, m.Label, 32*s, tw), 32*s, colText)
		line := m.FSType
		if m.Size > 0 {
			line = formatSize(lang, m.Size) + "  ·  " + line
		}
		c.Text(margin*s, 168*s, line, 20*s, colAccent)
	case it.Channel != nil:
		name := channelNumber(it.Channel.Number) + "  " + it.Channel.Name.In(lang)
		draw.BoldText(c, margin*s, 130*s, ellipsizeBold(c, name, 32*s, tw), 32*s, colText)
		if it.Now == nil {
			c.Text(margin*s, 168*s, i18n.T(lang, i18n.NoProgramme), 20*s, colTextDim)
			return
		}
		c.Text(margin*s, 168*s, programmeLine(lang, *it.Now), 20*s, colAccent)
		c.Text(margin*s, 200*s, ellipsize(c, it.Now.Description.In(lang), 20*s, tw), 20*s, colTextDim)
	default:
		t := it.Title
		draw.BoldText(c, margin*s, 120*s, ellipsizeBold(c, t.Name.In(lang), 32*s, tw), 32*s, colText)
		line := facts(lang, t)
		if it.Progress > 0 {
			line += "  ·  " + i18n.T(lang, i18n.Watched, int(it.Progress*100+0.5))
		}
		c.Text(margin*s, 156*s, line, 20*s, colAccent)
		c.Text(margin*s, 190*s, ellipsize(c, t.Description.In(lang), 20*s, tw), 20*s, colTextDim)
	}
}

// programmeLine is a programme's time and title: "20:00–21:00  News".
func programmeLine(lang string, p operator.Programme) string {
	return p.Start.Format("15:04") + "–" + p.Stop.Format("15:04") + "  " + p.Title.In(lang)
}

// channelNumber formats a channel's number as the remote dials it.
func channelNumber(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}
