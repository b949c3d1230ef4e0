package screen

import (
	"strings"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/library"
)

// photoCaption is how long the name and the count stay over a photo
// after it comes or after a key; slideEvery how long a slideshow shows
// each.
const (
	photoCaption = 4 * time.Second
	slideEvery   = 5 * time.Second
)

// maxZoom is the closest the viewer zooms in: 1×, 2×, 4×.
const maxZoom = 4

// Photos shows the photos of a folder full screen, one at a time: left
// and right for the one before and after, OK or Play for a slideshow
// that goes round, fast-forward and rewind to zoom in and out, the arrows
// then moving over the photo; Back to the folder. The app decodes them
// off the render loop, scaled to the screen, and twice that for zoom.
type Photos struct {
	host   BrowserHost
	medium string
	photos []library.Entry
	at     int
	until  time.Time // the caption shows until then

	slideshow bool
	slideAt   time.Time // the next photo of the slideshow comes then
	zoom      int       // 1, 2 or 4
	cx, cy    float32   // the middle of the view, in fractions of the photo
}

// NewPhotos returns the viewer of photos, showing photos[i]; medium is
// the mount point they are on.
func NewPhotos(host BrowserHost, medium string, photos []library.Entry, i int) *Photos {
	p := &Photos{host: host, medium: medium, photos: photos, at: min(max(i, 0), max(len(photos)-1, 0)), zoom: 1, cx: 0.5, cy: 0.5}
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
	case remote.KeyLeft, remote.KeyRight, remote.KeyUp, remote.KeyDown, remote.KeyOK, remote.KeyBack,
		remote.KeyPlayPause, remote.KeyFastForward, remote.KeyRewind:
	default:
		return false
	}
	if !pressed(ev) {
		return true
	}
	now := p.host.Now()
	p.until = now.Add(photoCaption)
	p.slideAt = now.Add(slideEvery)
	if p.zoom > 1 && p.pan(ev.Key) {
		return true
	}
	switch ev.Key {
	case remote.KeyLeft, remote.KeyUp:
		p.show(max(p.at-1, 0))
	case remote.KeyRight, remote.KeyDown:
		p.show(min(p.at+1, len(p.photos)-1))
	case remote.KeyOK, remote.KeyPlayPause:
		if firstPress(ev) {
			p.slideshow = !p.slideshow
		}
	case remote.KeyFastForward:
		if firstPress(ev) {
			p.zoom = min(p.zoom*2, maxZoom)
		}
	case remote.KeyRewind:
		if firstPress(ev) {
			p.zoom = max(p.zoom/2, 1)
			p.cx, p.cy = p.clampPan(p.cx, p.cy)
		}
	case remote.KeyBack:
		if firstPress(ev) {
			p.host.Back()
		}
	}
	return true
}

// show goes to photos[i], whole.
func (p *Photos) show(i int) {
	if i != p.at {
		p.at, p.zoom, p.cx, p.cy = i, 1, 0.5, 0.5
	}
}

// panStep is how far an arrow moves a zoomed photo: a quarter of the
// view.
const panStep = 0.25

// pan moves the view over a zoomed photo by an arrow, and reports
// whether ev.Key was one.
func (p *Photos) pan(k remote.Key) bool {
	step := panStep / float32(p.zoom)
	cx, cy := p.cx, p.cy
	switch k {
	case remote.KeyLeft:
		cx -= step
	case remote.KeyRight:
		cx += step
	case remote.KeyUp:
		cy -= step
	case remote.KeyDown:
		cy += step
	default:
		return false
	}
	p.cx, p.cy = p.clampPan(cx, cy)
	return true
}

// clampPan keeps the view on the photo: its middle no nearer an edge
// than half the view.
func (p *Photos) clampPan(cx, cy float32) (float32, float32) {
	half := 0.5 / float32(p.zoom)
	return min(max(cx, half), 1-half), min(max(cy, half), 1-half)
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

// Update implements Screen: a slideshow goes on to the next photo, round
// to the first after the last, once the one shown has been for
// slideEvery; the photos next to the one shown start loading, so that
// left, right and the slideshow show them at once.
func (p *Photos) Update(now time.Time) {
	_, img, err := p.current()
	if img == nil && err == nil {
		p.slideAt = now.Add(slideEvery) // shown for slideEvery once it comes
		return                          // one at a time: the one shown first
	}
	if p.slideshow && !now.Before(p.slideAt) && len(p.photos) > 1 {
		p.show((p.at + 1) % len(p.photos))
		p.slideAt = now.Add(slideEvery)
		if _, img, err := p.current(); img == nil && err == nil {
			return
		}
	}
	next := []int{p.at + 1, p.at - 1}
	if p.slideshow {
		next[0] = (p.at + 1) % len(p.photos)
	}
	for _, i := range next {
		if i >= 0 && i < len(p.photos) {
			p.host.Photo(p.photos[i].Path)
		}
	}
	if p.zoom > 1 && len(p.photos) > 0 {
		p.host.PhotoDetail(p.photos[p.at].Path)
	}
}

// Wake implements Screen.
func (p *Photos) Wake(now time.Time) time.Time {
	if _, img, err := p.current(); img == nil && err == nil && len(p.photos) > 0 {
		return now // the spinner turns until the photo comes
	}
	if p.zoom > 1 {
		if img, err := p.host.PhotoDetail(p.photos[p.at].Path); img == nil && err == nil {
			return now // the closer picture is on its way
		}
	}
	var slide time.Time
	if p.slideshow && len(p.photos) > 1 {
		slide = p.slideAt
		if !slide.After(now) {
			slide = now
		}
	}
	return soonest(after(now, p.until), slide)
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
	// Slideshow says the photos go on by themselves; Zoom is 1, 2 or 4,
	// and Detail that the photo shown is the one decoded larger for it.
	Slideshow bool `json:"slideshow"`
	Zoom      int  `json:"zoom"`
	Detail    bool `json:"detail,omitempty"`
}

// State implements Screen.
func (p *Photos) State() any {
	e, img, err := p.current()
	s := PhotoState{Screen: p.Name(), Name: e.Name, Index: p.at, Count: len(p.photos), Loaded: img != nil,
		Slideshow: p.slideshow, Zoom: p.zoom}
	if d := p.detail(); d != nil {
		img, s.Detail = d, true
	}
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
	if d := p.detail(); d != nil {
		img = d
	}
	switch {
	case err != nil:
		centreText(c, full, h/2-20*s, ellipsize(c, i18n.T(lang, i18n.PhotoFailed, e.Name), 28*s, w-2*margin*s), 28*s, colError)
		centreText(c, full, h/2+24*s, ellipsize(c, err.Error(), 18*s, w-2*margin*s), 18*s, colTextDim)
	case img == nil:
		spinner(c, now, w/2, h/2, s)
	default:
		iw, ih := img.Size()
		z := float32(p.zoom)
		f := min(w/float32(iw), h/float32(ih)) * z
		dw, dh := float32(iw)*f, float32(ih)*f
		// The view's middle at (cx, cy) of the photo; a side smaller than
		// the screen stays in the middle.
		x, y := (w-dw)/2, (h-dh)/2
		if dw > w {
			x = min(max(w/2-p.cx*dw, w-dw), 0)
		}
		if dh > h {
			y = min(max(h/2-p.cy*dh, h-dh), 0)
		}
		c.Image(draw.Rect{X: x, Y: y, W: dw, H: dh}, img)
	}
	if p.slideshow || p.zoom > 1 {
		var marks []string
		if p.slideshow {
			marks = append(marks, i18n.T(lang, i18n.Slideshow))
		}
		if p.zoom > 1 {
			marks = append(marks, i18n.T(lang, i18n.Zoomed, p.zoom))
		}
		label := strings.Join(marks, "  ·  ")
		lw, _, _ := c.MeasureText(label, 20*s)
		c.RoundRect(draw.Rect{X: w - margin*s - lw - 32*s, Y: 32 * s, W: lw + 32*s, H: 44 * s}, 22*s, draw.RGBA(0x000000b0))
		c.Text(w-margin*s-lw-16*s, 61*s, label, 20*s, colText)
	}
	if now.Before(p.until) || err != nil {
		bar := draw.Rect{Y: h - 96*s, W: w, H: 96 * s}
		c.FillRect(bar, draw.RGBA(0x000000b0))
		count := i18n.T(lang, i18n.PhotoCount, p.at+1, len(p.photos))
		cw, _, _ := c.MeasureText(count, 20*s)
		c.Text(margin*s, h-54*s, ellipsize(c, e.Name, 22*s, w-2*margin*s-cw-30*s), 22*s, colText)
		rightText(c, w-margin*s, h-54*s, count, 20*s, colTextDim)
		hint := i18n.HintPhoto
		if p.zoom > 1 {
			hint = i18n.HintPhotoZoomed
		}
		hints(c, i18n.T(lang, hint))
	}
}

// detail returns the photo shown decoded larger, when it is zoomed and
// that has come.
func (p *Photos) detail() *draw.Image {
	if p.zoom == 1 || len(p.photos) == 0 {
		return nil
	}
	img, _ := p.host.PhotoDetail(p.photos[p.at].Path)
	return img
}
