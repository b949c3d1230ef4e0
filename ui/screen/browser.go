package screen

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/library"
	"github.com/manbang/manbang/ui/mounts"
)

// Layout of the browser's list on the design grid.
const (
	browserTop  = 128 // the first row's top
	browserRowH = 56
	browserRows = 9 // rows shown at a time
	browserIcon = 34
	// BrowserThumbW x BrowserThumbH is a row's thumbnail box, in design
	// units (1280x720): the kind's icon stands in it until the thumbnail
	// is made.
	BrowserThumbW = 72
	BrowserThumbH = 40
	// browserNear is how many rows above and below the screen get their
	// thumbnails made too, for the next key.
	browserNear = 2
)

// kinds are the kinds the blue key steps through.
var kinds = []library.Kind{library.All, library.Video, library.Music, library.Photo}

// place is a folder the browser went into, and the focus it had there.
type place struct {
	dir   string
	focus int
}

// Browser is a folder of the viewer's medium as a 10-foot list: a
// thumbnail of each video and photo (the kind's icon until it is made,
// and for folders and music), the name, the size and date. OK opens a folder or plays a
// file, Back goes up (from the medium's root, back to Home); the yellow
// key sorts by name, date or size, the blue key shows all, videos, music
// or photos.
type Browser struct {
	host     BrowserHost
	medium   mounts.Medium
	dir      string
	up       []place // the folders above, with their focus
	all      []library.Entry
	shown    []library.Entry // all, filtered by kind, sorted
	order    library.Order
	kind     library.Kind
	focus    int
	loaded   bool
	err      error
	gen      int // the listing asked last: older answers are dropped
	scroll   anim
	shownGen int    // bumped whenever shown changes
	wantAt   [2]int // the shownGen and first row of the thumbnails wanted last; shownGen -1: none
}

// NewBrowser returns the browser at the root of a medium, and lists it.
func NewBrowser(host BrowserHost, m mounts.Medium) *Browser {
	b := &Browser{host: host, medium: m, dir: m.Path, wantAt: [2]int{-1, 0}}
	b.list(0)
	return b
}

// Name implements Screen.
func (b *Browser) Name() string { return "browser" }

// Medium implements OnMedium.
func (b *Browser) Medium() string { return b.medium.Path }

// list reads the folder shown, focusing the entry focus once it comes.
func (b *Browser) list(focus int) {
	b.gen++
	gen, dir := b.gen, b.dir
	b.loaded, b.err, b.all, b.shown, b.focus = false, nil, nil, nil, 0
	b.shownGen++
	b.host.List(dir, func(es []library.Entry, err error) {
		if gen != b.gen {
			return
		}
		b.loaded, b.err, b.all = true, err, es
		b.refilter()
		b.focus = min(focus, max(len(b.shown)-1, 0))
		b.scroll.jump(float32(b.firstRow()))
	})
}

// refilter makes the list shown from the folder's entries, keeping the
// focus on the same entry where it can.
func (b *Browser) refilter() {
	var focused string
	if b.focus < len(b.shown) {
		focused = b.shown[b.focus].Path
	}
	b.shown = append([]library.Entry(nil), library.Filter(b.all, b.kind)...)
	library.Sort(b.shown, b.order)
	b.shownGen++
	b.focus = 0
	for i, e := range b.shown {
		if e.Path == focused {
			b.focus = i
		}
	}
}

// Handle implements Screen.
func (b *Browser) Handle(ev remote.Event) bool {
	switch ev.Key {
	case remote.KeyUp, remote.KeyDown, remote.KeyLeft, remote.KeyRight, remote.KeyOK, remote.KeyPlayPause,
		remote.KeyBack, remote.KeyYellow, remote.KeyBlue, remote.KeyChannelUp, remote.KeyChannelDown:
	default:
		return false
	}
	if !pressed(ev) {
		return true
	}
	n := len(b.shown)
	switch ev.Key {
	case remote.KeyUp:
		b.focus = max(b.focus-1, 0)
	case remote.KeyDown:
		b.focus = max(min(b.focus+1, n-1), 0)
	case remote.KeyChannelDown, remote.KeyRight: // a page on
		b.focus = max(min(b.focus+browserRows, n-1), 0)
	case remote.KeyChannelUp, remote.KeyLeft:
		b.focus = max(b.focus-browserRows, 0)
	case remote.KeyOK, remote.KeyPlayPause:
		if firstPress(ev) {
			b.open()
		}
	case remote.KeyBack:
		if firstPress(ev) {
			b.back()
		}
	case remote.KeyYellow:
		if firstPress(ev) {
			b.order = (b.order + 1) % 3
			b.refilter()
		}
	case remote.KeyBlue:
		if firstPress(ev) {
			i := 0
			for j, k := range kinds {
				if k == b.kind {
					i = j
				}
			}
			b.kind = kinds[(i+1)%len(kinds)]
			b.refilter()
		}
	}
	return true
}

// open acts on the focused entry: a folder opens, a video plays, a song
// plays with the songs after it, a photo shows with its neighbours.
func (b *Browser) open() {
	if b.focus >= len(b.shown) {
		if b.err != nil { // OK on a folder that could not be read: again
			b.list(b.focus)
		}
		return
	}
	e := b.shown[b.focus]
	switch e.Kind {
	case library.Folder:
		b.up = append(b.up, place{dir: b.dir, focus: b.focus})
		b.dir = e.Path
		b.list(0)
	case library.Video:
		b.stopThumbs()
		b.host.PlayFile(e)
	case library.Music:
		b.stopThumbs()
		songs, i := b.ofKind(library.Music)
		b.host.PlaySongs(songs, i, b.folderName())
	case library.Photo:
		b.stopThumbs()
		photos, i := b.ofKind(library.Photo)
		b.host.Push(NewPhotos(b.host, b.medium.Path, photos, i))
	}
}

// ofKind returns the entries shown of the focused entry's kind, in the
// order shown, and the focused one's index among them.
func (b *Browser) ofKind(k library.Kind) ([]library.Entry, int) {
	var out []library.Entry
	at := 0
	for i, e := range b.shown {
		if e.Kind != k {
			continue
		}
		if i == b.focus {
			at = len(out)
		}
		out = append(out, e)
	}
	return out, at
}

// back goes up a folder, or leaves the browser from the medium's root.
func (b *Browser) back() {
	if len(b.up) == 0 {
		b.gen++ // an answer still coming is for no one
		b.stopThumbs()
		b.host.Back()
		return
	}
	p := b.up[len(b.up)-1]
	b.up = b.up[:len(b.up)-1]
	b.dir = p.dir
	b.list(p.focus)
}

// folderName is the folder shown as the viewer reads it: the medium's
// label, then the folders below it.
func (b *Browser) folderName() string {
	rel, err := filepath.Rel(b.medium.Path, b.dir)
	if err != nil || rel == "." {
		return b.medium.Label
	}
	parts := strings.Split(rel, string(filepath.Separator))
	for i, p := range parts {
		parts[i] = library.DecodeName(p)
	}
	return b.medium.Label + " › " + strings.Join(parts, " › ")
}

// firstRow is the first row shown: the list scrolls so the focus stays
// two rows from the edge where it can.
func (b *Browser) firstRow() int {
	return max(0, min(b.focus-browserRows+3, len(b.shown)-browserRows))
}

// Update implements Screen: the thumbnails of the rows on screen, and of
// a few rows above and below, are asked for when those rows change.
func (b *Browser) Update(now time.Time) {
	b.scroll.target(float32(b.firstRow()))
	b.scroll.update(now)
	if at := [2]int{b.shownGen, b.firstRow()}; at != b.wantAt {
		b.wantAt = at
		b.host.WantThumbs(b.near())
	}
}

// near returns the entries on screen, then those just below and above.
func (b *Browser) near() []library.Entry {
	first := b.firstRow()
	end := min(first+browserRows, len(b.shown))
	out := append([]library.Entry(nil), b.shown[first:end]...)
	for d := 0; d < browserNear; d++ {
		if i := end + d; i < len(b.shown) {
			out = append(out, b.shown[i])
		}
		if i := first - 1 - d; i >= 0 {
			out = append(out, b.shown[i])
		}
	}
	return out
}

// stopThumbs stops the thumbnails being made while another screen is on
// top (a video plays, a photo shows); they are asked for again when the
// browser updates next.
func (b *Browser) stopThumbs() {
	b.host.WantThumbs(nil)
	b.wantAt = [2]int{-1, 0}
}

// Wake implements Screen.
func (b *Browser) Wake(now time.Time) time.Time {
	if !b.loaded {
		return now // the spinner turns
	}
	return soonest(animating(now, &b.scroll), nextMinute(now))
}

// BrowserEntry is an entry as the state report lists it.
type BrowserEntry struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	Size int64  `json:"size,omitempty"`
}

// BrowserState is the browser's report to the control endpoint: where it
// is, how it sorts and filters, the entries around the focus (at most
// browserReport of them, from First) and the focused one.
type BrowserState struct {
	Screen  string         `json:"screen"`
	Medium  string         `json:"medium"`
	Label   string         `json:"label"`
	Dir     string         `json:"dir"` // below the medium, "" at its root
	Order   string         `json:"order"`
	Kind    string         `json:"kind"`
	Loaded  bool           `json:"loaded"`
	Total   int            `json:"total"`
	First   int            `json:"first"`
	Entries []BrowserEntry `json:"entries"`
	Focus   int            `json:"focus"`
	Focused *BrowserEntry  `json:"focused,omitempty"`
	Error   string         `json:"error,omitempty"`
	// Visible is how many entries are on screen (once the list has
	// scrolled to the focus), and ThumbsReady how many of those show a
	// thumbnail (folders and music never do; nor does a file that cannot
	// give one).
	Visible     int `json:"visible"`
	ThumbsReady int `json:"thumbs_ready"`
}

// browserReport is how many entries the state report lists: a folder of
// 10,000 files is not written out every frame.
const browserReport = 100

// State implements Screen.
func (b *Browser) State() any {
	rel, _ := filepath.Rel(b.medium.Path, b.dir)
	if rel == "." {
		rel = ""
	}
	s := BrowserState{
		Screen: b.Name(), Medium: b.medium.Path, Label: b.medium.Label, Dir: library.DecodeName(rel),
		Order: b.order.String(), Kind: b.kind.String(), Loaded: b.loaded, Total: len(b.shown), Focus: b.focus,
		Entries: []BrowserEntry{},
	}
	if b.err != nil {
		s.Error = b.err.Error()
	}
	s.First = max(0, min(b.focus-browserReport/2, len(b.shown)-browserReport))
	for _, e := range b.shown[s.First:min(s.First+browserReport, len(b.shown))] {
		s.Entries = append(s.Entries, BrowserEntry{Name: e.Name, Kind: e.Kind.String(), Size: e.Size})
	}
	if b.focus < len(b.shown) {
		e := s.Entries[b.focus-s.First]
		s.Focused = &e
	}
	first := b.firstRow()
	for _, e := range b.shown[first:min(first+browserRows, len(b.shown))] {
		s.Visible++
		if b.host.Thumb(e) != nil {
			s.ThumbsReady++
		}
	}
	return s
}

// Draw implements Screen.
func (b *Browser) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := b.host.Lang()
	background(c, ellipsizeBold(c, b.folderName(), headerSize*s, w-2*margin*s-120*s), now)
	hint := i18n.T(lang, i18n.HintBrowser, orderWord(lang, b.order), kindWord(lang, b.kind))
	area := draw.Rect{Y: 90 * s, W: w, H: h - 120*s}
	switch {
	case !b.loaded:
		loading(c, area, i18n.T(lang, i18n.Loading), now)
		hints(c, hint)
		return
	case b.err != nil:
		name := b.folderName()
		centreText(c, area, h/2-20*s, ellipsize(c, i18n.T(lang, i18n.BrowserUnreadable, name), 28*s, w-2*margin*s), 28*s, colError)
		centreText(c, area, h/2+24*s, ellipsize(c, b.err.Error(), 18*s, w-2*margin*s), 18*s, colTextDim)
		hints(c, hint)
		return
	case len(b.shown) == 0:
		msg := i18n.T(lang, i18n.BrowserEmpty)
		if b.kind != library.All {
			msg = i18n.T(lang, i18n.BrowserEmptyKind, kindWord(lang, b.kind))
		}
		centreText(c, area, h/2, msg, 28*s, colText)
		hints(c, hint)
		return
	}
	rightText(c, w-margin*s, 104*s, i18n.T(lang, i18n.BrowserCount, b.focus+1, len(b.shown)), 20*s, colTextDim)
	clip := draw.Rect{Y: (browserTop - 8) * s, W: w, H: browserRows*browserRowH*s + 8*s}
	c.PushClip(clip)
	first := b.scroll.value()
	for i := max(0, int(first)-1); i < len(b.shown) && i < int(first)+browserRows+1; i++ {
		e := b.shown[i]
		r := draw.Rect{X: margin * s, Y: (browserTop + (float32(i)-first)*browserRowH) * s, W: w - 2*margin*s, H: (browserRowH - 6) * s}
		fg, dim := colText, colTextDim
		if i == b.focus {
			c.RoundRect(r, 10*s, colFocus)
			fg, dim = colBackground, colBackground
		} else {
			c.RoundRect(r, 10*s, colPanelSolid)
		}
		iconCol, hole := colAccent, colPanelSolid
		if i == b.focus {
			iconCol, hole = colBackground, colFocus
		}
		box := draw.Rect{X: r.X + 12*s, Y: r.Y + (r.H-BrowserThumbH*s)/2, W: BrowserThumbW * s, H: BrowserThumbH * s}
		if img := b.host.Thumb(e); img != nil {
			c.Image(fitImage(box, img), img)
		} else {
			drawKindIcon(c, e.Kind, draw.Rect{X: box.X + (box.W-browserIcon*s)/2, Y: r.Y + (r.H-browserIcon*s)/2, W: browserIcon * s, H: browserIcon * s}, iconCol, hole)
		}
		base := r.Y + r.H/2 + 7*s
		info := formatDate(e.ModTime, now)
		if e.Kind != library.Folder {
			info = formatSize(lang, e.Size) + "   " + info
		}
		iw, _, _ := c.MeasureText(info, 18*s)
		rightText(c, r.Right()-20*s, base, info, 18*s, dim)
		nx := box.Right() + 18*s
		c.Text(nx, base, ellipsize(c, e.Name, 21*s, r.Right()-20*s-iw-24*s-nx), 21*s, fg)
	}
	c.PopClip()
	hints(c, hint)
}

// fitImage returns the rectangle of img's shape as large as fits in box,
// centred in it.
func fitImage(box draw.Rect, img *draw.Image) draw.Rect {
	iw, ih := img.Size()
	if iw <= 0 || ih <= 0 {
		return box
	}
	k := min(box.W/float32(iw), box.H/float32(ih))
	w, h := float32(iw)*k, float32(ih)*k
	return draw.Rect{X: box.X + (box.W-w)/2, Y: box.Y + (box.H-h)/2, W: w, H: h}
}
