package screen

import (
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// Detail is a title's page: its poster and facts, and buttons to play it,
// resume it where the viewer stopped, and mark it a favourite.
type Detail struct {
	host  DetailHost
	title operator.Title
	focus int
}

// The buttons of the title page.
const (
	btnResume    = "resume"
	btnPlay      = "play"
	btnFromStart = "play_from_start"
	btnFavourite = "favourite"
)

// NewDetail returns the page of t.
func NewDetail(host DetailHost, t operator.Title) *Detail { return &Detail{host: host, title: t} }

// Name implements Screen.
func (d *Detail) Name() string { return "detail" }

// resume returns where the viewer stopped in the title, if anywhere.
func (d *Detail) resume() (time.Duration, bool) {
	pos, ok := d.host.State().ResumeAt(d.title.ID)
	return pos, ok && pos > 0
}

func (d *Detail) buttons() []string {
	if _, ok := d.resume(); ok {
		return []string{btnResume, btnFromStart, btnFavourite}
	}
	return []string{btnPlay, btnFavourite}
}

// Handle implements Screen.
func (d *Detail) Handle(ev remote.Event) bool {
	if !pressed(ev) {
		return isNavKey(ev.Key) || ev.Key == remote.KeyBack
	}
	btns := d.buttons()
	d.focus = min(d.focus, len(btns)-1)
	switch ev.Key {
	case remote.KeyLeft:
		d.focus = max(d.focus-1, 0)
	case remote.KeyRight:
		d.focus = min(d.focus+1, len(btns)-1)
	case remote.KeyUp, remote.KeyDown:
	case remote.KeyBack:
		if firstPress(ev) {
			d.host.Back()
		}
	case remote.KeyOK:
		if firstPress(ev) {
			d.press(btns[d.focus])
		}
	case remote.KeyPlayPause:
		if firstPress(ev) {
			d.press(btns[0])
		}
	default:
		return false
	}
	return true
}

func (d *Detail) press(btn string) {
	switch btn {
	case btnResume:
		pos, _ := d.resume()
		d.host.Play(d.title, pos)
	case btnPlay, btnFromStart:
		d.host.Play(d.title, 0)
	case btnFavourite:
		d.host.SetFavourite(d.title, !d.host.State().IsFavourite(d.title.ID))
	}
}

// Update implements Screen.
func (d *Detail) Update(time.Time) {}

// DetailState is the title page's report to the control endpoint.
type DetailState struct {
	Screen    string   `json:"screen"`
	TitleID   string   `json:"title_id"`
	Title     string   `json:"title"`
	Buttons   []string `json:"buttons"`
	Focus     string   `json:"focus"`
	Favourite bool     `json:"favourite"`
	ResumeSec float64  `json:"resume_sec,omitempty"`
}

// State implements Screen.
func (d *Detail) State() any {
	btns := d.buttons()
	pos, _ := d.resume()
	return DetailState{
		Screen: d.Name(), TitleID: d.title.ID, Title: d.title.Name.In(d.host.Lang()),
		Buttons: btns, Focus: btns[min(d.focus, len(btns)-1)],
		Favourite: d.host.State().IsFavourite(d.title.ID), ResumeSec: pos.Seconds(),
	}
}

// Draw implements Screen.
func (d *Detail) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, _ := c.Size()
	lang := d.host.Lang()
	t := d.title
	background(c, i18n.T(lang, i18n.AppName), now)
	poster := draw.Rect{X: margin * s, Y: 110 * s, W: 448 * s, H: 252 * s}
	var img *draw.Image
	if t.PosterURL != "" {
		img = d.host.Poster(t.PosterURL)
	}
	picture(c, poster, img, tileColours[0], t.Name.In(lang), s)
	pos, resumed := d.resume()
	if resumed && t.DurationSec > 0 {
		frac := float32(pos.Seconds() / float64(t.DurationSec))
		progressBar(c, draw.Rect{X: poster.X, Y: poster.Bottom() + 14*s, W: poster.W, H: 8 * s}, frac, colAccent)
	}
	x := poster.Right() + 48*s
	tw := w - x - margin*s
	y := 140 * s
	for _, l := range wrapBold(c, t.Name.In(lang), 34*s, tw, 2) {
		draw.BoldText(c, x, y, l, 34*s, colText)
		y += 44 * s
	}
	c.Text(x, y, ellipsize(c, facts(lang, t), 20*s, tw), 20*s, colAccent)
	y += 34 * s
	if t.Season > 0 && t.Episode > 0 {
		c.Text(x, y, i18n.T(lang, i18n.EpisodeOf, t.Season, t.Episode), 20*s, colTextDim)
		y += 34 * s
	}
	y += 8 * s
	for _, l := range wrap(c, t.Description.In(lang), 21*s, tw, 7) {
		c.Text(x, y, l, 21*s, colText)
		y += 31 * s
	}
	btns := d.buttons()
	bx := margin * s
	for i, b := range btns {
		bx += button(c, bx, 470*s, d.label(b, pos), i == min(d.focus, len(btns)-1)) + 20*s
	}
	hints(c, i18n.T(lang, i18n.HintDetail))
}

func (d *Detail) label(btn string, pos time.Duration) string {
	lang := d.host.Lang()
	switch btn {
	case btnResume:
		return "▶ " + i18n.T(lang, i18n.ResumeFrom, formatClock(pos))
	case btnPlay:
		return "▶ " + i18n.T(lang, i18n.Play)
	case btnFromStart:
		return i18n.T(lang, i18n.PlayFromStart)
	}
	if d.host.State().IsFavourite(d.title.ID) {
		return "★ " + i18n.T(lang, i18n.RemoveFavourite)
	}
	return "☆ " + i18n.T(lang, i18n.AddFavourite)
}
