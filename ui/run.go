// Package ui is the box's shell around the app (ui/app): it opens the
// window and the renderer, feeds the window's keyboard and the control
// endpoint into the app, and runs the loop — poll input (sleeping until a
// key, an answer, a video picture or a timer needs a frame), step the
// app, draw it, swap — and takes screenshots. Every GL and GLFW call
// happens here and in ui/gfx, on the main OS thread, inside Run.
package ui

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"time"

	"github.com/manbang/manbang/remote/control"
	"github.com/manbang/manbang/remote/keyboard"
	"github.com/manbang/manbang/remote/keymap"
	"github.com/manbang/manbang/ui/app"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/gfx"
	"github.com/manbang/manbang/ui/text"
)

// Config configures the box's UI: the app and its window.
type Config struct {
	app.Config
	Window gfx.WindowConfig
	// Control is the loopback address of the control endpoint; empty
	// leaves it off.
	Control string
	// Remote is the address of the network remote for phones, where
	// every client pairs with the code Settings shows (loopback clients
	// too); it listens only while Settings have it on. Empty: the box has
	// none. Paired phones are kept in the state directory (remotes.json).
	Remote string
	// KeyMap holds the key maps (keymap.Load); its keyboard lines map the
	// window's keys. Nil means the built-in keyboard map.
	KeyMap *keymap.Map
	// Started, if set, is called once the first frame is on screen, with
	// the control endpoint's address ("" when it is off).
	Started func(controlAddr string)
}

// frameTime paces the loop at 60 frames a second while something moves
// and swap does not wait for the display.
const frameTime = time.Second / 60

// shell is the window, the renderer and the loop around an app.
type shell struct {
	cfg     Config
	app     *app.App
	win     *gfx.Window
	r       *gfx.Renderer
	control *control.Server
	remote  *networkRemote // nil without Config.Remote
	shots   chan chan shot
	// open says the window is open, so Wake may post to it; wakes hold
	// mu for reading, and closing the window holds it for writing.
	mu   sync.RWMutex
	open bool
	now  func() time.Time

	wakeAt             time.Time // when the app asked for its next frame
	appliedW, appliedH int       // the display mode applied
	lastW, lastH       int       // the framebuffer size drawn last
}

// shot is a screenshot taken by the loop, or why it could not be.
type shot struct {
	img *image.RGBA
	err error
}

// Run shows the UI until the window closes, ctx ends or (in Play mode) the
// viewer backs out. It must be called on the main OS thread.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &shell{cfg: cfg, shots: make(chan chan shot, 4), now: cfg.Now}
	var err error
	if s.now == nil {
		s.now = time.Now
	}
	wake := cfg.Wake
	cfg.Config.Wake = func() {
		s.mu.RLock()
		if s.open {
			s.win.Wake()
		}
		s.mu.RUnlock()
		if wake != nil {
			wake()
		}
	}
	if cfg.Remote != "" {
		if s.remote, err = newNetworkRemote(cfg.StateDir, cfg.Logger, func() {
			if s.app != nil {
				s.app.Refresh()
			}
		}); err != nil {
			return fmt.Errorf("ui: %w", err)
		}
		cfg.Config.Remote = s.remote
	}
	s.cfg = cfg
	// The app starts fetching Home's rows before the window and GL are
	// up: on a box that is most of the start-up time.
	a, err := app.New(ctx, cfg.Config)
	if err != nil {
		return err
	}
	s.app = a
	defer s.close()
	// The loop sleeps until something needs a frame: the end of ctx is one.
	defer context.AfterFunc(ctx, s.cfg.Config.Wake)()
	if err := s.openWindow(); err != nil {
		return err
	}
	s.loop()
	return nil
}

// openWindow opens the window, the renderer, the keyboard and the control
// endpoint.
func (s *shell) openWindow() error {
	fonts, err := text.Load(text.Config{})
	if err != nil {
		return fmt.Errorf("ui: fonts: %w", err)
	}
	log := s.cfg.Logger
	for _, w := range fonts.Warnings() {
		log.Warn("fonts: " + w)
	}
	wc := s.cfg.Window
	if w, h := s.app.Display(); w > 0 && !wc.Fullscreen {
		wc.Width, wc.Height = w, h
	}
	if s.win, err = gfx.OpenWindow(wc); err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	s.setOpen(true)
	s.appliedW, s.appliedH = s.app.Display()
	if s.r, err = gfx.NewRenderer(fonts); err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	keys := keyboard.Keys
	if s.cfg.KeyMap != nil {
		var errs []error
		keys, errs = keyboard.Load(s.cfg.KeyMap)
		for _, err := range errs {
			log.Warn("key map", "err", err)
		}
	}
	keyboard.AttachWith(s.win.GLFW(), keys, s.app.Input(), log)
	if s.cfg.Control != "" {
		srv, err := control.Listen(control.Config{
			Addr:       s.cfg.Control,
			Events:     s.app.Input(),
			State:      s.app.Report,
			Screenshot: s.screenshot,
			Text:       s.app.TypeText,
			Logger:     log,
		})
		if err != nil {
			return fmt.Errorf("ui: %w", err)
		}
		s.control = srv
	}
	if s.remote != nil {
		if err := s.remote.start(control.Config{
			Addr:   s.cfg.Remote,
			Events: s.app.Input(),
			State:  s.app.Report,
			Text:   s.app.TypeText,
			Logger: log,
		}); err != nil {
			return fmt.Errorf("ui: %w", err)
		}
	}
	return nil
}

// setOpen says whether the window may be woken.
func (s *shell) setOpen(open bool) {
	s.mu.Lock()
	s.open = open
	s.mu.Unlock()
}

// close ends what Run started, in reverse order.
func (s *shell) close() {
	if s.control != nil {
		s.control.Close()
	}
	if s.remote != nil {
		s.remote.close()
	}
	s.app.Close()
	if s.r != nil {
		s.r.Close()
	}
	s.setOpen(false)
	if s.win != nil {
		s.win.Close()
	}
}

// loop runs frames until the app or the window ends. A frame is drawn
// only when something came (a key, an answer, a picture), when the app's
// Wake time has come, or for a screenshot; between frames the loop sleeps
// in the window system's event wait, which a key, the app's Wake or a
// screenshot request ends.
func (s *shell) loop() {
	for first := true; !s.win.ShouldClose() && !s.app.Done(); first = false {
		start := time.Now()
		now := s.now()
		changed := s.app.Step(now)
		if s.app.Done() {
			return
		}
		s.applyDisplay()
		var reply chan shot
		select {
		case reply = <-s.shots:
		default:
		}
		due := !s.wakeAt.IsZero() && !now.Before(s.wakeAt)
		w, h := s.win.Size()
		resized := w != s.lastW || h != s.lastH
		drawn := false
		if first || changed || due || resized || reply != nil {
			drawn = s.render(now, reply)
		}
		s.app.Presented(now, drawn)
		if first && s.cfg.Started != nil {
			addr := ""
			if s.control != nil {
				addr = s.control.Addr()
			}
			s.cfg.Started(addr)
		}
		s.wakeAt = s.app.Wake(now)
		s.sleep(start, now)
	}
}

// sleep waits for the next frame: a frame time after start while the app
// animates, until its Wake time otherwise, or until something comes.
func (s *shell) sleep(start, now time.Time) {
	if s.wakeAt.IsZero() {
		s.win.WaitEvents(0)
		return
	}
	d := max(s.wakeAt.Sub(now), frameTime-time.Since(start))
	if d <= 0 {
		s.win.PollEvents()
		return
	}
	s.win.WaitEvents(d)
}

// render draws the frame and shows it, reporting whether it did. A frame
// that looks exactly like the one on screen (nothing moved, no new video
// picture) is neither drawn nor swapped; a screenshot request always gets
// a freshly drawn frame.
func (s *shell) render(now time.Time, reply chan shot) bool {
	w, h := s.win.Size()
	s.lastW, s.lastH = w, h
	s.r.Begin(w, h, draw.Black)
	s.app.Draw(s.r, now)
	if reply == nil && !s.r.Changed() {
		s.r.Discard()
		return false
	}
	s.r.End()
	if err := s.r.Err(); err != nil && s.app.Frames()%600 == 0 {
		s.cfg.Logger.Warn("render", "err", err)
	}
	if reply != nil {
		img, err := s.r.Screenshot()
		reply <- shot{img, err}
	}
	s.win.SwapBuffers()
	return true
}

// applyDisplay switches the display mode when the setting changed.
func (s *shell) applyDisplay() {
	w, h := s.app.Display()
	if w == s.appliedW && h == s.appliedH {
		return
	}
	s.appliedW, s.appliedH = w, h
	s.win.SetMode(w, h)
}

// screenshot asks the loop for the next frame's pixels; the control
// endpoint calls it from its own goroutine.
func (s *shell) screenshot(ctx context.Context) (*image.RGBA, error) {
	reply := make(chan shot, 1)
	select {
	case s.shots <- reply:
		s.win.Wake()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case sh := <-reply:
		return sh.img, sh.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
