package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // poster formats
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/manbang/manbang/ui/draw"
)

// Posters are fetched two at a time, refused above a size that no poster
// needs (a decompression bomb), and kept downscaled to twice the tile size
// of the 720p grid, which is the tile size at 1440p and sharp enough at 4K.
const (
	posterWorkers   = 2
	posterMaxBytes  = 4 << 20
	posterMaxPixels = 4096 * 4096
	posterW         = 464
	posterH         = 260
	posterCacheMax  = 256
)

type posterEntry struct {
	img     *draw.Image
	loading bool
	used    time.Time
}

// posterCache loads posters in the background. It is used only from the
// render loop; loaders hand results back through App.post.
type posterCache struct {
	a       *App
	entries map[string]*posterEntry
	sem     chan struct{}
	http    *http.Client
}

func newPosterCache(a *App) *posterCache {
	return &posterCache{
		a:       a,
		entries: make(map[string]*posterEntry),
		sem:     make(chan struct{}, posterWorkers),
		http:    &http.Client{Timeout: 10 * time.Second},
	}
}

// get returns the poster at ref (resolved against the operator's URL), or
// nil while it loads or when it failed.
func (c *posterCache) get(ref string) *draw.Image {
	e, ok := c.entries[ref]
	if !ok {
		if len(c.entries) >= posterCacheMax {
			c.evict()
		}
		e = &posterEntry{loading: true}
		c.entries[ref] = e
		go c.load(ref, e)
	}
	e.used = time.Now()
	return e.img
}

func (c *posterCache) evict() {
	var oldest string
	var t time.Time
	for k, e := range c.entries {
		if !e.loading && (oldest == "" || e.used.Before(t)) {
			oldest, t = k, e.used
		}
	}
	delete(c.entries, oldest)
}

func (c *posterCache) load(ref string, e *posterEntry) {
	select {
	case c.sem <- struct{}{}:
	case <-c.a.ctx.Done():
		return
	}
	img, err := c.fetch(ref)
	<-c.sem
	c.a.post(func() {
		e.loading = false
		if err != nil {
			c.a.log.Debug("poster", "url", ref, "err", err)
			return
		}
		e.img = draw.NewImage(img)
	})
}

func (c *posterCache) fetch(ref string) (image.Image, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("poster %q: %w", ref, err)
	}
	if !u.IsAbs() && c.a.cfg.Operator != "" {
		base, err := url.Parse(c.a.cfg.Operator)
		if err != nil {
			return nil, fmt.Errorf("poster %q: %w", ref, err)
		}
		u = base.ResolveReference(u)
	}
	ctx, cancel := context.WithTimeout(c.a.ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
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
	return decodePoster(io.LimitReader(resp.Body, posterMaxBytes))
}

// decodePoster decodes a JPEG or PNG poster, refusing pictures too large to
// be one, and scales it to the poster size.
func decodePoster(r io.Reader) (image.Image, error) {
	pr := &peekReader{r: r}
	cfg, _, err := image.DecodeConfig(pr)
	if err != nil {
		return nil, fmt.Errorf("poster: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > posterMaxPixels {
		return nil, fmt.Errorf("poster: %dx%d is not a poster size", cfg.Width, cfg.Height)
	}
	src, _, err := image.Decode(pr.replay())
	if err != nil {
		return nil, fmt.Errorf("poster: %w", err)
	}
	dst := image.NewRGBA(image.Rect(0, 0, posterW, posterH))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	return dst, nil
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
