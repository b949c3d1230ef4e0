package gfx

import (
	gl "github.com/go-gl/gl/v3.1/gles2"
)

// flush draws every segment recorded and not drawn yet. Drawing before End
// (for a full atlas, a released image, a screenshot) makes the frame
// changed, and quads recorded afterwards go into new segments.
func (r *Renderer) flush() {
	f := r.cur
	if !r.glBegun {
		r.beginGL()
	}
	if f.done == len(f.segs) {
		return
	}
	r.uploadAtlas()
	for i := f.done; i < len(f.segs); i++ {
		r.drawSegment(&f.segs[i])
	}
	f.done = len(f.segs)
	f.open = false
}

// beginGL sets the GL state every frame starts from and clears.
func (r *Renderer) beginGL() {
	r.glBegun = true
	f := r.cur
	gl.Viewport(0, 0, int32(f.w), int32(f.h))
	gl.Disable(gl.SCISSOR_TEST)
	gl.Disable(gl.DEPTH_TEST)
	gl.Disable(gl.CULL_FACE)
	gl.Disable(gl.DITHER)
	gl.Disable(gl.BLEND)
	r.blending = false
	gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA) // colours are premultiplied
	c := f.clear
	gl.ClearColor(float32(c.R)/255, float32(c.G)/255, float32(c.B)/255, float32(c.A)/255)
	gl.Clear(gl.COLOR_BUFFER_BIT)

	gl.BindBuffer(gl.ARRAY_BUFFER, r.vbo)
	gl.BindBuffer(gl.ELEMENT_ARRAY_BUFFER, r.ibo)
	for i, a := range attribLayout {
		gl.EnableVertexAttribArray(uint32(i))
		gl.VertexAttribPointerWithOffset(uint32(i), a.size, gl.FLOAT, false, vertexStride, uintptr(a.offset*4))
	}
	for _, p := range r.progs {
		gl.UseProgram(p.id)
		gl.Uniform2f(p.uniforms["u_screen"], float32(f.w), float32(f.h))
	}
	gl.UseProgram(r.video.id)
	gl.Uniform2f(r.video.uniforms["u_screen"], float32(f.w), float32(f.h))
	r.current = r.video.id
}

// drawSegment sets the segment's clip and draws its batches from one
// vertex upload, or its video picture.
func (r *Renderer) drawSegment(s *segment) {
	if s.scissor {
		gl.Enable(gl.SCISSOR_TEST)
		gl.Scissor(int32(s.clip.Min.X), int32(r.cur.h-s.clip.Max.Y), int32(s.clip.Dx()), int32(s.clip.Dy()))
	} else {
		gl.Disable(gl.SCISSOR_TEST)
	}
	if s.clip.Empty() {
		return
	}
	if s.isVideo {
		r.drawVideo(&s.video)
		return
	}
	r.upload = r.upload[:0]
	for i := range s.batches {
		r.upload = append(r.upload, s.batches[i].verts...)
	}
	if len(r.upload) == 0 {
		return
	}
	gl.BindBuffer(gl.ARRAY_BUFFER, r.vbo)
	gl.BufferData(gl.ARRAY_BUFFER, len(r.upload)*4, gl.Ptr(&r.upload[0]), gl.STREAM_DRAW)
	first := 0
	for i := range s.batches {
		b := &s.batches[i]
		n := len(b.rects)
		if n == 0 {
			continue
		}
		r.use(r.progs[b.key.prog])
		r.blend(b.key.blend)
		if b.tex != 0 {
			gl.ActiveTexture(gl.TEXTURE0)
			gl.BindTexture(gl.TEXTURE_2D, b.tex)
		}
		gl.DrawElementsWithOffset(gl.TRIANGLES, int32(n*6), gl.UNSIGNED_SHORT, uintptr(first*6*2))
		first += n
		r.stats.DrawCalls++
		r.stats.Quads += n
	}
}

func (r *Renderer) use(p *program) {
	if r.current != p.id {
		gl.UseProgram(p.id)
		r.current = p.id
	}
}

// blend turns blending on or off: opaque quads replace what is under them,
// which is cheaper for a software renderer.
func (r *Renderer) blend(on bool) {
	if on == r.blending {
		return
	}
	if on {
		gl.Enable(gl.BLEND)
	} else {
		gl.Disable(gl.BLEND)
	}
	r.blending = on
}
