package gfx

import (
	"math"
	"time"

	gl "github.com/go-gl/gl/v3.1/gles2"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/draw"
)

// videoPlanes holds the Y, U and V textures of the video plane and which
// frame they hold.
type videoPlanes struct {
	tex  [3]uint32
	w, h int
	// The frame last uploaded. Pools recycle frames, so the pointer alone
	// does not identify a picture: its pool serial, PTS and luma buffer are
	// kept too (frames made outside a pool have serial 0).
	last       *media.VideoFrame
	lastSerial uint64
	lastPTS    time.Duration
	lastY      *byte
}

func (p *videoPlanes) delete() {
	for i := range p.tex {
		if p.tex[i] != 0 {
			gl.DeleteTextures(1, &p.tex[i])
			p.tex[i] = 0
		}
	}
	*p = videoPlanes{}
}

// Video draws f letterboxed inside rc at its display aspect, with black bars
// over the rest of rc; a nil or malformed frame leaves rc black. A frame is
// uploaded only when it differs from the last one drawn (by pointer, PTS or
// buffer), so redrawing a paused picture costs no upload. f must stay
// unchanged until End.
func (r *Renderer) Video(rc draw.Rect, f *media.VideoFrame) {
	if rc.Empty() || !r.visible(rc) {
		return
	}
	if !validFrame(f) {
		r.FillRect(rc, draw.Black)
		return
	}
	pic := snap(draw.Letterbox(rc, f.DisplayAspect()))
	for _, bar := range bars(rc, pic) {
		r.FillRect(bar, draw.Black)
	}
	if pic.Empty() || !r.visible(pic) {
		return
	}
	s := r.cur.newSegment(len(r.clips) > 0, r.clip())
	s.isVideo = true
	s.video = videoDraw{pic: pic, frame: f, serial: f.Serial, pts: f.PTS, y0: &f.Y[0]}
	r.cur.open = false
}

// drawVideo uploads the picture if it is new and draws it.
func (r *Renderer) drawVideo(v *videoDraw) {
	f := v.frame
	r.uploadFrame(f)
	r.use(r.video)
	r.blend(false)
	for i, t := range r.planes.tex {
		gl.ActiveTexture(gl.TEXTURE0 + uint32(i))
		gl.BindTexture(gl.TEXTURE_2D, t)
	}
	gl.ActiveTexture(gl.TEXTURE0)
	m, off := media.YUVToRGB(f.ColorSpace, f.FullRange)
	u := r.video.uniforms
	gl.UniformMatrix3fv(u["u_matrix"], 1, false, &m[0])
	gl.Uniform3f(u["u_offset"], off[0], off[1], off[2])
	gl.Uniform2f(u["u_chroma"],
		float32(f.Width)/float32(2*f.ChromaWidth()), float32(f.Height)/float32(2*f.ChromaHeight()))

	r.upload = appendQuad(r.upload[:0], v.pic, 0, 0, 1, 1, v.pic, 0, draw.White, 1)
	gl.BindBuffer(gl.ARRAY_BUFFER, r.vbo)
	gl.BufferData(gl.ARRAY_BUFFER, len(r.upload)*4, gl.Ptr(&r.upload[0]), gl.STREAM_DRAW)
	gl.DrawElementsWithOffset(gl.TRIANGLES, 6, gl.UNSIGNED_SHORT, 0)
	r.stats.DrawCalls++
	r.stats.Quads++
}

// InvalidateVideo makes the next Video call upload its frame even if it
// looks like the last one, for a decoder that rewrote a frame in place.
func (r *Renderer) InvalidateVideo() {
	r.planes.last = nil
	r.videoStale = true
}

func validFrame(f *media.VideoFrame) bool {
	if f == nil || f.Width <= 0 || f.Height <= 0 {
		return false
	}
	c := f.ChromaWidth() * f.ChromaHeight()
	return len(f.Y) >= f.Width*f.Height && len(f.U) >= c && len(f.V) >= c
}

// uploadFrame puts f into the plane textures, re-creating them when the
// picture size changes.
func (r *Renderer) uploadFrame(f *media.VideoFrame) {
	p := &r.planes
	if f == p.last && f.Serial == p.lastSerial && f.PTS == p.lastPTS && &f.Y[0] == p.lastY {
		return
	}
	sizes := [3][2]int{{f.Width, f.Height}, {f.ChromaWidth(), f.ChromaHeight()}, {f.ChromaWidth(), f.ChromaHeight()}}
	planes := [3][]byte{f.Y, f.U, f.V}
	resize := p.w != f.Width || p.h != f.Height || p.tex[0] == 0
	for i := range planes {
		gl.ActiveTexture(gl.TEXTURE0 + uint32(i))
		w, h := int32(sizes[i][0]), int32(sizes[i][1])
		if resize {
			if p.tex[i] != 0 {
				gl.DeleteTextures(1, &p.tex[i])
			}
			p.tex[i] = newTexture(gl.LINEAR)
			gl.TexImage2D(gl.TEXTURE_2D, 0, gl.LUMINANCE, w, h, 0, gl.LUMINANCE, gl.UNSIGNED_BYTE, gl.Ptr(planes[i]))
			continue
		}
		gl.BindTexture(gl.TEXTURE_2D, p.tex[i])
		gl.TexSubImage2D(gl.TEXTURE_2D, 0, 0, 0, w, h, gl.LUMINANCE, gl.UNSIGNED_BYTE, gl.Ptr(planes[i]))
	}
	gl.ActiveTexture(gl.TEXTURE0)
	p.w, p.h = f.Width, f.Height
	p.last, p.lastSerial, p.lastPTS, p.lastY = f, f.Serial, f.PTS, &f.Y[0]
	r.stats.VideoUploads++
}

// snap rounds a rectangle's edges to whole pixels, so the picture has no
// half-covered border.
func snap(rc draw.Rect) draw.Rect {
	x0, y0 := float32(math.Round(float64(rc.X))), float32(math.Round(float64(rc.Y)))
	x1, y1 := float32(math.Round(float64(rc.Right()))), float32(math.Round(float64(rc.Bottom())))
	return draw.Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

// bars returns the parts of outer not covered by inner, which lies inside
// it: the letterbox or pillarbox bars.
func bars(outer, inner draw.Rect) []draw.Rect {
	var b []draw.Rect
	add := func(rc draw.Rect) {
		if !rc.Empty() {
			b = append(b, rc)
		}
	}
	add(draw.Rect{X: outer.X, Y: outer.Y, W: outer.W, H: inner.Y - outer.Y})
	add(draw.Rect{X: outer.X, Y: inner.Bottom(), W: outer.W, H: outer.Bottom() - inner.Bottom()})
	add(draw.Rect{X: outer.X, Y: inner.Y, W: inner.X - outer.X, H: inner.H})
	add(draw.Rect{X: inner.Right(), Y: inner.Y, W: outer.Right() - inner.Right(), H: inner.H})
	return b
}
