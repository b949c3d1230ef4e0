package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"path/filepath"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/manbang/manbang/player/thumb"
	"github.com/manbang/manbang/ui/diskcache"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/library"
	"github.com/manbang/manbang/ui/screen"
)

// The browser's thumbnails are made thumbWorkers at a time (the box's ARM
// cores are slow, and the loop and a playback need them too), only for
// the entries the browser says it shows or is about to; they are kept in
// memory within thumbMemory bytes and on the box's own disk (never the
// viewer's medium, which is read-only) within thumbDisk, as PNG, keyed by
// the file's path, size and modification time and the thumbnail's size,
// so that a changed file gets a new one.
const (
	thumbWorkers = 2
	thumbMemory  = 24 << 20
	thumbDisk    = 64 << 20
	thumbMaxAge  = 365 * 24 * time.Hour
)

type thumbEntry struct {
	path    string
	img     *draw.Image
	bytes   int
	failed  bool // it cannot be made: the icon stays, and it is not tried again
	running bool
	cancel  context.CancelFunc
	used    time.Time
}

// thumbCache makes the thumbnails of the browser's videos and photos off
// the render loop. It is used only from the loop; the makers hand their
// results back through App.post.
type thumbCache struct {
	a       *App
	entries map[string]*thumbEntry // by thumbKey
	bytes   int
	wanted  []library.Entry // what the browser shows, in the order to make them
	w, h    int             // the thumbnails' size for the entries wanted
	running int
	disk    *diskcache.Cache // nil without a cache directory
	started int              // makers started, from the disk or the file
	decoded int              // thumbnails decoded from the viewer's files
}

func newThumbCache(a *App) *thumbCache {
	c := &thumbCache{a: a, entries: map[string]*thumbEntry{}}
	if a.cfg.CacheDir != "" {
		d, err := diskcache.Open(diskcache.Config{Dir: filepath.Join(a.cfg.CacheDir, "thumbs"), MaxBytes: thumbDisk, MaxAge: thumbMaxAge})
		if err != nil {
			a.log.Warn("thumbnail cache", "err", err)
		}
		c.disk = d
	}
	return c
}

// WantThumbs implements screen.Media.
func (a *App) WantThumbs(es []library.Entry) { a.thumbs.want(es) }

// Thumb implements screen.Media.
func (a *App) Thumb(e library.Entry) *draw.Image { return a.thumbs.get(e) }

// thumbSize is the size in pixels of a thumbnail on the canvas drawn last.
func (c *thumbCache) thumbSize() (int, int) {
	h := float32(720)
	if c.a.canvasH > 0 {
		h = c.a.canvasH
	}
	s := max(h, 360) / 720
	return int(screen.BrowserThumbW * s), int(screen.BrowserThumbH * s)
}

// thumbKey names a thumbnail of e at w x h, in memory and on disk.
func thumbKey(e library.Entry, w, h int) string {
	return fmt.Sprintf("thumb %dx%d %d %d %s", w, h, e.Size, e.ModTime.UnixNano(), e.Path)
}

// hasThumb reports whether entries of kind k get a thumbnail.
func hasThumb(k library.Kind) bool { return k == library.Video || k == library.Photo }

// want makes the entries wanted es: the thumbnails of the others are not
// made, and those being made are stopped.
func (c *thumbCache) want(es []library.Entry) {
	c.w, c.h = c.thumbSize()
	c.wanted = c.wanted[:0]
	keep := map[string]bool{}
	for _, e := range es {
		if hasThumb(e.Kind) {
			c.wanted = append(c.wanted, e)
			keep[thumbKey(e, c.w, c.h)] = true
		}
	}
	for k, te := range c.entries {
		if te.running && !keep[k] {
			te.cancel()
		}
	}
	c.pump()
}

// get returns e's thumbnail, nil while it is made or when it cannot be.
func (c *thumbCache) get(e library.Entry) *draw.Image {
	if !hasThumb(e.Kind) {
		return nil
	}
	w, h := c.thumbSize()
	te, ok := c.entries[thumbKey(e, w, h)]
	if !ok {
		return nil
	}
	te.used = c.a.now()
	return te.img
}

// pump starts making the thumbnails wanted, in order, while a maker is
// free.
func (c *thumbCache) pump() {
	for _, e := range c.wanted {
		if c.running >= thumbWorkers {
			return
		}
		k := thumbKey(e, c.w, c.h)
		if _, ok := c.entries[k]; ok {
			continue // made, failed or being made
		}
		c.start(k, e)
	}
}

func (c *thumbCache) start(k string, e library.Entry) {
	ctx, cancel := context.WithCancel(c.a.ctx)
	te := &thumbEntry{path: e.Path, running: true, cancel: cancel, used: c.a.now()}
	c.entries[k] = te
	c.running++
	c.started++
	w, h, disk := c.w, c.h, c.disk
	c.a.goPost(func(context.Context) {
		defer cancel()
		img, decoded, err := makeThumb(ctx, disk, k, e, w, h)
		stopped := ctx.Err() != nil
		c.a.post(func() { c.done(k, te, img, decoded, stopped, err) })
	})
}

// done takes a maker's result on the loop.
func (c *thumbCache) done(k string, te *thumbEntry, img image.Image, decoded, stopped bool, err error) {
	c.running--
	te.running = false
	if decoded {
		c.decoded++
	}
	switch {
	case c.entries[k] != te: // forgotten meanwhile (the medium went)
	case err != nil && stopped:
		delete(c.entries, k) // scrolled away: made again if it comes back
	case err != nil:
		c.a.log.Info("thumbnail: the icon stays", "path", te.path, "err", err)
		te.failed = true
	default:
		te.img = draw.NewImage(img)
		b := img.Bounds()
		te.bytes = b.Dx() * b.Dy() * 4
		c.bytes += te.bytes
		c.evict()
	}
	c.pump()
}

// evict drops the thumbnails used least recently until the memory they
// take is within bound; those being drawn now are used now, and stay.
func (c *thumbCache) evict() { evictPictures(c.entries, &c.bytes, thumbMemory) }

func (e *thumbEntry) picture() (*draw.Image, int, time.Time) { return e.img, e.bytes, e.used }

// forget drops the thumbnails of a medium that went, stopping those
// being made.
func (c *thumbCache) forget(medium string) {
	for k, te := range c.entries {
		if screen.Under(te.path, medium) {
			if te.running {
				te.cancel()
			}
			c.bytes -= te.bytes
			delete(c.entries, k)
		}
	}
	c.wanted = c.wanted[:0]
}

// busy reports whether thumbnails are being made.
func (c *thumbCache) busy() bool { return c.running > 0 }

// makeThumb returns the thumbnail of e fitting w x h, from the disk cache
// under key k, or made from the file (decoded) and then kept there.
func makeThumb(ctx context.Context, disk *diskcache.Cache, k string, e library.Entry, w, h int) (img image.Image, decoded bool, err error) {
	if disk != nil {
		if b, ok := disk.Get(k); ok {
			if img, err := png.Decode(bytes.NewReader(b)); err == nil {
				return img, false, nil
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	switch e.Kind {
	case library.Video:
		img, err = thumb.Video(ctx, e.Path, w, h)
	case library.Photo:
		img, err = decodePhoto(e.Path, w, h)
	default:
		err = errors.New("no thumbnail for its kind")
	}
	if err != nil {
		return nil, true, fmt.Errorf("thumbnail of %s: %w", e.Path, err)
	}
	img = toRGBA(img)
	if disk != nil {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(&buf, img); err == nil {
			_ = disk.Put(k, buf.Bytes()) // a full or failing cache only costs a decode next time
		}
	}
	return img, true, nil
}

// toRGBA returns img as RGBA, copying it only if it is not.
func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok {
		return r
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	xdraw.Copy(dst, image.Point{}, img, b, xdraw.Src, nil)
	return dst
}
