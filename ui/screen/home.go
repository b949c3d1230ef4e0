package screen

import (
	"fmt"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// HomeStatus says what Home can show.
type HomeStatus string

// Home statuses.
const (
	HomeLoading HomeStatus = "loading"
	HomeReady   HomeStatus = "ready"
	HomeError   HomeStatus = "error"
)

// Row is a shelf of titles on Home: one category of the archive.
type Row struct {
	Category operator.Category
	Titles   []operator.Title
}

// Home is the first screen: rows of titles by category, moved through with
// the arrows, OK to play.
type Home struct {
	host    Host
	status  HomeStatus
	rows    []Row
	row     int
	col     []int // focused column of each row, kept when moving between rows
	err     string
	retryAt time.Time
}

// NewHome returns Home in its loading state.
func NewHome(host Host) *Home { return &Home{host: host, status: HomeLoading} }

// Name implements Screen.
func (h *Home) Name() string { return "home" }

// SetLoading shows the loading state, keeping any rows already there.
func (h *Home) SetLoading() {
	if len(h.rows) == 0 {
		h.status = HomeLoading
	}
}

// SetRows shows the catalogue; empty rows are left out.
func (h *Home) SetRows(rows []Row) {
	focused := h.focused()
	h.rows = h.rows[:0]
	for _, r := range rows {
		if len(r.Titles) > 0 {
			h.rows = append(h.rows, r)
		}
	}
	h.col = make([]int, len(h.rows))
	h.row = 0
	h.status = HomeReady
	h.err = ""
	// Keep the focus on the same title across a reload.
	if focused != nil {
		for ri, r := range h.rows {
			for ci, t := range r.Titles {
				if t.ID == focused.ID {
					h.row, h.col[ri] = ri, ci
				}
			}
		}
	}
}

// SetError shows that the catalogue could not be had, and when the app
// will try again. Rows already shown stay; the error is a banner then.
func (h *Home) SetError(err error, retryAt time.Time) {
	h.err = err.Error()
	h.retryAt = retryAt
	if len(h.rows) == 0 {
		h.status = HomeError
	}
}

func (h *Home) focused() *operator.Title {
	if h.row >= len(h.rows) {
		return nil
	}
	r := h.rows[h.row]
	return &r.Titles[h.col[h.row]]
}

// Handle implements Screen.
func (h *Home) Handle(ev remote.Event) {
	if ev.Action == remote.Release {
		return
	}
	if h.status == HomeError {
		if ev.Key == remote.KeyOK {
			h.host.Reload()
		}
		return
	}
	if len(h.rows) == 0 {
		return
	}
	switch ev.Key {
	case remote.KeyUp:
		h.row = max(h.row-1, 0)
	case remote.KeyDown:
		h.row = min(h.row+1, len(h.rows)-1)
	case remote.KeyLeft:
		h.col[h.row] = max(h.col[h.row]-1, 0)
	case remote.KeyRight:
		h.col[h.row] = min(h.col[h.row]+1, len(h.rows[h.row].Titles)-1)
	case remote.KeyOK, remote.KeyPlayPause:
		if ev.Action == remote.Press {
			h.host.Play(*h.focused())
		}
	}
}

// HomeState is Home's report to the control endpoint.
type HomeState struct {
	Screen string     `json:"screen"`
	Status HomeStatus `json:"status"`
	Rows   int        `json:"rows"`
	Titles int        `json:"titles"`
	Error  string     `json:"error,omitempty"`
	Focus  *Focus     `json:"focus,omitempty"`
}

// Focus names the focused title.
type Focus struct {
	Row     int    `json:"row"`
	Col     int    `json:"col"`
	TitleID string `json:"title_id"`
	Title   string `json:"title"`
}

// State implements Screen.
func (h *Home) State() any {
	s := HomeState{Screen: h.Name(), Status: h.status, Rows: len(h.rows), Error: h.err}
	for _, r := range h.rows {
		s.Titles += len(r.Titles)
	}
	if t := h.focused(); t != nil {
		s.Focus = &Focus{Row: h.row, Col: h.col[h.row], TitleID: t.ID, Title: t.Name.In(h.host.Lang())}
	}
	return s
}

// Layout of Home on the 1280x720 design grid.
const (
	homeMargin   = 64
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
	c.FillRect(draw.Rect{W: w, H: ht}, colBackground)
	draw.BoldText(c, homeMargin*s, 58*s, i18n.T(lang, i18n.AppName), 34*s, colAccent)
	clock := now.Format("15:04")
	cw, _, _ := c.MeasureText(clock, 26*s)
	c.Text(w-homeMargin*s-cw, 56*s, clock, 26*s, colTextDim)

	switch h.status {
	case HomeLoading:
		centreText(c, draw.Rect{W: w, H: ht}, ht/2, i18n.T(lang, i18n.LoadingCatalog), 30*s, colText)
		h.drawSpinner(c, now, w/2, ht/2+50*s, s)
		return
	case HomeError:
		h.drawError(c, now, s)
		return
	}
	if len(h.rows) == 0 {
		centreText(c, draw.Rect{W: w, H: ht}, ht/2, i18n.T(lang, i18n.CatalogEmpty), 30*s, colText)
		return
	}
	h.drawDetails(c, s)
	// Rows scroll so the focused one is the first or second shown.
	first := max(h.row-1, 0)
	top := homeTopRows * s
	c.PushClip(draw.Rect{Y: top - 34*s, W: w, H: ht - top - 22*s})
	for ri := first; ri < len(h.rows); ri++ {
		y := top + float32(ri-first)*rowH*s
		if y > ht-60*s { // a row whose label would meet the key hints
			break
		}
		h.drawRow(c, ri, y, s)
	}
	c.PopClip()
	if h.err != "" {
		msg := i18n.T(lang, i18n.ServerDown) + " · " + i18n.T(lang, i18n.RetryIn, secondsUntil(now, h.retryAt))
		c.RoundRect(draw.Rect{X: w - 560*s, Y: 80 * s, W: 500 * s, H: 40 * s}, 8*s, colPanel)
		c.Text(w-545*s, 107*s, ellipsize(c, msg, 18*s, 470*s), 18*s, colError)
	}
	hint := i18n.T(lang, i18n.HintHome)
	c.Text(homeMargin*s, ht-24*s, hint, 18*s, colTextDim)
}

func (h *Home) drawRow(c draw.Canvas, ri int, y float32, s float32) {
	lang := h.host.Lang()
	r := h.rows[ri]
	w, _ := c.Size()
	labelCol := colTextDim
	if ri == h.row {
		labelCol = colText
	}
	draw.BoldText(c, homeMargin*s, y, r.Category.Name.In(lang), rowLabelSize*s, labelCol)
	visible := int((w - homeMargin*s) / ((tileW + tileGap) * s))
	first := max(0, h.col[ri]-max(visible-2, 0))
	for ci := first; ci < len(r.Titles); ci++ {
		x := homeMargin*s + float32(ci-first)*(tileW+tileGap)*s
		if x > w {
			break
		}
		focused := ri == h.row && ci == h.col[ri]
		h.drawTile(c, r.Titles[ci], draw.Rect{X: x, Y: y + 16*s, W: tileW * s, H: tileH * s}, ri, focused, s)
	}
}

func (h *Home) drawTile(c draw.Canvas, t operator.Title, r draw.Rect, ri int, focused bool, s float32) {
	if focused {
		c.RoundRect(r.Inset(-5*s), 14*s, colFocus)
	}
	if img := h.poster(t); img != nil {
		c.PushClip(r)
		c.Image(r, img)
		c.PopClip()
	} else {
		c.RoundRect(r, 10*s, tileColours[ri%len(tileColours)])
		name := ellipsize(c, t.Name.In(h.host.Lang()), 22*s, r.W-24*s)
		centreText(c, r, r.Y+r.H/2+8*s, name, 22*s, colText)
	}
	col := colTextDim
	if focused {
		col = colText
	}
	c.Text(r.X, r.Bottom()+28*s, ellipsize(c, t.Name.In(h.host.Lang()), tileTextSize*s, r.W), tileTextSize*s, col)
}

func (h *Home) poster(t operator.Title) *draw.Image {
	if t.PosterURL == "" {
		return nil
	}
	return h.host.Poster(t.PosterURL)
}

// drawDetails describes the focused title above the rows.
func (h *Home) drawDetails(c draw.Canvas, s float32) {
	t := h.focused()
	if t == nil {
		return
	}
	lang := h.host.Lang()
	w, _ := c.Size()
	draw.BoldText(c, homeMargin*s, 120*s, ellipsize(c, t.Name.In(lang), 32*s, w-2*homeMargin*s), 32*s, colText)
	var facts []string
	if t.Year > 0 {
		facts = append(facts, fmt.Sprint(t.Year))
	}
	if t.DurationSec > 0 {
		facts = append(facts, i18n.T(lang, i18n.Minutes, max(1, (t.DurationSec+30)/60)))
	}
	if t.Rating != "" {
		r := t.Rating
		if r == "ALL" {
			r = i18n.T(lang, i18n.RatingAll)
		}
		facts = append(facts, r)
	}
	if t.Language != "" {
		facts = append(facts, strings.ToUpper(t.Language))
	}
	c.Text(homeMargin*s, 156*s, strings.Join(facts, "  ·  "), 20*s, colAccent)
	c.Text(homeMargin*s, 190*s, ellipsize(c, t.Description.In(lang), 20*s, w-2*homeMargin*s), 20*s, colTextDim)
}

func (h *Home) drawError(c draw.Canvas, now time.Time, s float32) {
	lang := h.host.Lang()
	w, ht := c.Size()
	box := draw.Rect{X: w/2 - 360*s, Y: ht/2 - 130*s, W: 720 * s, H: 260 * s}
	c.RoundRect(box, 16*s, colPanel)
	centreText(c, box, box.Y+70*s, i18n.T(lang, i18n.ServerDown), 32*s, colError)
	centreText(c, box, box.Y+120*s, ellipsize(c, h.err, 18*s, box.W-48*s), 18*s, colTextDim)
	centreText(c, box, box.Y+175*s, i18n.T(lang, i18n.RetryIn, secondsUntil(now, h.retryAt)), 22*s, colText)
	centreText(c, box, box.Y+220*s, i18n.T(lang, i18n.RetryNow), 20*s, colAccent)
}

// drawSpinner draws eight dots, one lit, turning twice a second.
func (h *Home) drawSpinner(c draw.Canvas, now time.Time, x, y, s float32) {
	lit := int(now.UnixMilli()/125) % 8
	for i := 0; i < 8; i++ {
		dx := []float32{0, 0.7, 1, 0.7, 0, -0.7, -1, -0.7}[i] * 22 * s
		dy := []float32{-1, -0.7, 0, 0.7, 1, 0.7, 0, -0.7}[i] * 22 * s
		col := colTextDim.Fade(0.4)
		if i == lit {
			col = colAccent
		}
		c.RoundRect(draw.Rect{X: x + dx - 5*s, Y: y + dy - 5*s, W: 10 * s, H: 10 * s}, 5*s, col)
	}
}

func secondsUntil(now, t time.Time) int {
	return max(0, int(t.Sub(now).Seconds()+0.999))
}
