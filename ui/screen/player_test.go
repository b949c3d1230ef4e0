package screen

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/draw"
	"github.com/manbang/manbang/ui/i18n"
)

// fakeControl is a playback; can says which optional abilities it has.
type fakeControl struct {
	paused   []bool
	stats    Status
	seeks    []time.Duration
	speeds   []float64
	audio    []Track
	audioCur int
	subs     []Track
	subsCur  int
	canSeek  bool
	canSpeed bool
}

func (c *fakeControl) SetPaused(p bool) { c.paused = append(c.paused, p) }
func (c *fakeControl) Status() Status   { return c.stats }
func (c *fakeControl) Seek(pos time.Duration) error {
	if !c.canSeek {
		return errors.ErrUnsupported
	}
	c.seeks = append(c.seeks, pos)
	return nil
}
func (c *fakeControl) SetSpeed(sp float64) error {
	if !c.canSpeed {
		return errors.ErrUnsupported
	}
	c.speeds = append(c.speeds, sp)
	return nil
}
func (c *fakeControl) AudioTracks() ([]Track, int) { return c.audio, c.audioCur }
func (c *fakeControl) SetAudioTrack(i int) error   { c.audioCur = i; return nil }
func (c *fakeControl) Subtitles() ([]Track, int)   { return c.subs, c.subsCur }
func (c *fakeControl) SetSubtitles(i int) error    { c.subsCur = i; return nil }

func TestPlayerKeys(t *testing.T) {
	host := newHost("ru")
	p := NewPlayer(host, title("d1", "바다", "The Sea", "Море"))
	if st := p.State().(PlayerState); st.State != PlayOpening {
		t.Fatalf("new player is %s, want opening", st.State)
	}
	ctl := &fakeControl{stats: Status{PositionMS: 61000, Width: 640, Height: 360}, subsCur: -1}
	p.SetTransport(ctl)
	keys(p, remote.KeyOK, remote.KeyPlayPause)
	if len(ctl.paused) != 2 || !ctl.paused[0] || ctl.paused[1] {
		t.Errorf("pause calls %v, want [true false]", ctl.paused)
	}
	keys(p, remote.KeyInfo)
	frame := media.NewPool(1).Get(64, 36)
	p.SetFrame(frame)
	p.Update(t0)
	rec := draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, t0)
	videos := rec.Find(draw.OpVideo)
	if len(videos) != 1 || videos[0].Frame != frame || videos[0].Rect != (draw.Rect{W: 1280, H: 720}) {
		t.Errorf("video ops %+v", videos)
	}
	for _, want := range []string{"Море", "1:01", "-19:59", "640x360", i18n.T("ru", i18n.StreamInfo)} {
		if _, ok := rec.FindText(want); !ok {
			t.Errorf("player screen lacks %q; has %q", want, rec.Texts())
		}
	}
	// A player that cannot seek says so.
	keys(p, remote.KeyRight)
	if st := p.State().(PlayerState); st.Message != i18n.T("ru", i18n.CannotSeek) {
		t.Errorf("seeking an unseekable stream says %q", st.Message)
	}
	// Seeks add up while the arrow is pressed again and again.
	ctl.canSeek = true
	keys(p, remote.KeyRight, remote.KeyRight, remote.KeyLeft)
	if want := []time.Duration{91 * time.Second, 121 * time.Second, 111 * time.Second}; len(ctl.seeks) != 3 || ctl.seeks[0] != want[0] || ctl.seeks[1] != want[1] || ctl.seeks[2] != want[2] {
		t.Errorf("seeks %v, want %v", ctl.seeks, want)
	}
	// Without speed control FF seeks; with it, FF steps through the speeds.
	host.now = host.now.Add(time.Minute)
	keys(p, remote.KeyFastForward)
	if len(ctl.seeks) != 4 || ctl.seeks[3] != 91*time.Second {
		t.Errorf("FF without speeds seeks %v", ctl.seeks)
	}
	ctl.canSpeed = true
	keys(p, remote.KeyFastForward, remote.KeyFastForward, remote.KeyRewind)
	if want := []float64{2, 4, -2}; len(ctl.speeds) != 3 || ctl.speeds[0] != want[0] || ctl.speeds[1] != want[1] || ctl.speeds[2] != want[2] {
		t.Errorf("speeds %v, want %v", ctl.speeds, want)
	}
	p.Update(host.now)
	rec.Reset()
	p.Draw(rec, host.now)
	if _, ok := rec.FindText("×2"); !ok {
		t.Errorf("the speed is not shown: %q", rec.Texts())
	}
	keys(p, remote.KeyOK) // back to normal speed
	if ctl.speeds[len(ctl.speeds)-1] != 1 {
		t.Errorf("OK while rewinding set speed %v", ctl.speeds)
	}
	// A rewind that reaches the start plays on at normal speed.
	keys(p, remote.KeyRewind)
	if ctl.speeds[len(ctl.speeds)-1] != -2 {
		t.Fatalf("rewind set speed %v", ctl.speeds)
	}
	p.Update(host.now)
	if st := p.State().(PlayerState); st.Speed != -2 {
		t.Errorf("rewinding at 1:01 stopped: speed %v", st.Speed)
	}
	ctl.stats.PositionMS = 400
	p.Update(host.now)
	if st := p.State().(PlayerState); st.Speed != 0 || ctl.speeds[len(ctl.speeds)-1] != 1 {
		t.Errorf("at the start the rewind goes on: speed %v, calls %v", st.Speed, ctl.speeds)
	}
	keys(p, remote.KeyBack)
	if host.backs != 1 {
		t.Errorf("Back asked the host %d times", host.backs)
	}
}

func TestPlayerTracks(t *testing.T) {
	host := newHost("en")
	p := NewPlayer(host, title("d1", "바다", "The Sea", "Море"))
	ctl := &fakeControl{audio: []Track{{Lang: "ko"}}, subsCur: -1}
	p.SetTransport(ctl)
	keys(p, remote.KeyYellow)
	if st := p.State().(PlayerState); st.Menu != "" || st.Message != i18n.T("en", i18n.OnlyTrack) {
		t.Errorf("one track: menu %q, message %q", st.Menu, st.Message)
	}
	ctl.audio = append(ctl.audio, Track{Lang: "ru", Label: "dub"})
	ctl.subs = []Track{{Lang: "en"}}
	keys(p, remote.KeyYellow)
	if st := p.State().(PlayerState); st.Menu != "audio" {
		t.Fatalf("Yellow opened %q", st.Menu)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, t0)
	if _, ok := rec.FindText("Russian · dub"); !ok {
		t.Errorf("track names: %q", rec.Texts())
	}
	keys(p, remote.KeyDown, remote.KeyOK)
	if ctl.audioCur != 1 || p.State().(PlayerState).Menu != "" {
		t.Errorf("audio track %d after choosing the second", ctl.audioCur)
	}
	keys(p, remote.KeyBlue, remote.KeyDown, remote.KeyOK)
	if ctl.subsCur != 0 {
		t.Errorf("subtitle track %d after choosing English", ctl.subsCur)
	}
	keys(p, remote.KeyBlue, remote.KeyUp, remote.KeyOK)
	if ctl.subsCur != -1 {
		t.Errorf("subtitle track %d after choosing off", ctl.subsCur)
	}
}

func TestPlayerErrorRetries(t *testing.T) {
	host := newHost("ko")
	p := NewPlayer(host, title("d1", "바다", "The Sea", "Море"))
	retries := 0
	p.SetError(errors.New("hls: 404 Not Found"), func() { retries++ })
	rec := draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, t0)
	if op, ok := rec.FindText("404"); !ok || !strings.Contains(op.Text, "hls") {
		t.Errorf("error screen lacks the reason; has %q", rec.Texts())
	}
	if _, ok := rec.FindText(i18n.T("ko", i18n.StreamFailed)); !ok {
		t.Errorf("error screen lacks its title; has %q", rec.Texts())
	}
	p.Update(t0.Add(retryAfter))
	p.Update(t0.Add(retryAfter + time.Second))
	if retries != 1 {
		t.Errorf("%d retries after the countdown, want 1", retries)
	}
	p.SetTransport(&fakeControl{})
	if st := p.State().(PlayerState); st.State != PlayPlaying || st.Error != "" {
		t.Errorf("after a retry that worked: %+v", st)
	}
	p.SetError(errors.New("gone"), nil)
	p.Update(t0.Add(time.Hour))
	keys(p, remote.KeyOK)
	if retries != 1 {
		t.Error("retried without a retry function")
	}
}

func TestLivePlayer(t *testing.T) {
	host := liveHost("en")
	chs := testChannels()
	g := newGuide(testGuide())
	now, next := g.at("news", t0)
	p := NewLivePlayer(host, chs[1], now, next)
	p.SetTransport(&fakeControl{})
	p.Update(t0)
	st := p.State().(PlayerState)
	if st.ChannelID != "news" || st.Number != 3 || !st.Banner || st.Programme != "News channel Evening 20h" {
		t.Fatalf("state %+v", st)
	}
	rec := draw.NewRecorder(1280, 720, nil)
	p.Draw(rec, t0)
	for _, want := range []string{"News channel", "News channel Evening 20h", i18n.T("en", i18n.MinutesLeft, 45)} {
		if _, ok := rec.FindText(want); !ok {
			t.Errorf("banner lacks %q; has %q", want, rec.Texts())
		}
	}
	p.Update(t0.Add(bannerShown))
	if p.State().(PlayerState).Banner {
		t.Error("the banner stays")
	}
	keys(p, remote.KeyChannelUp, remote.KeyChannelDown, remote.KeyLastChannel)
	if len(host.zaps) != 2 || host.zaps[0] != 1 || host.zaps[1] != -1 || host.lasts != 1 {
		t.Errorf("zaps %v, last %d", host.zaps, host.lasts)
	}
	keys(p, remote.Key1, remote.Key2)
	p.Update(t0.Add(bannerShown + DigitTimeout))
	if len(host.tuned) != 1 || host.tuned[0] != "kids" {
		t.Errorf("digits tuned %v", host.tuned)
	}
	// The banner moves on with the schedule.
	p.Update(t0.Add(time.Hour))
	if st := p.State().(PlayerState); st.Programme != "News channel Night 21h" {
		t.Errorf("an hour later the banner says %q", st.Programme)
	}
	keys(p, remote.KeyRight) // no seeking live
	if p.State().(PlayerState).Message != "" {
		t.Error("Right on a live channel did something")
	}
}

func TestPlayerDraws(t *testing.T) {
	checkDrawn(t, "player", func(h *fakeHost) Screen {
		p := NewPlayer(h, title("d1", "바다", "The Sea", "Море"))
		p.SetTransport(&fakeControl{stats: Status{PositionMS: 5000, PacketsLost: 2}})
		keys(p, remote.KeyInfo, remote.KeyPlayPause)
		return p
	})
	checkDrawn(t, "live player", func(h *fakeHost) Screen {
		g := newGuide(testGuide())
		now, next := g.at("kbs", t0)
		return NewLivePlayer(h, testChannels()[0], now, next)
	})
	checkDrawn(t, "player error", func(h *fakeHost) Screen {
		p := NewPlayer(h, title("d1", "바다", "The Sea", "Море"))
		p.SetError(errDown, func() {})
		return p
	})
}

// While the player reconnects to a server that went away, the screen says
// so over the picture, in the viewer's language, and the OSD and Back
// still work; the message goes when data flows again.
func TestPlayerShowsReconnecting(t *testing.T) {
	for _, lang := range []string{"ko", "en", "ru"} {
		host := newHost(lang)
		p := NewPlayer(host, title("d1", "바다", "The Sea", "Море"))
		host.stack = append(host.stack, p)
		ctl := &fakeControl{stats: Status{PositionMS: 61000}}
		p.SetTransport(ctl)
		p.Update(host.now)
		if st := p.State().(PlayerState); st.Reconnecting || st.Message != "" {
			t.Fatalf("%s: reconnecting before the failure: %+v", lang, st)
		}
		ctl.stats.Reconnecting = "dial tcp 127.0.0.1:8080: connection refused"
		host.now = host.now.Add(time.Second)
		p.Update(host.now)
		st := p.State().(PlayerState)
		if want := i18n.T(lang, i18n.Reconnecting); !st.Reconnecting || st.Message != want || st.State != PlayPlaying {
			t.Fatalf("%s: while reconnecting: %+v, want message %q", lang, st, want)
		}
		r := draw.NewRecorder(1280, 720, nil)
		p.Draw(r, host.now)
		if !slices.Contains(r.Texts(), i18n.T(lang, i18n.Reconnecting)) {
			t.Errorf("%s: the message is not drawn: %q", lang, r.Texts())
		}
		// It stays while the player reconnects, past the time a toast lasts.
		for range 3 {
			host.now = host.now.Add(reconnectShown)
			p.Update(host.now)
		}
		if st := p.State().(PlayerState); st.Message == "" {
			t.Errorf("%s: the message went while still reconnecting", lang)
		}
		keys(p, remote.KeyOK)
		if len(ctl.paused) != 1 || !ctl.paused[0] {
			t.Errorf("%s: OK did not pause while reconnecting: %v", lang, ctl.paused)
		}
		ctl.stats.Reconnecting = ""
		host.now = host.now.Add(reconnectCheck)
		p.Update(host.now)
		if st := p.State().(PlayerState); st.Reconnecting || st.Message != "" {
			t.Errorf("%s: still shown once reconnected: %+v", lang, st)
		}
		keys(p, remote.KeyBack)
		if len(host.stack) != 0 {
			t.Errorf("%s: Back did not leave", lang)
		}
	}
}

// A failed playback retries at the time the app asks, and not without a
// retry function.
func TestPlayerRetryIn(t *testing.T) {
	host := newHost("en")
	p := NewPlayer(host, title("d1", "바다", "The Sea", "Море"))
	retries := 0
	p.SetError(errors.New("connection refused"), func() { retries++ })
	p.SetRetryIn(500 * time.Millisecond)
	p.Update(host.now.Add(499 * time.Millisecond))
	if retries != 0 {
		t.Fatalf("retried early")
	}
	p.Update(host.now.Add(500 * time.Millisecond))
	p.Update(host.now.Add(600 * time.Millisecond))
	if retries != 1 {
		t.Fatalf("%d retries, want 1", retries)
	}
	p.SetError(errors.New("not found"), nil)
	p.SetRetryIn(time.Millisecond)
	p.Update(host.now.Add(time.Hour))
	if retries != 1 || !p.fail.RetryAt.IsZero() {
		t.Errorf("retried without a retry function")
	}
}
