// Package ui is the box's 10-foot user interface: it owns the window and
// the render loop, turns key events into screen changes, and asks the
// operator and the player for what the screens show. Every GL call happens
// in ui/gfx on the main OS thread, inside Run; everything slow (network,
// decoding, posters) runs on goroutines that hand results back through a
// bounded task queue drained once per frame.
package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/control"
	"github.com/manbang/manbang/remote/keyboard"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/gfx"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/text"
)

// Config configures the UI.
type Config struct {
	// Operator is the base URL of the operator's API server.
	Operator string
	// Lang is the UI language: "ko", "en" or "ru".
	Lang   string
	Window gfx.WindowConfig
	// Control is the loopback address of the control endpoint; empty
	// leaves it off.
	Control string
	// Play, when set, plays this stream locator at once instead of showing
	// Home, and Back quits: `manbang play URL` with a window.
	Play string
	// Audio overrides the sound output; nil opens the device, falling back
	// to silence.
	Audio  audio.Sink
	Logger *slog.Logger
	// Started, if set, is called once the first frame is on screen, with
	// the control endpoint's address ("" when it is off).
	Started func(controlAddr string)
}

// frameTime paces the loop at 60 frames a second where swap does not.
const frameTime = time.Second / 60

// catalogRetry is how long Home waits before asking an unreachable
// operator again.
const catalogRetry = 5 * time.Second

// App is the running UI.
type App struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	client *operator.Client
	win    *gfx.Window
	r      *gfx.Renderer

	events chan remote.Event
	tasks  chan func()
	shots  chan chan shot
	state  atomic.Pointer[snapshot]

	stack   []screen.Screen
	home    *screen.Home
	pb      *playback
	posters *posterCache
	quit    bool
	loading bool // a catalogue fetch is under way
	frames  uint64
	closing sync.WaitGroup // playbacks being closed
}

type shot struct {
	img *image.RGBA
	err error
}

// snapshot is the state published for the control endpoint each frame.
type snapshot struct {
	Lang   string `json:"lang"`
	Frames uint64 `json:"frames"`
	Screen any    `json:"current"`
}

// Run shows the UI until the window closes, ctx ends or (in Play mode) the
// viewer backs out. It must be called on the main OS thread.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Lang == "" {
		cfg.Lang = "ko"
	}
	a := &App{
		cfg:    cfg,
		log:    cfg.Logger,
		ctx:    ctx,
		events: make(chan remote.Event, 64),
		tasks:  make(chan func(), 64),
		shots:  make(chan chan shot),
	}
	if cfg.Operator != "" {
		c, err := operator.NewClient(operator.ClientConfig{BaseURL: cfg.Operator})
		if err != nil {
			return fmt.Errorf("ui: %w", err)
		}
		a.client = c
	} else if cfg.Play == "" {
		return errors.New("ui: no operator server given (use --operator URL)")
	}
	fonts, err := text.Load(text.Config{})
	if err != nil {
		return fmt.Errorf("ui: fonts: %w", err)
	}
	for _, w := range fonts.Warnings() {
		a.log.Warn("fonts: " + w)
	}
	if a.win, err = gfx.OpenWindow(cfg.Window); err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	defer a.win.Close()
	if a.r, err = gfx.NewRenderer(fonts); err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	defer a.r.Close()
	keyboard.Attach(a.win.GLFW(), a.events, a.log)
	a.posters = newPosterCache(a)

	controlAddr := ""
	if cfg.Control != "" {
		srv, err := control.Listen(control.Config{
			Addr:       cfg.Control,
			Events:     a.events,
			State:      func() any { return a.state.Load() },
			Screenshot: a.screenshot,
			Logger:     a.log,
		})
		if err != nil {
			return fmt.Errorf("ui: %w", err)
		}
		defer srv.Close()
		controlAddr = srv.Addr()
	}

	if cfg.Play != "" {
		a.push(a.startPlayback(operator.Title{ID: "", Name: operator.Text{"en": cfg.Play}}, cfg.Play))
	} else {
		a.home = screen.NewHome(a)
		a.push(a.home)
		a.Reload()
	}
	err = a.loop(controlAddr)
	a.stopPlayback()
	a.closing.Wait()
	return err
}

func (a *App) loop(controlAddr string) error {
	for !a.win.ShouldClose() && a.ctx.Err() == nil && !a.quit {
		start := time.Now()
		a.win.PollEvents()
		a.drainEvents()
		a.drainTasks()
		a.updatePlayback()
		if len(a.stack) == 0 {
			break
		}
		a.render(start)
		a.frames++
		if a.frames == 1 && a.cfg.Started != nil {
			a.cfg.Started(controlAddr)
		}
		if d := frameTime - time.Since(start); d > 0 {
			time.Sleep(d)
		}
	}
	return nil
}

func (a *App) render(now time.Time) {
	w, h := a.win.Size()
	top := a.top()
	a.r.Begin(w, h, draw.Black)
	top.Draw(a.r, now)
	a.r.End()
	select {
	case reply := <-a.shots:
		img, err := a.r.Screenshot()
		reply <- shot{img, err}
	default:
	}
	a.state.Store(&snapshot{Lang: a.cfg.Lang, Frames: a.frames, Screen: top.State()})
	a.win.SwapBuffers()
}

// screenshot asks the render loop for the next frame's pixels.
func (a *App) screenshot(ctx context.Context) (*image.RGBA, error) {
	reply := make(chan shot, 1)
	select {
	case a.shots <- reply:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case s := <-reply:
		return s.img, s.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (a *App) drainEvents() {
	for {
		select {
		case ev := <-a.events:
			a.handle(ev)
		default:
			return
		}
	}
}

func (a *App) handle(ev remote.Event) {
	if ev.Key == remote.KeyHome && ev.Action == remote.Press && a.home != nil {
		for a.top() != a.home {
			a.Back()
		}
		return
	}
	a.top().Handle(ev)
}

func (a *App) drainTasks() {
	for {
		select {
		case f := <-a.tasks:
			f()
		default:
			return
		}
	}
}

// post hands f to the render loop; goroutines use it to change UI state.
func (a *App) post(f func()) {
	select {
	case a.tasks <- f:
	case <-a.ctx.Done():
	}
}

func (a *App) top() screen.Screen { return a.stack[len(a.stack)-1] }

func (a *App) push(s screen.Screen) { a.stack = append(a.stack, s) }

// Lang implements screen.Host.
func (a *App) Lang() string { return a.cfg.Lang }

// Back implements screen.Host: it leaves the top screen, stopping playback
// when that screen is the player.
func (a *App) Back() {
	if len(a.stack) == 0 {
		return
	}
	if _, ok := a.top().(*screen.Player); ok {
		a.stopPlayback()
	}
	a.stack = a.stack[:len(a.stack)-1]
	if len(a.stack) == 0 {
		a.quit = true
	}
}

// Reload implements screen.Host: it fetches the catalogue, rows by
// category, and retries on its own while the operator is unreachable.
func (a *App) Reload() {
	if a.loading {
		return
	}
	a.loading = true
	a.home.SetLoading()
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		rows, err := a.fetchRows(ctx)
		a.post(func() {
			a.loading = false
			if err != nil {
				a.log.Warn("catalogue", "err", err)
				a.home.SetError(err, time.Now().Add(catalogRetry))
				time.AfterFunc(catalogRetry, func() { a.post(a.Reload) })
				return
			}
			a.home.SetRows(rows)
		})
	}()
}

func (a *App) fetchRows(ctx context.Context) ([]screen.Row, error) {
	cats, err := a.client.Categories(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]screen.Row, 0, len(cats.Categories))
	for _, c := range cats.Categories {
		page, err := a.client.Titles(ctx, c.ID, 0, 50)
		if err != nil {
			return nil, err
		}
		rows = append(rows, screen.Row{Category: c, Titles: page.Titles})
	}
	return rows, nil
}

// Poster implements screen.Host.
func (a *App) Poster(url string) *draw.Image { return a.posters.get(url) }
