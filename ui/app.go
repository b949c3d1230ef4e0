// Package ui is the box's 10-foot user interface: it owns the window and
// the render loop, turns key events into screen changes, and asks the
// operator and the player for what the screens show. Every GL call happens
// in ui/gfx on the main OS thread, inside Run; everything slow (network,
// decoding, posters, the state file) runs on goroutines that hand results
// back through a bounded task queue drained once per frame.
package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/control"
	"github.com/manbang/manbang/remote/keyboard"
	"github.com/manbang/manbang/remote/keymap"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/gfx"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/state"
	"github.com/manbang/manbang/ui/text"
)

// Config configures the UI.
type Config struct {
	// Operator is the base URL of the operator's API server; empty means
	// the one saved in the state, set in Settings.
	Operator string
	// Lang is the UI language, "ko", "en" or "ru"; empty means the saved
	// one (Korean on a new box).
	Lang   string
	Window gfx.WindowConfig
	// Control is the loopback address of the control endpoint; empty
	// leaves it off.
	Control string
	// Play, when set, plays this stream locator at once instead of showing
	// Home, and Back quits: `manbang play URL` with a window.
	Play string
	// Audio overrides the sound output; nil opens the device for each
	// playback, falling back to silence (or silence, if Settings say so).
	Audio audio.Sink
	// Events are the key events of every remote, merged (a remote.Hub's
	// Events); Input is where the keyboard of the window and the control
	// endpoint send theirs (the Hub's Input). Both nil: the UI reads the
	// window's keyboard and the control endpoint itself.
	Events <-chan remote.Event
	Input  chan<- remote.Event
	// KeyMap holds the key maps (keymap.Load); its keyboard lines map the
	// window's keys. Nil means the built-in keyboard map.
	KeyMap *keymap.Map
	// StateDir keeps the settings, recent searches and the like between
	// runs (state.json); empty keeps them in memory only.
	StateDir string
	// CacheDir keeps posters and the operator's answers for the next
	// start; empty means no disk cache.
	CacheDir string
	// Device says who the box is: shown in Settings and sent to the
	// operator when it registers. Zero means operator.DefaultDevice().
	Device operator.DeviceRegistration
	// LiveUnicast asks the head-end for live channels as unicast RTP to a
	// port of the box (with fast channel change) instead of joining their
	// multicast groups: for networks without multicast.
	LiveUnicast bool
	// Updater is the firmware update agent; nil when the box has none.
	Updater Updater
	// Notifier tells the service manager how the UI is doing: Ready once
	// the first frame is on screen, Watchdog from every frame (it sends
	// at most every few seconds and never blocks). Nil: nothing is told.
	Notifier Notifier
	// HealthyMarker, if set, is a file the UI writes once in its run when
	// it has shown Home with its rows and presented a video frame: the
	// update service then confirms the slot the box booted (docs/IMAGE.md).
	HealthyMarker string
	Logger        *slog.Logger
	// Started, if set, is called once the first frame is on screen, with
	// the control endpoint's address ("" when it is off).
	Started func(controlAddr string)
	// Now is the clock (time.Now if nil); tests fix it.
	Now func() time.Time
}

// Updater is the firmware update agent as Settings uses it.
type Updater interface {
	// Update looks for a newer image and installs it for the next start.
	// It returns the version installed, or "" if the box is up to date.
	Update(ctx context.Context) (version string, err error)
}

// progressUpdater is an Updater that tells how far it is (the states of
// screen.UpdateDownloading and screen.UpdateWriting) while it works.
type progressUpdater interface {
	UpdateProgress(ctx context.Context, progress func(state, version string)) (version string, err error)
}

// Notifier is the service manager's notification socket as the render
// loop uses it (sdnotify.Notifier).
type Notifier interface {
	Ready() error
	Watchdog(now time.Time) error
}

// frameTime paces the loop at 60 frames a second where swap does not.
const frameTime = time.Second / 60

// volumeShown is how long the volume indicator stays after a volume key.
const volumeShown = 2 * time.Second

// App is the running UI. Its fields are used only by the render loop;
// goroutines reach it through post.
type App struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	now    func() time.Time
	win    *gfx.Window
	r      *gfx.Renderer

	events     <-chan remote.Event
	input      chan<- remote.Event
	controlSrv *control.Server
	tasks      chan func()
	shots      chan chan shot
	snap       atomic.Pointer[snapshot]
	wg         sync.WaitGroup // goroutines that post

	st       state.State
	saver    *state.Saver
	client   *operator.Client
	stack    []screen.Screen
	home     *screen.Home
	pb       *playback
	posters  *posterCache
	quit     bool
	closed   bool       // close has begun: no more goroutines
	loading  bool       // Home's rows are being fetched
	cat      *catalogue // Home's rows as last fetched
	channels []operator.Channel
	progs    []operator.Programme
	search   context.CancelFunc
	unlocked string // the parental settings the PIN was entered for, this session
	volUntil time.Time
	closing  sync.WaitGroup // playbacks being closed

	frames    uint64
	sawHome   bool // Home was on screen with its rows, this run
	sawFrame  bool // a video frame was presented, this run
	healthy   bool // the healthy marker is written or being written
	notifyErr bool // a notification failed, and was logged
	lastKey   keyTiming
	appliedW  int // the display mode applied, to notice changes
	appliedH  int
}

// keyTiming measures how fast a key shows: the frame that handled the last
// key press, and how long after the press that frame was on screen.
type keyTiming struct {
	pressed time.Time
	frame   uint64
	Frames  uint64  `json:"frames"` // frames from the one the key arrived in to the one showing it, inclusive
	MS      float64 `json:"ms"`
}

// Run shows the UI until the window closes, ctx ends or (in Play mode) the
// viewer backs out. It must be called on the main OS thread.
func Run(ctx context.Context, cfg Config) error {
	a, err := newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.open(); err != nil {
		return err
	}
	return a.loop()
}

// newApp prepares the app: state, operator client, queues. It opens no
// window.
func newApp(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Device.Serial == "" {
		cfg.Device = operator.DefaultDevice()
	}
	a := &App{
		cfg:   cfg,
		log:   cfg.Logger,
		now:   cfg.Now,
		tasks: make(chan func(), 256),
		shots: make(chan chan shot),
	}
	a.ctx, a.cancel = context.WithCancel(ctx)
	if cfg.Events != nil {
		a.events, a.input = cfg.Events, cfg.Input
	} else {
		ch := make(chan remote.Event, 64)
		a.events, a.input = ch, ch
	}
	a.loadState()
	if cfg.Play == "" && a.st.Settings.Operator == "" {
		a.log.Warn("no operator server given (--operator URL, or Settings)")
	}
	if err := a.connect(); err != nil && cfg.Play == "" {
		a.log.Warn("operator", "err", err)
	}
	return a, nil
}

// open opens the window, the renderer and the control endpoint and shows
// the first screen.
func (a *App) open() error {
	if a.cfg.Play == "" {
		// Home's rows are fetched while the window and GL start: on a box
		// that is most of the start-up time.
		a.home = screen.NewHome(a)
		a.push(a.home)
		a.Reload()
	}
	fonts, err := text.Load(text.Config{})
	if err != nil {
		return fmt.Errorf("ui: fonts: %w", err)
	}
	for _, w := range fonts.Warnings() {
		a.log.Warn("fonts: " + w)
	}
	wc := a.cfg.Window
	if w, h, ok := state.ParseResolution(a.st.Settings.Resolution); ok && w > 0 && !wc.Fullscreen {
		wc.Width, wc.Height = w, h
	}
	if a.win, err = gfx.OpenWindow(wc); err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	a.appliedW, a.appliedH, _ = state.ParseResolution(a.st.Settings.Resolution)
	if a.r, err = gfx.NewRenderer(fonts); err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	keys := keyboard.Keys
	if a.cfg.KeyMap != nil {
		var errs []error
		keys, errs = keyboard.Load(a.cfg.KeyMap)
		for _, err := range errs {
			a.log.Warn("key map", "err", err)
		}
	}
	keyboard.AttachWith(a.win.GLFW(), keys, a.input, a.log)
	a.posters = newPosterCache(a)
	if a.cfg.Control != "" {
		srv, err := control.Listen(control.Config{
			Addr:       a.cfg.Control,
			Events:     a.input,
			State:      a.reportState,
			Screenshot: a.screenshot,
			Logger:     a.log,
		})
		if err != nil {
			return fmt.Errorf("ui: %w", err)
		}
		a.controlSrv = srv
	}
	if a.cfg.Play != "" {
		a.push(a.startPlayback(&playback{title: operator.Title{Name: operator.Text{"en": a.cfg.Play}}, locator: a.cfg.Play}))
	}
	return nil
}

// close ends everything open and started, in reverse order.
func (a *App) close() {
	a.stopPlayback()
	if a.controlSrv != nil {
		a.controlSrv.Close()
	}
	a.closed = true
	a.cancel()
	// Goroutines give up once ctx is done; what they posted last still
	// runs, so that a player that opened too late is closed.
	idle := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(idle)
	}()
	for waiting := true; waiting; {
		select {
		case f := <-a.tasks:
			f()
		case <-idle:
			waiting = false
		}
	}
	a.drainTasks()
	a.closing.Wait()
	if a.r != nil {
		a.r.Close()
	}
	if a.win != nil {
		a.win.Close()
	}
	if a.saver != nil {
		a.saver.Close()
	}
}

func (a *App) loop() error {
	for !a.win.ShouldClose() && a.ctx.Err() == nil && !a.quit && len(a.stack) > 0 {
		start := a.now()
		a.step(start)
		if a.frames == 1 && a.cfg.Started != nil {
			addr := ""
			if a.controlSrv != nil {
				addr = a.controlSrv.Addr()
			}
			a.cfg.Started(addr)
		}
		if d := frameTime - time.Since(start); d > 0 {
			time.Sleep(d)
		}
	}
	return nil
}

// step runs one frame: input, tasks, screen updates, drawing, swap.
func (a *App) step(now time.Time) {
	a.win.PollEvents()
	a.drainEvents()
	a.drainTasks()
	if len(a.stack) == 0 {
		return
	}
	a.updatePlayback(now)
	a.applyDisplay()
	a.top().Update(now)
	a.render(now)
	a.frames++
	a.notify(now)
	a.checkHealthy()
	if a.lastKey.frame == a.frames-1 && !a.lastKey.pressed.IsZero() {
		a.lastKey.Frames = 1
		a.lastKey.MS = float64(time.Since(a.lastKey.pressed).Microseconds()) / 1000
		a.lastKey.pressed = time.Time{}
	}
}

// render draws the frame and shows it. A frame that looks exactly like the
// one on screen (nothing moved, no new video picture) is neither drawn nor
// swapped, so an idle screen costs the GPU nothing; a screenshot request
// always gets a freshly drawn frame.
func (a *App) render(now time.Time) {
	w, h := a.win.Size()
	a.r.Begin(w, h, draw.Black)
	a.draw(a.r, now)
	var reply chan shot
	select {
	case reply = <-a.shots:
	default:
	}
	if reply == nil && !a.r.Changed() {
		a.r.Discard()
		a.publish(a.top())
		return
	}
	a.r.End()
	if err := a.r.Err(); err != nil && a.frames%600 == 0 {
		a.log.Warn("render", "err", err)
	}
	if reply != nil {
		img, err := a.r.Screenshot()
		reply <- shot{img, err}
	}
	a.publish(a.top())
	a.win.SwapBuffers()
}

// draw paints the screen on top, and the volume over it, inside the safe
// area.
func (a *App) draw(cv draw.BoldCanvas, now time.Time) {
	c := safeArea(cv, a.st.Settings.Overscan)
	cw, ch := c.Size()
	c.PushClip(draw.Rect{W: cw, H: ch})
	top := a.top()
	// A prompt (the PIN) is drawn over the screen it guards.
	if _, modal := top.(*screen.PIN); modal && len(a.stack) > 1 {
		a.stack[len(a.stack)-2].Draw(c, now)
	}
	top.Draw(c, now)
	if now.Before(a.volUntil) {
		screen.DrawVolume(c, a.Lang(), a.st.Settings.Volume, a.st.Settings.Muted)
	}
	c.PopClip()
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
// It reports whether f was queued: once the app is closing, it is not
// when the queue is full.
func (a *App) post(f func()) bool {
	select {
	case a.tasks <- f:
		return true
	default:
	}
	select {
	case a.tasks <- f:
		return true
	case <-a.ctx.Done():
		return false
	}
}

// goPost runs work on a goroutine that the app waits for when it closes.
func (a *App) goPost(work func(ctx context.Context)) {
	if a.closed {
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		work(a.ctx)
	}()
}

func (a *App) top() screen.Screen { return a.stack[len(a.stack)-1] }

func (a *App) push(s screen.Screen) { a.stack = append(a.stack, s) }

// openScreen pushes s unless a screen of its kind is on top already.
func (a *App) openScreen(s screen.Screen) {
	if a.top().Name() != s.Name() {
		a.push(s)
	}
}

// popTo leaves every screen above s.
func (a *App) popTo(s screen.Screen) {
	for len(a.stack) > 1 && a.top() != s {
		a.Back()
	}
}

// errNoOperator is the error of requests made without an operator server.
var errNoOperator = errors.New("no operator server set: choose one in Settings")
