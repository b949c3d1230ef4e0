package screen

import (
	"sort"
	"strconv"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// DigitTimeout is how long after the last digit a channel number is taken
// as complete, as on every TV.
const DigitTimeout = 2 * time.Second

// maxDigits is the longest channel number.
const maxDigits = 4

// digitEntry collects the digits of a channel number.
type digitEntry struct {
	typed string
	at    time.Time
}

// add takes a digit key; it reports whether ev was one.
func (d *digitEntry) add(ev remote.Event, now time.Time) bool {
	n, ok := ev.Key.Digit()
	if !ok {
		return false
	}
	if firstPress(ev) {
		if len(d.typed) == maxDigits {
			d.typed = ""
		}
		d.typed += strconv.Itoa(n)
		d.at = now
	}
	return true
}

// done returns the number typed once DigitTimeout has passed since the
// last digit (or at once when OK ends it), and clears it.
func (d *digitEntry) done(now time.Time, ok bool) (int, bool) {
	if d.typed == "" || (!ok && now.Sub(d.at) < DigitTimeout) {
		return 0, false
	}
	n, err := strconv.Atoi(d.typed)
	d.typed = ""
	return n, err == nil && n > 0
}

// draw shows the digits typed so far at the top right, as TVs do.
func (d *digitEntry) draw(c draw.Canvas, s float32) {
	if d.typed == "" {
		return
	}
	w, _ := c.Size()
	text := d.typed
	for len(text) < maxDigits-1 {
		text += "–"
	}
	tw, _, _ := draw.MeasureBoldText(c, text, 56*s)
	r := draw.Rect{X: w - margin*s - tw - 48*s, Y: 40 * s, W: tw + 48*s, H: 84 * s}
	c.RoundRect(r, 12*s, colPanel)
	draw.BoldText(c, r.X+24*s, r.Y+62*s, text, 56*s, colAccent)
}

// Guide holds the programmes of the channels, by channel, in time order.
type guide map[string][]operator.Programme

// newGuide sorts programmes by channel and start, one of each channel
// and start: the first given is kept.
func newGuide(progs []operator.Programme) guide {
	type key struct {
		ch    string
		start int64
	}
	g, seen := guide{}, map[key]bool{}
	for _, p := range progs {
		k := key{p.ChannelID, p.Start.UnixNano()}
		if p.Stop.After(p.Start) && !seen[k] {
			seen[k] = true
			g[p.ChannelID] = append(g[p.ChannelID], p)
		}
	}
	for _, ps := range g {
		sort.Slice(ps, func(i, j int) bool { return ps[i].Start.Before(ps[j].Start) })
	}
	return g
}

// within returns the programmes that overlap [from, to), with no
// duplicates of one another.
func (g guide) within(from, to time.Time) []operator.Programme {
	var out []operator.Programme
	for _, ps := range g {
		for _, p := range ps {
			if p.Stop.After(from) && p.Start.Before(to) {
				out = append(out, p)
			}
		}
	}
	return out
}

// at returns the channel's programme at t, and the one after it.
func (g guide) at(channelID string, t time.Time) (now, next *operator.Programme) {
	ps := g[channelID]
	i := sort.Search(len(ps), func(i int) bool { return ps[i].Stop.After(t) })
	if i < len(ps) && !ps[i].Start.After(t) {
		now = &ps[i]
		i++
	}
	if i < len(ps) {
		next = &ps[i]
	}
	return now, next
}

// progressAt returns how far through p now is, from 0 to 1, as of the
// minute: the bar moves on with the clock, once a minute, so a screen
// that shows it need not be redrawn in between.
func progressAt(p operator.Programme, now time.Time) float32 {
	now = now.Truncate(time.Minute)
	total := p.Stop.Sub(p.Start)
	if total <= 0 {
		return 0
	}
	return float32(min(max(float64(now.Sub(p.Start))/float64(total), 0), 1))
}

// drawNowNext draws a channel's programme now, with its progress, and the
// next, from (x, y) in width; it returns the y below.
func drawNowNext(c draw.Canvas, lang string, now, next *operator.Programme, at time.Time, x, y, width, s float32, descLines int) float32 {
	if now == nil && next == nil {
		c.Text(x, y, i18n.T(lang, i18n.NoProgramme), 20*s, colTextDim)
		return y + 32*s
	}
	if now != nil {
		c.Text(x, y, i18n.T(lang, i18n.NowLabel)+"  "+now.Start.Format("15:04")+"–"+now.Stop.Format("15:04"), 18*s, colAccent)
		// As of the minute, as the progress bar: the text changes when
		// the clock's minute does, when the screen wakes, whatever
		// second the programme stops at.
		left := i18n.T(lang, i18n.MinutesLeft, max(0, int(now.Stop.Sub(at.Truncate(time.Minute)).Minutes()+0.5)))
		rightText(c, x+width, y, left, 18*s, colTextDim)
		y += 34 * s
		draw.BoldText(c, x, y, ellipsizeBold(c, now.Title.In(lang), 26*s, width), 26*s, colText)
		y += 18 * s
		progressBar(c, draw.Rect{X: x, Y: y, W: width, H: 6 * s}, progressAt(*now, at), colLive)
		y += 36 * s
		for _, l := range wrap(c, now.Description.In(lang), 19*s, width, descLines) {
			c.Text(x, y, l, 19*s, colTextDim)
			y += 28 * s
		}
	}
	if next != nil {
		y += 4 * s
		c.Text(x, y, ellipsize(c, i18n.T(lang, i18n.NextLabel)+"  "+next.Start.Format("15:04")+"  "+next.Title.In(lang), 20*s, width), 20*s, colText)
		y += 32 * s
	}
	return y
}

// channelByNumber finds the channel dialled.
func channelByNumber(chs []operator.Channel, n int) (int, bool) {
	for i, ch := range chs {
		if ch.Number == n {
			return i, true
		}
	}
	return 0, false
}
