package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/state"
)

// The App is the screens' Host.
var _ screen.Host = (*App)(nil)

// fetchTimeout bounds one request the screens make, retries included.
const fetchTimeout = 30 * time.Second

// loadState reads the state file and lets the command line override what
// it gives.
func (a *App) loadState() {
	st := state.Default()
	if a.cfg.StateDir != "" {
		var err error
		if st, err = state.Load(a.cfg.StateDir); err != nil {
			a.log.Warn("state", "err", err)
		}
		a.saver = state.NewSaver(a.cfg.StateDir, func(err error) { a.log.Warn("state", "err", err) })
	}
	if a.cfg.Operator != "" {
		st.Settings.Operator = a.cfg.Operator
	}
	if i18n.Supported(a.cfg.Lang) {
		st.Settings.Lang = a.cfg.Lang
	}
	if !i18n.Supported(st.Settings.Lang) {
		st.Settings.Lang = "ko"
	}
	a.st = st
}

// save writes the state on the saver's goroutine.
func (a *App) save() {
	if a.saver != nil {
		a.saver.Save(a.st)
	}
}

// connect makes the operator client for the server in the settings. Until
// it has one, connErr is why requests fail.
func (a *App) connect() error {
	a.client, a.connErr = nil, errNoOperator
	if a.st.Settings.Operator == "" {
		return errNoOperator
	}
	cfg := operator.ClientConfig{BaseURL: a.st.Settings.Operator, Device: a.cfg.Device, CAFile: a.cfg.OperatorCA}
	if a.cfg.StateDir != "" {
		cfg.Tokens = operator.FileTokenStore{Path: filepath.Join(a.cfg.StateDir, "device-token")}
		if cfg.Device.DeviceKey == "" {
			key, err := operator.LoadDeviceKey(filepath.Join(a.cfg.StateDir, "device-key"))
			if err != nil {
				// Without a kept key the box registers as a new device
				// after each start; it still works.
				a.log.Warn("device key", "err", err)
			}
			cfg.Device.DeviceKey = key
		}
	}
	if a.cfg.CacheDir != "" {
		cfg.CacheDir = filepath.Join(a.cfg.CacheDir, "operator")
	}
	c, err := operator.NewClient(cfg)
	if err != nil {
		a.connErr = err
		return err
	}
	a.client, a.connErr = c, nil
	return nil
}

// Lang implements screen.Host.
func (a *App) Lang() string { return a.st.Settings.Lang }

// Now implements screen.Host.
func (a *App) Now() time.Time { return a.now() }

// State implements screen.Host.
func (a *App) State() *state.State { return &a.st }

// Push implements screen.Host.
func (a *App) Push(s screen.Screen) { a.push(s) }

// Back implements screen.Host: it leaves the top screen, stopping playback
// when that screen is the player.
func (a *App) Back() {
	if len(a.stack) == 0 {
		return
	}
	if p, ok := a.top().(*screen.Player); ok && p == a.playing() {
		a.stopPlayback()
	}
	a.stack = a.stack[:len(a.stack)-1]
	if len(a.stack) == 0 {
		a.quit = true
	}
}

// Poster implements screen.Host.
func (a *App) Poster(url string) *draw.Image { return a.posters.get(url) }

// request runs call with the operator client on a goroutine and hands its
// error, classified, to done on the render loop.
func request[T any](a *App, call func(ctx context.Context, c *operator.Client) (T, error), done func(T, error)) {
	c := a.client
	if c == nil {
		var zero T
		done(zero, a.connErr)
		return
	}
	a.goPost(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		v, err := call(ctx, c)
		err = a.classify(err)
		a.post(func() { done(v, err) })
	})
}

// Titles implements screen.Host.
func (a *App) Titles(categoryID string, offset, limit int, done func(operator.TitlePage, error)) {
	request(a, func(ctx context.Context, c *operator.Client) (operator.TitlePage, error) {
		return c.Titles(ctx, categoryID, offset, limit)
	}, done)
}

// errSuperseded cancels a search that a newer one replaced.
var errSuperseded = errors.New("a newer search replaced this one")

// Search implements screen.Host: a newer search cancels the one before.
func (a *App) Search(q string, done func(operator.TitlePage, error)) {
	if a.search != nil {
		a.search()
	}
	c := a.client
	if c == nil {
		done(operator.TitlePage{}, a.connErr)
		return
	}
	sctx, cancel := context.WithCancelCause(a.ctx)
	a.search = func() { cancel(errSuperseded) }
	lang := a.Lang()
	a.goPost(func(context.Context) {
		defer cancel(nil)
		ctx, stop := context.WithTimeout(sctx, fetchTimeout)
		defer stop()
		p, err := c.Search(ctx, q, lang)
		if errors.Is(context.Cause(sctx), errSuperseded) {
			return
		}
		err = a.classify(err)
		a.post(func() { done(p, err) })
	})
}

// Channels implements screen.Host; the list is kept for zapping.
func (a *App) Channels(done func([]operator.Channel, error)) {
	request(a, func(ctx context.Context, c *operator.Client) (operator.ChannelList, error) {
		return c.Channels(ctx)
	}, func(l operator.ChannelList, err error) {
		if err == nil {
			a.channels = l.Channels
		}
		done(l.Channels, err)
	})
}

// Guide implements screen.Host; programmes around now are kept for the
// channel banner.
func (a *App) Guide(from, to time.Time, done func([]operator.Programme, error)) {
	request(a, func(ctx context.Context, c *operator.Client) (operator.Guide, error) {
		return c.Guide(ctx, nil, from, to)
	}, func(g operator.Guide, err error) {
		now := a.now()
		if err == nil && !from.After(now) && to.After(now) {
			a.progs = g.Programmes
		}
		done(g.Programmes, err)
	})
}

// classify marks an error with the kind of trouble it is: no network at
// all, a server that does not answer, or a service the operator lacks.
func (a *App) classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) && a.ctx.Err() == nil {
		return err
	}
	if operator.IsNotFound(err) {
		var ae *operator.APIError
		if errors.As(err, &ae) && isServiceMissing(ae) {
			return &screen.KindError{Kind: screen.FailNotOffered, Err: err}
		}
	}
	if isNetworkError(err) && !hasNetwork(a.st.Settings.Operator) {
		return &screen.KindError{Kind: screen.FailNetwork, Err: err}
	}
	return err
}

// isServiceMissing reports whether a 404 says the endpoint itself is not
// there (a head-end without live TV), rather than one thing in it.
func isServiceMissing(e *operator.APIError) bool {
	return e.Message == "not found" || strings.HasPrefix(e.Message, "not found:")
}

// SetFavourite implements screen.Host: the box remembers it, and tells the
// operator.
func (a *App) SetFavourite(t operator.Title, fav bool) {
	a.st.SetFavourite(t, fav)
	a.save()
	a.refreshFavourites()
	if c := a.client; c != nil {
		a.goPost(func(ctx context.Context) {
			ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
			defer cancel()
			var err error
			if fav {
				err = c.AddFavourite(ctx, t.ID)
			} else {
				err = c.RemoveFavourite(ctx, t.ID)
			}
			if err != nil {
				a.log.Info("favourite not told to the operator", "title", t.ID, "err", err)
			}
		})
	}
}

// AddRecent implements screen.Host.
func (a *App) AddRecent(q string) {
	a.st.AddRecent(q)
	a.save()
}

// Forget implements screen.Host: what the box remembers of a kind goes,
// on the box and, for resume positions it shares, with the operator.
func (a *App) Forget(kind string) {
	a.st.Forget(kind)
	a.save()
	if kind == state.ForgetResume {
		a.refreshFavourites() // Continue watching empties
		if a.st.Settings.ResumeShared {
			a.forgetResumeOnOperator()
		}
	}
}

// forgetResumeOnOperator has the operator forget the box's resume
// positions.
func (a *App) forgetResumeOnOperator() {
	c := a.client
	if c == nil {
		return
	}
	a.goPost(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		if err := c.ForgetResume(ctx); err != nil {
			a.log.Warn("the operator did not forget the resume positions", "err", err)
		}
	})
}

// Apply implements screen.Host: settings take effect at once.
func (a *App) Apply(s state.Settings) {
	old := a.st.Settings
	a.st.Settings = s
	a.st.Normalize()
	a.save()
	s = a.st.Settings
	switch {
	case old.ResumeShared && !s.ResumeShared:
		// Kept on this box only from now: the operator's copy goes too.
		a.forgetResumeOnOperator()
	case s.ResumeShared && !old.ResumeShared && a.home != nil:
		a.Reload() // merge in what the operator kept for the other boxes
	}
	if s.PhoneRemote != old.PhoneRemote && a.cfg.Remote != nil {
		a.cfg.Remote.SetEnabled(s.PhoneRemote)
	}
	if s.Volume != old.Volume || s.Muted != old.Muted {
		if a.pb != nil {
			a.pb.SetVolume(s.Volume, s.Muted)
		}
	}
	if s.Operator != old.Operator {
		if a.cfg.CacheDir != "" {
			// The operator client keeps answers by path, not by address
			// (a new address of the same operator still finds them), so
			// a changed operator must not start from the old one's.
			if err := os.RemoveAll(filepath.Join(a.cfg.CacheDir, "operator")); err != nil {
				a.log.Warn("operator cache", "err", err)
			}
		}
		if err := a.connect(); err != nil {
			a.log.Warn("operator", "err", err)
		}
		a.channels, a.progs = nil, nil
		if a.posters != nil {
			a.posters.reset()
		}
		if a.home != nil {
			a.Reload()
		}
	}
	if s.Lang != old.Lang && a.home != nil {
		a.Reload() // rows sorted for the language, search in it
	}
}

// About implements screen.Host.
func (a *App) About() screen.About {
	d := a.cfg.Device
	return screen.About{Model: d.Model, Serial: d.Serial, Firmware: d.Firmware}
}

// Update implements screen.Host.
func (a *App) Update(progress func(string, string), done func(string, error)) bool {
	u := a.cfg.Updater
	if u == nil {
		return false
	}
	a.goPost(func(ctx context.Context) {
		var v string
		var err error
		if pu, ok := u.(progressUpdater); ok && progress != nil {
			v, err = pu.UpdateProgress(ctx, func(state, version string) {
				a.post(func() { progress(state, version) })
			})
		} else {
			v, err = u.Update(ctx)
		}
		a.post(func() { done(v, err) })
	})
	return true
}

// Network implements screen.Host.
func (a *App) Network(done func(screen.NetStatus)) {
	c, server := a.client, a.st.Settings.Operator
	a.goPost(func(ctx context.Context) {
		st := screen.NetStatus{Addresses: addresses(), Operator: server, Err: errNoOperator}
		if c != nil {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_, st.Err = c.Categories(ctx)
		}
		a.post(func() { done(st) })
	})
}
