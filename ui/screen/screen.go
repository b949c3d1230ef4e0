// Package screen holds the UI's screens as plain state: each takes key
// events, moves its timers and animations on in Update, and draws itself on
// a draw.Canvas. No GL here, so screens are tested with a draw.Recorder.
package screen

import (
	"errors"
	"fmt"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/state"
)

// Screen is one full-screen state of the UI.
type Screen interface {
	// Name identifies the screen in the state report ("home", "player").
	Name() string
	// Handle reacts to a key event and reports whether it used it; keys a
	// screen leaves are the app's (colour keys, Menu).
	Handle(ev remote.Event) bool
	// Update moves timers and animations to now; the app calls it once a
	// frame before Draw.
	Update(now time.Time)
	// Draw paints the screen as of now.
	Draw(c draw.Canvas, now time.Time)
	// Wake returns when the screen will next look different by itself,
	// with no key or answer coming: now while it animates, the end of a
	// message shown for a while, the next second of a countdown, the
	// next minute of the clock. The app sleeps until then.
	Wake(now time.Time) time.Time
	// State describes the screen for the control endpoint, as JSON-able data.
	State() any
}

// The app around the screens, in the roles screens use. Requests that
// take time answer through their done callback, which the app calls on
// the render loop, never from another goroutine. Each screen asks for the
// roles it uses; Host is all of them, for Home, which opens every other
// screen.

// Nav is what every screen needs: the language, the clock, the screen
// stack and pictures.
type Nav interface {
	Lang() string
	// Now is the app's clock: screens time failures and debounces by it.
	Now() time.Time
	// Back leaves the current screen.
	Back()
	// Push opens s over the current screen.
	Push(s Screen)
	// Poster returns a picture (poster, channel logo), or nil while it
	// loads or if it cannot; the first call starts loading it.
	Poster(url string) *draw.Image
}

// Catalogue is the operator's catalogue, live channels and guide.
type Catalogue interface {
	// Reload asks the operator for Home's rows again.
	Reload()
	// Titles fetches a page of a category.
	Titles(categoryID string, offset, limit int, done func(operator.TitlePage, error))
	// Search fetches the titles matching q; a newer search cancels an
	// older one still running.
	Search(q string, done func(operator.TitlePage, error))
	// Channels fetches the live channels, by number.
	Channels(done func([]operator.Channel, error))
	// Guide fetches the programmes overlapping [from, to).
	Guide(from, to time.Time, done func([]operator.Programme, error))
}

// Memory is what the box remembers: settings, favourites, resume
// positions, recent searches. Screens read it and change it only through
// these methods.
type Memory interface {
	State() *state.State
	SetFavourite(t operator.Title, fav bool)
	AddRecent(q string)
	// Apply changes the settings; the app applies them at once.
	Apply(s state.Settings)
	// Forget forgets what the box remembers of a kind (state.Forget*),
	// and has the operator forget its copy, if it keeps one.
	Forget(kind string)
}

// Tuner starts playback: titles, channels, past programmes.
type Tuner interface {
	// Play plays a title from a position, asking for the PIN first if its
	// rating needs it.
	Play(t operator.Title, from time.Duration)
	// PlayChannel tunes to a channel.
	PlayChannel(ch operator.Channel)
	// PlayProgramme plays a past programme of a channel (catch-up).
	PlayProgramme(ch operator.Channel, p operator.Programme)
	// Zap tunes delta channels up or down from the one playing.
	Zap(delta int)
	// TuneNumber tunes to the channel with that number and reports
	// whether there is one.
	TuneNumber(n int) bool
	// TuneLast tunes back to the channel watched before.
	TuneLast()
}

// Device is the box itself: its network, who it is, its firmware.
type Device interface {
	// Network reports the box's network and whether the operator answers.
	Network(done func(NetStatus))
	// About describes the box.
	About() About
	// Update asks the firmware update agent for a newer image and
	// installs it; it reports false at once when the box has no agent.
	// progress, if the agent tells, gets the state of the work
	// (UpdateDownloading, UpdateWriting) and the version it is for.
	Update(progress func(state, version string), done func(version string, err error)) bool
}

// Host is every role: what Home, which opens every other screen, needs.
type Host interface {
	Nav
	Catalogue
	Memory
	Tuner
	Device
	Phones
	Media
}

// The roles of the other screens.
type (
	// EntryHost is the text entry's.
	EntryHost = Nav
	// PINHost is the PIN prompt's.
	PINHost interface {
		Nav
		Memory
	}
	// PlayerHost is the Player screen's.
	PlayerHost interface {
		Nav
		Tuner
	}
	// DetailHost is the title page's.
	DetailHost interface {
		Nav
		Memory
		Tuner
	}
	// BrowseHost is what the screens that list titles or channels and
	// open them need: Grid, Search, Live, Guide.
	BrowseHost interface {
		Nav
		Catalogue
		Memory
		Tuner
	}
	// SettingsHost is the Settings screen's.
	SettingsHost interface {
		Nav
		Memory
		Device
		Phones
	}
)

// States of a firmware update in progress, as the agent reports them.
const (
	UpdateDownloading = "downloading"
	UpdateWriting     = "writing"
)

// NetStatus is what the Settings screen shows about the network.
type NetStatus struct {
	// Addresses are the box's addresses, "eth0 192.168.1.20", loopback
	// left out.
	Addresses []string
	// Operator is the server asked, and Err why it did not answer.
	Operator string
	Err      error
}

// About describes the box.
type About struct {
	Model, Serial, Firmware string
}

// FailKind says what kind of trouble a Failure is.
type FailKind int

// Kinds of failure, each with its own message.
const (
	FailServer     FailKind = iota // the operator's server does not answer
	FailNetwork                    // the box has no network
	FailStream                     // the stream cannot be played
	FailNotOffered                 // the operator does not offer this
	FailRefused                    // the operator refused the request (an HTTP 4xx answer)
	FailInsecure                   // the operator's address is plain http:// to another machine
)

// KindError is an error the app has classified.
type KindError struct {
	Kind FailKind
	Err  error
}

func (e *KindError) Error() string { return e.Err.Error() }
func (e *KindError) Unwrap() error { return e.Err }

// ErrNotOffered is the error of requests for things the operator does not
// offer (live TV from a head-end without channels).
var ErrNotOffered = errors.New("not offered by this operator")

// Failure is a request that failed, as a screen shows it.
type Failure struct {
	Kind FailKind
	// Status is the operator's HTTP status of a FailRefused.
	Status int
	// Detail is the error itself, for the state report and the log; the
	// screen shows it only where it is not the operator's raw answer.
	Detail  string
	RetryAt time.Time // zero: no automatic retry
}

// retryAfter is how long screens wait before asking again after a
// failure that may pass.
const retryAfter = 5 * time.Second

// failureOf classifies err for showing at now.
func failureOf(err error, now time.Time) Failure {
	f := Failure{Kind: FailServer, Detail: err.Error(), RetryAt: now.Add(retryAfter)}
	var ke *KindError
	switch {
	case errors.As(err, &ke):
		f.Kind = ke.Kind
	case errors.Is(err, ErrNotOffered):
		f.Kind = FailNotOffered
	case refusal(err) != 0:
		f.Kind, f.Status = FailRefused, refusal(err)
	case errors.Is(err, operator.ErrInsecure):
		f.Kind = FailInsecure
	}
	if f.Kind == FailNotOffered || f.Kind == FailRefused || f.Kind == FailInsecure {
		// Asking again the same way gets the same answer: no timer.
		f.RetryAt = time.Time{}
	}
	return f
}

// refusal returns the HTTP status of an operator's 4xx answer in err, or
// 0 if err is not one.
func refusal(err error) int {
	var ae *operator.APIError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 {
		return ae.Status
	}
	return 0
}

// Refused reports whether err is the operator refusing a request (an HTTP
// 4xx answer), which asking again will not change.
func Refused(err error) bool { return refusal(err) != 0 }

// Palette of the UI: dark, with one warm accent, high contrast for the sofa.
var (
	colBackground = draw.RGB(0x0e141b)
	colPanel      = draw.RGBA(0x1b2633e6)
	colPanelSolid = draw.RGB(0x1b2633)
	colRaised     = draw.RGB(0x263445)
	colText       = draw.RGB(0xf2f4f7)
	colTextDim    = draw.RGB(0x9aa7b5)
	colAccent     = draw.RGB(0xffb33c)
	colFocus      = draw.RGB(0xffffff)
	colError      = draw.RGB(0xff6b5e)
	colLive       = draw.RGB(0xe5484d)
	colGreen      = draw.RGB(0x46a758)
	colYellow     = draw.RGB(0xf5d90a)
	colBlue       = draw.RGB(0x3e8ef7)
	// Tile colours by row, for titles whose poster is not there yet.
	tileColours = []draw.Color{
		draw.RGB(0x2f6f8f), draw.RGB(0x8f3f5a), draw.RGB(0x4f7f3a),
		draw.RGB(0x8a6a2a), draw.RGB(0x5a4f9a), draw.RGB(0x2f8a7a),
		draw.RGB(0x9a4a2f), draw.RGB(0x4a5a6a),
	}
)

// scale returns the factor from the 1280x720 design grid to the canvas, so
// the same layout serves 720p to 2160p.
func scale(c draw.Canvas) float32 {
	_, h := c.Size()
	if h <= 0 {
		return 1
	}
	return h / 720
}

// formatClock formats d as H:MM:SS or M:SS.
func formatClock(d time.Duration) string {
	s := int(max(d, 0) / time.Second)
	if h := s / 3600; h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// pressed reports whether ev is a press or an auto-repeat: what moves
// focus. Releases and long presses do not.
func pressed(ev remote.Event) bool { return ev.Action == remote.Press || ev.Action == remote.Repeat }

// firstPress reports whether ev is the first press of its key: what
// starts things, so that a held OK does not start them again.
func firstPress(ev remote.Event) bool { return ev.Action == remote.Press }

// TextField is a screen with a text field that takes text from the
// network remote (a phone's keyboard) as if it were typed with the
// on-screen keyboard: the search and the address entry.
type TextField interface {
	// TypeText replaces the field's text; submit also presses the
	// keyboard's Done.
	TypeText(text string, submit bool)
}
