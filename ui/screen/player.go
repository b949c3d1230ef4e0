package screen

import (
	"errors"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/ui/i18n"
)

// PlayState is where a playback is.
type PlayState string

// Playback states.
const (
	PlayOpening PlayState = "opening"
	PlayPlaying PlayState = "playing"
	PlayPaused  PlayState = "paused"
	PlayError   PlayState = "error"
	PlayEnded   PlayState = "ended"
)

// How long the on-screen display and the channel banner stay after a key.
const (
	osdShown    = 4 * time.Second
	bannerShown = 5 * time.Second
)

// Seek steps of the arrows, and how long a seek target is kept for the
// next press to add to (the player's position lags behind a seek).
const (
	seekBack    = 10 * time.Second
	seekForward = 30 * time.Second
	seekHold    = 1500 * time.Millisecond
)

// speeds are the fast-forward and rewind speeds, in order.
var speeds = []float64{2, 4, 8, 16}

// Transport is the transport controls of a playback as the Player screen
// uses them: pause, seek, speed, tracks, and the playback's status.
// Methods a player cannot do return errors.ErrUnsupported; the screen then
// says so or does without.
type Transport interface {
	SetPaused(p bool)
	Status() Status
	// Seek jumps to pos from the start of the title.
	Seek(pos time.Duration) error
	// SetSpeed plays at speed times real time (negative: rewinding); 1 is
	// normal play.
	SetSpeed(speed float64) error
	// AudioTracks returns the audio tracks and the index of the one
	// playing; SetAudioTrack changes it.
	AudioTracks() ([]Track, int)
	SetAudioTrack(i int) error
	// Subtitles returns the subtitle tracks and the index of the one
	// shown, -1 for none; SetSubtitles changes it (-1 turns them off).
	Subtitles() ([]Track, int)
	SetSubtitles(i int) error
}

// Status is what the Player screen shows of a playback: where it is, and
// the stream's facts for the info panel.
type Status struct {
	PositionMS float64 // from the start of the title
	DurationMS float64 // 0 for live
	// Reconnecting, if not empty, says why the player is retrying the
	// network while the picture waits.
	Reconnecting string

	Width, Height    int
	VideoCodec       string
	AudioCodec       string
	AudioLang        string
	AudioOutput      string
	BitrateKbps      float64
	PresentedFrames  int
	DroppedFrames    int
	DecodeErrors     int
	AVDriftMSMax     float64
	PacketsLost      int
	PacketsRecovered int
}

// Track is an audio or subtitle track as the viewer picks it.
type Track struct {
	Lang  string // ISO 639 code, if known
	Label string // the stream's own name for it, if any
}

// menuKind is the track menu open over the video, if any.
type menuKind int

const (
	menuNone menuKind = iota
	menuAudio
	menuSubtitles
)

// Player is the full-screen video with its on-screen display: a title's
// progress, or a live channel's banner.
type Player struct {
	host    PlayerHost
	title   operator.Title
	channel *operator.Channel
	now     *operator.Programme // the channel's programme, for the banner
	next    *operator.Programme
	state   PlayState
	fail    Failure
	retry   func()
	retried time.Time
	ctl     Transport
	frame   *media.VideoFrame
	info    bool

	osdUntil    time.Time
	bannerUntil time.Time
	clock       time.Time // as of the last Update

	speed      float64 // 0 or 1: normal
	seekTo     time.Duration
	seekAt     time.Time
	menu       menuKind
	menuPick   int
	digits     digitEntry
	toast      string
	toastUntil time.Time

	reconnecting bool      // the player retries after a network failure
	checkedAt    time.Time // when the player's statistics were last looked at

	file string    // a file of the viewer's medium, played with no operator
	song *songInfo // a song of a folder, shown as now playing
}

// reconnectCheck is how often the screen asks the player whether it is
// reconnecting, and reconnectShown how long the message stays after it
// last was.
const (
	reconnectCheck = 250 * time.Millisecond
	reconnectShown = time.Second
)

// NewPlayer returns the Player screen for a title, opening.
func NewPlayer(host PlayerHost, t operator.Title) *Player {
	now := host.Now()
	return &Player{host: host, title: t, state: PlayOpening, osdUntil: now.Add(osdShown), clock: now}
}

// NewLivePlayer returns the Player screen for a channel, opening, with the
// programmes it shows now and next if known.
func NewLivePlayer(host PlayerHost, ch operator.Channel, now, next *operator.Programme) *Player {
	p := NewPlayer(host, operator.Title{ID: ch.ID, Name: ch.Name})
	p.channel, p.now, p.next = &ch, now, next
	p.bannerUntil = host.Now().Add(bannerShown)
	return p
}

// Name implements Screen.
func (p *Player) Name() string { return "player" }

// Title returns the title being played.
func (p *Player) Title() operator.Title { return p.title }

// Channel returns the channel being played, nil for a title.
func (p *Player) Channel() *operator.Channel { return p.channel }

// SetTransport attaches the started playback's transport controls.
func (p *Player) SetTransport(c Transport) {
	p.ctl = c
	if p.state == PlayOpening || p.state == PlayError {
		p.state = PlayPlaying
		p.fail = Failure{}
	}
}

// SetFrame sets the picture to show. The screen does not own the frame.
func (p *Player) SetFrame(f *media.VideoFrame) { p.frame = f }

// SetError shows that playback failed. With a retry function the screen
// calls it when its countdown ends, or at OK; without, Back is the way.
func (p *Player) SetError(err error, retry func()) {
	p.state = PlayError
	p.ctl = nil
	var ke *KindError
	if !errors.As(err, &ke) && !Refused(err) {
		err = &KindError{Kind: FailStream, Err: err}
	}
	p.fail = failureOf(err, p.host.Now())
	p.retry = retry
	if retry == nil {
		p.fail.RetryAt = time.Time{}
	}
}

// SetRetryIn moves the automatic retry of a failed playback to d from
// now.
func (p *Player) SetRetryIn(d time.Duration) {
	if p.state == PlayError && p.retry != nil {
		p.fail.RetryAt = p.host.Now().Add(d)
	}
}

// SetEnded marks the end of the title.
func (p *Player) SetEnded() { p.state = PlayEnded }

// Position returns where the playback is, for remembering it.
func (p *Player) Position() time.Duration {
	if p.ctl == nil {
		return 0
	}
	return time.Duration(p.ctl.Status().PositionMS * float64(time.Millisecond))
}

// Handle implements Screen.
func (p *Player) Handle(ev remote.Event) bool {
	now := p.host.Now()
	if p.song != nil && p.handleSong(ev, now) {
		return true
	}
	if p.channel != nil && p.digits.add(ev, now) {
		p.bannerUntil = now.Add(bannerShown)
		return true
	}
	if !pressed(ev) {
		return ev.Action != remote.LongPress
	}
	p.osdUntil = now.Add(osdShown)
	if p.menu != menuNone {
		return p.handleMenu(ev)
	}
	switch ev.Key {
	case remote.KeyBack, remote.KeyStop:
		if firstPress(ev) {
			p.host.Back()
		}
	case remote.KeyOK:
		if !firstPress(ev) {
			return true
		}
		switch {
		case p.state == PlayError && p.retry != nil:
			p.retried = p.fail.RetryAt
			p.retry()
		case p.channel != nil:
			if n, ok := p.digits.done(now, true); ok {
				p.tune(n)
			} else {
				p.bannerUntil = now.Add(bannerShown)
			}
		default:
			p.togglePause()
		}
	case remote.KeyPlayPause:
		if firstPress(ev) {
			p.togglePause()
		}
	case remote.KeyInfo:
		if firstPress(ev) {
			p.info = !p.info
			p.bannerUntil = now.Add(bannerShown)
		}
	case remote.KeyLeft:
		p.seekBy(-seekBack, now)
	case remote.KeyRight:
		p.seekBy(seekForward, now)
	case remote.KeyFastForward, remote.KeyRewind:
		if firstPress(ev) {
			p.changeSpeed(ev.Key == remote.KeyFastForward, now)
		}
	case remote.KeyYellow:
		if firstPress(ev) {
			p.openMenu(menuAudio, now)
		}
	case remote.KeyBlue:
		if firstPress(ev) {
			p.openMenu(menuSubtitles, now)
		}
	case remote.KeyChannelUp, remote.KeyChannelDown:
		if p.channel != nil && firstPress(ev) {
			delta := 1
			if ev.Key == remote.KeyChannelDown {
				delta = -1
			}
			p.host.Zap(delta)
		}
		return p.channel != nil
	case remote.KeyLastChannel:
		if p.channel != nil && firstPress(ev) {
			p.host.TuneLast()
		}
		return p.channel != nil
	case remote.KeyUp, remote.KeyDown:
		if p.channel != nil {
			p.bannerUntil = now.Add(bannerShown)
		}
	default:
		return false
	}
	return true
}

func (p *Player) tune(n int) {
	if !p.host.TuneNumber(n) {
		p.say(i18n.T(p.host.Lang(), i18n.NoChannel, n))
	}
}

// say shows a short message over the video.
func (p *Player) say(msg string) {
	p.toast, p.toastUntil = msg, p.host.Now().Add(toastTime)
}

func (p *Player) togglePause() {
	if p.ctl == nil {
		return
	}
	switch p.state {
	case PlayPlaying:
		if p.speed != 0 && p.speed != 1 {
			p.setSpeed(1)
			return
		}
		p.state = PlayPaused
		p.ctl.SetPaused(true)
	case PlayPaused:
		p.state = PlayPlaying
		p.ctl.SetPaused(false)
	}
}

// seekBy jumps by d from where the playback is, or from where the last
// seek was aimed if that was a moment ago (a held arrow adds up).
func (p *Player) seekBy(d time.Duration, now time.Time) {
	if p.ctl == nil || p.channel != nil {
		return
	}
	from := p.Position()
	if now.Sub(p.seekAt) < seekHold {
		from = p.seekTo
	}
	to := max(from+d, 0)
	if total := p.total(); total > 0 {
		to = min(to, total-time.Second)
	}
	if err := p.ctl.Seek(to); err != nil {
		p.say(i18n.T(p.host.Lang(), i18n.CannotSeek))
		return
	}
	p.seekTo, p.seekAt = to, now
}

// total is the length of what plays: the player's, which seeking goes
// by, once it knows it; else the catalogue's (a file from a USB stick has
// none). 0 when neither knows (live).
func (p *Player) total() time.Duration {
	if p.ctl != nil {
		if ms := p.ctl.Status().DurationMS; ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	return time.Duration(p.title.DurationSec) * time.Second
}

// changeSpeed steps through the fast-forward or rewind speeds; a player
// that cannot change speed seeks instead.
func (p *Player) changeSpeed(forward bool, now time.Time) {
	if p.ctl == nil || p.channel != nil {
		return
	}
	next := speeds[0]
	for i, sp := range speeds {
		if (forward && p.speed == sp) || (!forward && p.speed == -sp) {
			next = speeds[(i+1)%len(speeds)]
		}
	}
	if !forward {
		next = -next
	}
	if !p.setSpeed(next) {
		if forward {
			p.seekBy(seekForward, now)
		} else {
			p.seekBy(-seekBack, now)
		}
	}
}

func (p *Player) setSpeed(sp float64) bool {
	if err := p.ctl.SetSpeed(sp); err != nil {
		return false
	}
	p.speed = sp
	if p.state == PlayPaused {
		p.state = PlayPlaying
		p.ctl.SetPaused(false)
	}
	return true
}

func (p *Player) openMenu(kind menuKind, now time.Time) {
	if p.ctl == nil {
		return
	}
	lang := p.host.Lang()
	var tracks []Track
	var cur int
	if kind == menuAudio {
		tracks, cur = p.ctl.AudioTracks()
		if len(tracks) < 2 {
			p.say(i18n.T(lang, i18n.OnlyTrack))
			return
		}
	} else {
		tracks, cur = p.ctl.Subtitles()
		if len(tracks) == 0 {
			p.say(i18n.T(lang, i18n.NoSubtitles))
			return
		}
		cur++ // the first entry is "off"
	}
	p.menu, p.menuPick = kind, max(cur, 0)
}

// menuEntries returns the entries of the open menu, as drawn.
func (p *Player) menuEntries() []string {
	lang := p.host.Lang()
	var tracks []Track
	var out []string
	if p.menu == menuAudio {
		tracks, _ = p.ctl.AudioTracks()
	} else {
		tracks, _ = p.ctl.Subtitles()
		out = append(out, i18n.T(lang, i18n.SubtitlesOff))
	}
	for i, t := range tracks {
		name := t.Label
		if t.Lang != "" {
			name = i18n.LanguageName(lang, t.Lang)
			if t.Label != "" && t.Label != name {
				name += " · " + t.Label
			}
		}
		if name == "" {
			name = i18n.T(lang, i18n.TrackN, i+1)
		}
		out = append(out, name)
	}
	return out
}

func (p *Player) handleMenu(ev remote.Event) bool {
	if p.ctl == nil {
		p.menu = menuNone
		return true
	}
	n := len(p.menuEntries())
	switch ev.Key {
	case remote.KeyUp:
		p.menuPick = max(p.menuPick-1, 0)
	case remote.KeyDown:
		p.menuPick = min(p.menuPick+1, n-1)
	case remote.KeyOK:
		if !firstPress(ev) {
			return true
		}
		if p.menu == menuAudio {
			p.ctl.SetAudioTrack(p.menuPick)
		} else {
			p.ctl.SetSubtitles(p.menuPick - 1)
		}
		p.menu = menuNone
	case remote.KeyBack, remote.KeyYellow, remote.KeyBlue:
		if firstPress(ev) {
			p.menu = menuNone
		}
	}
	return true
}

// Update implements Screen: channel digits, retries, the end of a speed
// change once the player reports it.
func (p *Player) Update(now time.Time) {
	p.clock = now
	if n, ok := p.digits.done(now, false); ok {
		p.tune(n)
	}
	if p.state == PlayError && p.retry != nil && !p.fail.RetryAt.IsZero() && !now.Before(p.fail.RetryAt) && p.retried != p.fail.RetryAt {
		p.retried = p.fail.RetryAt
		p.retry()
	}
	if p.channel != nil && p.now != nil && !now.Before(p.now.Stop) {
		p.now, p.next = p.next, nil // the banner moves on with the schedule
	}
	// Rewound to the start, the title plays on at normal speed, as a
	// box's rewind does, instead of waiting at 0:00.
	if p.speed < 0 && p.state == PlayPlaying && p.ctl != nil && p.ctl.Status().PositionMS < rewoundMS {
		p.setSpeed(1)
	}
	p.checkReconnecting(now)
}

// rewoundMS is how near the start, in milliseconds, a rewind ends.
const rewoundMS = 1000

// checkReconnecting shows, over the picture, that the player is
// reconnecting to the server while it is, and takes the message away as
// soon as it is not. Keys work as ever meanwhile.
func (p *Player) checkReconnecting(now time.Time) {
	if p.ctl == nil || (p.state != PlayPlaying && p.state != PlayPaused) {
		p.reconnecting = false
		return
	}
	if now.Sub(p.checkedAt) < reconnectCheck && now.After(p.checkedAt) {
		return
	}
	p.checkedAt = now
	msg := i18n.T(p.host.Lang(), i18n.Reconnecting)
	switch {
	case p.ctl.Status().Reconnecting != "":
		p.reconnecting = true
		p.toast, p.toastUntil = msg, now.Add(reconnectShown)
	case p.reconnecting:
		p.reconnecting = false
		if p.toast == msg {
			p.toastUntil = now
		}
	}
}

// PlayerState is the Player screen's report to the control endpoint.
type PlayerState struct {
	Screen    string    `json:"screen"`
	TitleID   string    `json:"title_id"`
	Title     string    `json:"title"`
	ChannelID string    `json:"channel_id,omitempty"`
	Number    int       `json:"number,omitempty"`
	Programme string    `json:"programme,omitempty"`
	State     PlayState `json:"state"`
	Error     string    `json:"error,omitempty"`
	// Problem is what the error panel tells the viewer, in their language.
	Problem string  `json:"problem,omitempty"`
	Info    bool    `json:"info"`
	OSD     bool    `json:"osd"`
	Banner  bool    `json:"banner"`
	Speed   float64 `json:"speed,omitempty"`
	Menu    string  `json:"menu,omitempty"`
	Digits  string  `json:"digits,omitempty"`
	Message string  `json:"message,omitempty"`
	// Reconnecting: the player retries after a network failure, and the
	// screen says so over the picture.
	Reconnecting bool `json:"reconnecting,omitempty"`
	// File is the path of a file of the viewer's medium being played,
	// and Song its place in the folder when it is a song.
	File string     `json:"file,omitempty"`
	Song *SongState `json:"song,omitempty"`
}

// State implements Screen.
func (p *Player) State() any {
	lang := p.host.Lang()
	s := PlayerState{
		Screen: p.Name(), TitleID: p.title.ID, Title: p.title.Name.In(lang), State: p.state,
		Error: p.fail.Detail, Info: p.info, OSD: p.osdVisible(p.clock), Banner: p.channel != nil && p.clock.Before(p.bannerUntil),
		Digits: p.digits.typed, Reconnecting: p.reconnecting,
	}
	if p.state == PlayError {
		title, detail := p.fail.Words(lang)
		s.Problem = strings.TrimSpace(title + ". " + detail)
	}
	if p.speed != 1 {
		s.Speed = p.speed
	}
	if p.channel != nil {
		s.TitleID, s.ChannelID, s.Number = "", p.channel.ID, p.channel.Number
		if p.now != nil {
			s.Programme = p.now.Title.In(lang)
		}
	}
	switch p.menu {
	case menuAudio:
		s.Menu = "audio"
	case menuSubtitles:
		s.Menu = "subtitles"
	}
	if p.clock.Before(p.toastUntil) {
		s.Message = p.toast
	}
	s.File = p.file
	if p.song != nil {
		s.Song = p.songState()
	}
	return s
}

func (p *Player) osdVisible(now time.Time) bool {
	if p.channel != nil {
		return false
	}
	return p.state == PlayPaused || p.state == PlayEnded || (p.speed != 0 && p.speed != 1) || now.Before(p.osdUntil)
}
