// Package session is one playback on the box: it finds the stream (a
// session with the operator, a third-party channel's URL or its catch-up
// URL, a reserved RTP port for a unicast live channel), opens the player,
// keeps the operator's session alive, shows failures on its screen and
// opens the stream again where that may help, and ends it all on Stop
// without making the render loop wait.
//
// A Session is used only from the render loop; its goroutines hand
// results back through Config.Loop.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/operator/catchup"
	"github.com/manbang/manbang/player"
	"github.com/manbang/manbang/player/audio"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/ui/screen"
)

// ErrNoOperator is the error of playing from the operator without one.
var ErrNoOperator = errors.New("no operator server set: choose one in Settings")

// fetchTimeout bounds one request to the operator, retries included.
const fetchTimeout = 30 * time.Second

// A playback that fails is opened again while the viewer stays on its
// error screen, at the position it had: soon at first, then every
// retryMax (a head-end restarting is back within seconds). Errors that
// cannot pass (no operator, a request the operator refused) are not
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

// Request is what to play: a title from a position, a channel, a past
// programme of a channel, or a stream locator given outright.
type Request struct {
	Title     operator.Title
	Channel   *operator.Channel
	Programme *operator.Programme
	Locator   string
	From      time.Duration
	// Local marks a Locator that is a file of the viewer's own medium
	// (a USB stick): the operator is never asked or told anything of it
	// (no session, no keepalive, no resume position), and a failure is
	// shown as final, not retried: a file that cannot be played now will
	// not play in two seconds either.
	Local bool
}

// View is the screen a session plays on: *screen.Player.
type View interface {
	SetTransport(t screen.Transport)
	SetFrame(f *media.VideoFrame)
	SetError(err error, retry func())
	SetRetryIn(d time.Duration)
	Position() time.Duration
}

var _ View = (*screen.Player)(nil)

// Config is what a session works with. Ctx, Loop and Go are required.
type Config struct {
	// Ctx ends every goroutine of the session when it is done.
	Ctx context.Context
	// Client is the operator; nil plays only locators and third-party
	// channels.
	Client *operator.Client
	// LiveUnicast asks for every live channel as unicast RTP to the box,
	// even where the head-end also sends it to a multicast group.
	LiveUnicast bool
	// Sound returns a new sound output for each attempt; the session
	// closes it.
	Sound  func() audio.Sink
	Volume int
	Muted  bool
	// Classify marks errors with the kind of trouble they are
	// (screen.KindError); nil leaves them as they are.
	Classify func(error) error
	// Loop runs f on the render loop, reporting whether it was queued.
	Loop func(f func()) bool
	// Go runs work on a goroutine the app waits for when it closes.
	Go func(work func(ctx context.Context))
	// Wake, if set, is called from the player's goroutine when a new
	// picture is due, so a sleeping loop takes it.
	Wake func()
	// Closing counts the goroutines that end players after Stop; the app
	// waits for it when it closes. Nil: the session's own.
	Closing *sync.WaitGroup
	Logger  *slog.Logger
	Now     func() time.Time
}

// Session is one playback.
type Session struct {
	cfg  Config
	req  Request
	view View

	cancel   context.CancelFunc
	slot     *videoSlot
	sink     *volumeSink
	player   *player.Player // nil while opening
	session  string         // the operator's session ID
	current  *media.VideoFrame
	endedAt  time.Time // when the stream came to its end by itself
	over     bool      // the player of this attempt is done
	stopped  bool
	attempts int           // openings so far
	failures int           // failures since it last played
	done     chan struct{} // closed when the opening goroutine has ended
}

// Start opens req on a goroutine and shows it on view.
func Start(cfg Config, req Request, view View) *Session {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Classify == nil {
		cfg.Classify = func(err error) error { return err }
	}
	if cfg.Closing == nil {
		cfg.Closing = new(sync.WaitGroup)
	}
	if req.Local {
		cfg.Client = nil // nothing of the viewer's media reaches the operator
	}
	s := &Session{cfg: cfg, req: req, view: view}
	s.open()
	return s
}

// Request returns what the session plays.
func (s *Session) Request() Request { return s.req }

// View returns the screen it plays on.
func (s *Session) View() View { return s.view }

// Live reports whether it plays a channel live (not a past programme).
func (s *Session) Live() bool { return s.req.Channel != nil && s.req.Programme == nil }

// Player returns the player once the stream is open, nil before.
func (s *Session) Player() *player.Player { return s.player }

// Attempts returns how many times the stream was opened.
func (s *Session) Attempts() int { return s.attempts }

// SetVolume sets the volume of what plays, 0 to 100.
func (s *Session) SetVolume(volume int, muted bool) {
	s.cfg.Volume, s.cfg.Muted = volume, muted
	if s.sink != nil {
		s.sink.setVolume(volume, muted)
	}
}

// ResumeAt returns where a title would resume: where it plays, or on the
// error screen where it will be opened again.
func (s *Session) ResumeAt() time.Duration {
	if pos := s.view.Position(); pos > 0 {
		return pos
	}
	return s.req.From
}

// open makes one attempt at opening the stream.
func (s *Session) open() {
	ctx, cancel := context.WithCancel(s.cfg.Ctx)
	s.cancel = cancel
	s.slot = &videoSlot{wake: s.cfg.Wake}
	s.sink = newVolumeSink(s.cfg.Sound(), s.cfg.Volume, s.cfg.Muted)
	s.attempts++
	s.done = make(chan struct{})
	c, from, done, slot, sink := s.cfg.Client, s.req.From, s.done, s.slot, s.sink
	s.cfg.Go(func(context.Context) {
		defer close(done)
		url, sess, port, err := s.locate(ctx, c)
		if err != nil {
			err = s.cfg.Classify(err)
			s.cfg.Loop(func() { s.failed(ctx, err) })
			return
		}
		p, err := player.Open(ctx, url, player.Options{Video: slot, Audio: sink, Logger: s.cfg.Logger, StartAt: from})
		if port != nil {
			port.Close() // Open has taken the socket, or failed
		}
		handed := make(chan bool, 1)
		queued := s.cfg.Loop(func() {
			if ctx.Err() != nil { // stopped, or opened again, while it opened
				handed <- false
				return
			}
			s.session = sess.ID
			if err != nil {
				s.failed(ctx, err)
				handed <- false
				return
			}
			s.player = p
			s.failures = 0
			s.view.SetTransport(newTransport(ctx, p, s.cfg.Logger, s.cfg.Closing))
			handed <- true
		})
		if p == nil {
			return
		}
		if !queued || !<-handed {
			p.Close()
			return
		}
		if wake := s.cfg.Wake; wake != nil {
			// A player with no pictures (a song) wakes no loop while it
			// plays: its end must, however long the loop sleeps.
			s.cfg.Go(func(closing context.Context) {
				select {
				case <-p.Done():
					wake()
				case <-ctx.Done():
				case <-closing.Done():
				}
			})
		}
		if sess.KeepaliveSec > 0 {
			keepalive(ctx, c, sess, s.cfg.Logger.Debug)
		}
	})
}

// locate returns the stream locator and the operator's session it is in.
// A live unicast session comes with the port the stream is sent to, bound
// before the head-end is asked for it, so that the start of its fast
// channel change burst (the key frame) is not lost before the player
// listens: the caller closes it once player.Open has returned.
//
// A locator that came from an operator (not one given to the box outright)
// must be a stream address (operator.CheckStreamURL): the box does not
// play its own files on an operator's word. A session whose answer is
// refused so is ended at once.
func (s *Session) locate(ctx context.Context, c *operator.Client) (string, operator.Session, *player.Reservation, error) {
	url, sess, port, err := s.locateStream(ctx, c)
	if err != nil || s.req.Locator != "" {
		return url, sess, port, err
	}
	if err := operator.CheckStreamURL(url); err != nil {
		if port != nil {
			port.Close()
		}
		if sess.ID != "" && c != nil {
			c.EndSession(ctx, sess.ID)
		}
		return "", operator.Session{}, nil, &screen.KindError{Kind: screen.FailStream, Err: err}
	}
	return url, sess, port, nil
}

// locateStream is locate before the locator is checked.
func (s *Session) locateStream(ctx context.Context, c *operator.Client) (string, operator.Session, *player.Reservation, error) {
	r := s.req
	switch {
	case r.Locator != "":
		return r.Locator, operator.Session{}, nil, nil
	case r.Channel != nil && r.Channel.URL != "": // a playlist's channel: no sessions
		if r.Programme == nil {
			return r.Channel.URL, operator.Session{}, nil, nil
		}
		if r.Channel.Catchup == nil {
			return "", operator.Session{}, nil, errors.New("the channel has no catch-up")
		}
		u, err := catchup.URL(r.Channel.URL, *r.Channel.Catchup, r.Programme.Start, r.Programme.Stop, s.cfg.Now())
		return u, operator.Session{}, nil, err
	case c == nil:
		return "", operator.Session{}, nil, ErrNoOperator
	}
	req := operator.PlayRequest{TitleID: r.Title.ID}
	unicast := false
	if r.Channel != nil {
		req = operator.PlayRequest{ChannelID: r.Channel.ID}
		if r.Programme != nil {
			req.Start, req.Stop = r.Programme.Start, r.Programme.Stop
		} else {
			var err error
			if unicast, err = liveUnicast(*r.Channel, s.cfg.LiveUnicast); err != nil {
				return "", operator.Session{}, nil, err
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	for {
		var port *player.Reservation
		if unicast {
			var err error
			if port, err = player.ReserveRTPPort(); err != nil {
				return "", operator.Session{}, nil, err
			}
			req.RTPPort, req.FCC = port.Port(), true
		}
		sess, err := c.StartSession(ctx, req)
		if err == nil {
			return withRTCP(sess, unicast, c.Host()), sess, port, nil
		}
		if port != nil {
			port.Close()
		}
		// An older head-end does not list how it sends a channel: its 409
		// to a multicast request says to ask for unicast.
		if !unicast && s.Live() && len(r.Channel.Delivery) == 0 && isConflict(err) {
			unicast = true
			continue
		}
		return "", sess, nil, err
	}
}

// withRTCP returns the session's URL, with the head-end's RTCP address
// for a unicast RTP stream, and for unicast the one source the box hears
// the stream from: the head-end's RTCP address, which is the socket the
// stream leaves from, else the host of its API (apiHost). Packets from
// anyone else are dropped (issue 21, finding 6).
func withRTCP(s operator.Session, unicast bool, apiHost string) string {
	url := s.URL
	add := func(k, v string) {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + k + "=" + v
	}
	if s.Kind != operator.StreamRTP {
		return url
	}
	if s.RTCP != "" && !strings.Contains(url, "rtcp=") {
		add("rtcp", s.RTCP)
	}
	if unicast && !strings.Contains(url, "source=") {
		switch {
		case s.RTCP != "":
			add("source", s.RTCP)
		case apiHost != "":
			add("source", apiHost)
		}
	}
	return url
}

// liveUnicast says whether to ask for ch as unicast RTP to the box rather
// than by joining its multicast group: when the box is told to (force),
// or when the head-end lists unicast and not multicast. A channel that
// lists neither is not offered live.
func liveUnicast(ch operator.Channel, force bool) (bool, error) {
	multicast, unicast := ch.Offers(operator.DeliveryMulticast), ch.Offers(operator.DeliveryUnicast)
	switch {
	case len(ch.Delivery) == 0:
		return force, nil // an older head-end: multicast first
	case unicast && (force || !multicast):
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

// MayPass reports whether a playback that failed with err may work if
// opened again: not without an operator, nor when the operator refused
// it (a 4xx answer, which docs/API.md says a box must not resend as it
// was), nor when the operator does not offer it.
func MayPass(err error) bool {
	var ke *screen.KindError
	switch {
	case errors.Is(err, ErrNoOperator), screen.Refused(err):
		return false
	case errors.As(err, &ke) && ke.Kind == screen.FailNotOffered:
		return false
	}
	return true
}

// failed shows that the attempt of ctx could not play and, unless the
// error cannot pass, opens it again after a backoff, from where it was (a
// title), for as long as the viewer stays.
func (s *Session) failed(ctx context.Context, err error) {
	if s.stopped || ctx.Err() != nil {
		return
	}
	if pos := s.view.Position(); pos > 0 && s.req.Channel == nil && s.req.Locator == "" {
		s.req.From = pos
	}
	s.failures++
	s.cfg.Logger.Warn("playback failed", "title", s.req.Title.ID, "attempt", s.attempts, "failures", s.failures, "err", err)
	if !MayPass(err) || s.req.Local {
		s.view.SetError(err, nil)
		return
	}
	s.view.SetError(err, s.retry)
	s.view.SetRetryIn(retryDelay(s.failures))
}

// retry opens the stream again, after the last attempt's player is
// closed.
func (s *Session) retry() {
	if s.stopped {
		return
	}
	s.release()
	s.open()
}

// Update hands the newest picture to the view and notices the end of the
// stream. It reports whether it took a picture, and, in the one call that
// notices it, that the stream came to its end (a stream that fails is
// shown failed and opened again instead).
func (s *Session) Update(now time.Time) (picture, ended bool) {
	if f := s.slot.take(); f != nil {
		s.current.Release()
		s.current = f
		s.view.SetFrame(f)
		picture = true
	}
	if s.player == nil || s.over {
		return picture, false
	}
	select {
	case <-s.player.Done():
	default:
		return picture, false
	}
	s.over = true
	if err := s.player.Err(); err != nil {
		s.failed(context.Background(), err)
		return picture, false
	}
	s.endedAt = now
	return picture, true
}

// EndedAt returns when the stream came to its end, zero while it plays.
func (s *Session) EndedAt() time.Time { return s.endedAt }

// Stop ends the playback: the player, its sound and the operator's
// session, on a goroutine, so the render loop does not wait.
func (s *Session) Stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.release()
}

// release ends the current attempt without blocking the render loop.
func (s *Session) release() {
	s.cancel()
	s.view.SetFrame(nil)
	p, sess, done, cur, c := s.player, s.session, s.done, s.current, s.cfg.Client
	s.player, s.session, s.current, s.endedAt, s.over = nil, "", nil, time.Time{}, false
	slot, sink := s.slot, s.sink
	s.cfg.Closing.Add(1)
	go func() {
		defer s.cfg.Closing.Done()
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

// videoSlot is the player's VideoSink for the UI: the presenter puts each
// due frame in, the render loop takes the newest out. A frame replaced
// before the loop took it was never seen, and goes back to its pool.
type videoSlot struct {
	mu   sync.Mutex
	next *media.VideoFrame
	wake func()
}

func (v *videoSlot) Present(f *media.VideoFrame) {
	v.mu.Lock()
	old := v.next
	v.next = f
	v.mu.Unlock()
	old.Release()
	if v.wake != nil {
		v.wake()
	}
}

func (v *videoSlot) take() *media.VideoFrame {
	v.mu.Lock()
	defer v.mu.Unlock()
	f := v.next
	v.next = nil
	return f
}
