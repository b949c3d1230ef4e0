package screen

import (
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// Layout of the category grid on the design grid.
const (
	gridCols   = 5
	gridTileW  = 200
	gridTileH  = 112
	gridPitchX = 224
	gridPitchY = 176
	gridTop    = 150
	// GridPage is how many titles the grid asks for at a time.
	GridPage = 30
	// gridAhead: the next page is fetched when the focus is this close to
	// the last title loaded.
	gridAhead = 2 * gridCols
)

// Grid is a category's titles in a grid of posters, fetched a page at a
// time as the viewer moves down.
type Grid struct {
	host     BrowseHost
	cat      operator.Category
	titles   []operator.Title
	total    int
	loaded   bool // the first page came
	fetching bool
	fail     Failure
	retried  time.Time
	focus    int
	scroll   anim // rows scrolled up
}

// NewGrid returns the grid of a category and fetches its first page.
func NewGrid(host BrowseHost, cat operator.Category) *Grid {
	g := &Grid{host: host, cat: cat}
	g.fetch()
	return g
}

// Name implements Screen.
func (g *Grid) Name() string { return "grid" }

func (g *Grid) fetch() {
	if g.fetching {
		return
	}
	g.fetching = true
	offset := len(g.titles)
	g.host.Titles(g.cat.ID, offset, GridPage, func(p operator.TitlePage, err error) {
		g.fetching = false
		if err != nil {
			g.fail = failureOf(err, g.host.Now())
			return
		}
		g.fail = Failure{}
		if p.Offset != offset && p.Offset != 0 { // an answer to another request
			return
		}
		g.titles = append(g.titles[:offset], p.Titles...)
		g.total = max(p.Total, len(g.titles))
		if len(p.Titles) == 0 { // the category shrank
			g.total = len(g.titles)
		}
		g.loaded = true
	})
}

// Handle implements Screen.
func (g *Grid) Handle(ev remote.Event) bool {
	if !pressed(ev) {
		return isNavKey(ev.Key) || ev.Key == remote.KeyBack
	}
	n := len(g.titles)
	switch ev.Key {
	case remote.KeyBack:
		if firstPress(ev) {
			g.host.Back()
		}
	case remote.KeyLeft:
		if g.focus%gridCols > 0 {
			g.focus--
		}
	case remote.KeyRight:
		if g.focus%gridCols < gridCols-1 && g.focus+1 < n {
			g.focus++
		}
	case remote.KeyUp:
		if g.focus >= gridCols {
			g.focus -= gridCols
		}
	case remote.KeyDown:
		if g.focus+gridCols < n {
			g.focus += gridCols
		} else if g.focus/gridCols < (n-1)/gridCols {
			g.focus = n - 1 // the last row is short
		}
	case remote.KeyChannelDown: // page down
		g.focus = min(g.focus+3*gridCols, max(n-1, 0))
	case remote.KeyChannelUp:
		g.focus = max(g.focus-3*gridCols, 0)
	case remote.KeyOK:
		if firstPress(ev) && g.focus < n {
			g.host.Push(NewDetail(g.host, g.titles[g.focus]))
		}
	case remote.KeyPlayPause:
		if firstPress(ev) && g.focus < n {
			t := g.titles[g.focus]
			pos, _ := g.host.State().ResumeAt(t.ID)
			g.host.Play(t, pos)
		}
	default:
		return false
	}
	return true
}

// Update implements Screen: more titles as the focus nears the end,
// retries after failures, scrolling.
func (g *Grid) Update(now time.Time) {
	if !g.fail.RetryAt.IsZero() && !now.Before(g.fail.RetryAt) && g.retried != g.fail.RetryAt {
		g.retried = g.fail.RetryAt
		g.fetch()
	}
	if g.loaded && g.fail.RetryAt.IsZero() && len(g.titles) < g.total && g.focus >= len(g.titles)-gridAhead {
		g.fetch()
	}
	g.scroll.target(float32(max(g.focus/gridCols-1, 0)))
	g.scroll.update(now)
}

// GridState is the grid's report to the control endpoint.
type GridState struct {
	Screen   string `json:"screen"`
	Category string `json:"category_id"`
	Loaded   int    `json:"loaded"`
	Total    int    `json:"total"`
	Focus    int    `json:"focus"`
	TitleID  string `json:"title_id,omitempty"`
	Title    string `json:"title,omitempty"`
	Error    string `json:"error,omitempty"`
}

// State implements Screen.
func (g *Grid) State() any {
	s := GridState{Screen: g.Name(), Category: g.cat.ID, Loaded: len(g.titles), Total: g.total, Focus: g.focus, Error: g.fail.Detail}
	if g.focus < len(g.titles) {
		s.TitleID, s.Title = g.titles[g.focus].ID, g.titles[g.focus].Name.In(g.host.Lang())
	}
	return s
}

// Draw implements Screen.
func (g *Grid) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := g.host.Lang()
	background(c, g.cat.Name.In(lang), now)
	area := draw.Rect{Y: 90 * s, W: w, H: h - 120*s}
	switch {
	case !g.loaded && g.fail.Detail != "":
		failurePanel(c, area, g.fail, lang, now)
		return
	case !g.loaded:
		loading(c, area, i18n.T(lang, i18n.Loading), now)
		hints(c, i18n.T(lang, i18n.HintGrid))
		return
	case len(g.titles) == 0:
		centreText(c, area, h/2, i18n.T(lang, i18n.CategoryEmpty), 28*s, colText)
		hints(c, i18n.T(lang, i18n.HintError))
		return
	}
	count := i18n.T(lang, i18n.GridCount, g.focus+1, g.total)
	c.Text(margin*s, 104*s, count, 20*s, colTextDim)
	if g.focus < len(g.titles) {
		t := g.titles[g.focus]
		tw, _, _ := c.MeasureText(count, 20*s)
		c.Text(margin*s+tw+24*s, 104*s, ellipsize(c, t.Name.In(lang)+"  ·  "+facts(lang, t), 20*s, w-2*margin*s-tw-24*s), 20*s, colAccent)
	}
	clip := draw.Rect{Y: (gridTop - 16) * s, W: w, H: h - (gridTop-16)*s - 44*s}
	c.PushClip(clip)
	first := g.scroll.value()
	shown := g.total
	for i := max(0, int(first)*gridCols-gridCols); i < shown; i++ {
		row := float32(i/gridCols) - first
		y := (gridTop + row*gridPitchY) * s
		if y > clip.Bottom() {
			break
		}
		r := draw.Rect{X: (margin + float32(i%gridCols)*gridPitchX) * s, Y: y, W: gridTileW * s, H: gridTileH * s}
		if i >= len(g.titles) { // on a page still coming
			c.RoundRect(r, 10*s, colRaised.Fade(0.5))
			continue
		}
		t := g.titles[i]
		focused := i == g.focus
		if focused {
			focusRing(c, r, 10*s, s)
		}
		var img *draw.Image
		if t.PosterURL != "" {
			img = g.host.Poster(t.PosterURL)
		}
		picture(c, r, img, tileColours[(i/gridCols)%len(tileColours)], t.Name.In(lang), s)
		col := colTextDim
		if focused {
			col = colText
		}
		c.Text(r.X, r.Bottom()+28*s, ellipsize(c, t.Name.In(lang), 18*s, r.W), 18*s, col)
	}
	c.PopClip()
	if g.fetching {
		spinner(c, now, w-margin*s-22*s, 100*s, s*0.7)
	}
	hints(c, i18n.T(lang, i18n.HintGrid))
}
