package gfx

import (
	"errors"
	"fmt"
	"image"
	"math"

	gl "github.com/go-gl/gl/v3.1/gles2"

	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/text"
)

// Vertex layout shared by every program: position, texture coordinate,
// distances to the shape's left, right, top and bottom edges, corner
// radius, and straight-alpha colour.
const (
	floatsPerVertex = 2 + 2 + 4 + 1 + 4
	vertexStride    = floatsPerVertex * 4
	maxQuads        = 65536 / 4 // indices are 16-bit
)

var attribNames = []string{"a_pos", "a_uv", "a_edges", "a_radius", "a_color"}

// attribLayout gives each attribute's float count and offset in a vertex.
var attribLayout = [...]struct {
	size   int32
	offset int
}{{2, 0}, {2, 2}, {4, 4}, {1, 8}, {4, 9}}

// noEdge is an edge distance far enough away to give full coverage.
const noEdge = 4096

// refreshFrames is how many frames in a row an unchanged picture may go
// without being drawn again: once a second at 60 frames a second the
// renderer redraws anyway, in case the window system lost the picture.
const refreshFrames = 60

// Stats counts what the renderer did during the last frame.
type Stats struct {
	DrawCalls    int
	Quads        int
	AtlasUploads int // dirty-band uploads of the glyph atlas
	VideoUploads int // frames uploaded to the video planes
	Images       int // image textures cached
	ImageBytes   int // their size in memory
}

// Renderer draws a frame of draw.Canvas calls with GL ES 2. It records the
// calls and draws them at End, batching quads by shader, texture and
// blending so that a screen takes a few draw calls. Each kind of quad has a
// shader doing only what it needs: whole-pixel rectangles are a flat
// colour, opaque ones and opaque pictures are drawn without blending, and
// only rounded or fractional shapes pay for anti-aliasing. Create it after
// OpenWindow, and use it only on the main thread.
type Renderer struct {
	fonts *text.Fonts
	w, h  int

	progs      [numProgs]*program
	video      *program
	current    uint32 // program in use
	blending   bool
	vbo, ibo   uint32
	maxTexture int
	splitArea  float32 // shapes this large are split; see roundRect

	// cur is the frame being recorded; last is the frame End drew last,
	// which is on screen once swapped.
	cur, last  *frameRec
	recs       [2]frameRec
	recording  bool // between Begin and End or Discard
	glBegun    bool // the current frame's GL work has started
	haveLast   bool
	sinceDrawn int // frames discarded since last was drawn
	videoStale bool
	upload     []float32
	clips      []image.Rectangle

	atlas    *text.Atlas
	atlasTex uint32
	glyphs   []text.GlyphPos

	images     map[uint64]*imageTexture
	imageBytes int
	imageLimit int
	frame      uint64

	planes videoPlanes

	stats Stats
	err   error
}

var _ draw.BoldCanvas = (*Renderer)(nil)

// NewRenderer compiles the shaders and creates the buffers and the glyph
// atlas texture. The GL context must be current.
func NewRenderer(fonts *text.Fonts) (*Renderer, error) {
	return newRenderer(fonts, text.DefaultAtlasSize)
}

func newRenderer(fonts *text.Fonts, atlasSize int) (*Renderer, error) {
	if fonts == nil {
		return nil, errors.New("new renderer: no fonts")
	}
	r := &Renderer{
		fonts:      fonts,
		images:     make(map[uint64]*imageTexture),
		imageLimit: DefaultImageCacheBytes,
		splitArea:  minSplitArea,
		upload:     make([]float32, 0, 1024*floatsPerVertex),
	}
	r.cur, r.last = &r.recs[0], &r.recs[1]
	var mt int32
	gl.GetIntegerv(gl.MAX_TEXTURE_SIZE, &mt)
	r.maxTexture = int(mt)
	if err := r.init(min(atlasSize, r.maxTexture)); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Renderer) init(atlasSize int) error {
	sources := [numProgs]struct{ name, vs, fs string }{
		progSolid: {"solid", solidVertexShader, solidFragmentShader},
		progShape: {"shape", shapeVertexShader, shapeFragmentShader},
		progText:  {"text", textVertexShader, textFragmentShader},
		progImage: {"image", imageVertexShader, imageFragmentShader},
	}
	for k, src := range sources {
		uniforms := []string{"u_screen"}
		if progKind(k) == progText || progKind(k) == progImage {
			uniforms = append(uniforms, "u_tex")
		}
		p, err := newProgram(src.name, src.vs, src.fs, attribNames, uniforms)
		if err != nil {
			return fmt.Errorf("new renderer: %w", err)
		}
		r.progs[k] = p
		if t, ok := p.uniforms["u_tex"]; ok {
			gl.UseProgram(p.id)
			gl.Uniform1i(t, 0)
		}
	}
	var err error
	if r.video, err = newProgram("video", videoVertexShader, videoFragmentShader, attribNames[:2],
		[]string{"u_screen", "u_y", "u_u", "u_v", "u_chroma", "u_matrix", "u_offset"}); err != nil {
		return fmt.Errorf("new renderer: %w", err)
	}
	gl.UseProgram(r.video.id)
	gl.Uniform1i(r.video.uniforms["u_y"], 0)
	gl.Uniform1i(r.video.uniforms["u_u"], 1)
	gl.Uniform1i(r.video.uniforms["u_v"], 2)
	gl.UseProgram(0)

	gl.GenBuffers(1, &r.vbo)
	gl.GenBuffers(1, &r.ibo)
	idx := make([]uint16, maxQuads*6)
	for q := 0; q < maxQuads; q++ {
		v := uint16(q * 4)
		copy(idx[q*6:], []uint16{v, v + 1, v + 2, v + 2, v + 1, v + 3})
	}
	gl.BindBuffer(gl.ELEMENT_ARRAY_BUFFER, r.ibo)
	gl.BufferData(gl.ELEMENT_ARRAY_BUFFER, len(idx)*2, gl.Ptr(idx), gl.STATIC_DRAW)

	gl.PixelStorei(gl.UNPACK_ALIGNMENT, 1)
	gl.PixelStorei(gl.PACK_ALIGNMENT, 1)
	r.atlas = text.NewAtlas(atlasSize, r.fonts)
	r.atlas.BeforeReset = r.flush
	r.atlasTex = newTexture(gl.LINEAR)
	a := r.atlas.Image()
	gl.TexImage2D(gl.TEXTURE_2D, 0, gl.ALPHA, int32(atlasSize), int32(atlasSize), 0, gl.ALPHA, gl.UNSIGNED_BYTE, gl.Ptr(a.Pix))
	return glError("new renderer")
}

// newTexture creates and binds a clamped 2D texture on the active unit.
func newTexture(filter int32) uint32 {
	var t uint32
	gl.GenTextures(1, &t)
	gl.BindTexture(gl.TEXTURE_2D, t)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, filter)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, filter)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
	return t
}

// Close deletes every GL object the renderer made. The context must still
// be current.
func (r *Renderer) Close() {
	for _, p := range r.progs {
		p.delete()
	}
	r.video.delete()
	for _, b := range []*uint32{&r.vbo, &r.ibo} {
		if *b != 0 {
			gl.DeleteBuffers(1, b)
			*b = 0
		}
	}
	if r.atlasTex != 0 {
		gl.DeleteTextures(1, &r.atlasTex)
		r.atlasTex = 0
	}
	for id := range r.images {
		r.releaseImage(id)
	}
	r.planes.delete()
}

// Begin starts a frame of width x height pixels cleared to clear, with
// (0, 0) at the top-left. Drawing is recorded until End draws it or
// Discard drops it.
func (r *Renderer) Begin(width, height int, clear draw.Color) {
	r.w, r.h = width, height
	r.frame++
	r.stats = Stats{}
	r.clips = r.clips[:0]
	r.glBegun = false
	r.recording = true
	r.cur.reset(width, height, clear)
}

// Changed reports whether the frame recorded since Begin may look
// different from the one End drew last: if not, the screen already shows
// it and the caller can Discard it instead of drawing and swapping. An
// unchanged picture is still reported changed once every refreshFrames
// frames.
func (r *Renderer) Changed() bool {
	return r.glBegun || !r.haveLast || r.videoStale || r.sinceDrawn+1 >= refreshFrames || !r.cur.same(r.last)
}

// End draws the frame and evicts images over the cache limit. Check Err
// afterwards to see whether GL reported a problem.
func (r *Renderer) End() {
	r.flush()
	r.recording = false
	r.cur, r.last = r.last, r.cur
	r.haveLast = true
	r.sinceDrawn = 0
	r.videoStale = false
	r.evictImages()
	if err := glError("frame"); err != nil && r.err == nil {
		r.err = err
	}
}

// Discard ends the frame without drawing it, for a frame Changed says is
// already on screen; the back buffer is left as it was, so do not swap.
// A frame already partly drawn (see Changed) is finished as End would.
func (r *Renderer) Discard() {
	if r.glBegun {
		r.End()
		return
	}
	r.recording = false
	r.sinceDrawn++
	r.evictImages()
}

// Finish draws what is recorded and waits until the GPU has finished the
// frame: for measuring frame times, not for presenting.
func (r *Renderer) Finish() {
	if r.recording {
		r.flush()
	}
	gl.Finish()
}

// Err returns the first GL error seen at the end of a frame.
func (r *Renderer) Err() error { return r.err }

// Stats returns counts for the frame drawn last; a discarded frame draws
// nothing.
func (r *Renderer) Stats() Stats {
	s := r.stats
	s.Images, s.ImageBytes = len(r.images), r.imageBytes
	return s
}

// Size returns the size of the frame given to Begin.
func (r *Renderer) Size() (w, h float32) { return float32(r.w), float32(r.h) }

// Screenshot reads back the frame drawn so far, top row first. Call it after
// drawing and before SwapBuffers, which leaves the back buffer undefined;
// after Discard it reads what the last End drew.
func (r *Renderer) Screenshot() (*image.RGBA, error) {
	if r.recording {
		r.flush()
	}
	img := image.NewRGBA(image.Rect(0, 0, r.w, r.h))
	gl.ReadPixels(0, 0, int32(r.w), int32(r.h), gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(img.Pix))
	if err := glError("screenshot"); err != nil {
		return nil, err
	}
	row := make([]byte, img.Stride)
	for y := 0; y < r.h/2; y++ {
		a := img.Pix[y*img.Stride : (y+1)*img.Stride]
		b := img.Pix[(r.h-1-y)*img.Stride : (r.h-y)*img.Stride]
		copy(row, a)
		copy(a, b)
		copy(b, row)
	}
	return img, nil
}

// FillRect fills rc with c.
func (r *Renderer) FillRect(rc draw.Rect, c draw.Color) { r.shape(rc, 0, c) }

// RoundRect fills rc with c, with anti-aliased corners of the given radius.
func (r *Renderer) RoundRect(rc draw.Rect, radius float32, c draw.Color) {
	radius = min(max(radius, 0), rc.W/2, rc.H/2)
	r.shape(rc, radius, c)
}

func (r *Renderer) shape(rc draw.Rect, radius float32, c draw.Color) {
	if rc.Empty() || c.A == 0 {
		return
	}
	if radius == 0 && wholePixels(rc) {
		if !r.visible(rc) {
			return
		}
		if c.A == 0xff && r.hidesAll(rc) {
			// Everything recorded so far is hidden: start over from a
			// clear to c, which costs the GPU far less than filling.
			r.cur.reset(r.w, r.h, c)
			return
		}
		r.record(batchKey{prog: progSolid, blend: c.A < 0xff}, 0, rc, 0, 0, 0, 0, rc, 0, c, 1)
		return
	}
	// Grow the quad by a pixel so fractional edges get their soft fringe.
	q := rc.Inset(-1)
	if !r.visible(q) {
		return
	}
	r.roundRect(rc, q, radius, c)
}

// wholePixels reports whether rc's edges fall between pixels, so that a
// flat fill covers exactly the pixels anti-aliasing would.
func wholePixels(rc draw.Rect) bool {
	whole := func(v float32) bool { return v == float32(math.Round(float64(v))) }
	return whole(rc.X) && whole(rc.Y) && whole(rc.W) && whole(rc.H)
}

// hidesAll reports whether an opaque rc covers the whole frame, clip
// included, with nothing drawn yet that it could not undo.
func (r *Renderer) hidesAll(rc draw.Rect) bool {
	if r.glBegun || rc.X > 0 || rc.Y > 0 || rc.Right() < float32(r.w) || rc.Bottom() < float32(r.h) {
		return false
	}
	return r.clip() == image.Rect(0, 0, r.w, r.h)
}

// PushClip restricts drawing to rc, rounded out to whole pixels and
// intersected with the current clip.
func (r *Renderer) PushClip(rc draw.Rect) {
	c := image.Rect(
		int(math.Floor(float64(rc.X))), int(math.Floor(float64(rc.Y))),
		int(math.Ceil(float64(rc.Right()))), int(math.Ceil(float64(rc.Bottom()))))
	c = c.Intersect(r.clip())
	r.clips = append(r.clips, c)
	r.cur.open = false
}

// PopClip restores the clip in force before the last PushClip. An unmatched
// PopClip is ignored.
func (r *Renderer) PopClip() {
	if len(r.clips) == 0 {
		return
	}
	r.clips = r.clips[:len(r.clips)-1]
	r.cur.open = false
}

func (r *Renderer) clip() image.Rectangle {
	if len(r.clips) == 0 {
		return image.Rect(0, 0, r.w, r.h)
	}
	return r.clips[len(r.clips)-1]
}

// visible reports whether any of rc lies inside the clip.
func (r *Renderer) visible(rc draw.Rect) bool {
	c := r.clip()
	return rc.X < float32(c.Max.X) && rc.Right() > float32(c.Min.X) &&
		rc.Y < float32(c.Max.Y) && rc.Bottom() > float32(c.Min.Y) && !c.Empty()
}

// segment returns the open segment, opening one under the current clip
// when the clip changed or the last one is full or drawn.
func (r *Renderer) segment() *segment {
	f := r.cur
	if f.open {
		if s := &f.segs[len(f.segs)-1]; s.quads < maxQuads {
			return s
		}
	}
	return f.newSegment(len(r.clips) > 0, r.clip())
}

// record adds a quad q with texture coordinates (u0,v0)-(u1,v1) to the
// frame; shape is the rectangle whose edges and corner radius set
// coverage, and alpha scales c's.
func (r *Renderer) record(k batchKey, tex uint32, q draw.Rect, u0, v0, u1, v1 float32, shape draw.Rect, radius float32, c draw.Color, alpha float32) {
	s := r.segment()
	s.batchFor(k, tex, q).add(q, u0, v0, u1, v1, shape, radius, c, alpha)
	s.quads++
}

// noShape is a shape whose edges are far from any quad, for full coverage.
func noShape(q draw.Rect) draw.Rect { return q.Inset(-noEdge) }
