// Package gfx presents the UI: it opens the full-screen GL ES 2 window and
// renders draw.Canvas calls with shaders. It is the only package that calls
// GL, and every call it makes must happen on the main OS thread: lock it
// with runtime.LockOSThread in an init function of package main and use
// Window and Renderer only from the main goroutine.
package gfx

import (
	"fmt"
	"time"

	"github.com/go-gl/gl/v3.1/gles2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// WindowConfig describes the window to open.
type WindowConfig struct {
	Title string
	// Width and Height size a windowed window; zero means 1280x720.
	Width, Height int
	// Fullscreen opens the window on the primary monitor in its current
	// video mode, ignoring Width and Height.
	Fullscreen bool
	// VSync ties SwapBuffers to the display's refresh.
	VSync bool
}

// Window is the UI's window with its OpenGL ES 2.0 context, created through
// EGL so that the same code runs on desktop Mesa and on set-top-box GPUs.
type Window struct {
	w   *glfw.Window
	cfg WindowConfig
}

// OpenWindow initialises GLFW, opens a window with an ES 2.0 context, makes
// the context current on the calling (main) thread and loads GL functions.
func OpenWindow(cfg WindowConfig) (*Window, error) {
	if err := initGLFW(); err != nil {
		return nil, fmt.Errorf("open window: init GLFW: %w", err)
	}
	glfw.WindowHint(glfw.ClientAPI, glfw.OpenGLESAPI)
	glfw.WindowHint(glfw.ContextCreationAPI, glfw.EGLContextAPI)
	glfw.WindowHint(glfw.ContextVersionMajor, 2)
	glfw.WindowHint(glfw.ContextVersionMinor, 0)
	glfw.WindowHint(glfw.Resizable, glfw.False)
	glfw.WindowHint(glfw.DepthBits, 0)
	glfw.WindowHint(glfw.StencilBits, 0)

	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		w, h = 1280, 720
	}
	var monitor *glfw.Monitor
	if cfg.Fullscreen {
		monitor = glfw.GetPrimaryMonitor()
		if monitor == nil {
			glfw.Terminate()
			return nil, fmt.Errorf("open window: fullscreen: no primary monitor")
		}
		mode := monitor.GetVideoMode()
		glfw.WindowHint(glfw.RedBits, mode.RedBits)
		glfw.WindowHint(glfw.GreenBits, mode.GreenBits)
		glfw.WindowHint(glfw.BlueBits, mode.BlueBits)
		glfw.WindowHint(glfw.RefreshRate, mode.RefreshRate)
		w, h = mode.Width, mode.Height
	}
	win, err := glfw.CreateWindow(w, h, cfg.Title, monitor, nil)
	if err != nil {
		glfw.Terminate()
		return nil, fmt.Errorf("open window %dx%d: %w", w, h, err)
	}
	win.MakeContextCurrent()
	if err := gles2.InitWithProcAddrFunc(glfw.GetProcAddress); err != nil {
		win.Destroy()
		glfw.Terminate()
		return nil, fmt.Errorf("open window: load GL ES functions: %w", err)
	}
	if cfg.VSync {
		glfw.SwapInterval(1)
	} else {
		glfw.SwapInterval(0)
	}
	if cfg.Fullscreen {
		win.SetInputMode(glfw.CursorMode, glfw.CursorHidden)
	}
	return &Window{w: win, cfg: cfg}, nil
}

// initGLFW initialises GLFW and resets the window hints. go-gl's Init only
// logs a platform error such as a missing display and returns nil; the
// library then panics on first use, which is turned into the error here.
func initGLFW() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("no display or GL platform: %v", p)
		}
	}()
	if err := glfw.Init(); err != nil {
		return err
	}
	glfw.DefaultWindowHints()
	return nil
}

// GLFW returns the underlying GLFW window, for input callbacks.
func (w *Window) GLFW() *glfw.Window { return w.w }

// Size returns the framebuffer size in pixels, which is what Renderer.Begin
// wants; it can differ from the window size on high-density screens.
func (w *Window) Size() (width, height int) { return w.w.GetFramebufferSize() }

// SetMode changes the display mode at run time: in full screen the
// monitor's video mode becomes width x height (the closest the monitor
// has); in a window the window takes that size. Zero width or height goes
// back to the mode the window was opened with.
func (w *Window) SetMode(width, height int) {
	if m := w.w.GetMonitor(); m != nil {
		mode := m.GetVideoMode()
		if width <= 0 || height <= 0 {
			width, height = mode.Width, mode.Height
		}
		w.w.SetMonitor(m, 0, 0, width, height, mode.RefreshRate)
		return
	}
	if width <= 0 || height <= 0 {
		width, height = w.cfg.Width, w.cfg.Height
		if width <= 0 || height <= 0 {
			width, height = 1280, 720
		}
	}
	w.w.SetSize(width, height)
}

// ShouldClose reports whether the user or the system asked to close.
func (w *Window) ShouldClose() bool { return w.w.ShouldClose() }

// SwapBuffers shows the frame just drawn.
func (w *Window) SwapBuffers() { w.w.SwapBuffers() }

// PollEvents processes pending window and input events, running callbacks.
func (w *Window) PollEvents() { glfw.PollEvents() }

// WaitEvents sleeps until a window or input event comes, Wake is called,
// or d has passed (d <= 0: no limit), then processes the events as
// PollEvents does.
func (w *Window) WaitEvents(d time.Duration) {
	if d <= 0 {
		glfw.WaitEvents()
		return
	}
	glfw.WaitEventsTimeout(d.Seconds())
}

// Wake ends a WaitEvents under way, or makes the next one return at once.
// Unlike the window's other methods, it may be called from any goroutine
// while the window is open.
func (w *Window) Wake() { glfw.PostEmptyEvent() }

// Close destroys the window and its context and terminates GLFW. Close the
// Renderer first: its GL objects live in this context.
func (w *Window) Close() {
	if w.w == nil {
		return
	}
	w.w.Destroy()
	w.w = nil
	glfw.Terminate()
}

// GLInfo names the GL renderer and version of the window's context, for
// logs.
func (w *Window) GLInfo() string {
	return fmt.Sprintf("%s / %s", gles2.GoStr(gles2.GetString(gles2.RENDERER)), gles2.GoStr(gles2.GetString(gles2.VERSION)))
}
