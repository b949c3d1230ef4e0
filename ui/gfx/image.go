package gfx

import (
	"image"
	stddraw "image/draw"

	gl "github.com/go-gl/gl/v3.1/gles2"
	xdraw "golang.org/x/image/draw"

	"github.com/manbang/manbang/ui/draw"
)

// DefaultImageCacheBytes bounds the memory the renderer keeps in image
// textures before it evicts the least recently drawn ones.
const DefaultImageCacheBytes = 96 << 20

// imageTexture is a draw.Image uploaded as a premultiplied RGBA texture.
type imageTexture struct {
	tex    uint32
	bytes  int
	used   uint64 // frame it was last drawn in
	opaque bool   // every pixel opaque: drawn without blending
}

// Image draws img stretched over rc. The first draw uploads it to a
// texture that stays cached, by the Image's identity, until ReleaseImage or
// until the cache is over its limit and the image has not been drawn for
// the longest time. Images larger than the GPU allows are scaled down.
func (r *Renderer) Image(rc draw.Rect, img *draw.Image) {
	if img == nil || img.Source() == nil || rc.Empty() || !r.visible(rc) {
		return
	}
	t := r.imageTexture(img)
	if t == nil {
		return
	}
	t.used = r.frame
	r.record(batchKey{prog: progImage, blend: !t.opaque, img: img.ID()}, t.tex, rc, 0, 0, 1, 1, rc, 0, draw.White, 1)
}

// ReleaseImage frees img's texture now, for pictures that will not be shown
// again. Drawing img later uploads it anew.
func (r *Renderer) ReleaseImage(img *draw.Image) {
	if img != nil {
		r.releaseImage(img.ID())
	}
}

// SetImageCacheLimit sets how many bytes of image textures to keep; it is
// enforced at the end of each frame, never evicting an image drawn in it.
func (r *Renderer) SetImageCacheLimit(bytes int) { r.imageLimit = bytes }

func (r *Renderer) releaseImage(id uint64) {
	t, ok := r.images[id]
	if !ok {
		return
	}
	if r.recording && r.cur.done < len(r.cur.segs) {
		r.flush() // the frame being recorded may use it
	}
	gl.DeleteTextures(1, &t.tex)
	r.imageBytes -= t.bytes
	delete(r.images, id)
}

func (r *Renderer) imageTexture(img *draw.Image) *imageTexture {
	if t, ok := r.images[img.ID()]; ok {
		return t
	}
	rgba := premultipliedRGBA(img.Source(), r.maxTexture)
	w, h := rgba.Rect.Dx(), rgba.Rect.Dy()
	if w == 0 || h == 0 {
		return nil
	}
	t := &imageTexture{tex: newTexture(gl.LINEAR), bytes: w * h * 4, opaque: rgba.Opaque()}
	gl.TexImage2D(gl.TEXTURE_2D, 0, gl.RGBA, int32(w), int32(h), 0, gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(rgba.Pix))
	r.images[img.ID()] = t
	r.imageBytes += t.bytes
	return t
}

// evictImages drops least recently drawn textures while over the limit.
func (r *Renderer) evictImages() {
	for r.imageBytes > r.imageLimit {
		var oldest uint64
		var found *imageTexture
		for id, t := range r.images {
			if t.used < r.frame && (found == nil || t.used < found.used) {
				oldest, found = id, t
			}
		}
		if found == nil {
			return
		}
		r.releaseImage(oldest)
	}
}

// premultipliedRGBA returns src as a tightly packed *image.RGBA (which Go
// keeps premultiplied) starting at (0, 0), scaled to fit maxSide.
func premultipliedRGBA(src image.Image, maxSide int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if maxSide > 0 && (w > maxSide || h > maxSide) {
		scale := float64(maxSide) / float64(max(w, h))
		dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(w)*scale)), max(1, int(float64(h)*scale))))
		xdraw.ApproxBiLinear.Scale(dst, dst.Rect, src, b, xdraw.Src, nil)
		return dst
	}
	if m, ok := src.(*image.RGBA); ok && b.Min == (image.Point{}) && m.Stride == 4*w {
		return m
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	stddraw.Draw(dst, dst.Rect, src, b.Min, stddraw.Src)
	return dst
}
