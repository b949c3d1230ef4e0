package screen

import (
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// SearchDebounce is how long after the last change of the text the search
// is sent: typing a word sends one search, not one per letter.
const SearchDebounce = 400 * time.Millisecond

// searchMax bounds the text typed.
const searchMax = 40

// Search is the search screen: an on-screen keyboard on the left, the
// results on the right as they come, recent searches while nothing is
// typed.
type Search struct {
	host    BrowseHost
	typing  *typing
	results bool // the focus is on the results

	editedAt time.Time // when the text last changed; zero when sent
	asked    string    // the text of the last search sent
	answered string    // the text the results are for
	titles   []operator.Title
	total    int
	fail     *Failure
	pick     int
}

// NewSearch returns the search screen, keyboard in the viewer's script.
func NewSearch(host BrowseHost) *Search {
	return &Search{host: host, typing: newTyping(host.Lang(), searchMax, false)}
}

// Name implements Screen.
func (s *Search) Name() string { return "search" }

// query returns the text typed, trimmed.
func (s *Search) query() string { return strings.TrimSpace(s.typing.field.Text()) }

// list returns how many entries the right-hand list has: results, or the
// recent searches while nothing is typed.
func (s *Search) list() int {
	if s.query() == "" {
		return len(s.host.State().Recent)
	}
	if s.answered != s.query() {
		return 0
	}
	return len(s.titles)
}

// Handle implements Screen.
func (s *Search) Handle(ev remote.Event) bool {
	if ev.Key == remote.KeyBack {
		if firstPress(ev) {
			s.host.Back()
		}
		return true
	}
	if s.results {
		return s.handleResults(ev)
	}
	used, changed, done := s.typing.handle(ev, s.host.Now())
	if changed {
		s.editedAt = s.host.Now()
	}
	if (done || (!used && ev.Key == remote.KeyRight && pressed(ev))) && s.list() > 0 {
		s.results, s.pick = true, 0
		return true
	}
	return used || isNavKey(ev.Key)
}

func (s *Search) handleResults(ev remote.Event) bool {
	if !pressed(ev) {
		return isNavKey(ev.Key)
	}
	n := s.list()
	if n == 0 {
		s.results = false
	}
	switch ev.Key {
	case remote.KeyUp:
		s.pick = max(s.pick-1, 0)
	case remote.KeyDown:
		s.pick = min(s.pick+1, max(n-1, 0))
	case remote.KeyLeft:
		s.results = false
	case remote.KeyRight:
	case remote.KeyOK, remote.KeyPlayPause:
		if !firstPress(ev) || s.pick >= n {
			return true
		}
		if s.query() == "" {
			s.typing.setText(s.host.State().Recent[s.pick])
			s.editedAt = s.host.Now().Add(-SearchDebounce) // no need to wait
			s.results = false
			return true
		}
		s.host.AddRecent(s.query())
		t := s.titles[s.pick]
		if ev.Key == remote.KeyPlayPause {
			pos, _ := s.host.State().ResumeAt(t.ID)
			s.host.Play(t, pos)
		} else {
			s.host.Push(NewDetail(s.host, t))
		}
	default:
		if _, ok := ev.Key.Digit(); ok { // typing again
			s.results = false
			return s.Handle(ev)
		}
		return false
	}
	return true
}

// Update implements Screen: it sends the search once the typing pauses.
func (s *Search) Update(now time.Time) {
	if s.fail != nil && !s.fail.RetryAt.IsZero() && !now.Before(s.fail.RetryAt) && s.editedAt.IsZero() {
		s.editedAt = now.Add(-SearchDebounce) // ask again
	}
	if s.editedAt.IsZero() || now.Sub(s.editedAt) < SearchDebounce {
		return
	}
	s.editedAt = time.Time{}
	q := s.query()
	if q == s.asked && (s.answered == q || s.fail == nil) {
		return
	}
	s.asked = q
	s.fail = nil
	if q == "" {
		s.titles, s.answered = nil, ""
		return
	}
	s.host.Search(q, func(p operator.TitlePage, err error) {
		if q != s.asked { // an older search answering late
			return
		}
		if err != nil {
			f := failureOf(err, s.host.Now())
			s.fail = &f
			s.asked = ""
			return
		}
		s.titles, s.total, s.answered, s.pick = p.Titles, max(p.Total, len(p.Titles)), q, 0
	})
}

// SearchState is the search screen's report to the control endpoint.
type SearchState struct {
	Screen  string   `json:"screen"`
	Query   string   `json:"query"`
	Layout  string   `json:"layout"`
	Focus   string   `json:"focus"` // "keyboard" or "results"
	Key     string   `json:"key"`   // the focused key's label
	KeyRow  int      `json:"key_row"`
	KeyCol  int      `json:"key_col"`
	Status  string   `json:"status"` // "idle", "waiting", "searching", "done", "error"
	Results []string `json:"results"`
	Pick    int      `json:"pick"`
	Recent  []string `json:"recent"`
	Error   string   `json:"error,omitempty"`
}

// State implements Screen.
func (s *Search) State() any {
	row, col := s.typing.kbd.Focus()
	st := SearchState{
		Screen: s.Name(), Query: s.typing.field.Text(), Layout: s.typing.kbd.Layout().Name,
		Focus: "keyboard", Key: s.typing.focusedKey(s.host.Lang()), KeyRow: row, KeyCol: col,
		Status: s.status(), Results: []string{}, Pick: s.pick, Recent: s.host.State().Recent,
	}
	if s.results {
		st.Focus = "results"
	}
	if s.answered == s.query() {
		for _, t := range s.titles {
			st.Results = append(st.Results, t.ID)
		}
	}
	if s.fail != nil {
		st.Error = s.fail.Detail
	}
	return st
}

func (s *Search) status() string {
	q := s.query()
	switch {
	case q == "":
		return "idle"
	case !s.editedAt.IsZero():
		return "waiting"
	case s.fail != nil:
		return "error"
	case s.answered == q:
		return "done"
	}
	return "searching"
}

// Draw implements Screen.
func (s *Search) Draw(c draw.Canvas, now time.Time) {
	sc := scale(c)
	w, _ := c.Size()
	lang := s.host.Lang()
	background(c, i18n.T(lang, i18n.SearchTitle), now)
	s.typing.drawField(c, draw.Rect{X: margin * sc, Y: 88 * sc, W: 560 * sc, H: 60 * sc}, i18n.T(lang, i18n.SearchPrompt), now, sc)
	s.typing.drawKeyboard(c, draw.Rect{X: margin * sc, Y: 168 * sc, W: 566 * sc, H: 476 * sc}, !s.results, lang, sc)

	pane := draw.Rect{X: 680 * sc, Y: 88 * sc, W: w - 680*sc - margin*sc, H: 560 * sc}
	c.RoundRect(pane, 12*sc, colPanelSolid)
	q := s.query()
	switch st := s.status(); {
	case q == "":
		s.drawRecent(c, pane, sc)
	case st == "error":
		c.Text(pane.X+24*sc, pane.Y+48*sc, ellipsize(c, i18n.T(lang, i18n.ServerDown), 22*sc, pane.W-48*sc), 22*sc, colError)
		c.Text(pane.X+24*sc, pane.Y+84*sc, ellipsize(c, s.fail.Detail, 16*sc, pane.W-48*sc), 16*sc, colTextDim)
	case st == "done" && len(s.titles) == 0:
		for i, l := range wrap(c, i18n.T(lang, i18n.NoResults, q), 22*sc, pane.W-48*sc, 3) {
			c.Text(pane.X+24*sc, pane.Y+48*sc+float32(i)*32*sc, l, 22*sc, colText)
		}
	case st == "done":
		s.drawResults(c, pane, sc)
	default:
		c.Text(pane.X+24*sc, pane.Y+48*sc, i18n.T(lang, i18n.Searching), 22*sc, colTextDim)
		spinner(c, now, pane.X+pane.W/2, pane.Y+140*sc, sc)
	}
	if s.results {
		hints(c, i18n.T(lang, i18n.HintResults))
	} else {
		hints(c, i18n.T(lang, i18n.HintSearch))
	}
}

func (s *Search) drawRecent(c draw.Canvas, pane draw.Rect, sc float32) {
	lang := s.host.Lang()
	recent := s.host.State().Recent
	draw.BoldText(c, pane.X+24*sc, pane.Y+44*sc, i18n.T(lang, i18n.Recent), 22*sc, colTextDim)
	if len(recent) == 0 {
		c.Text(pane.X+24*sc, pane.Y+92*sc, i18n.T(lang, i18n.NoRecent), 20*sc, colTextDim)
		return
	}
	for i, q := range recent {
		r := draw.Rect{X: pane.X + 12*sc, Y: pane.Y + (64+float32(i)*56)*sc, W: pane.W - 24*sc, H: 48 * sc}
		if r.Bottom() > pane.Bottom() {
			break
		}
		col := colText
		if s.results && i == s.pick {
			c.RoundRect(r, 8*sc, colFocus)
			col = colBackground
		}
		c.Text(r.X+16*sc, r.Y+32*sc, ellipsize(c, q, 22*sc, r.W-32*sc), 22*sc, col)
	}
}

// resultH is the height of a result's line in the list.
const resultH = 76

func (s *Search) drawResults(c draw.Canvas, pane draw.Rect, sc float32) {
	lang := s.host.Lang()
	c.Text(pane.X+24*sc, pane.Y+38*sc, i18n.T(lang, i18n.ResultsCount, s.total), 18*sc, colTextDim)
	shown := int((pane.H - 56*sc) / (resultH * sc))
	first := max(0, min(s.pick-shown/2, len(s.titles)-shown))
	for i := first; i < len(s.titles) && i < first+shown; i++ {
		t := s.titles[i]
		r := draw.Rect{X: pane.X + 12*sc, Y: pane.Y + (52+float32(i-first)*resultH)*sc, W: pane.W - 24*sc, H: (resultH - 8) * sc}
		fg, dim := colText, colTextDim
		if s.results && i == s.pick {
			c.RoundRect(r, 8*sc, colFocus)
			fg, dim = colBackground, colRaised
		}
		thumb := draw.Rect{X: r.X + 8*sc, Y: r.Y + 6*sc, W: 100 * sc, H: 56 * sc}
		var img *draw.Image
		if t.PosterURL != "" {
			img = s.host.Poster(t.PosterURL)
		}
		picture(c, thumb, img, tileColours[i%len(tileColours)], "", sc)
		tx := thumb.Right() + 16*sc
		c.Text(tx, r.Y+30*sc, ellipsize(c, t.Name.In(lang), 21*sc, r.Right()-tx-12*sc), 21*sc, fg)
		c.Text(tx, r.Y+56*sc, ellipsize(c, facts(lang, t), 16*sc, r.Right()-tx-12*sc), 16*sc, dim)
	}
}

// TypeText implements TextField: the search is sent once the typing
// pauses, as for keys, or at once with submit.
func (s *Search) TypeText(text string, submit bool) {
	s.typing.setText(text)
	s.results = false
	s.editedAt = s.host.Now()
	if submit {
		s.editedAt = s.host.Now().Add(-SearchDebounce)
	}
}
