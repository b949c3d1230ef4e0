//go:build tools

package tools

import (
	_ "github.com/asticode/go-astits"
	_ "github.com/ebitengine/oto/v3"
	_ "github.com/go-gl/gl/v3.1/gles2"
	_ "github.com/go-gl/glfw/v3.3/glfw"
	_ "github.com/grafov/m3u8"
	_ "github.com/hajimehoshi/go-mp3"
	_ "github.com/pion/rtp"
	_ "golang.org/x/image/font/gofont/goregular"
	_ "golang.org/x/image/font/opentype"
)
