package screen

import (
	"fmt"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
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

// RowKind says what a row of Home holds.
type RowKind int

// Kinds of rows, in the order Home shows them.
const (
	RowContinue   RowKind = iota + 1 // titles left unfinished
	RowLive                          // live channels and what they show now
	RowFavourites                    // titles the viewer marked
	RowCategory                      // a category of the archive
)

// Row is a shelf of Home.
type Row struct {
	Kind RowKind
	// Category names a category row and opens its grid.
	Category operator.Category
	// Total is the number of titles in the category; a category row ends
	// with a tile that opens them all.
	Total int
	Items []Item
}

// Item is one tile of a row: a title, or a channel with its programme.
type Item struct {
	Title   operator.Title
	Channel *operator.Channel
	// Now is what the channel shows now, if the guide says.
	Now *operator.Programme
	// Resume is where the viewer stopped in the title; Progress is the
	// fraction watched.
	Resume   time.Duration
	Progress float32
}

// id names the item for keeping the focus across reloads.
func (it Item) id() string {
	if it.Channel != nil {
		return "ch:" + it.Channel.ID
	}
	return "t:" + it.Title.ID
}

// navItems are the entries of Home's top bar.
var navItems = []string{i18n.NavSearch, i18n.NavLive, i18n.NavGuide, i18n.NavSettings}

// Home is the first screen: a top bar (search, live TV, guide, settings)
// and rows of tiles — continue watching, live TV now, favourites, then the
// operator's categories — moved through with the arrows.
type Home struct {
	host    Host
	status  HomeStatus
	rows    []Row
	row     int   // -1: the top bar
	col     []int // focused column of each row, kept when moving between rows
	nav     int
	fail    Failure
	stale   bool      // the rows are the ones kept from the last run
	retried time.Time // the RetryAt already acted on

	scrollY anim   // rows scrolled up, in rows
	scrollX []anim // each row's tiles scrolled left, in tiles
	ringX   anim   // the focus ring's position, design units
	ringY   anim
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

// SetStale marks the rows as the ones the box kept from its last run,
// shown at start before the operator answers, or clears the mark.
func (h *Home) SetStale(stale bool) { h.stale = stale }

// SetRows shows the rows; empty rows are left out. The focus stays on the
// same item if it is still there.
func (h *Home) SetRows(rows []Row) {
	focused, _ := h.focusedItem()
	focusedRow := h.row
	h.rows = h.rows[:0]
	for _, r := range rows {
		if len(r.Items) > 0 {
			h.rows = append(h.rows, r)
		}
	}
	h.col = make([]int, len(h.rows))
	h.scrollX = make([]anim, len(h.rows))
	h.status = HomeReady
	h.fail = Failure{}
	if focusedRow < 0 {
		return
	}
	h.row = 0
	if focused.Title.ID == "" && focused.Channel == nil {
		return
	}
	best := -1
	for ri, r := range h.rows {
		for ci, it := range r.Items {
			if it.id() == focused.id() && (best < 0 || ri == focusedRow) {
				best, h.col[ri] = ri, ci
			}
		}
	}
	if best >= 0 {
		h.row = best
	}
}

// SetError shows that the rows could not be had. Rows already shown stay;
// the failure is a banner over them then.
func (h *Home) SetError(err error, now time.Time) {
	h.fail = failureOf(err, now)
	if len(h.rows) == 0 {
		h.status = HomeError
	}
}

// focusedItem returns the focused item; see is true on a row's last tile,
// which opens the category.
func (h *Home) focusedItem() (it Item, see bool) {
	if h.row < 0 || h.row >= len(h.rows) {
		return Item{}, false
	}
	r := h.rows[h.row]
	c := h.col[h.row]
	if c >= len(r.Items) {
		return Item{}, true
	}
	return r.Items[c], false
}

// tiles returns the number of tiles of row ri, the "see all" tile
// included.
func (h *Home) tiles(ri int) int {
	n := len(h.rows[ri].Items)
	if h.rows[ri].Kind == RowCategory {
		n++
	}
	return n
}

// Handle implements Screen.
func (h *Home) Handle(ev remote.Event) bool {
	if !pressed(ev) {
		return ev.Action != remote.LongPress && isNavKey(ev.Key)
	}
	if h.status != HomeReady && h.row >= 0 {
		switch ev.Key {
		case remote.KeyOK:
			if firstPress(ev) {
				h.host.Reload()
			}
		case remote.KeyUp:
			h.row = -1
		case remote.KeyDown, remote.KeyLeft, remote.KeyRight:
		default:
			return false
		}
		return true
	}
	if h.row < 0 {
		return h.handleNav(ev)
	}
	switch ev.Key {
	case remote.KeyUp:
		if h.row == 0 {
			h.row = -1
		} else {
			h.row--
		}
	case remote.KeyDown:
		h.row = min(h.row+1, len(h.rows)-1)
	case remote.KeyLeft:
		h.col[h.row] = max(h.col[h.row]-1, 0)
	case remote.KeyRight:
		h.col[h.row] = min(h.col[h.row]+1, h.tiles(h.row)-1)
	case remote.KeyOK:
		if firstPress(ev) {
			h.open(false)
		}
	case remote.KeyPlayPause:
		if firstPress(ev) {
			h.open(true)
		}
	default:
		return false
	}
	return true
}

func isNavKey(k remote.Key) bool {
	switch k {
	case remote.KeyUp, remote.KeyDown, remote.KeyLeft, remote.KeyRight, remote.KeyOK, remote.KeyPlayPause:
		return true
	}
	return false
}

// handleNav moves along the top bar and opens its entries.
func (h *Home) handleNav(ev remote.Event) bool {
	switch ev.Key {
	case remote.KeyLeft:
		h.nav = max(h.nav-1, 0)
	case remote.KeyRight:
		h.nav = min(h.nav+1, len(navItems)-1)
	case remote.KeyDown:
		h.row = 0
	case remote.KeyUp:
	case remote.KeyOK:
		if firstPress(ev) {
			h.host.Push(navScreen(h.host, navItems[h.nav]))
		}
	default:
		return false
	}
	return true
}

// navScreen returns the screen a top-bar entry opens.
func navScreen(host Host, key string) Screen {
	switch key {
	case i18n.NavSearch:
		return NewSearch(host)
	case i18n.NavLive:
		return NewLive(host)
	case i18n.NavGuide:
		return NewGuide(host)
	}
	return NewSettings(host)
}

// open acts on the focused tile: a title opens its page (or plays, with
// play), a channel plays, the last tile opens the category.
func (h *Home) open(play bool) {
	it, see := h.focusedItem()
	switch {
	case see:
		h.host.Push(NewGrid(h.host, h.rows[h.row].Category))
	case it.Channel != nil:
		h.host.PlayChannel(*it.Channel)
	case play:
		h.host.Play(it.Title, it.Resume)
	default:
		h.host.Push(NewDetail(h.host, it.Title))
	}
}

// Update implements Screen: it retries a failed load when its time comes
// and moves the animations on.
func (h *Home) Update(now time.Time) {
	if !h.fail.RetryAt.IsZero() && !now.Before(h.fail.RetryAt) && h.retried != h.fail.RetryAt {
		h.retried = h.fail.RetryAt
		h.host.Reload()
	}
	first := float32(max(h.row-1, 0))
	h.scrollY.target(first)
	h.scrollY.update(now)
	for ri := range h.rows {
		h.scrollX[ri].target(float32(h.firstTile(ri)))
		h.scrollX[ri].update(now)
	}
	if h.row >= 0 && h.row < len(h.rows) {
		h.ringX.target(float32(h.col[h.row]-h.firstTile(h.row)) * (tileW + tileGap))
		h.ringY.target((float32(h.row) - first) * rowH)
	}
	h.ringX.update(now)
	h.ringY.update(now)
}

// visibleTiles is how many tiles a row shows on the 1280-wide design grid.
const visibleTiles = 4

// firstTile returns the first tile shown of row ri: the row scrolls so the
// focus stays within the tiles shown, one from the edge where it can.
func (h *Home) firstTile(ri int) int {
	return min(max(0, h.col[ri]-(visibleTiles-2)), max(0, h.tiles(ri)-visibleTiles))
}

// HomeState is Home's report to the control endpoint.
type HomeState struct {
	Screen string     `json:"screen"`
	Status HomeStatus `json:"status"`
	Rows   int        `json:"rows"`
	// RowIDs name the rows: "continue", "live", "favourites", "cat:ID".
	RowIDs []string `json:"row_ids"`
	Titles int      `json:"titles"`
	Error  string   `json:"error,omitempty"`
	// Stale says the rows are the ones kept from the last run: the
	// operator has not answered yet, or not at all.
	Stale bool   `json:"stale,omitempty"`
	Focus *Focus `json:"focus,omitempty"`
	// Nav is the focused entry of the top bar when the focus is there.
	Nav string `json:"nav,omitempty"`
}

// Focus names the focused tile.
type Focus struct {
	Row       int    `json:"row"`
	Col       int    `json:"col"`
	Kind      string `json:"kind"` // "title", "channel" or "see_all"
	TitleID   string `json:"title_id,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	Title     string `json:"title"`
}

// State implements Screen.
func (h *Home) State() any {
	lang := h.host.Lang()
	s := HomeState{Screen: h.Name(), Status: h.status, Rows: len(h.rows), Error: h.fail.Detail, Stale: h.stale, RowIDs: []string{}}
	for _, r := range h.rows {
		s.RowIDs = append(s.RowIDs, r.id())
		if r.Kind == RowCategory {
			s.Titles += len(r.Items)
		}
	}
	if h.row < 0 {
		s.Nav = strings.TrimPrefix(navItems[h.nav], "nav.")
		return s
	}
	it, see := h.focusedItem()
	if h.row >= len(h.rows) {
		return s
	}
	f := &Focus{Row: h.row, Col: h.col[h.row]}
	switch {
	case see:
		f.Kind, f.Title = "see_all", h.rows[h.row].Category.Name.In(lang)
	case it.Channel != nil:
		f.Kind, f.ChannelID, f.Title = "channel", it.Channel.ID, it.Channel.Name.In(lang)
	default:
		f.Kind, f.TitleID, f.Title = "title", it.Title.ID, it.Title.Name.In(lang)
	}
	s.Focus = f
	return s
}

func (r Row) id() string {
	switch r.Kind {
	case RowContinue:
		return "continue"
	case RowLive:
		return "live"
	case RowFavourites:
		return "favourites"
	}
	return "cat:" + r.Category.ID
}

func (r Row) label(lang string) string {
	switch r.Kind {
	case RowContinue:
		return i18n.T(lang, i18n.RowContinue)
	case RowLive:
		return i18n.T(lang, i18n.RowLiveNow)
	case RowFavourites:
		return i18n.T(lang, i18n.RowFavourites)
	}
	return r.Category.Name.In(lang)
}

// facts returns a title's year, length, rating and language as one line.
func facts(lang string, t operator.Title) string {
	var f []string
	if t.Year > 0 {
		f = append(f, fmt.Sprint(t.Year))
	}
	if t.DurationSec > 0 {
		f = append(f, i18n.T(lang, i18n.Minutes, max(1, (t.DurationSec+30)/60)))
	}
	if t.Rating != "" {
		f = append(f, i18n.Rating(lang, t.Rating))
	}
	if t.Language != "" {
		f = append(f, i18n.LanguageName(lang, t.Language))
	}
	return strings.Join(f, "  ·  ")
}
