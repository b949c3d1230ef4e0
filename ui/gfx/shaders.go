package gfx

import (
	"fmt"
	"strings"

	gl "github.com/go-gl/gl/v3.1/gles2"
)

// Each quad program has its own vertex shader that passes on only what its
// fragment shader reads: on a software renderer every varying is
// interpolated for every pixel, so the cheap programs carry little. Colours
// arrive straight and leave the vertex shader premultiplied.
const position = `
uniform vec2 u_screen;
attribute vec2 a_pos;
vec4 position() {
	return vec4(a_pos.x / u_screen.x * 2.0 - 1.0, 1.0 - a_pos.y / u_screen.y * 2.0, 0.0, 1.0);
}
`

// The solid program fills whole-pixel rectangles with a flat colour: no
// texture, no coverage.
const solidVertexShader = position + `
attribute vec4 a_color;
varying vec4 v_color;
void main() {
	v_color = vec4(a_color.rgb * a_color.a, a_color.a);
	gl_Position = position();
}
`

const solidFragmentShader = `
precision mediump float;
varying vec4 v_color;
void main() {
	gl_FragColor = v_color;
}
`

// The shape program draws anti-aliased rounded rectangles. Besides the
// position, each vertex carries its distances to the four edges of the
// shape (left, right, top, bottom) and the corner radius; the fragment
// shader turns them into coverage with a rounded-box signed distance field.
// Passing edge distances rather than an offset from the centre keeps the
// numbers small where it matters, so the edges stay sharp with 16-bit
// mediump floats.
const shapeVertexShader = position + `
attribute vec4 a_edges;
attribute float a_radius;
attribute vec4 a_color;
varying vec4 v_edges;
varying float v_radius;
varying vec4 v_color;
void main() {
	v_edges = a_edges;
	v_radius = a_radius;
	v_color = vec4(a_color.rgb * a_color.a, a_color.a);
	gl_Position = position();
}
`

const shapeFragmentShader = `
precision mediump float;
varying vec4 v_edges;
varying float v_radius;
varying vec4 v_color;
void main() {
	vec2 q = v_radius - min(v_edges.xz, v_edges.yw);
	float d = length(max(q, 0.0)) + min(max(q.x, q.y), 0.0) - v_radius;
	gl_FragColor = v_color * clamp(0.5 - d, 0.0, 1.0);
}
`

// The text program tints glyph coverage sampled from the alpha atlas.
const textVertexShader = position + `
attribute vec2 a_uv;
attribute vec4 a_color;
varying vec2 v_uv;
varying vec4 v_color;
void main() {
	v_uv = a_uv;
	v_color = vec4(a_color.rgb * a_color.a, a_color.a);
	gl_Position = position();
}
`

const textFragmentShader = `
precision mediump float;
uniform sampler2D u_tex;
varying vec2 v_uv;
varying vec4 v_color;
void main() {
	gl_FragColor = v_color * texture2D(u_tex, v_uv).a;
}
`

// The image program copies premultiplied RGBA textures: a plain texture
// fetch, which Mesa's llvmpipe runs on its fast linear path.
const imageVertexShader = position + `
attribute vec2 a_uv;
varying vec2 v_uv;
void main() {
	v_uv = a_uv;
	gl_Position = position();
}
`

const imageFragmentShader = `
precision mediump float;
uniform sampler2D u_tex;
varying vec2 v_uv;
void main() {
	gl_FragColor = texture2D(u_tex, v_uv);
}
`

// The video program shares the image program's vertex shader.
const videoVertexShader = imageVertexShader

// The video program converts three luminance planes to RGB:
// rgb = u_matrix * (yuv - u_offset), where the matrix and offset carry the
// frame's colour space and range.
const videoFragmentShader = `
precision mediump float;
uniform sampler2D u_y;
uniform sampler2D u_u;
uniform sampler2D u_v;
uniform vec2 u_chroma; // chroma texture coordinate per luma coordinate
uniform mat3 u_matrix;
uniform vec3 u_offset;
varying vec2 v_uv;
void main() {
	vec3 yuv = vec3(
		texture2D(u_y, v_uv).r,
		texture2D(u_u, v_uv * u_chroma).r,
		texture2D(u_v, v_uv * u_chroma).r);
	gl_FragColor = vec4(clamp(u_matrix * (yuv - u_offset), 0.0, 1.0), 1.0);
}
`

// program is a linked shader program with its uniform locations.
type program struct {
	id       uint32
	uniforms map[string]int32
}

// newProgram compiles and links a program, binding attributes in the order
// given so that every program with the same layout shares locations.
func newProgram(name, vs, fs string, attribs []string, uniforms []string) (*program, error) {
	v, err := compileShader(gl.VERTEX_SHADER, vs)
	if err != nil {
		return nil, fmt.Errorf("%s program: vertex shader: %w", name, err)
	}
	defer gl.DeleteShader(v)
	f, err := compileShader(gl.FRAGMENT_SHADER, fs)
	if err != nil {
		return nil, fmt.Errorf("%s program: fragment shader: %w", name, err)
	}
	defer gl.DeleteShader(f)
	id := gl.CreateProgram()
	gl.AttachShader(id, v)
	gl.AttachShader(id, f)
	for i, a := range attribs {
		gl.BindAttribLocation(id, uint32(i), gl.Str(a+"\x00"))
	}
	gl.LinkProgram(id)
	var ok int32
	gl.GetProgramiv(id, gl.LINK_STATUS, &ok)
	if ok == gl.FALSE {
		log := programLog(id)
		gl.DeleteProgram(id)
		return nil, fmt.Errorf("%s program: link: %s", name, log)
	}
	p := &program{id: id, uniforms: make(map[string]int32)}
	for _, u := range uniforms {
		loc := gl.GetUniformLocation(id, gl.Str(u+"\x00"))
		if loc < 0 {
			gl.DeleteProgram(id)
			return nil, fmt.Errorf("%s program: no uniform %s", name, u)
		}
		p.uniforms[u] = loc
	}
	return p, nil
}

func (p *program) delete() {
	if p != nil && p.id != 0 {
		gl.DeleteProgram(p.id)
		p.id = 0
	}
}

func compileShader(kind uint32, src string) (uint32, error) {
	s := gl.CreateShader(kind)
	csrc, free := gl.Strs(src + "\x00")
	gl.ShaderSource(s, 1, csrc, nil)
	free()
	gl.CompileShader(s)
	var ok int32
	gl.GetShaderiv(s, gl.COMPILE_STATUS, &ok)
	if ok == gl.FALSE {
		var n int32
		gl.GetShaderiv(s, gl.INFO_LOG_LENGTH, &n)
		log := strings.Repeat("\x00", int(n+1))
		gl.GetShaderInfoLog(s, n, nil, gl.Str(log))
		gl.DeleteShader(s)
		return 0, fmt.Errorf("compile: %s", strings.TrimRight(log, "\x00"))
	}
	return s, nil
}

func programLog(id uint32) string {
	var n int32
	gl.GetProgramiv(id, gl.INFO_LOG_LENGTH, &n)
	log := strings.Repeat("\x00", int(n+1))
	gl.GetProgramInfoLog(id, n, nil, gl.Str(log))
	return strings.TrimRight(log, "\x00")
}

// glError returns the pending GL error, if any, named by what.
func glError(what string) error {
	if e := gl.GetError(); e != gl.NO_ERROR {
		return fmt.Errorf("%s: GL error 0x%04x", what, e)
	}
	return nil
}
