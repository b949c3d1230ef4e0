package screen

import (
	"strconv"
	"strings"
	"time"

	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/library"
	"github.com/manbang/manbang/ui/mounts"
)

// Media is the viewer's own media (USB sticks, SD cards) as the screens
// use it. Nothing of it goes to the operator: no session, no resume
// position, no name.
type Media interface {
	// Media returns the media mounted now, by path.
	Media() []mounts.Medium
	// List reads a folder of a medium off the loop; done runs on the loop.
	List(dir string, done func([]library.Entry, error))
	// PlayFile plays a video file, from where the viewer left it on this
	// box if they did.
	PlayFile(e library.Entry)
	// PlaySongs plays songs[i] of a folder and the songs after it, one
	// after the other.
	PlaySongs(songs []library.Entry, i int, folder string)
	// Photo returns a photo decoded to fit the screen, nil while it
	// loads (the first call starts loading it); err says why it cannot
	// be shown.
	Photo(path string) (*draw.Image, error)
	// WantThumbs says which entries the browser shows now and is about
	// to, those on screen first: their thumbnails (of videos and photos)
	// are made off the loop, a few at a time, and those of entries no
	// longer wanted are not, or stop being made. Nil wants none.
	WantThumbs(es []library.Entry)
	// Thumb returns an entry's thumbnail, fitting BrowserThumbW x
	// BrowserThumbH design units: nil until it is made, and for an entry
	// that has none or whose file cannot give one.
	Thumb(e library.Entry) *draw.Image
	// PhotoDetail is Photo decoded to fit twice the screen, for zooming
	// in; only the last asked for is kept.
	PhotoDetail(path string) (*draw.Image, error)
}

// BrowserHost is the roles of the media browser and the photo viewer.
type BrowserHost interface {
	Nav
	Media
}

// OnMedium is a screen that shows a file or folder of one medium, and
// goes when the medium is removed.
type OnMedium interface {
	// Medium returns the mount point of the medium the screen shows.
	Medium() string
}

// Under reports whether path is on the medium mounted at medium: its
// mount point or below it.
func Under(path, medium string) bool {
	medium = strings.TrimRight(medium, "/")
	return path == medium || strings.HasPrefix(path, medium+"/")
}

// formatSize says a number of bytes as the viewer reads it: "7.5 GB",
// "320 MB", "12 KB", with the language's decimal mark.
func formatSize(lang string, n int64) string {
	type unit struct {
		key  string
		size float64
	}
	f := float64(n)
	for _, u := range []unit{{i18n.UnitGB, 1e9}, {i18n.UnitMB, 1e6}, {i18n.UnitKB, 1e3}} {
		if f >= u.size {
			v := f / u.size
			prec := 0
			if v < 10 {
				prec = 1
			}
			num := strconv.FormatFloat(v, 'f', prec, 64)
			if lang == "ru" {
				num = strings.Replace(num, ".", ",", 1)
			}
			return i18n.T(lang, u.key, num)
		}
	}
	return i18n.T(lang, i18n.UnitKB, "0")
}

// formatDate is a file's date as the browser lists it, in the zone of
// the app's clock.
func formatDate(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(now.Location()).Format("2006-01-02 15:04")
}

// kindWord names a kind of entry shown, for the hints and messages.
func kindWord(lang string, k library.Kind) string {
	switch k {
	case library.Video:
		return i18n.T(lang, i18n.KindVideo)
	case library.Music:
		return i18n.T(lang, i18n.KindMusic)
	case library.Photo:
		return i18n.T(lang, i18n.KindPhoto)
	}
	return i18n.T(lang, i18n.KindAll)
}

// orderWord names a sort order.
func orderWord(lang string, o library.Order) string {
	switch o {
	case library.ByDate:
		return i18n.T(lang, i18n.SortDate)
	case library.BySize:
		return i18n.T(lang, i18n.SortSize)
	}
	return i18n.T(lang, i18n.SortName)
}

// drawKindIcon draws the icon of an entry's kind filling r in col, its
// inner marks in hole (the colour under it): a folder, a film frame with
// a play mark, a note, a picture of a sun over a mountain.
func drawKindIcon(c draw.Canvas, k library.Kind, r draw.Rect, col, hole draw.Color) {
	switch k {
	case library.Folder:
		c.RoundRect(draw.Rect{X: r.X, Y: r.Y + r.H*0.1, W: r.W * 0.45, H: r.H * 0.25}, r.H*0.06, col)
		c.RoundRect(draw.Rect{X: r.X, Y: r.Y + r.H*0.22, W: r.W, H: r.H * 0.7}, r.H*0.08, col)
	case library.Video:
		c.RoundRect(draw.Rect{X: r.X, Y: r.Y + r.H*0.12, W: r.W, H: r.H * 0.76}, r.H*0.1, col)
		triangle(c, draw.Rect{X: r.X + r.W*0.38, Y: r.Y + r.H*0.3, W: r.W * 0.3, H: r.H * 0.4}, true, hole)
	case library.Music:
		c.RoundRect(draw.Rect{X: r.X + r.W*0.1, Y: r.Y + r.H*0.62, W: r.W * 0.34, H: r.H * 0.3}, r.H*0.15, col)
		c.FillRect(draw.Rect{X: r.X + r.W*0.36, Y: r.Y + r.H*0.08, W: r.W * 0.09, H: r.H * 0.7}, col)
		c.FillRect(draw.Rect{X: r.X + r.W*0.36, Y: r.Y + r.H*0.08, W: r.W * 0.5, H: r.H * 0.12}, col)
		c.RoundRect(draw.Rect{X: r.X + r.W*0.55, Y: r.Y + r.H*0.5, W: r.W * 0.34, H: r.H * 0.3}, r.H*0.15, col)
		c.FillRect(draw.Rect{X: r.X + r.W*0.8, Y: r.Y + r.H*0.08, W: r.W * 0.09, H: r.H * 0.6}, col)
	case library.Photo:
		c.RoundRect(draw.Rect{X: r.X, Y: r.Y + r.H*0.12, W: r.W, H: r.H * 0.76}, r.H*0.1, col)
		c.RoundRect(draw.Rect{X: r.X + r.W*0.64, Y: r.Y + r.H*0.22, W: r.W * 0.18, H: r.W * 0.18}, r.W*0.09, hole)
		mountain(c, draw.Rect{X: r.X + r.W*0.08, Y: r.Y + r.H*0.4, W: r.W * 0.62, H: r.H * 0.42}, hole)
	}
}

// drawStick draws a USB stick filling r: a plug and a body.
func drawStick(c draw.Canvas, r draw.Rect, col draw.Color) {
	c.FillRect(draw.Rect{X: r.X + r.W*0.3, Y: r.Y, W: r.W * 0.4, H: r.H * 0.28}, col)
	c.RoundRect(draw.Rect{X: r.X, Y: r.Y + r.H*0.26, W: r.W, H: r.H * 0.74}, r.W*0.18, col)
}

// mountain fills a triangle pointing up inside r, as a stack of
// pixel-high slices.
func mountain(c draw.Canvas, r draw.Rect, col draw.Color) {
	n := int(r.H)
	if n < 1 {
		return
	}
	step := r.H / float32(n)
	for i := 0; i < n; i++ {
		w := r.W * (float32(i) + 1) / float32(n)
		c.FillRect(draw.Rect{X: r.X + (r.W-w)/2, Y: r.Y + float32(i)*step, W: w, H: step}, col)
	}
}
