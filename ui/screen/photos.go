package screen

import (
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/library"
)

// photoCaption is how long the name and the count stay over a photo
// after it comes or after a key.
const photoCaption = 4 * time.Second

// Photos shows the photos of a folder full screen, one at a time: left
// and right for the one before and after, Back to the folder. The app
// decodes them off the render loop, scaled to the screen.
type Photos struct {
	host   BrowserHost
	medium string
	photos []library.Entry
	at     int
	until  time.Time // the caption shows until then
}

// NewPhotos returns the viewer of photos, showing photos[i]; medium is
// the mount point they are on.
func NewPhotos(host BrowserHost, medium string, photos []library.Entry, i int) *Photos {
	p := &Photos{host: host, medium: medium, photos: photos, at: min(max(i, 0), max(len(photos)-1, 0))}
	p.until = host.Now().Add(photoCaption)
	return p
}

// Name implements Screen.
func (p *Photos) Name() string { return "photo" }

// Medium implements OnMedium.
func (p *Photos) Medium() string { return p.medium }

// Handle implements Screen.
func (p *Photos) Handle(ev remote.Event) bool {
	switch ev.Key {
	case remote.KeyLeft, remote.KeyRight, remote.KeyUp, remote.KeyDown, remote.KeyOK, remote.KeyBack:
	default:
		return false
	}
	if !pressed(ev) {
		return true
	}
	p.until = p.host.Now().Add(photoCaption)
	switch ev.Key {
	case remote.KeyLeft, remote.KeyUp:
		p.at = max(p.at-1, 0)
	case remote.KeyRight, remote.KeyDown:
		p.at = min(p.at+1, len(p.photos)-1)
	case remote.KeyBack:
		if firstPress(ev) {
			p.host.Back()
		}
	}
	return true
}

// current returns the photo shown, its picture (nil while it loads) and
// why it cannot be shown.
func (p *Photos) current() (library.Entry, *draw.Image, error) {
	if len(p.photos) == 0 {
		return library.Entry{}, nil, nil
	}
	e := p.photos[p.at]
	img, err := p.host.Photo(e.Path)
	return e, img, err
}

// Update implements Screen: the photos next to the one shown start
// loading, so that left and right show them at once.
func (p *Photos) Update(time.Time) {
	if _, img, err := p.current(); img == nil && err == nil {
		return // one at a time: the one shown first
	}
	for _, i := range []int{p.at + 1, p.at - 1} {
		if i >= 0 && i < len(p.photos) {
			p.host.Photo(p.photos[i].Path)
		}
	}
}

// Wake implements Screen.
func (p *Photos) Wake(now time.Time) time.Time {
	if _, img, err := p.current(); img == nil && err == nil && len(p.photos) > 0 {
		return now // the spinner turns until the photo comes
	}
	return after(now, p.until)
}

// PhotoState is the photo viewer's report to the control endpoint.
type PhotoState struct {
	Screen string `json:"screen"`
	Name   string `json:"name"`
	Index  int    `json:"index"`
	Count  int    `json:"count"`
	Loaded bool   `json:"loaded"`
	Width  int    `json:"width,omitempty"` // of the picture as decoded
	Height int    `json:"height,omitempty"`
	Error  string `json:"error,omitempty"`
}

// State implements Screen.
func (p *Photos) State() any {
	e, img, err := p.current()
	s := PhotoState{Screen: p.Name(), Name: e.Name, Index: p.at, Count: len(p.photos), Loaded: img != nil}
	if img != nil {
		s.Width, s.Height = img.Size()
	}
	if err != nil {
		s.Error = err.Error()
	}
	return s
}

// Draw implements Screen.
func (p *Photos) Draw(c draw.Canvas, now time.Time) {
	s := scale(c)
	w, h := c.Size()
	lang := p.host.Lang()
	full := draw.Rect{W: w, H: h}
	c.FillRect(full, draw.Black)
	e, img, err := p.current()
	switch {
	case err != nil:
		centreText(c, full, h/2-20*s, ellipsize(c, i18n.T(lang, i18n.PhotoFailed, e.Name), 28*s, w-2*margin*s), 28*s, colError)
		centreText(c, full, h/2+24*s, ellipsize(c, err.Error(), 18*s, w-2*margin*s), 18*s, colTextDim)
	case img == nil:
		spinner(c, now, w/2, h/2, s)
	default:
		iw, ih := img.Size()
		f := min(w/float32(iw), h/float32(ih))
		dw, dh := float32(iw)*f, float32(ih)*f
		c.Image(draw.Rect{X: (w - dw) / 2, Y: (h - dh) / 2, W: dw, H: dh}, img)
	}
	if now.Before(p.until) || err != nil {
		bar := draw.Rect{Y: h - 96*s, W: w, H: 96 * s}
		c.FillRect(bar, draw.RGBA(0x000000b0))
		count := i18n.T(lang, i18n.PhotoCount, p.at+1, len(p.photos))
		cw, _, _ := c.MeasureText(count, 20*s)
		c.Text(margin*s, h-54*s, ellipsize(c, e.Name, 22*s, w-2*margin*s-cw-30*s), 22*s, colText)
		rightText(c, w-margin*s, h-54*s, count, 20*s, colTextDim)
		hints(c, i18n.T(lang, i18n.HintPhoto))
	}
}
