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

type batchKind int

const (
	batchUI batchKind = iota // shapes and text, sampling the glyph atlas
	batchImage
)

// Stats counts what the renderer did during the last frame.
type Stats struct {
	DrawCalls    int
	Quads        int
	AtlasUploads int // dirty-band uploads of the glyph atlas
	VideoUploads int // frames uploaded to the video planes
	Images       int // image textures cached
	ImageBytes   int // their size in memory
}

// Renderer draws a frame of draw.Canvas calls with GL ES 2. It batches quads
// and issues a draw call only when the texture or shader changes, the clip
// changes or a batch fills. Create it after OpenWindow, and use it only on
// the main thread.
type Renderer struct {
	fonts *text.Fonts
	w, h  int

	ui, img, video *program
	current        uint32 // program in use
	vbo, ibo       uint32
	maxTexture     int

	verts []float32
	quads int
	kind  batchKind
	tex   uint32

	clips []image.Rectangle

	atlas    *text.Atlas
	atlasTex uint32
	white    [2]float32 // texture coordinate of the atlas's opaque texel
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
		verts:      make([]float32, 0, 1024*floatsPerVertex),
	}
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
	var err error
	quadUniforms := []string{"u_screen", "u_tex"}
	if r.ui, err = newProgram("ui", quadVertexShader, uiFragmentShader, attribNames, quadUniforms); err != nil {
		return fmt.Errorf("new renderer: %w", err)
	}
	if r.img, err = newProgram("image", quadVertexShader, imageFragmentShader, attribNames, quadUniforms); err != nil {
		return fmt.Errorf("new renderer: %w", err)
	}
	if r.video, err = newProgram("video", videoVertexShader, videoFragmentShader, attribNames[:2],
		[]string{"u_screen", "u_y", "u_u", "u_v", "u_chroma", "u_matrix", "u_offset"}); err != nil {
		return fmt.Errorf("new renderer: %w", err)
	}
	for _, p := range []*program{r.ui, r.img} {
		gl.UseProgram(p.id)
		gl.Uniform1i(p.uniforms["u_tex"], 0)
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
	r.uploadWhiteTexel()
	r.white = [2]float32{0.5 / float32(atlasSize), 0.5 / float32(atlasSize)}
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
	r.ui.delete()
	r.img.delete()
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

// Begin starts a frame of width x height pixels: it sets the viewport and
// a projection with (0, 0) at the top-left, and clears to clear.
func (r *Renderer) Begin(width, height int, clear draw.Color) {
	r.w, r.h = width, height
	r.frame++
	r.stats = Stats{}
	r.clips = r.clips[:0]
	r.verts = r.verts[:0]
	r.quads = 0

	gl.Viewport(0, 0, int32(width), int32(height))
	gl.Disable(gl.SCISSOR_TEST)
	gl.Disable(gl.DEPTH_TEST)
	gl.Disable(gl.CULL_FACE)
	gl.Enable(gl.BLEND)
	gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA) // colours are premultiplied
	gl.ClearColor(float32(clear.R)/255, float32(clear.G)/255, float32(clear.B)/255, float32(clear.A)/255)
	gl.Clear(gl.COLOR_BUFFER_BIT)

	gl.BindBuffer(gl.ARRAY_BUFFER, r.vbo)
	gl.BindBuffer(gl.ELEMENT_ARRAY_BUFFER, r.ibo)
	for i, a := range attribLayout {
		gl.EnableVertexAttribArray(uint32(i))
		gl.VertexAttribPointerWithOffset(uint32(i), a.size, gl.FLOAT, false, vertexStride, uintptr(a.offset*4))
	}
	for _, p := range []*program{r.ui, r.img, r.video} {
		gl.UseProgram(p.id)
		gl.Uniform2f(p.uniforms["u_screen"], float32(width), float32(height))
	}
	r.current = r.video.id
}

// End draws whatever is still batched and evicts images over the cache
// limit. Check Err afterwards to see whether GL reported a problem.
func (r *Renderer) End() {
	r.flush()
	r.evictImages()
	if err := glError("frame"); err != nil && r.err == nil {
		r.err = err
	}
}

// Finish draws what is batched and waits until the GPU has finished the
// frame: for measuring frame times, not for presenting.
func (r *Renderer) Finish() {
	r.flush()
	gl.Finish()
}

// Err returns the first GL error seen at the end of a frame.
func (r *Renderer) Err() error { return r.err }

// Stats returns counts for the frame drawn last.
func (r *Renderer) Stats() Stats {
	s := r.stats
	s.Images, s.ImageBytes = len(r.images), r.imageBytes
	return s
}

// Size returns the size of the frame given to Begin.
func (r *Renderer) Size() (w, h float32) { return float32(r.w), float32(r.h) }

// Screenshot reads back the frame drawn so far, top row first. Call it after
// drawing and before SwapBuffers, which leaves the back buffer undefined.
func (r *Renderer) Screenshot() (*image.RGBA, error) {
	r.flush()
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
	// Grow the quad by a pixel so fractional edges get their soft fringe.
	q := rc.Inset(-1)
	if !r.visible(q) {
		return
	}
	r.want(batchUI, r.atlasTex)
	r.quad(q, r.white[0], r.white[1], r.white[0], r.white[1], rc, radius, c)
}

// PushClip restricts drawing to rc, rounded out to whole pixels and
// intersected with the current clip.
func (r *Renderer) PushClip(rc draw.Rect) {
	c := image.Rect(
		int(math.Floor(float64(rc.X))), int(math.Floor(float64(rc.Y))),
		int(math.Ceil(float64(rc.Right()))), int(math.Ceil(float64(rc.Bottom()))))
	c = c.Intersect(r.clip())
	r.flush()
	r.clips = append(r.clips, c)
	r.scissor()
}

// PopClip restores the clip in force before the last PushClip. An unmatched
// PopClip is ignored.
func (r *Renderer) PopClip() {
	if len(r.clips) == 0 {
		return
	}
	r.flush()
	r.clips = r.clips[:len(r.clips)-1]
	r.scissor()
}

func (r *Renderer) clip() image.Rectangle {
	if len(r.clips) == 0 {
		return image.Rect(0, 0, r.w, r.h)
	}
	return r.clips[len(r.clips)-1]
}

func (r *Renderer) scissor() {
	if len(r.clips) == 0 {
		gl.Disable(gl.SCISSOR_TEST)
		return
	}
	c := r.clip()
	gl.Enable(gl.SCISSOR_TEST)
	gl.Scissor(int32(c.Min.X), int32(r.h-c.Max.Y), int32(c.Dx()), int32(c.Dy()))
}

// visible reports whether any of rc lies inside the clip.
func (r *Renderer) visible(rc draw.Rect) bool {
	c := r.clip()
	return rc.X < float32(c.Max.X) && rc.Right() > float32(c.Min.X) &&
		rc.Y < float32(c.Max.Y) && rc.Bottom() > float32(c.Min.Y) && !c.Empty()
}

// want makes the batch draw with the given program and texture, flushing
// what was batched for another.
func (r *Renderer) want(kind batchKind, tex uint32) {
	if r.quads > 0 && (kind != r.kind || tex != r.tex) {
		r.flush()
	}
	r.kind, r.tex = kind, tex
}

// quad appends the quad q with texture coordinates (u0,v0)-(u1,v1); shape
// is the rectangle whose edges and corner radius set coverage.
func (r *Renderer) quad(q draw.Rect, u0, v0, u1, v1 float32, shape draw.Rect, radius float32, c draw.Color) {
	if r.quads == maxQuads {
		r.flush()
	}
	cr, cg, cb, ca := float32(c.R)/255, float32(c.G)/255, float32(c.B)/255, float32(c.A)/255
	for _, v := range [4][4]float32{
		{q.X, q.Y, u0, v0}, {q.Right(), q.Y, u1, v0},
		{q.X, q.Bottom(), u0, v1}, {q.Right(), q.Bottom(), u1, v1},
	} {
		x, y := v[0], v[1]
		r.verts = append(r.verts, x, y, v[2], v[3],
			x-shape.X, shape.Right()-x, y-shape.Y, shape.Bottom()-y,
			radius, cr, cg, cb, ca)
	}
	r.quads++
}

// noShape is a shape whose edges are far from any quad, for full coverage.
func noShape(q draw.Rect) draw.Rect { return q.Inset(-noEdge) }

// flush draws the batched quads.
func (r *Renderer) flush() {
	if r.quads == 0 {
		return
	}
	p := r.ui
	if r.kind == batchImage {
		p = r.img
	} else {
		r.uploadAtlas()
	}
	r.use(p)
	gl.ActiveTexture(gl.TEXTURE0)
	gl.BindTexture(gl.TEXTURE_2D, r.tex)
	gl.BindBuffer(gl.ARRAY_BUFFER, r.vbo)
	gl.BufferData(gl.ARRAY_BUFFER, len(r.verts)*4, gl.Ptr(r.verts), gl.STREAM_DRAW)
	gl.DrawElementsWithOffset(gl.TRIANGLES, int32(r.quads*6), gl.UNSIGNED_SHORT, 0)
	r.stats.DrawCalls++
	r.stats.Quads += r.quads
	r.verts = r.verts[:0]
	r.quads = 0
}

func (r *Renderer) use(p *program) {
	if r.current != p.id {
		gl.UseProgram(p.id)
		r.current = p.id
	}
}
