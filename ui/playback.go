package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/catchup"
	"github.com/manbang/manbang/player"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/i18n"
	"github.com/manbang/manbang/ui/screen"
)

// endedLinger is how long "The end" stays before the player screen goes.
const endedLinger = 2 * time.Second

// A playback that fails is opened again while the viewer stays on its
// error screen, at the position it had: soon at first, then every
// retryMax (a head-end restarting is back within seconds). Errors that
// cannot pass (no operator, a title the operator does not have) are not
// retried.
const (
	retryFirst = 500 * time.Millisecond
	retryMax   = 2 * time.Second
)

// retryDelay is the wait before the attempt after the n-th failure in a
// row (n from 1).
func retryDelay(n int) time.Duration {
	d := retryFirst
	for i := 1; i < n && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
}

// Resume positions: a title stopped within resumeMin of its start or
// resumeEnd of its end is not resumed.
const (
	resumeMin = 30 * time.Second
	resumeEnd = 60 * time.Second
)

// playback is one title or channel being played: the request, the player,
// its screen and the frame the screen shows.
type playback struct {
	// What to play: a title, a channel, or a past programme of one; or a
	// locator given outright (locator).
	title     operator.Title
	channel   *operator.Channel
	programme *operator.Programme
	locator   string
	from      time.Duration // where to start a title

	screen   *screen.Player
	cancel   context.CancelFunc
	slot     *videoSlot
	sink     *volumeSink
	player   *player.Player // nil while opening
	session  string
	current  *media.VideoFrame
	endedAt  time.Time
	attempts int           // openings so far
	failures int           // failures since it last played
	done     chan struct{} // closed when the opening goroutine has ended
}

// videoSlot is the player's VideoSink for the UI: the presenter puts each
// due frame in, the render loop takes the newest out. A frame replaced
// before the loop took it was never seen, and goes back to its pool.
type videoSlot struct {
	mu   sync.Mutex
	next *media.VideoFrame
}

func (v *videoSlot) Present(f *media.VideoFrame) {
	v.mu.Lock()
	old := v.next
	v.next = f
	v.mu.Unlock()
	old.Release()
}

func (v *videoSlot) take() *media.VideoFrame {
	v.mu.Lock()
	defer v.mu.Unlock()
	f := v.next
	v.next = nil
	return f
}

// Play implements screen.Host: it plays a title from a position, asking
// for the PIN first when the title's rating needs it.
func (a *App) Play(t operator.Title, from time.Duration) {
	start := func() { a.push(a.startPlayback(&playback{title: t, from: from})) }
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
	now, next := programmeAt(a.progs, ch.ID, a.now())
	pb := &playback{channel: &ch, title: operator.Title{ID: ch.ID, Name: ch.Name}}
	p := a.startPlaybackWith(pb, screen.NewLivePlayer(a, ch, now, next))
	if cur, ok := a.top().(*screen.Player); ok && cur.Channel() != nil {
		a.stack[len(a.stack)-1] = p
		return
	}
	a.push(p)
}

// PlayProgramme implements screen.Host: a past programme of a channel with
// catch-up.
func (a *App) PlayProgramme(ch operator.Channel, p operator.Programme) {
	pb := &playback{channel: &ch, programme: &p, title: operator.Title{ID: ch.ID, Name: p.Title, DurationSec: int(p.Stop.Sub(p.Start).Seconds())}}
	a.push(a.startPlaybackWith(pb, screen.NewPlayer(a, pb.title)))
}

// Zap implements screen.Host: delta channels on from the one playing, by
// number, wrapping around.
func (a *App) Zap(delta int) {
	if a.pb == nil || a.pb.channel == nil {
		return
	}
	a.zapFrom(a.pb.channel.ID, delta)
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

// startPlayback starts pb on a new Player screen.
func (a *App) startPlayback(pb *playback) *screen.Player {
	return a.startPlaybackWith(pb, screen.NewPlayer(a, pb.title))
}

// startPlaybackWith opens pb's stream on a goroutine, asking the operator
// for it first unless pb has a locator, and shows it on p.
func (a *App) startPlaybackWith(pb *playback, p *screen.Player) *screen.Player {
	if old := a.pb; old != nil {
		a.stopPlayback()
		// One playback at a time: the screen of the one stopped goes, unless
		// the new one takes its place (PlayChannel does that).
		if len(a.stack) > 0 && a.top() != old.screen {
			a.stack = slices.DeleteFunc(a.stack, func(s screen.Screen) bool { return s == screen.Screen(old.screen) })
		}
	}
	pb.screen = p
	a.pb = pb
	a.open1(pb)
	return p
}

// open1 makes one attempt at opening pb.
func (a *App) open1(pb *playback) {
	ctx, cancel := context.WithCancel(a.ctx)
	pb.cancel = cancel
	pb.slot = &videoSlot{}
	pb.sink = newVolumeSink(a.soundOutput(), a.st.Settings.Volume, a.st.Settings.Muted)
	pb.attempts++
	pb.done = make(chan struct{})
	c := a.client
	from := pb.from
	a.goPost(func(context.Context) {
		defer close(pb.done)
		url, sess, port, err := a.locate(ctx, c, pb)
		if err != nil {
			err = a.classify(err)
			a.post(func() { a.failed(pb, err) })
			return
		}
		p, err := player.Open(ctx, url, player.Options{Video: pb.slot, Audio: pb.sink, Logger: a.log, StartAt: from})
		if port != nil {
			port.Close() // Open has taken the socket, or failed
		}
		handed := make(chan bool, 1)
		queued := a.post(func() {
			pb.session = sess.ID
			if err != nil {
				a.failed(pb, err)
				handed <- false
				return
			}
			if a.pb != pb || ctx.Err() != nil { // the viewer left while it opened
				handed <- false
				return
			}
			pb.player = p
			pb.failures = 0
			pb.screen.SetControl(newPlayerControl(ctx, p, a.log, &a.closing))
			handed <- true
		})
		if p == nil {
			return
		}
		if !queued || !<-handed {
			p.Close()
			return
		}
		if sess.KeepaliveSec > 0 {
			keepalive(ctx, c, sess, a.log.Debug)
		}
	})
}

// locate returns the stream locator of pb and the session it is in. A
// live unicast session comes with the port the stream is sent to, bound
// before the head-end is asked for it, so that the start of its fast
// channel change burst (the key frame) is not lost before the player
// listens: the caller closes it once player.Open has returned.
func (a *App) locate(ctx context.Context, c *operator.Client, pb *playback) (string, operator.Session, *player.Reservation, error) {
	switch {
	case pb.locator != "":
		return pb.locator, operator.Session{}, nil, nil
	case pb.channel != nil && pb.channel.URL != "": // a playlist's channel: no sessions
		if pb.programme == nil {
			return pb.channel.URL, operator.Session{}, nil, nil
		}
		if pb.channel.Catchup == nil {
			return "", operator.Session{}, nil, errors.New("the channel has no catch-up")
		}
		u, err := catchup.URL(pb.channel.URL, *pb.channel.Catchup, pb.programme.Start, pb.programme.Stop, a.now())
		return u, operator.Session{}, nil, err
	case c == nil:
		return "", operator.Session{}, nil, errNoOperator
	}
	req := operator.PlayRequest{TitleID: pb.title.ID}
	var port *player.Reservation
	unicast := false
	if pb.channel != nil {
		req = operator.PlayRequest{ChannelID: pb.channel.ID}
		switch {
		case pb.programme != nil:
			req.Start, req.Stop = pb.programme.Start, pb.programme.Stop
		default:
			var err error
			if unicast, err = a.liveUnicast(*pb.channel); err != nil {
				return "", operator.Session{}, nil, err
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	var s operator.Session
	var err error
	for {
		if unicast {
			if port, err = player.ReserveRTPPort(); err != nil {
				return "", operator.Session{}, nil, err
			}
			req.RTPPort, req.FCC = port.Port(), true
		}
		s, err = c.StartSession(ctx, req)
		if err == nil {
			break
		}
		if port != nil {
			port.Close()
		}
		// An older head-end does not list how it sends a channel: its 409
		// to a multicast request says to ask for unicast.
		if !unicast && pb.channel != nil && pb.programme == nil && len(pb.channel.Delivery) == 0 && isConflict(err) {
			unicast = true
			continue
		}
		return "", s, nil, err
	}
	url := s.URL
	if s.RTCP != "" && s.Kind == operator.StreamRTP && !strings.Contains(url, "rtcp=") {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + "rtcp=" + s.RTCP
	}
	return url, s, port, nil
}

// liveUnicast says whether to ask for ch as unicast RTP to the box rather
// than by joining its multicast group: when the box is told to
// (--live-unicast), or when the head-end lists unicast and not multicast.
// A channel that lists neither is not offered live.
func (a *App) liveUnicast(ch operator.Channel) (bool, error) {
	multicast, unicast := ch.Offers(operator.DeliveryMulticast), ch.Offers(operator.DeliveryUnicast)
	switch {
	case len(ch.Delivery) == 0:
		return a.cfg.LiveUnicast, nil // an older head-end: multicast first
	case unicast && (a.cfg.LiveUnicast || !multicast):
		return true, nil
	case multicast:
		return false, nil
	}
	return false, &screen.KindError{Kind: screen.FailNotOffered, Err: fmt.Errorf("channel %q: the operator sends it only as %s", ch.ID, strings.Join(ch.Delivery, ", "))}
}

// isConflict reports whether err is the operator's 409 answer.
func isConflict(err error) bool {
	var e *operator.APIError
	return errors.As(err, &e) && e.Status == http.StatusConflict
}

// keepalive tells the head-end every period that the session is still
// watched, until ctx ends.
func keepalive(ctx context.Context, c *operator.Client, s operator.Session, debug func(string, ...any)) {
	t := time.NewTicker(time.Duration(s.KeepaliveSec) * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			kctx, cancel := context.WithTimeout(ctx, fetchTimeout)
			if err := c.Keepalive(kctx, s.ID); err != nil {
				debug("keepalive", "session", s.ID, "err", err)
			}
			cancel()
		}
	}
}

// failed shows that pb could not play and, unless the error cannot pass,
// opens it again after a backoff, from where it was (a title), for as
// long as the viewer stays.
func (a *App) failed(pb *playback, err error) {
	if a.pb != pb {
		return
	}
	if pos := pb.screen.Position(); pos > 0 && pb.channel == nil && pb.locator == "" {
		pb.from = pos
	}
	pb.failures++
	a.log.Warn("playback failed", "title", pb.title.ID, "attempt", pb.attempts, "failures", pb.failures, "err", err)
	if !mayPass(err) {
		pb.screen.SetError(err, nil)
		return
	}
	pb.screen.SetError(err, func() { a.retry(pb) })
	pb.screen.SetRetryIn(retryDelay(pb.failures))
}

// mayPass reports whether a playback that failed with err may work if
// opened again: not without an operator, nor when the operator refused
// it (a 4xx answer, which docs/API.md says a box must not resend as it
// was), nor when the operator does not offer it.
func mayPass(err error) bool {
	var ke *screen.KindError
	switch {
	case errors.Is(err, errNoOperator), screen.Refused(err):
		return false
	case errors.As(err, &ke) && ke.Kind == screen.FailNotOffered:
		return false
	}
	return true
}

// retry opens pb again, after the last attempt's player is closed.
func (a *App) retry(pb *playback) {
	if a.pb != pb {
		return
	}
	a.release(pb)
	a.open1(pb)
}

// release ends pb's player and session without blocking the render loop.
func (a *App) release(pb *playback) {
	pb.cancel()
	pb.screen.SetFrame(nil)
	p, sess, done, cur, c := pb.player, pb.session, pb.done, pb.current, a.client
	pb.player, pb.session, pb.current, pb.endedAt = nil, "", nil, time.Time{}
	slot, sink := pb.slot, pb.sink
	a.closing.Add(1)
	go func() {
		defer a.closing.Done()
		<-done // the opening goroutine has handed its player over or closed it
		if p != nil {
			p.Close()
		}
		slot.take().Release()
		cur.Release()
		sink.Close()
		if sess != "" && c != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c.EndSession(ctx, sess)
		}
	}()
}

// updatePlayback hands the newest frame to the Player screen and notices
// the end of the stream.
func (a *App) updatePlayback(now time.Time) {
	pb := a.pb
	if pb == nil {
		return
	}
	if f := pb.slot.take(); f != nil {
		pb.current.Release()
		pb.current = f
		pb.screen.SetFrame(f)
		a.sawFrame = true
	}
	if pb.player == nil {
		return
	}
	select {
	case <-pb.player.Done():
	default:
		return
	}
	if pb.endedAt.IsZero() {
		pb.endedAt = now
		if err := pb.player.Err(); err != nil {
			a.failed(pb, err)
			return
		}
		pb.screen.SetEnded()
		if pb.channel == nil && pb.title.ID != "" {
			a.st.SetResume(pb.title, 0, now) // watched to the end
			a.save()
			a.refreshFavourites()
		}
	}
	if pb.player != nil && pb.player.Err() == nil && now.Sub(pb.endedAt) > endedLinger && a.top() == pb.screen {
		a.Back()
	}
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
	a.release(pb)
}

// remember records where the viewer left a title, here and with the
// operator.
func (a *App) remember(pb *playback) {
	if pb.channel != nil || pb.title.ID == "" || !pb.endedAt.IsZero() {
		return
	}
	pos := pb.screen.Position()
	if pos <= 0 {
		pos = pb.from // on the error screen: where it will resume
	}
	if pos <= 0 {
		return // it never played
	}
	total := time.Duration(pb.title.DurationSec) * time.Second
	if pos < resumeMin || (total > 0 && pos > total-resumeEnd) {
		pos = 0
	}
	a.st.SetResume(pb.title, pos, a.now())
	a.save()
	a.refreshFavourites()
	if c := a.client; c != nil {
		id := pb.title.ID
		a.goPost(func(ctx context.Context) {
			ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
			defer cancel()
			if _, err := c.SetResume(ctx, id, pos.Seconds()); err != nil {
				a.log.Info("resume position not told to the operator", "title", id, "err", err)
			}
		})
	}
}
