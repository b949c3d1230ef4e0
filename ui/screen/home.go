package screen

import (
	"fmt"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/mounts"
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

// Kinds of rows, in the order Home shows them: the viewer's media first
// (Home adds that row itself, SetMedia), then the app's rows.
const (
	RowContinue   RowKind = iota + 1 // titles left unfinished
	RowLive                          // live channels and what they show now
	RowFavourites                    // titles the viewer marked
	RowCategory                      // a category of the archive
	RowMedia                         // the viewer's USB sticks and SD cards
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
	// Medium is a medium of the viewer's, on the media row.
	Medium *mounts.Medium
}

// id names the item for keeping the focus across reloads.
func (it Item) id() string {
	if it.Medium != nil {
		return "m:" + it.Medium.Path
	}
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
	host      Host
	status    HomeStatus
	catStatus HomeStatus // the catalogue's, whatever the media row
	catRows   []Row      // the app's rows, as last set
	media     []mounts.Medium
	rows      []Row // the media row and the app's rows, the empty ones left out
	row       int   // -1: the top bar
	col       []int // focused column of each row, kept when moving between rows
	nav       int
	fail      Failure
	stale     bool      // the rows are the ones kept from the last run
	retried   time.Time // the RetryAt already acted on

	scrollY anim   // rows scrolled up, in rows
	scrollX []anim // each row's tiles scrolled left, in tiles
	ringX   anim   // the focus ring's position, design units
	ringY   anim

	notice      string // a short message over the rows: a medium came or went
	noticeUntil time.Time
}

// noticeShown is how long Home's notice stays.
const noticeShown = 5 * time.Second

// NewHome returns Home in its loading state.
func NewHome(host Host) *Home {
	return &Home{host: host, status: HomeLoading, catStatus: HomeLoading}
}

// Name implements Screen.
func (h *Home) Name() string { return "home" }

// SetLoading shows the loading state, keeping any rows already there.
func (h *Home) SetLoading() {
	if len(h.catRows) == 0 {
		h.catStatus = HomeLoading
	}
	h.settle()
}

// settle sets the status shown: ready whenever there are rows (the media
// row opens even while the catalogue loads or fails), else the
// catalogue's.
func (h *Home) settle() {
	h.status = h.catStatus
	if len(h.rows) > 0 {
		h.status = HomeReady
	}
}

// SetMedia shows the media mounted now in Home's first row, or no row
// without any. The focus stays on the same tile if it is still there.
func (h *Home) SetMedia(media []mounts.Medium) {
	h.media = append([]mounts.Medium(nil), media...)
	h.rebuild()
	h.settle()
}

// Notify shows a short message over Home for a few seconds.
func (h *Home) Notify(msg string) {
	h.notice, h.noticeUntil = msg, h.host.Now().Add(noticeShown)
}

// mediaRow is the row of the media mounted.
func (h *Home) mediaRow() Row {
	r := Row{Kind: RowMedia}
	for i := range h.media {
		r.Items = append(r.Items, Item{Medium: &h.media[i]})
	}
	return r
}

// SetStale marks the rows as the ones the box kept from its last run,
// shown at start before the operator answers, or clears the mark.
func (h *Home) SetStale(stale bool) { h.stale = stale }

// SetRows shows the rows; empty rows are left out. The focus stays on the
// same item if it is still there.
func (h *Home) SetRows(rows []Row) {
	h.catRows = rows
	h.catStatus = HomeReady
	h.fail = Failure{}
	h.rebuild()
	h.status = HomeReady
}

// rebuild makes the rows shown from the media and the app's rows, the
// focus kept on the same item if it is still there.
func (h *Home) rebuild() {
	focused, _ := h.focusedItem()
	focusedRow := h.row
	h.rows = nil
	for _, r := range append([]Row{h.mediaRow()}, h.catRows...) {
		if len(r.Items) > 0 {
			h.rows = append(h.rows, r)
		}
	}
	h.col = make([]int, len(h.rows))
	h.scrollX = make([]anim, len(h.rows))
	if focusedRow < 0 {
		return
	}
	h.row = 0
	if focused.Title.ID == "" && focused.Channel == nil && focused.Medium == nil {
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
	if len(h.catRows) == 0 {
		h.catStatus = HomeError
	}
	h.settle()
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
	case it.Medium != nil:
		h.host.Push(NewBrowser(h.host, *it.Medium))
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
	// Media are the viewer's media on the media row.
	Media []MediumState `json:"media,omitempty"`
	// Notice is the short message shown over the rows, while it shows.
	Notice string `json:"notice,omitempty"`
}

// MediumState is a medium as Home's report lists it.
type MediumState struct {
	Path  string `json:"path"`
	Label string `json:"label"`
	Size  int64  `json:"size"`
}

// Focus names the focused tile.
type Focus struct {
	Row       int    `json:"row"`
	Col       int    `json:"col"`
	Kind      string `json:"kind"`             // "title", "channel", "medium" or "see_all"
	Medium    string `json:"medium,omitempty"` // the medium's mount point
	TitleID   string `json:"title_id,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	Title     string `json:"title"`
}

// State implements Screen.
func (h *Home) State() any {
	lang := h.host.Lang()
	s := HomeState{Screen: h.Name(), Status: h.status, Rows: len(h.rows), Error: h.fail.Detail, Stale: h.stale, RowIDs: []string{}}
	for _, m := range h.media {
		s.Media = append(s.Media, MediumState{Path: m.Path, Label: m.Label, Size: m.Size})
	}
	if h.host.Now().Before(h.noticeUntil) {
		s.Notice = h.notice
	}
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
	case it.Medium != nil:
		f.Kind, f.Medium, f.Title = "medium", it.Medium.Path, it.Medium.Label
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
	case RowMedia:
		return "media"
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
	case RowMedia:
		return i18n.T(lang, i18n.RowMedia)
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
