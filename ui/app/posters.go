package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // poster formats
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"github.com/manbang/manbang/ui/diskcache"
	"github.com/manbang/manbang/ui/draw"
)

// Posters (and channel logos) are fetched two at a time and refused above
// a size no poster needs (a decompression bomb): more than posterMaxPixels,
// or more than posterMaxDecoded bytes once decoded at the picture's own
// depth (a 16-bit PNG takes 8 bytes a pixel). The largest a poster is drawn
// is 1344x756 pixels, on a 2160p screen. Each is scaled down once
// to the largest size a screen draws it at on this display, never up, and
// kept in memory within posterMemory bytes; the files themselves are kept
// on disk within posterDisk.
const (
	posterWorkers    = 2
	posterMaxBytes   = 4 << 20
	posterMaxPixels  = 2048 * 2048
	posterMaxDecoded = 16 << 20
	posterMemory     = 64 << 20
	posterDisk       = 64 << 20
	// posterDesignW x posterDesignH is the largest a poster is drawn (the
	// title page's), in 720p design units.
	posterDesignW = 448
	posterDesignH = 252
)

type posterEntry struct {
	img     *draw.Image
	bytes   int
	loading bool
	failed  time.Time // zero unless the last load failed
	used    time.Time
}

// posterCache loads pictures in the background. It is used only from the
// render loop; loaders hand results back through App.post.
type posterCache struct {
	a       *App
	entries map[string]*posterEntry
	bytes   int
	sem     chan struct{}
	http    *http.Client
	disk    *diskcache.Cache // nil without a cache directory
	gen     int              // bumped by reset: older loads are dropped
}

// posterRetry is how long a poster that failed to load is left alone.
const posterRetry = 30 * time.Second

func newPosterCache(a *App) *posterCache {
	c := &posterCache{
		a:       a,
		entries: make(map[string]*posterEntry),
		sem:     make(chan struct{}, posterWorkers),
		http:    &http.Client{Timeout: 10 * time.Second},
	}
	if a.cfg.CacheDir != "" {
		d, err := diskcache.Open(diskcache.Config{Dir: filepath.Join(a.cfg.CacheDir, "posters"), MaxBytes: posterDisk})
		if err != nil {
			a.log.Warn("poster cache", "err", err)
		}
		c.disk = d
	}
	return c
}

// reset forgets every poster: the operator changed.
func (c *posterCache) reset() {
	c.entries = make(map[string]*posterEntry)
	c.bytes = 0
	c.gen++
}

// get returns the picture at ref (resolved against the operator's URL), or
// nil while it loads or when it failed.
func (c *posterCache) get(ref string) *draw.Image {
	now := c.a.now()
	e, ok := c.entries[ref]
	if ok && !e.failed.IsZero() && now.Sub(e.failed) > posterRetry {
		delete(c.entries, ref)
		ok = false
	}
	if !ok {
		e = &posterEntry{loading: true}
		c.entries[ref] = e
		c.load(ref, e)
	}
	e.used = now
	return e.img
}

// evict drops the least recently used pictures until the memory they take
// is within bound.
func (c *posterCache) evict() { evictPictures(c.entries, &c.bytes, posterMemory) }

// A pictured entry of a picture cache: its picture (nil while none is
// held), the bytes it takes and when it was drawn last.
type pictured interface {
	picture() (img *draw.Image, bytes int, used time.Time)
}

func (e *posterEntry) picture() (*draw.Image, int, time.Time) { return e.img, e.bytes, e.used }

// evictPictures drops the entries whose pictures were drawn longest ago
// until the bytes they take, *total, are within bound; entries holding no
// picture (still loading, failed) stay.
func evictPictures[E pictured](entries map[string]E, total *int, bound int) {
	for *total > bound {
		var oldest string
		var t time.Time
		for k, e := range entries {
			if img, _, used := e.picture(); img != nil && (oldest == "" || used.Before(t)) {
				oldest, t = k, used
			}
		}
		if oldest == "" {
			return
		}
		_, n, _ := entries[oldest].picture()
		*total -= n
		delete(entries, oldest)
	}
}

// displaySize is the largest a poster is drawn at on the canvas drawn last.
func (c *posterCache) displaySize() (int, int) {
	h := float32(720)
	if c.a.canvasH > 0 {
		h = c.a.canvasH
	}
	s := float64(max(h, 360)) / 720
	return int(posterDesignW * s), int(posterDesignH * s)
}

func (c *posterCache) load(ref string, e *posterEntry) {
	gen := c.gen
	w, h := c.displaySize()
	base := c.a.st.Settings.Operator
	c.a.goPost(func(ctx context.Context) {
		select {
		case c.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		img, err := c.fetch(ctx, base, ref, w, h)
		<-c.sem
		c.a.post(func() {
			if gen != c.gen {
				return
			}
			e.loading = false
			if err != nil {
				c.a.log.Debug("poster", "url", ref, "err", err)
				e.failed = c.a.now()
				return
			}
			e.img = draw.NewImage(img)
			e.bytes = img.Bounds().Dx() * img.Bounds().Dy() * 4
			c.bytes += e.bytes
			c.evict()
		})
	})
}

// fetch returns the picture at ref, from the disk cache or the network,
// decoded and scaled to fit w x h.
func (c *posterCache) fetch(ctx context.Context, base, ref string, w, h int) (image.Image, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("poster %q: %w", ref, err)
	}
	if !u.IsAbs() && base != "" {
		b, err := url.Parse(base)
		if err != nil {
			return nil, fmt.Errorf("poster %q: %w", ref, err)
		}
		u = b.ResolveReference(u)
	}
	key := u.String()
	if c.disk != nil {
		if b, ok := c.disk.Get(key); ok {
			if img, err := decodePoster(bytes.NewReader(b), w, h); err == nil {
				return img, nil
			}
		}
	}
	b, err := c.download(ctx, key)
	if err != nil {
		return nil, err
	}
	img, err := decodePoster(bytes.NewReader(b), w, h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if c.disk != nil {
		if err := c.disk.Put(key, b); err != nil {
			c.a.log.Debug("poster cache", "err", err)
		}
	}
	return img, nil
}

func (c *posterCache) download(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("poster %s: %w", u, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("poster %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("poster %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, posterMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("poster %s: %w", u, err)
	}
	if len(b) > posterMaxBytes {
		return nil, fmt.Errorf("poster %s: larger than %d MiB", u, posterMaxBytes>>20)
	}
	return b, nil
}

// decodePoster decodes a JPEG, PNG or WebP picture, refusing pictures too
// large to be a poster, and scales it down to fit w x h, keeping its
// aspect; smaller pictures are kept as they are (the GPU stretches them).
func decodePoster(r io.Reader, w, h int) (image.Image, error) {
	img, err := decodeBounded(r, w, h, posterMaxPixels, posterMaxDecoded, "poster")
	if err != nil {
		return nil, fmt.Errorf("poster: %w", err)
	}
	return img, nil
}

// decodeBounded decodes a picture (what: a poster, a photo) of at most
// maxPixels, and maxDecoded bytes once decoded, and scales it down to
// fit w x h, keeping its aspect (never up).
func decodeBounded(r io.Reader, w, h, maxPixels, maxDecoded int, what string) (image.Image, error) {
	pr := &peekReader{r: r}
	cfg, _, err := image.DecodeConfig(pr)
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return nil, fmt.Errorf("%dx%d is not a %s size", cfg.Width, cfg.Height, what)
	}
	if n := bytesPerPixel(cfg.ColorModel); cfg.Width*cfg.Height*n > maxDecoded {
		return nil, fmt.Errorf("%dx%d at %d bytes a pixel is more than %d MiB decoded", cfg.Width, cfg.Height, n, maxDecoded>>20)
	}
	src, _, err := image.Decode(pr.replay())
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	if w <= 0 || h <= 0 || (b.Dx() <= w && b.Dy() <= h) {
		dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		xdraw.Copy(dst, image.Point{}, src, b, xdraw.Src, nil)
		return dst, nil
	}
	scale := min(float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy()))
	dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(b.Dx())*scale+0.5)), max(1, int(float64(b.Dy())*scale+0.5))))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
	return dst, nil
}

// bytesPerPixel is what image.Decode keeps for each pixel of a picture of
// model m; a model it does not know counts as the deepest, 8.
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4 at worst
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// peekReader records what DecodeConfig read so that Decode can read it again.
type peekReader struct {
	r   io.Reader
	buf []byte
}

func (p *peekReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.buf = append(p.buf, b[:n]...)
	return n, err
}

func (p *peekReader) replay() io.Reader {
	return io.MultiReader(bytes.NewReader(p.buf), p.r)
}
