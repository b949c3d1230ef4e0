package app

import (
	"context"
	"errors"
	"time"

	"github.com/manbang/manbang/ui/screen"
)

// Remote is the box's network remote (remote/control with pairing) as the
// app uses it: switched on and off by the settings, and pairing phones
// from the phone remote screen. Its methods are safe from any goroutine.
type Remote interface {
	// SetEnabled switches the network remote on or off.
	SetEnabled(on bool)
	// Arm opens pairing for a few minutes with a new code, and returns
	// what the TV shows.
	Arm() (Pairing, error)
	// Armed returns the code pairing takes now; ok is false while it is
	// closed.
	Armed() (code string, until time.Time, ok bool)
	// Disarm closes pairing.
	Disarm()
	// Phones lists the paired phones.
	Phones() []Phone
	// Remove forgets a paired phone.
	Remove(id string) error
}

// Pairing and Phone are the phone remote screen's.
type (
	Pairing = screen.Pairing
	Phone   = screen.Phone
)

// ErrNoAddress is the error of arming pairing on a box without an
// address phones can reach.
var ErrNoAddress = screen.ErrNoAddress

// errNoRemote is the error of pairing on a box without a network remote.
var errNoRemote = errors.New("this box runs no network remote (--remote-addr)")

// HasPhoneRemote implements screen.Host.
func (a *App) HasPhoneRemote() bool { return a.cfg.Remote != nil }

// ArmPairing implements screen.Host.
func (a *App) ArmPairing() (Pairing, error) {
	if a.cfg.Remote == nil {
		return Pairing{}, errNoRemote
	}
	return a.cfg.Remote.Arm()
}

// PairingCode implements screen.Host.
func (a *App) PairingCode() (string, time.Time, bool) {
	if a.cfg.Remote == nil {
		return "", time.Time{}, false
	}
	return a.cfg.Remote.Armed()
}

// DisarmPairing implements screen.Host.
func (a *App) DisarmPairing() {
	if a.cfg.Remote != nil {
		a.cfg.Remote.Disarm()
	}
}

// PairedPhones implements screen.Host.
func (a *App) PairedPhones() []Phone {
	if a.cfg.Remote == nil {
		return nil
	}
	return a.cfg.Remote.Phones()
}

// RemovePhone implements screen.Host.
func (a *App) RemovePhone(id string) error {
	if a.cfg.Remote == nil {
		return errNoRemote
	}
	return a.cfg.Remote.Remove(id)
}

// Refresh tells the app, from any goroutine, that something it shows
// changed outside it (a phone paired): the next frame is drawn.
func (a *App) Refresh() { a.post(func() {}) }

// TypeText gives text from the network remote to the screen on top, if
// it has a text field (screen.TextField), on the render loop; typed is
// false when it has none. It may be called from any goroutine.
func (a *App) TypeText(ctx context.Context, text string, submit bool) (typed bool, err error) {
	answer := make(chan bool, 1)
	if !a.post(func() {
		if len(a.stack) == 0 {
			answer <- false
			return
		}
		tf, ok := a.top().(screen.TextField)
		if ok {
			tf.TypeText(text, submit)
		}
		answer <- ok
	}) {
		return false, errors.New("the UI is closing")
	}
	select {
	case ok := <-answer:
		return ok, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}
