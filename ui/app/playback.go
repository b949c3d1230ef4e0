package app

import (
	"context"
	"slices"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/screen"
	"github.com/manbang/manbang/ui/session"
)

// endedLinger is how long "The end" stays before the player screen goes.
const endedLinger = 2 * time.Second

// Resume positions: a title stopped within resumeMin of its start or
// resumeEnd of its end is not resumed.
const (
	resumeMin = 30 * time.Second
	resumeEnd = 60 * time.Second
)

// Play implements screen.Host: it plays a title from a position, asking
// for the PIN first when the title's rating needs it.
func (a *App) Play(t operator.Title, from time.Duration) {
	start := func() { a.push(a.startPlayback(session.Request{Title: t, From: from})) }
	if screen.NeedsPIN(a.st.Settings, t.Rating) {
		a.push(screen.NewPINCheck(a, i18n.T(a.Lang(), i18n.PINRated, i18n.Rating(a.Lang(), t.Rating)), start))
		return
	}
	start()
}

// PlayChannel implements screen.Host: it tunes to ch, replacing the live
// channel on screen if there is one. A channel rated at or above the
// parental limit asks for the PIN first, once a session: the PIN entered
// unlocks rated channels until the box restarts or the parental settings
// change. While the prompt shows, the channel before plays on under it,
// and CH+ and CH- go on past the locked channel.
func (a *App) PlayChannel(ch operator.Channel) {
	if a.channelLocked(ch) {
		a.closePrompt()
		lang := a.Lang()
		pin := screen.NewPINCheck(a, i18n.T(lang, i18n.PINChannel, ch.Name.In(lang), i18n.Rating(lang, ch.Rating)), func() {
			a.unlocked = a.parental()
			a.tune(ch)
		})
		pin.OnChannelKeys(func(delta int) { a.zapFrom(ch.ID, delta) })
		a.push(pin)
		return
	}
	a.tune(ch)
}

// parental is what the channels' PIN was entered for: the limit and the
// PIN. A change of either locks the channels again.
func (a *App) parental() string {
	return a.st.Settings.ParentalRating + "/" + a.st.Settings.PIN
}

// channelLocked reports whether tuning to ch asks for the PIN now.
func (a *App) channelLocked(ch operator.Channel) bool {
	return screen.NeedsPIN(a.st.Settings, ch.Rating) && a.unlocked != a.parental()
}

// closePrompt takes a PIN prompt off the top, if one is there.
func (a *App) closePrompt() {
	if _, ok := a.top().(*screen.PIN); ok && len(a.stack) > 1 {
		a.stack = a.stack[:len(a.stack)-1]
	}
}

// tune plays ch, the PIN asked for already if it had to be.
func (a *App) tune(ch operator.Channel) {
	a.st.WatchChannel(ch.ID)
	a.save()
	now, next := ProgrammeAt(a.progs, ch.ID, a.now())
	req := session.Request{Channel: &ch, Title: operator.Title{ID: ch.ID, Name: ch.Name}}
	p := a.startPlaybackWith(req, screen.NewLivePlayer(a, ch, now, next))
	if cur, ok := a.top().(*screen.Player); ok && cur.Channel() != nil {
		a.stack[len(a.stack)-1] = p
		return
	}
	a.push(p)
}

// PlayProgramme implements screen.Host: a past programme of a channel with
// catch-up.
func (a *App) PlayProgramme(ch operator.Channel, p operator.Programme) {
	req := session.Request{Channel: &ch, Programme: &p, Title: operator.Title{ID: ch.ID, Name: p.Title, DurationSec: int(p.Stop.Sub(p.Start).Seconds())}}
	a.push(a.startPlaybackWith(req, screen.NewPlayer(a, req.Title)))
}

// Zap implements screen.Host: delta channels on from the one playing, by
// number, wrapping around.
func (a *App) Zap(delta int) {
	if a.pb == nil || a.pb.Request().Channel == nil {
		return
	}
	a.zapFrom(a.pb.Request().Channel.ID, delta)
}

// zapFrom tunes delta channels on from the channel with the given ID.
func (a *App) zapFrom(id string, delta int) {
	if len(a.channels) == 0 {
		return
	}
	i := 0
	for j, ch := range a.channels {
		if ch.ID == id {
			i = j
		}
	}
	n := len(a.channels)
	a.PlayChannel(a.channels[((i+delta)%n+n)%n])
}

// TuneNumber implements screen.Host.
func (a *App) TuneNumber(n int) bool {
	for _, ch := range a.channels {
		if ch.Number == n {
			a.PlayChannel(ch)
			return true
		}
	}
	return false
}

// TuneLast implements screen.Host: back to the channel watched before.
func (a *App) TuneLast() {
	prev := a.st.PrevChannel
	for _, ch := range a.channels {
		if ch.ID == prev {
			a.PlayChannel(ch)
			return
		}
	}
}

// resumeLive answers CH+, CH- and Last on screens that leave them: they
// go back to live TV, on the channel watched last.
func (a *App) resumeLive(k remote.Key) {
	if len(a.channels) == 0 {
		a.Channels(func([]operator.Channel, error) {})
		return
	}
	if k == remote.KeyLastChannel {
		a.TuneLast()
		return
	}
	for _, ch := range a.channels {
		if ch.ID == a.st.LastChannel {
			a.PlayChannel(ch)
			return
		}
	}
	a.PlayChannel(a.channels[0])
}

// startPlayback starts req on a new Player screen.
func (a *App) startPlayback(req session.Request) *screen.Player {
	return a.startPlaybackWith(req, screen.NewPlayer(a, req.Title))
}

// startPlaybackWith opens req's stream, and shows it on p.
func (a *App) startPlaybackWith(req session.Request, p *screen.Player) *screen.Player {
	if old := a.pb; old != nil {
		a.stopPlayback()
		// One playback at a time: the screen of the one stopped goes, unless
		// the new one takes its place (PlayChannel does that).
		oldView := screen.Screen(old.View().(*screen.Player))
		if len(a.stack) > 0 && a.top() != oldView {
			a.stack = slices.DeleteFunc(a.stack, func(s screen.Screen) bool { return s == oldView })
		}
	}
	a.pb = session.Start(session.Config{
		Ctx:         a.ctx,
		Client:      a.client,
		LiveUnicast: a.cfg.LiveUnicast,
		Sound:       a.soundOutput,
		Volume:      a.st.Settings.Volume,
		Muted:       a.st.Settings.Muted,
		Classify:    a.classify,
		Loop:        a.post,
		Go:          a.goPost,
		Wake:        a.cfg.Wake,
		Closing:     &a.closing,
		Logger:      a.log,
		Now:         a.now,
	}, req, p)
	return p
}

// playing returns the Player screen of the stream playing, if one is.
func (a *App) playing() *screen.Player {
	if a.pb == nil {
		return nil
	}
	return a.pb.View().(*screen.Player)
}

// updatePlayback hands the newest frame to the Player screen and notices
// the end of the stream; it reports whether the screen got a picture or
// the stream ended.
func (a *App) updatePlayback(now time.Time) bool {
	pb := a.pb
	if pb == nil {
		return false
	}
	picture, ended := pb.Update(now)
	if picture {
		a.sawFrame = true
	}
	req := pb.Request()
	if ended && req.Local {
		if a.localEnded(now) {
			return true // the next song of the folder plays
		}
	}
	if ended {
		a.playing().SetEnded()
		if req.Channel == nil && req.Title.ID != "" {
			a.st.SetResume(req.Title, 0, now) // watched to the end
			a.save()
			a.refreshFavourites()
		}
	}
	if e := pb.EndedAt(); !e.IsZero() && now.Sub(e) > endedLinger && a.top() == screen.Screen(a.playing()) {
		a.Back()
		return true
	}
	return picture || ended
}

// stopPlayback ends the current playback, remembering where a title was
// left.
func (a *App) stopPlayback() {
	pb := a.pb
	if pb == nil {
		return
	}
	a.pb = nil
	a.remember(pb)
	pb.Stop()
}

// remember records where the viewer left a title, here and, if the viewer
// shares their resume positions, with the operator.
func (a *App) remember(pb *session.Session) {
	req := pb.Request()
	if req.Local {
		a.rememberLocal(pb)
		return
	}
	if req.Channel != nil || req.Title.ID == "" || !pb.EndedAt().IsZero() {
		return
	}
	pos := pb.ResumeAt()
	if pos <= 0 {
		return // it never played
	}
	total := time.Duration(req.Title.DurationSec) * time.Second
	if pos < resumeMin || (total > 0 && pos > total-resumeEnd) {
		pos = 0
	}
	a.st.SetResume(req.Title, pos, a.now())
	a.save()
	a.refreshFavourites()
	if c := a.client; c != nil && a.st.Settings.ResumeShared {
		id := req.Title.ID
		a.goPost(func(ctx context.Context) {
			ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
			defer cancel()
			if _, err := c.SetResume(ctx, id, pos.Seconds()); err != nil {
				a.log.Info("resume position not told to the operator", "title", id, "err", err)
			}
		})
	}
}
