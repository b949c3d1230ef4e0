// Package app is the box's logic without a window: the screen stack and
// what keys do to it, the operator's catalogue and posters, playback
// sessions, the parental PIN, zapping, resume positions, what the box
// remembers, the healthy marker. It imports neither GL nor GLFW: the shell
// (package ui) runs its loop (poll, Step, Draw, swap) and draws it with
// ui/gfx; tests step it with a fixed clock and draw it on a draw.Recorder.
// Everything slow (network, decoding, posters, the state file) runs on
// goroutines that hand results back through a bounded task queue, drained
// in Step.
package app

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/mounts"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/session"
	"github.com/manbang/manbang/ui/state"
)

// Config configures the app.
type Config struct {
	// Operator is the base URL of the operator's API server; empty means
	// the one saved in the state, set in Settings.
	Operator string
	// Lang is the UI language, "ko", "en" or "ru"; empty means the saved
	// one (Korean on a new box).
	Lang string
	// OperatorCA, if set, is a PEM file of the only certificate
	// authorities the box trusts for the operator's https.
	OperatorCA string
	// Play, when set, plays this stream locator at once instead of showing
	// Home, and Back quits: `manbang play URL` with a window.
	Play string
	// Audio overrides the sound output; nil opens the device for each
	// playback, falling back to silence (or silence, if Settings say so).
	Audio audio.Sink
	// Events are the key events of every remote, merged (a remote.Hub's
	// Events); Input is where the window's keyboard and the control
	// endpoint send theirs (the Hub's Input). Both nil: the app makes one
	// channel for both.
	Events <-chan remote.Event
	Input  chan<- remote.Event
	// StateDir keeps the settings, recent searches and the like between
	// runs (state.json); empty keeps them in memory only.
	StateDir string
	// CacheDir keeps posters and the operator's answers for the next
	// start; empty means no disk cache.
	CacheDir string
	// Device says who the box is: shown in Settings and sent to the
	// operator when it registers. Zero means operator.DefaultDevice().
	Device operator.DeviceRegistration
	// LiveUnicast asks the head-end for every live channel as unicast RTP
	// to a port of the box (with fast channel change), even where it also
	// sends the channel to a multicast group: for networks without
	// multicast. Without it the box asks in the form the channel list
	// offers, multicast first.
	LiveUnicast bool
	// Updater is the firmware update agent; nil when the box has none.
	Updater Updater
	// Remote is the network remote for phones; nil when the box runs
	// none. The settings switch it on and off.
	Remote Remote
	// Notifier tells the service manager how the UI is doing: Ready once
	// the first frame is on screen, Watchdog from the loop (it sends at
	// most every few seconds and never blocks). Nil: nothing is told.
	Notifier Notifier
	// HealthyMarker, if set, is a file the app writes once in its run when
	// it has shown Home with its rows and presented a video frame: the
	// update service then confirms the slot the box booted (docs/IMAGE.md).
	HealthyMarker string
	Logger        *slog.Logger
	// Wake, if set, is called from any goroutine when the app has work for
	// the loop (a key, an answer, a video picture): the shell's loop
	// sleeps until then (glfw.PostEmptyEvent).
	Wake func()
	// Now is the clock (time.Now if nil); tests fix it.
	Now func() time.Time
	// Media are the directories under which the viewer's media (USB
	// sticks, SD cards) are mounted: the app watches the mount table for
	// them (ui/mounts) and shows them on Home. None: no media.
	Media []string
	// MediaWatcher, if set, is the watcher to use instead of one of
	// Media's; the app closes it.
	MediaWatcher MediaWatcher
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

// Notifier is the service manager's notification socket as the app uses
// it (sdnotify.Notifier).
type Notifier interface {
	Ready() error
	Watchdog(now time.Time) error
	// WatchdogInterval is how often Watchdog must be called; 0 when the
	// service manager watches nothing.
	WatchdogInterval() time.Duration
}

// volumeShown is how long the volume indicator stays after a volume key.
const volumeShown = 2 * time.Second

// App is the box's logic without a window: the screen stack, keys, the
// catalogue, playback, what the box remembers. Its methods are called
// from one goroutine, the shell's loop; other goroutines reach it through
// post.
type App struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	now    func() time.Time

	events <-chan remote.Event
	input  chan<- remote.Event
	keys   chan remote.Event // events, forwarded with a wake-up
	tasks  chan func()
	snap   atomic.Pointer[Snapshot]
	wg     sync.WaitGroup // goroutines that post

	st       state.State
	saver    *state.Saver
	client   *operator.Client
	connErr  error // why client is nil: no operator, or an address refused
	stack    []screen.Screen
	home     *screen.Home
	pb       *session.Session
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
	canvasH  float32        // the height of the canvas last drawn on

	frames    uint64 // frames the loop ran
	drawn     uint64 // frames drawn and shown
	sawHome   bool   // Home was on screen with its rows, this run
	sawFrame  bool   // a video frame was presented, this run
	healthy   bool   // the healthy marker is written or being written
	notifyErr bool   // a notification failed, and was logged
	petted    time.Time
	lastKey   keyTiming

	watcher  MediaWatcher // nil without media roots
	mediaNow []mounts.Medium
	photos   *photoCache
	thumbs   *thumbCache // the browser's thumbnails
	local    localPlay   // the file of the viewer's playing, if one is
	rnd      *rand.Rand  // shuffles the viewer's songs
}

// keyTiming measures how fast a key shows: the frame that handled the last
// key press, and how long after the press that frame was on screen.
type keyTiming struct {
	pressed time.Time
	frame   uint64
	Frames  uint64  `json:"frames"` // frames from the one the key arrived in to the one showing it, inclusive
	MS      float64 `json:"ms"`
}

// New prepares the app: state, operator client, queues, and the first
// screen (Home, whose rows it starts fetching at once, or the stream of
// Play). It opens no window: the shell draws it.
func New(ctx context.Context, cfg Config) (*App, error) {
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
		keys:  make(chan remote.Event, 64),
	}
	a.ctx, a.cancel = context.WithCancel(ctx)
	if cfg.Events != nil {
		a.events, a.input = cfg.Events, cfg.Input
	} else {
		ch := make(chan remote.Event, 64)
		a.events, a.input = ch, ch
	}
	a.loadState()
	if cfg.Remote != nil {
		cfg.Remote.SetEnabled(a.st.Settings.PhoneRemote)
	}
	if cfg.Play == "" && a.st.Settings.Operator == "" {
		a.log.Warn("no operator server given (--operator URL, or Settings)")
	}
	if err := a.connect(); err != nil && cfg.Play == "" {
		a.log.Warn("operator", "err", err)
	}
	a.posters = newPosterCache(a)
	a.photos = newPhotoCache(a)
	a.thumbs = newThumbCache(a)
	a.rnd = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x6d616e62616e67))
	a.goPost(a.forwardKeys)
	if cfg.Play != "" {
		a.push(a.startPlayback(session.Request{Title: operator.Title{Name: operator.Text{"en": cfg.Play}}, Locator: cfg.Play}))
	} else {
		a.home = screen.NewHome(a)
		a.push(a.home)
		a.Reload()
		a.startMedia()
	}
	return a, nil
}

// forwardKeys hands every key event to the loop and wakes it.
func (a *App) forwardKeys(ctx context.Context) {
	for {
		select {
		case ev := <-a.events:
			select {
			case a.keys <- ev:
				a.wake()
			case <-ctx.Done():
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// Input is where the window's keyboard and the control endpoint send key
// events.
func (a *App) Input() chan<- remote.Event { return a.input }

// Close ends everything New and the app's work started, in reverse order.
func (a *App) Close() {
	a.stopPlayback()
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
	a.closeMedia()
	a.closing.Wait()
	if a.saver != nil {
		a.saver.Close()
	}
}

// Done reports whether the app has ended: the viewer backed out of the
// last screen (Play), or its context ended.
func (a *App) Done() bool { return a.quit || len(a.stack) == 0 || a.ctx.Err() != nil }

// Step runs the app's part of a frame: keys, the goroutines' answers, the
// playing stream's newest picture, the top screen's timers. It reports
// whether anything came that may change what is on screen.
func (a *App) Step(now time.Time) (changed bool) {
	changed = a.drainEvents()
	if a.drainTasks() {
		changed = true
	}
	if len(a.stack) == 0 {
		return true
	}
	if a.updatePlayback(now) {
		changed = true
	}
	a.top().Update(now)
	if a.frames > 0 { // after Ready, which the first frame sends
		a.pet(now)
	}
	return changed
}

// Presented tells the app the frame of now went on screen (drawn, or found
// unchanged and left as it was): frames are counted, the service manager
// told, the healthy marker checked, the state for the control endpoint
// published.
func (a *App) Presented(now time.Time, drawn bool) {
	a.frames++
	if drawn {
		a.drawn++
	}
	a.notify(now)
	a.checkHealthy()
	if a.lastKey.frame == a.frames-1 && !a.lastKey.pressed.IsZero() {
		a.lastKey.Frames = 1
		a.lastKey.MS = float64(time.Since(a.lastKey.pressed).Microseconds()) / 1000
		a.lastKey.pressed = time.Time{}
	}
	a.publish()
}

// Busy reports whether something the screens wait for is under way:
// Home's rows, posters, the browser's thumbnails, answers posted and not
// yet handled.
func (a *App) Busy() bool {
	if a.loading || len(a.tasks) > 0 || a.thumbs.busy() {
		return true
	}
	for _, e := range a.posters.entries {
		if e.loading {
			return true
		}
	}
	return false
}

// Frames returns how many frames the loop ran.
func (a *App) Frames() uint64 { return a.frames }

// Wake returns when the loop must run a frame again with nothing coming
// (no key, answer or picture): now while something animates, the next
// change of the screen on top (and of the one under a prompt), the end of
// the volume indicator, the service manager's watchdog; zero when nothing
// is due.
func (a *App) Wake(now time.Time) time.Time {
	if len(a.stack) == 0 {
		return time.Time{}
	}
	w := a.top().Wake(now)
	if _, modal := a.top().(*screen.PIN); modal && len(a.stack) > 1 {
		w = soonest(w, a.stack[len(a.stack)-2].Wake(now))
	}
	if a.volUntil.After(now) {
		w = soonest(w, a.volUntil)
	}
	if n := a.cfg.Notifier; n != nil && n.WatchdogInterval() > 0 {
		w = soonest(w, a.petted.Add(n.WatchdogInterval()))
	}
	if a.pb != nil && !a.pb.EndedAt().IsZero() {
		w = soonest(w, a.pb.EndedAt().Add(endedLinger))
	}
	return w
}

// soonest returns the earlier of two times, zero counting as never.
func soonest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// wake tells the shell's loop there is work, if it sleeps.
func (a *App) wake() {
	if a.cfg.Wake != nil {
		a.cfg.Wake()
	}
}

// Display returns the display mode the Settings ask for, 0 x 0 for the
// display's own.
func (a *App) Display() (w, h int) {
	w, h, _ = state.ParseResolution(a.st.Settings.Resolution)
	return w, h
}

// Draw paints the screen on top, and the volume over it, inside the safe
// area.
func (a *App) Draw(cv draw.BoldCanvas, now time.Time) {
	_, a.canvasH = cv.Size()
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

// drainTasks runs what goroutines posted, reporting whether there was any.
func (a *App) drainTasks() bool {
	ran := false
	for {
		select {
		case f := <-a.tasks:
			f()
			ran = true
		default:
			return ran
		}
	}
}

// post hands f to the render loop; goroutines use it to change UI state.
// It reports whether f was queued: once the app is closing, it is not
// when the queue is full.
func (a *App) post(f func()) bool {
	select {
	case a.tasks <- f:
		a.wake()
		return true
	default:
	}
	select {
	case a.tasks <- f:
		a.wake()
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

// Top returns the screen on top.
func (a *App) Top() screen.Screen { return a.top() }

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
var errNoOperator = session.ErrNoOperator
